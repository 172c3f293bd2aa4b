"""The translate stage's own cost: chunking, cache, joining, quality flags, Parquet, with no model.

    python benchmarks/translate_stage_bench.py [--rows 20000] [--scale 10]

The engine here is ``echo-benchmark``, registered by this script alone: it answers every request
at once with the chunk it was asked to translate, so what is timed is the stage, not a model.
The data are orca-like rows made from the shipped orca samples (their system prompts repeat, as
in the real data; every question and answer line is made unique). Three runs, each in a fresh
process so its peak RSS is its own: a first run into an empty cache, a rerun with every chunk
cached, and a first run on ``--scale`` times the rows. Targets: at least 10 M source characters/s
on 2 cores; the cached rerun under a tenth of the first run's time; peak RSS under 2 GB and flat
when the data grow tenfold.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import json, sys, time
from pathlib import Path
from lingualign.engines import ENGINES, Engine, EngineSettings, Generation
from lingualign.settings import load_settings
from lingualign.translate import PARAMS, TranslateSettings, translate_stage

@ENGINES.register("echo-benchmark", EngineSettings)
class EchoBenchmark(Engine):
    def generate(self, requests):
        return [Generation(r.text.rsplit("\\n", 1)[-1], False, 1) for r in requests]

source, out, cache = map(Path, sys.argv[1:4])
settings = load_settings(TranslateSettings, Path("params.yaml"), PARAMS)
engine = {"name": "echo-benchmark", "model": "none", "batch_size": settings.engine.batch_size}
settings = settings.model_copy(update={"engine": EngineSettings.model_validate(engine)})
started = time.perf_counter()
metrics = translate_stage(settings, source, out, cache)
seconds = time.perf_counter() - started
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork and exec.
peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM")) / 1024
print(json.dumps({"seconds": seconds, "characters": metrics["characters"],
                  "chunks": metrics["chunks"], "peak_mb": peak}))
"""


def orca_like(records: int, path: Path) -> int:
    """``records`` orca records (two normalized rows each) from the shipped samples; returns their characters."""

    from lingualign.contracts import NORMALIZED
    from lingualign.io import parquet_sink

    samples = [json.loads(line) for line in (ROOT / "data" / "raw" / "orca_dpo_pairs.jsonl").open(encoding="utf-8")]
    rows, characters = 2 * records, 0
    with parquet_sink(path, NORMALIZED) as sink:
        for start in range(0, rows, 10_000):
            columns: dict[str, list] = {name: [] for name in NORMALIZED.names}
            for row in range(start, min(rows, start + 10_000)):
                record = samples[(row // 2) % len(samples)]
                answer = record["chosen" if row % 2 == 0 else "rejected"]
                unique = "\n".join(
                    f"{line} ({row // 2}.{n})" if line.strip() else line for n, line in enumerate(answer.split("\n"))
                )
                values = {
                    "prompt_id": f"p{row // 2}", "dataset": "orca", "source_row": row // 2, "system": record["system"],
                    "prompt": f"{record['question']} ({row // 2})", "response_id": f"r{row}", "response": unique,
                    "source_model": None, "rating": None, "fine_grained_rating": None,
                    "label": "chosen" if row % 2 == 0 else "rejected", "language": "en",
                }  # fmt: skip
                characters += len(values["system"]) + len(values["prompt"]) + len(values["response"])
                for name, value in values.items():
                    columns[name].append(value)
            sink.write(columns)
    return characters


def run(source: Path, out: Path, cache: Path) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(source), str(out), str(cache)], capture_output=True, text=True, cwd=ROOT
    )
    if result.returncode:
        sys.exit(result.stderr[-3000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000, help="orca records (two rows each)")
    parser.add_argument("--scale", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        chars = orca_like(args.records, folder / "one.parquet")
        made = time.perf_counter() - started
        print(
            f"{args.records:,} orca-like records ({2 * args.records:,} rows), {chars / 1e6:.1f} M characters "
            f"(made in {made:.0f} s)"
        )
        first = run(folder / "one.parquet", folder / "t1.parquet", folder / "cache1")
        again = run(folder / "one.parquet", folder / "t2.parquet", folder / "cache1")
        orca_like(args.records * args.scale, folder / "many.parquet")
        (folder / "one.parquet").unlink()
        many = run(folder / "many.parquet", folder / "t3.parquet", folder / "cache3")
    for name, result in (("first run", first), ("cached rerun", again), (f"{args.scale}x the data", many)):
        rate = result["characters"] / result["seconds"] / 1e6
        print(f"{name:>14}: {result['seconds']:7.1f} s  {rate:6.2f} M chars/s  {result['chunks']:>9,} chunks  "
              f"peak RSS {result['peak_mb']:7,.0f} MB")  # fmt: skip
    print(f"cached rerun / first run: {again['seconds'] / first['seconds']:.2f} of the time")
    print(f"peak RSS at {args.scale}x the data / first run: {many['peak_mb'] / first['peak_mb']:.2f}")
    print(f"this process: peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")
    print("targets: >= 10 M chars/s; cached rerun < 0.1 of the first run; peak RSS < 2 GB and flat at 10x")


if __name__ == "__main__":
    main()
