"""Translation throughput of the engine: batched against one chunk at a time and against the ceiling.

    python benchmarks/translate_bench.py [--chunks 128] [--single 16] [--dtype auto]

All three run the real transformers engine on the params' translation model (SmolLM2-135M-Instruct
on CPU by default), with the params' prompt and per-chunk token budgets, on unique chunks of the
shipped samples, in one process, one after the other:

- one chunk at a time (batch 1) on the first ``--single`` chunks;
- batched as the stage runs them (``translate.engine.batch_size``, each batch sorted by length);
- the same-length ceiling: as many prompts of one length in batches of the same size, each made
  to generate its full budget (no stop), the most a static batch can do on this machine.

Useful tokens are the tokens each chunk keeps (up to its stop or budget). Targets: batched at
least 8x one chunk at a time; the ceiling says how much padding and early stops still cost.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from lingualign.contracts import TEXT_FIELDS
from lingualign.engines import ENGINES, Request
from lingualign.ingest import PARAMS as INGEST_PARAMS
from lingualign.ingest import IngestSettings, ingest
from lingualign.settings import load_settings
from lingualign.translate import PARAMS, TranslateSettings, chunk_request
from lingualign.translate.chunking import chunks as text_chunks


def shipped_texts(folder: Path) -> list[str]:
    """System prompts, prompts and responses of every shipped record (no limit, no max_chars)."""
    settings = load_settings(IngestSettings, Path("params.yaml"), INGEST_PARAMS)
    sources = [source.model_copy(update={"limit": None, "max_chars": None}) for source in settings.sources]
    ingest(settings.model_copy(update={"sources": sources}), folder / "normalized.parquet")
    table = pq.read_table(folder / "normalized.parquet")
    return [text for field in TEXT_FIELDS for text in table.column(field).to_pylist()]


def timed(engine: Any, requests: list[Request]) -> tuple[float, int]:
    """Seconds and useful new tokens for ``requests`` through the engine's own batching."""
    started = time.perf_counter()
    generations = engine.generate(requests)
    return time.perf_counter() - started, sum(g.tokens for g in generations)


def ceiling_seconds(engine: Any, request: Request, budget: int, count: int) -> float:
    """``count`` copies of one prompt, in the engine's batch size, each generating ``budget`` tokens."""
    import torch

    prompt = engine.render(request)
    size = engine.settings.batch_size
    encoded = engine.tokenizer([prompt] * size, return_tensors="pt", add_special_tokens=False)
    started = time.perf_counter()
    for _ in range(0, count, size):
        with torch.inference_mode():
            engine.model.generate(
                **encoded,
                max_new_tokens=budget,
                min_new_tokens=budget,
                do_sample=False,
                pad_token_id=engine.tokenizer.pad_token_id,
            )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=128)
    parser.add_argument("--single", type=int, default=16, help="Chunks run one at a time (the slow side)")
    parser.add_argument("--dtype", default=None, help="Override translate.engine.dtype (auto, float32, bfloat16)")
    parser.add_argument("--batch-size", type=int, default=None, help="Override translate.engine.batch_size")
    args = parser.parse_args()
    settings = load_settings(TranslateSettings, Path("params.yaml"), PARAMS)
    overrides = {
        "dtype": args.dtype or settings.engine.dtype,
        "batch_size": args.batch_size or settings.engine.batch_size,
    }
    engine_settings = settings.engine.model_copy(update=overrides)
    kind = ENGINES.get(engine_settings.name)
    with tempfile.TemporaryDirectory() as tmp:
        texts = shipped_texts(Path(tmp))
    unique = list(dict.fromkeys(chunk for text in texts for chunk in text_chunks(text, settings.max_chunk_chars)))
    sample = random.Random(0).sample(unique, min(args.chunks, len(unique)))
    requests = [chunk_request(chunk, settings) for chunk in sample]
    batched = kind(engine_settings)
    single = kind(engine_settings.model_copy(update={"batch_size": 1}))
    print(f"{len(sample)} unique chunks of the shipped samples, {sum(map(len, sample)):,} characters")
    print(f"engine {engine_settings.name}, {engine_settings.model}, dtype {kind.identity_of(engine_settings)['dtype']}")
    timed(batched, requests[:2])  # warm-up: first-call allocations count for neither side

    seconds, tokens = timed(single, requests[: args.single])
    one = tokens / seconds
    print(f"one chunk at a time ({args.single} chunks):      {seconds:7.1f} s  {one:7.1f} useful tokens/s")
    seconds, tokens = timed(batched, requests)
    many = tokens / seconds
    size = engine_settings.batch_size
    print(
        f"batched ({size}), sorted by length:          {seconds:7.1f} s  {many:7.1f} useful tokens/s  "
        f"{many / one:5.1f}x"
    )

    budget = round(sum(r.max_new_tokens for r in requests) / len(requests))
    seconds = ceiling_seconds(batched, requests[len(requests) // 2], budget, len(requests))
    ceiling = len(requests) * budget / seconds
    print(f"same-length ceiling ({size} x {budget} tokens):    {seconds:7.1f} s  {ceiling:7.1f} tokens/s")
    print(f"batched reaches {many / ceiling:.0%} of the ceiling; target: batched >= 8x one at a time")


if __name__ == "__main__":
    main()
