"""The warm start against a cold one: each stage's seconds side by side, in a fresh clone.

    python benchmarks/warm_bench.py [--repo .] [--rounds 2] [--until pairs]

Clones HEAD, runs ``dvc repro UNTIL`` once to make every input, then reruns each of those stages
alone (``dvc repro --force --single-item``) cold (``LINGUALIGN_WARM=0``) and warm (``=1``, as the
Makefile sets it) in turn, ``--rounds`` times, so the machine's drift falls on both alike. Prints
each stage's best seconds cold and warm, and the sums.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def repro(project: Path, env: dict[str, str], *args: str) -> float:
    started = time.perf_counter()
    subprocess.run(["dvc", "repro", *args], cwd=project, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, default=Path("."))
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--until", default="pairs", help="The last stage: it and every stage it needs are timed")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="lingualign-warm-"))
    project = folder / "project"
    subprocess.run(["git", "clone", "-q", str(args.repo.resolve()), str(project)], check=True)
    env = os.environ | {
        "PYTHONPATH": str(project / "src"),
        "MLFLOW_TRACKING_URI": f"sqlite:///{project / 'mlflow.db'}",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "LINGUALIGN_WARM_DIR": str(folder / "warm"),
        "LINGUALIGN_WARM_IDLE": "600",
    }
    try:
        repro(project, env | {"LINGUALIGN_WARM": "0"}, args.until)
        dry = subprocess.run(
            ["dvc", "repro", "--dry", "--force", args.until],
            cwd=project,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        stages = [line.split("'")[1] for line in dry.stdout.splitlines() if line.startswith("Running stage")]
        best: dict[str, dict[bool, float]] = {stage: {} for stage in stages}
        for _ in range(args.rounds):
            for stage in stages:
                for warm in (False, True):
                    seconds = repro(
                        project, env | {"LINGUALIGN_WARM": str(int(warm))}, "--force", "--single-item", stage
                    )
                    best[stage][warm] = min(best[stage].get(warm, seconds), seconds)
    finally:
        for log in (folder / "warm").glob("*.log"):
            print(log.read_text().splitlines()[0])  # the server's import time
        shutil.rmtree(folder, ignore_errors=True)
    print(f"{'stage':<32} {'cold s':>8} {'warm s':>8} {'saved s':>8}")
    for stage, times in best.items():
        print(f"{stage:<32} {times[False]:8.1f} {times[True]:8.1f} {times[False] - times[True]:8.1f}")
    cold, warm = (sum(times[w] for times in best.values()) for w in (False, True))
    print(f"{'sum':<32} {cold:8.1f} {warm:8.1f} {cold - warm:8.1f}")


if __name__ == "__main__":
    main()
