"""Translation throughput: batched, length-sorted generation against one chunk at a time.

    python benchmarks/translate_bench.py [--chunks 48] [--batch-size 16]

Both sides run the real transformers backend on the same model (SmolLM2-135M-Instruct, CPU,
greedy, the params.yaml prompt) and the same chunks, drawn from the shipped samples, in one
run. Also prints the share of characters that chunk dedupe saves on all the shipped samples.
Target: batched at least 3x the chars/s of one-at-a-time.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq

from lingualign.ingest import IngestSettings, ingest
from lingualign.settings import load_settings
from lingualign.translate import FIELDS, TranslateSettings, build_backend
from lingualign.translate.chunking import chunks as text_chunks


def shipped_texts(tmp: Path) -> list[str]:
    settings = load_settings(IngestSettings, "ingest")
    sources = [source.model_copy(update={"limit": None}) for source in settings.sources]
    ingest(settings.model_copy(update={"sources": sources}), tmp / "normalized.parquet")
    table = pq.read_table(tmp / "normalized.parquet")
    return [text for field in FIELDS for text in table.column(field).to_pylist()]


def timed(backend: object, chunks: list[str]) -> float:
    started = time.perf_counter()
    backend.translate(chunks)  # type: ignore[attr-defined]
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=48)
    parser.add_argument("--batch-size", type=int, default=16)
    args = parser.parse_args()
    settings = load_settings(TranslateSettings, "translate")
    with tempfile.TemporaryDirectory() as tmp:
        texts = shipped_texts(Path(tmp))
    all_chunks = [chunk for text in texts for chunk in text_chunks(text, settings.max_chunk_chars)]
    unique = list(dict.fromkeys(all_chunks))
    total_chars = sum(map(len, texts))
    print(
        f"shipped samples: {len(texts):,} texts, {total_chars:,} characters, {len(all_chunks):,} chunks, "
        f"{len(unique):,} unique"
    )
    print(
        f"dedupe saves:    {1 - sum(map(len, unique)) / total_chars:.1%} of characters (unique chunk characters "
        "vs all characters in all rows)"
    )

    sample = random.Random(0).sample(unique, min(args.chunks, len(unique)))
    chars = sum(map(len, sample))
    batched = build_backend(settings.model_copy(update={"batch_size": args.batch_size, "device": "cpu"}))
    single = build_backend(settings.model_copy(update={"batch_size": 1, "device": "cpu"}))
    timed(batched, sample[:2])  # warm-up: first-call allocations should not count for either side
    one_at_a_time = timed(single, sample)
    batched_seconds = timed(batched, sample)
    print(
        f"{len(sample)} chunks, {chars:,} characters, model {settings.model}, max_new_tokens {settings.max_new_tokens}"
    )
    print(f"one chunk at a time:          {one_at_a_time:7.1f} s  {chars / one_at_a_time:8.1f} chars/s")
    print(
        f"batched ({args.batch_size}), length-sorted:  {batched_seconds:7.1f} s  {chars / batched_seconds:8.1f} chars/s"
    )
    print(f"speed-up:                     {one_at_a_time / batched_seconds:7.1f}x (target >= 3x)")


if __name__ == "__main__":
    main()
