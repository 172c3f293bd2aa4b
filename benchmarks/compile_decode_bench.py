"""One decode step of a causal LM, eager against ``torch.compile`` (inductor), bf16, in one process each.

    python benchmarks/compile_decode_bench.py eager   [--model models/dpo]
    python benchmarks/compile_decode_bench.py compile [--model models/dpo]

Each row holds 200 cached tokens, the first row's first 8 of them padding (a padding mask, as the
engines' mixed-length batches attend through). For batches of 1, 8, 72 and 33 rows it prints the
time of the first three steps (for ``compile``: compiling that shape) and the mean of the next ten.
``compile`` uses inductor with ``freezing`` (weights folded as constants, oneDNN's prepacked
linear) and ``dynamic=True``, so that a new batch size or cache length need not recompile.
"""

from __future__ import annotations

import argparse
import time

import torch
from transformers import AutoModelForCausalLM, DynamicCache

CACHED, WARMUP, STEPS = 200, 3, 10


def step_times(model: torch.nn.Module, forward: object, batch: int) -> tuple[float, float]:
    generator = torch.Generator().manual_seed(0)
    ids = torch.randint(0, model.config.vocab_size, (batch, CACHED), generator=generator)
    following = torch.randint(0, model.config.vocab_size, (batch, 1), generator=generator)
    mask = torch.ones(batch, CACHED + WARMUP + STEPS, dtype=torch.long)
    mask[0, :8] = 0
    positions = (mask.cumsum(-1) - 1).clamp(min=0)
    with torch.inference_mode():
        cache = DynamicCache()
        model(
            input_ids=ids,
            attention_mask=mask[:, :CACHED],
            position_ids=positions[:, :CACHED],
            past_key_values=cache,
            use_cache=True,
            logits_to_keep=1,
        )

        def step(at: int) -> None:
            forward(  # type: ignore[operator]
                input_ids=following,
                attention_mask=mask[:, : at + 1],
                position_ids=positions[:, at : at + 1],
                past_key_values=cache,
                use_cache=True,
            )

        started = time.perf_counter()
        for at in range(CACHED, CACHED + WARMUP):
            step(at)
        warmup = time.perf_counter() - started
        started = time.perf_counter()
        for at in range(CACHED + WARMUP, CACHED + WARMUP + STEPS):
            step(at)
    return warmup, (time.perf_counter() - started) / STEPS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["eager", "compile"])
    parser.add_argument("--model", default="models/dpo")
    args = parser.parse_args()
    model = AutoModelForCausalLM.from_pretrained(args.model, dtype=torch.bfloat16).eval()
    forward = model
    if args.mode == "compile":
        import torch._inductor.config as inductor

        inductor.freezing = True
        forward = torch.compile(model, dynamic=True)
    for batch in (1, 8, 72, 33):
        warmup, step = step_times(model, forward, batch)
        print(f"{args.mode} batch {batch}: warm-up {warmup:.1f} s, step {step * 1000:.1f} ms", flush=True)


if __name__ == "__main__":
    main()
