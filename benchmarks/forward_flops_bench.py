"""How close a forward pass comes to this machine's matrix-product rate: the bound on what faster code can save.

    python benchmarks/forward_flops_bench.py [--model models/dpo] [--shapes 4x600 8x192 72x100]

First the rate of one bare bf16 matrix product the size of the model's widest projection (its MLP's,
at the tokens of the largest shape), then a forward pass of the model in bf16 for each
``ROWSxTOKENS`` shape (random token ids, no padding, only the last position's logits, as prefill
and scoring run it), each as floating-point operations per second: 2 per weight and token in the
decoder layers, plus attention's products of queries with keys and of weights with values
(causal: half of them). Each figure is the best of three timed runs after a warm-up, in this
process. A forward pass near the bare product's rate leaves little for kernels or Python to win:
what it costs is the work asked of it.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import torch
from transformers import AutoModelForCausalLM

RUNS = 3


def best_seconds(work: Callable[[], object]) -> float:
    work()
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def forward_flops(model: torch.nn.Module, rows: int, tokens: int) -> float:
    config = model.config
    layers = sum(p.numel() for p in model.model.layers.parameters() if p.dim() == 2)
    width = config.num_attention_heads * getattr(config, "head_dim", config.hidden_size // config.num_attention_heads)
    attention = 2 * 2 * config.num_hidden_layers * width * tokens * tokens / 2
    return rows * (2 * layers * tokens + attention)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="models/dpo")
    parser.add_argument("--shapes", nargs="+", default=["4x600", "8x192", "72x100"], help="ROWSxTOKENS")
    args = parser.parse_args()
    shapes = [tuple(map(int, shape.split("x"))) for shape in args.shapes]
    model = AutoModelForCausalLM.from_pretrained(args.model, dtype=torch.bfloat16).eval()
    config = model.config
    tokens = max(rows * length for rows, length in shapes)
    generator = torch.Generator().manual_seed(0)
    inputs = torch.randn(tokens, config.hidden_size, generator=generator).to(torch.bfloat16)
    weight = torch.randn(config.intermediate_size, config.hidden_size, generator=generator).to(torch.bfloat16)
    with torch.inference_mode():
        seconds = best_seconds(lambda: torch.nn.functional.linear(inputs, weight))
    ceiling = 2 * tokens * config.hidden_size * config.intermediate_size / seconds
    print(f"bf16 matrix product {tokens} x {config.hidden_size} x {config.intermediate_size}: "
          f"{ceiling / 1e9:6.1f} GFLOP/s", flush=True)  # fmt: skip
    for rows, length in shapes:
        ids = torch.randint(100, config.vocab_size, (rows, length), generator=generator)
        with torch.inference_mode():
            seconds = best_seconds(lambda ids=ids: model(input_ids=ids, logits_to_keep=1))
        rate = forward_flops(model, rows, length) / seconds
        print(f"forward {rows:3d} x {length:4d} tokens: {seconds:6.2f} s  {rate / 1e9:6.1f} GFLOP/s  "
              f"{rate / ceiling:4.0%} of the product's rate", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
