"""One decode step of a causal LM at several batch sizes, bf16 against fp32, in one process.

    python benchmarks/decode_step_bench.py [--model models/dpo] [--batches 1 8 72] [--cached 200]

Each row of the batch has ``--cached`` tokens in its key-value cache, the first row's first 8 of
them padding, so that every step attends through a padding mask as a batch of mixed-length
prompts does in the engines (with no mask at all, transformers takes another, on CPU slower,
attention path); the figure is the mean of ten steps after three warm-up steps. It shows where
generation's time goes on this machine: a step that costs nearly as much at batch 1 as at batch 8
is bound by reading the weights.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import torch
from transformers import AutoModelForCausalLM, DynamicCache

STEPS, WARMUP, PADDED = 10, 3, 8


def step_seconds(model: torch.nn.Module, batch: int, cached: int, forward: Any = None) -> tuple[float, float]:
    """(seconds of the warm-up steps, mean seconds of a step after them); ``forward``: the model's
    forward to time, e.g. a compiled one (default: the model's own)."""
    forward = forward or model
    generator = torch.Generator().manual_seed(0)
    ids = torch.randint(0, model.config.vocab_size, (batch, cached), generator=generator)
    following = torch.randint(0, model.config.vocab_size, (batch, 1), generator=generator)
    mask = torch.ones(batch, cached + WARMUP + STEPS, dtype=torch.long)
    mask[0, :PADDED] = 0
    positions = (mask.cumsum(-1) - 1).clamp(min=0)

    def step(at: int) -> None:
        forward(
            input_ids=following,
            attention_mask=mask[:, : at + 1],
            position_ids=positions[:, at : at + 1],
            past_key_values=cache,
            use_cache=True,
        )

    with torch.inference_mode():
        cache = DynamicCache()
        model(
            input_ids=ids,
            attention_mask=mask[:, :cached],
            position_ids=positions[:, :cached],
            past_key_values=cache,
            use_cache=True,
            logits_to_keep=1,
        )
        started = time.perf_counter()
        for at in range(cached, cached + WARMUP):
            step(at)
        warmup = time.perf_counter() - started
        started = time.perf_counter()
        for at in range(cached + WARMUP, cached + WARMUP + STEPS):
            step(at)
    return warmup, (time.perf_counter() - started) / STEPS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="models/dpo")
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 8, 72])
    parser.add_argument("--cached", type=int, default=200, help="Tokens already in each row's cache")
    args = parser.parse_args()
    for dtype in (torch.bfloat16, torch.float32):
        model = AutoModelForCausalLM.from_pretrained(args.model, dtype=dtype).eval()
        for batch in args.batches:
            _, seconds = step_seconds(model, batch, args.cached)
            print(f"{str(dtype).removeprefix('torch.'):>8}  batch {batch:3d}: {seconds * 1000:6.1f} ms/step, "
                  f"{batch / seconds:6.0f} tokens/s", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
