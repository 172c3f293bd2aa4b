"""lingualign lineage: where a metric came from (stage, command, commit or DVC experiment, params,
input hashes, MLflow run), and the producers of its inputs down to the raw data."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from helpers import run

from lingualign.lineage import git_record, upstream


@pytest.mark.slow
def test_lineage_names_stage_commit_params_inputs_and_mlflow_run(project: Path) -> None:
    run(["dvc", "repro", "-f", "ingest"], cwd=project)  # the same bytes as committed: ingest is deterministic
    lock = yaml.safe_load((project / "dvc.lock").read_text())["stages"]["ingest"]
    raw_md5 = next(dep["md5"] for dep in lock["deps"] if dep["path"] == "data/raw")
    out = run(["lingualign", "lineage", "metrics/ingest.json", "datasets.orca.records"], cwd=project).stdout
    assert out.startswith("metrics/ingest.json datasets.orca.records = 40\n")
    assert "committed in" in out and "project copy" in out and "as dvc.lock records it" in out
    assert "stage ingest: lingualign ingest --out data/normalized.parquet" in out
    assert "param params.yaml:ingest = " in out and f"input data/raw {raw_md5}" in out
    assert "MLflow run " in out and "'ingest'" in out
    missing = run(["lingualign", "lineage", "metrics/ingest.json", "datasets.nope"], cwd=project, check=False)
    assert missing.returncode != 0 and "no metric 'datasets.nope' (at 'nope'; keys there: orca" in missing.stderr


def test_upstream_walks_producers_down_to_raw_data() -> None:
    stages = {
        "ingest": {
            "deps": [{"path": "data/raw", "md5": "r"}],
            "outs": [{"path": "data/normalized.parquet", "md5": "n"}],
        },
        "models@m": {"deps": [], "outs": [{"path": "models/sources/m", "md5": "m"}]},
        "translate": {
            "deps": [{"path": "data/normalized.parquet", "md5": "n"}, {"path": "models/sources/m", "md5": "m"}],
            "outs": [{"path": "data/translated.parquet", "md5": "t"}],
        },
        "merge": {
            "deps": [{"path": "models/sources", "md5": "s"}, {"path": "data/translated.parquet", "md5": "t"}],
            "outs": [{"path": "models/merged", "md5": "g"}],
        },
    }
    assert list(upstream(stages, "merge")) == [
        "  models@m  (models/sources s)",
        "  translate  (data/translated.parquet t)",
        "    ingest  (data/normalized.parquet n)",
        "    models@m  (models/sources/m m)  [see above]",
    ]


def test_lineage_names_the_experiment_commit_that_holds_an_applied_value(tmp_path: Path) -> None:
    def git(*args: str) -> str:
        return run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=tmp_path).stdout.strip()

    metrics = tmp_path / "metrics.json"
    git("init", "-q", "-b", "main")
    metrics.write_text('{"records": 40}\n')
    git("add", "metrics.json")
    git("commit", "-q", "-m", "baseline")
    # An experiment commit, kept (as DVC keeps it) only under refs/exps.
    git("checkout", "-q", "--detach")
    metrics.write_text('{"records": 20}\n')
    git("commit", "-q", "-am", "dvc: commit experiment")
    experiment = git("rev-parse", "HEAD")
    git("update-ref", "refs/exps/ab/cdef0123/narrow", "HEAD")
    git("update-ref", "refs/exps/exec/EXEC_APPLY", "HEAD")  # DVC's own bookkeeping after `dvc exp apply`
    git("checkout", "-q", "main")
    assert git_record(tmp_path, "metrics.json").startswith("committed in ") and "experiment" not in git_record(
        tmp_path, "metrics.json"
    )

    metrics.write_text('{"records": 20}\n')  # what `dvc exp apply narrow` leaves in the working copy
    applied = git_record(tmp_path, "metrics.json")
    assert applied.startswith(f"committed in {experiment} ") and "dvc: commit experiment" in applied
    assert "(DVC experiment 'narrow')" in applied and "not HEAD's: applied or pulled" in applied
    metrics.write_text('{"records": 7}\n')
    assert git_record(tmp_path, "metrics.json").startswith("in no commit nor DVC experiment")
