"""What else could make CPU generation faster: a static key-value cache, eager attention, one thread.

    python benchmarks/generate_variants_bench.py [--model models/dpo] [--rows 72] [--new-tokens 64]

Each variant generates ``--new-tokens`` greedy tokens for the same ``--rows`` random prompts of
150 tokens (half of them left-padded by 40), bf16, with transformers' ``generate``; then the same
model decodes and runs a forward pass with one torch thread against two. Each figure is one
timed run after a short warm-up, in this process.
"""

from __future__ import annotations

import argparse
import time

import torch
from transformers import AutoModelForCausalLM


def generate_seconds(model: torch.nn.Module, rows: int, new_tokens: int, cache: str | None) -> float:
    generator = torch.Generator().manual_seed(0)
    ids = torch.randint(100, model.config.vocab_size, (rows, 150), generator=generator)
    mask = torch.ones_like(ids)
    mask[: rows // 2, :40] = 0
    options = {"do_sample": False, "pad_token_id": 0, "cache_implementation": cache}
    with torch.inference_mode():
        model.generate(ids[-2:, :20], attention_mask=mask[-2:, :20], max_new_tokens=4, min_new_tokens=4, **options)
        started = time.perf_counter()
        model.generate(ids, attention_mask=mask, max_new_tokens=new_tokens, min_new_tokens=new_tokens, **options)
    return time.perf_counter() - started


def forward_seconds(model: torch.nn.Module, rows: int, length: int) -> float:
    ids = torch.randint(100, model.config.vocab_size, (rows, length), generator=torch.Generator().manual_seed(0))
    with torch.inference_mode():
        model(input_ids=ids, logits_to_keep=1)
        started = time.perf_counter()
        model(input_ids=ids, logits_to_keep=1)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="models/dpo")
    parser.add_argument("--rows", type=int, default=72)
    parser.add_argument("--new-tokens", type=int, default=64)
    args = parser.parse_args()
    shape = f"{args.rows} rows x {args.new_tokens} new tokens"
    for attention, cache in (("sdpa", None), ("sdpa", "static"), ("eager", None)):
        model = AutoModelForCausalLM.from_pretrained(args.model, dtype=torch.bfloat16, attn_implementation=attention)
        seconds = generate_seconds(model.eval(), args.rows, args.new_tokens, cache)
        print(f"{attention:>5} attention, {cache or 'dynamic':>7} cache, {shape}: {seconds:6.2f} s", flush=True)
    model = AutoModelForCausalLM.from_pretrained(args.model, dtype=torch.bfloat16).eval()
    threads = torch.get_num_threads()
    for label, work in (
        ("generate, 8 rows x 32 new tokens", lambda: generate_seconds(model, 8, 32, None)),
        (f"generate, {shape}", lambda: generate_seconds(model, args.rows, args.new_tokens, None)),
        ("forward pass, 8 x 192 tokens", lambda: forward_seconds(model, 8, 192)),
    ):
        seconds = {}
        for count in (threads, 1):
            torch.set_num_threads(count)
            seconds[count] = work()
        torch.set_num_threads(threads)
        print(f"{label}: {threads} threads {seconds[threads]:.2f} s, 1 thread {seconds[1]:.2f} s "
              f"({seconds[1] / seconds[threads]:.2f}x slower)", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
