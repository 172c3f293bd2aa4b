"""Ingest throughput and peak memory on synthetic UltraFeedback-shaped data.

    python benchmarks/ingest_bench.py                # 1,000,000 records (4,000,000 output rows)
    python benchmarks/ingest_bench.py --records 50000

Writes a JSONL file of ``--records`` UltraFeedback records (4 completions each, with
annotations), runs the real ingest stage on it in a child process, and prints records/s,
output rows/s and the child's peak RSS. The target: peak RSS under 1.5 GB at 1,000,000 records.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MODELS = ["gpt-4", "llama-2-13b-chat", "wizardlm-7b", "falcon-40b-instruct", "alpaca-7b", "vicuna-33b"]
WORDS = [
    "the",
    "order",
    "shipping",
    "refund",
    "account",
    "password",
    "router",
    "invoice",
    "delay",
    "customer",
    "please",
    "check",
    "update",
]


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def record(rng: random.Random, index: int) -> dict[str, object]:
    models = rng.sample(MODELS, 4)
    completions = []
    for model in models:
        rating = str(rng.randint(1, 5))
        completions.append(
            {
                "annotations": {
                    aspect: {"Rating": rating, "Rationale": sentence(rng, 12)}
                    for aspect in ("helpfulness", "honesty", "instruction_following", "truthfulness")
                },
                "critique": sentence(rng, 20),
                "custom_system_prompt": "You are a helpful assistant.",
                "fine-grained_score": float(rating),
                "model": model,
                "overall_score": rng.randint(2, 20) / 2,
                "principle": "helpfulness",
                "response": "\n".join(sentence(rng, 15) for _ in range(3)),
            }
        )
    return {
        "source": "evol_instruct",
        "instruction": f"Request {index}: {sentence(rng, 10)}",
        "models": models,
        "completions": completions,
        "correct_answers": [],
        "incorrect_answers": [],
    }


def write_records(path: Path, count: int) -> None:
    rng = random.Random(0)
    with open(path, "w", encoding="utf-8") as handle:
        for index in range(count):
            handle.write(json.dumps(record(rng, index)) + "\n")


CHILD = """
import sys, time
from pathlib import Path
from lingualign.ingest import IngestSettings, ingest
settings = IngestSettings.model_validate({"sources": [{"name": "uf", "schema": "ultrafeedback", "path": sys.argv[1]}]})
start = time.perf_counter()
metrics = ingest(settings, Path(sys.argv[2]))
print(metrics["datasets"]["uf"]["records"], metrics["rows"], time.perf_counter() - start)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        raw, out = Path(tmp) / "uf.jsonl", Path(tmp) / "normalized.parquet"
        started = time.perf_counter()
        write_records(raw, args.records)
        print(
            f"wrote {args.records:,} records ({raw.stat().st_size / 1e9:.2f} GB) in "
            f"{time.perf_counter() - started:.0f} s"
        )
        result = subprocess.run([sys.executable, "-c", CHILD, str(raw), str(out)], capture_output=True, text=True)
        if result.returncode:
            sys.exit(result.stderr)
        records, rows, seconds = result.stdout.split()
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"records:        {int(records):,}")
        print(f"output rows:    {int(rows):,}")
        print(f"seconds:        {float(seconds):.1f}")
        print(f"records/s:      {int(records) / float(seconds):,.0f}")
        print(f"rows/s:         {int(rows) / float(seconds):,.0f}")
        print(f"peak RSS:       {peak_mb:,.0f} MB (target < 1,536 MB)")
        print(f"output size:    {out.stat().st_size / 1e6:,.0f} MB")


if __name__ == "__main__":
    main()
