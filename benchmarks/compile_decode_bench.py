"""One decode step of a causal LM, eager against ``torch.compile`` (inductor), bf16, in one process each.

    python benchmarks/compile_decode_bench.py eager   [--model models/dpo]
    python benchmarks/compile_decode_bench.py compile [--model models/dpo]

The step is ``decode_step_bench.py``'s: 200 cached tokens a row, attended through a padding mask.
For batches of 1, 8, 72 and 33 rows it prints the time of the three warm-up steps (for
``compile``: compiling that shape) and the mean of the ten after them. ``compile`` uses inductor
with ``freezing`` (weights folded as constants, oneDNN's prepacked linear) and ``dynamic=True``,
so that a new batch size or cache length need not recompile.
"""

from __future__ import annotations

import argparse

import torch
from decode_step_bench import step_seconds
from transformers import AutoModelForCausalLM


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
        warmup, step = step_seconds(model, batch, 200, forward)
        print(f"{args.mode} batch {batch}: warm-up {warmup:.1f} s, step {step * 1000:.1f} ms", flush=True)


if __name__ == "__main__":
    main()
