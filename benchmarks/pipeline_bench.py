"""The whole default pipeline, timed stage by stage, in a fresh clone of the committed project.

    python benchmarks/pipeline_bench.py [--keep DIR] [--repo .] [--cold | --compare] [TARGET ...]

Clones the repository's HEAD into a temporary folder (or ``--keep DIR``), runs ``dvc repro``
there as ``make run`` does (warm: ``lingualign-warm dvc repro``; ``--cold``: plain ``dvc repro``),
up to the DVC ``TARGET`` stages given (default: all), with this environment (the clone's own
``src`` first on the path, its own MLflow store), and prints each stage's seconds from the moment
DVC starts it to the moment it starts the next, then the total. ``--compare`` runs it cold, then
warm, each in a fresh clone, and prints both and what the warm start saves. Target: the whole
default pipeline in at most 7 minutes on 2 cores.
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

from lingualign.warm import without_server

STAGE = re.compile(r"^Running stage '([^']+)'")


def timed_repro(
    project: Path, targets: tuple[str, ...] = (), bin_dir: Path = Path(sys.executable).parent, warm: bool = True
) -> list[tuple[str, float]]:
    """(stage, seconds) for every stage ``dvc repro`` ran, in order, with the environment whose
    executables are in ``bin_dir``, warm or cold; the last entry is the total."""
    env = without_server(os.environ)  # a server of its own, even under another one (a test's)
    env |= {
        "PYTHONPATH": str(project / "src"),
        "MLFLOW_TRACKING_URI": f"sqlite:///{project / 'mlflow.db'}",
        "PATH": f"{bin_dir}{os.pathsep}{env['PATH']}",
    }
    started = time.perf_counter()
    marks: list[tuple[str, float]] = []
    with subprocess.Popen(
        [*(["lingualign-warm"] if warm else []), "dvc", "repro", *targets],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
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
    modes = parser.add_mutually_exclusive_group()
    modes.add_argument("--cold", action="store_true", help="Plain dvc repro: every stage a fresh process")
    modes.add_argument("--compare", action="store_true", help="Cold, then warm, each in a fresh clone")
    parser.add_argument("targets", nargs="*", help="dvc repro targets, e.g. pairs (default: every stage)")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="lingualign-pipeline-"))
    runs = {"cold": False, "warm": True} if args.compare else {"cold" if args.cold else "warm": not args.cold}
    times: dict[str, dict[str, float]] = {}
    try:
        for name, warm in runs.items():
            project = folder / (name if args.compare else "project")
            subprocess.run(["git", "clone", "-q", str(args.repo.resolve()), str(project)], check=True)
            times[name] = dict(timed_repro(project, targets=tuple(args.targets), warm=warm))
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"{'stage':<32}" + "".join(f"{name + ' s':>10}" for name in times))
    for stage in next(iter(times.values())):
        print(f"{stage:<32}" + "".join(f"{run.get(stage, float('nan')):10.1f}" for run in times.values()))
    if args.compare:
        saved = times["cold"]["total"] - times["warm"]["total"]
        print(f"warm saves {saved:.1f} s ({saved / times['cold']['total']:.0%}) of {times['cold']['total']:.1f} s")
    print("target: the whole default pipeline in at most 420 s (7 minutes) on 2 cores")


if __name__ == "__main__":
    main()
