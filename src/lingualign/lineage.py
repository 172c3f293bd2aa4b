"""``lingualign lineage FILE [KEY]``: where a metric came from.

Reads what DVC and MLflow already record: ``dvc.lock`` names the stage that wrote the file,
its command, the params it used and the hash of every input, and each input's own producer
back to the raw data; git says which commit recorded the file; the stage's MLflow run (found
by the file's md5, which ``run_stage`` tags it with) adds the commit it ran at and its run id.
"""

from __future__ import annotations

import argparse
import json
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from lingualign.errors import LingualignError
from lingualign.io import file_md5
from lingualign.tracking import OUTPUT_TAG_PREFIX, mlflow_key, project_root, recorded_stages, tracking_uri


def lock_stages(root: Path) -> dict[str, dict[str, Any]]:
    lock = root / "dvc.lock"
    if not lock.is_file():
        raise LingualignError(f"{lock}: not found; run `dvc repro` first")
    return recorded_stages(lock)


def producers(stages: Mapping[str, Mapping[str, Any]], path: str) -> list[str]:
    """Stages with an output at ``path``, inside it (a folder dep), or containing it."""
    path = path.rstrip("/")

    def related(out: str) -> bool:
        out = out.rstrip("/")
        return out == path or out.startswith(f"{path}/") or path.startswith(f"{out}/")

    return [name for name, stage in stages.items() if any(related(out["path"]) for out in stage.get("outs", []))]


def metric_value(path: Path, key: str) -> Any:
    value: Any = json.loads(path.read_text(encoding="utf-8"))
    for part in key.split("."):
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            known = ", ".join(sorted(value)) if isinstance(value, Mapping) else "none"
            raise LingualignError(f"{path}: no metric '{key}' (at '{part}'; keys there: {known})")
    return value


def git_record(root: Path, path: str) -> str:
    """The commit that holds the file exactly as it is now, on any branch or DVC experiment (a
    ``dvc exp apply`` or ``dvc exp pull`` brings an experiment's file without committing it)."""

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True).stdout.strip()

    blob = git("hash-object", "--", path)
    history = git("log", "--all", "--no-abbrev", "--raw", "--format=%x00%H %cs %s", "--", path)
    for entry in history.split("\0"):
        header, _, changes = entry.partition("\n")
        if blob and any(line.split()[3] == blob for line in changes.splitlines() if line.startswith(":")):
            commit = header.split(" ", 1)[0]
            refs = git("for-each-ref", "--points-at", commit, "--format=%(refname)", "refs/exps").splitlines()
            # An experiment's ref is refs/exps/<baseline commit, split 2 + 38>/<name>; DVC's own
            # bookkeeping (refs/exps/exec/EXEC_APPLY, ...) is not an experiment.
            experiments = ", ".join(f"'{ref.split('/')[4]}'" for ref in refs if len(ref.split("/")) == 5)
            where = f" (DVC experiment {experiments})" if experiments else ""
            applied = " (not HEAD's: applied or pulled from there)" if git("status", "--porcelain", "--", path) else ""
            return f"committed in {header}{where}{applied}"
    return "in no commit nor DVC experiment: this content was never committed (commit it, or `dvc exp save`)"


def upstream(
    stages: Mapping[str, Mapping[str, Any]], name: str, depth: int = 1, seen: set[str] | None = None
) -> Iterator[str]:
    """The stages that made ``name``'s inputs, as an indented tree down to the raw data."""
    seen = set() if seen is None else seen
    for dep in stages[name].get("deps", []):
        for parent in producers(stages, dep["path"]):
            if parent == name:
                continue
            repeated = parent in seen
            seen.add(parent)
            yield f"{'  ' * depth}{parent}  ({dep['path']} {dep.get('md5', '?')})" + (
                "  [see above]" if repeated else ""
            )
            if not repeated:
                yield from upstream(stages, parent, depth + 1, seen)


def mlflow_run(path: str, md5: str) -> Any | None:
    import mlflow

    mlflow.set_tracking_uri(tracking_uri())
    runs = mlflow.search_runs(
        search_all_experiments=True,
        filter_string=f"tags.`{mlflow_key(OUTPUT_TAG_PREFIX + path)}` = '{md5}'",
        order_by=["start_time DESC"],
        max_results=1,
        output_format="list",
    )
    return runs[0] if runs else None


def describe(path: str, key: str | None, root: Path) -> list[str]:
    file = root / path
    if not file.is_file():
        raise LingualignError(f"{path}: no such metrics file")
    stages = lock_stages(root)
    made_by = [name for name in producers(stages, path) if any(out["path"] == path for out in stages[name]["outs"])]
    if not made_by:
        raise LingualignError(f"{path}: no stage in dvc.lock writes it")
    name = made_by[0]
    stage = stages[name]
    md5 = file_md5(file)
    locked = next(out["md5"] for out in stage["outs"] if out["path"] == path)
    lines = [f"{path} {key} = {json.dumps(metric_value(file, key))}" if key else path]
    recorded = "as dvc.lock records it" if md5 == locked else f"dvc.lock records {locked}: run `dvc repro`"
    lines.append(f"  md5 {md5} ({recorded}); {git_record(root, path)}")
    lines.append(f"  stage {name}: {' '.join(str(stage['cmd']).split())}")
    for params_file, values in (stage.get("params") or {}).items():
        for param, value in values.items():
            lines.append(f"    param {params_file}:{param} = {json.dumps(value, sort_keys=True)}")
    for dep in stage.get("deps", []):
        lines.append(f"    input {dep['path']} {dep.get('md5', '?')}")
    lines.append("  made from:")
    lines.extend(list(upstream(stages, name)) or ["    (raw inputs only)"])
    run = mlflow_run(path, md5)
    if run is None:
        lines.append(f"  MLflow: no run tagged with this file's md5 in {tracking_uri()}")
    else:
        tags = run.data.tags
        lines.append(
            f"  MLflow run {run.info.run_id} '{run.info.run_name}' (experiment {run.info.experiment_id}, "
            f"pipeline run {tags.get('mlflow.parentRunId', '-')}): "
            f"git commit {tags.get('lingualign.git_commit', '?')}, params.yaml md5 "
            f"{tags.get('lingualign.params_md5', '?')}, "
            f"DVC experiment '{tags.get('lingualign.dvc_exp_name') or '-'}'"
        )
    return lines


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="a metrics file, e.g. metrics/eval.json")
    parser.add_argument("key", nargs="?", help="a dotted metric key, e.g. dpo.mt_bench.average")


def main(args: argparse.Namespace) -> None:
    root = project_root()
    print("\n".join(describe(Path(args.file).as_posix(), args.key, root)))
