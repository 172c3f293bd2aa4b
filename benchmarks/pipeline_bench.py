"""The whole default pipeline, timed stage by stage, in a fresh clone of the committed project.

    python benchmarks/pipeline_bench.py [--keep DIR] [--repo .] [TARGET ...]

Clones the repository's HEAD into a temporary folder (or ``--keep DIR``), runs ``dvc repro``
there as ``make run`` does, up to the DVC ``TARGET`` stages given
(default: all), with this environment (the clone's
own ``src`` first on the path, its own MLflow store),
and prints each stage's seconds from the moment DVC starts it to the moment it starts the next,
then the total. Target: the whole default pipeline in at most 7 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STAGE = re.compile(r"^Running stage '([^']+)'")


def timed_repro(
    project: Path, targets: tuple[str, ...] = (), bin_dir: Path = Path(sys.executable).parent
) -> list[tuple[str, float]]:
    """(stage, seconds) for every stage ``dvc repro`` ran, in order, with the environment whose
    executables are in ``bin_dir``; the last entry is the total."""
    env = os.environ | {
        "PYTHONPATH": str(project / "src"),
        "MLFLOW_TRACKING_URI": f"sqlite:///{project / 'mlflow.db'}",
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
    }
    started = time.perf_counter()
    marks: list[tuple[str, float]] = []
    with subprocess.Popen(
        ["dvc", "repro", *targets], cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as dvc:
        for line in dvc.stdout or ():
            found = STAGE.match(line)
            if found:
                marks.append((found.group(1), time.perf_counter()))
                print(f"{time.perf_counter() - started:7.1f} s  {found.group(1)}", flush=True)
    total = time.perf_counter() - started
    if dvc.returncode:
        sys.exit(f"dvc repro failed ({dvc.returncode})")
    # A stage whose lock entry still matches (check, in a fresh clone) never prints "Running stage".
    ends = [at for _, at in marks[1:]] + [started + total][: len(marks)]
    return [(name, end - at) for (name, at), end in zip(marks, ends, strict=True)] + [("total", total)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, default=Path("."))
    parser.add_argument("--keep", type=Path, help="Clone here and keep it (default: a temporary folder)")
    parser.add_argument("targets", nargs="*", help="dvc repro targets, e.g. pairs (default: every stage)")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="lingualign-pipeline-"))
    project = folder / "project"
    subprocess.run(["git", "clone", "-q", str(args.repo.resolve()), str(project)], check=True)
    try:
        times = timed_repro(project, targets=tuple(args.targets))
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"{'stage':<32} {'seconds':>8}")
    for name, seconds in times:
        print(f"{name:<32} {seconds:8.1f}")
    print("target: the whole default pipeline in at most 420 s (7 minutes) on 2 cores")


if __name__ == "__main__":
    main()
