"""The ingest stage driven through DVC as a user drives it: repro, params change, diff, push/pull, MLflow."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml
from helpers import run

from lingualign.tracking import flatten

pytestmark = pytest.mark.slow  # whole DVC pipelines (make test-fast leaves them out)


def test_repro_diff_push_pull_and_mlflow(project: Path, tmp_path: Path) -> None:
    first = run(["dvc", "repro", "ingest"], cwd=project)
    assert "Running stage 'ingest'" in first.stdout
    normalized = project / "data" / "normalized.parquet"
    metrics = json.loads((project / "metrics" / "ingest.json").read_text())
    assert metrics["rows"] > 0 and set(metrics["datasets"]) == {
        "orca",
        "ultrafeedback",
        "ultrafeedback_binarized",
        "support_tickets",
    }

    again = run(["dvc", "repro", "ingest"], cwd=project)
    assert [line for line in again.stdout.splitlines() if line.startswith("Running stage")] == []  # nothing changed

    run(["git", "add", "-A"], cwd=project)
    run(["git", "commit", "--allow-empty", "-qm", "ingest"], cwd=project)

    # A params change reruns ingest, and both diffs show it.
    params = yaml.safe_load((project / "params.yaml").read_text())
    params["ingest"]["sources"][0]["limit"] = 10
    (project / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    assert "Running stage 'ingest'" in run(["dvc", "repro", "ingest"], cwd=project).stdout
    params_diff = json.loads(run(["dvc", "params", "diff", "--json"], cwd=project).stdout)
    assert "'limit': 10" in params_diff["params.yaml"]["ingest.sources"]["new"]
    metrics_diff = json.loads(run(["dvc", "metrics", "diff", "--json"], cwd=project).stdout)
    assert metrics_diff["metrics/ingest.json"]["datasets.orca.records"]["new"] == 10

    # MLflow holds a run whose params and metrics equal params.yaml and metrics/ingest.json.
    import mlflow

    # The project fixture's store, not whichever one an earlier in-process stage set.
    mlflow.set_tracking_uri(os.environ["MLFLOW_TRACKING_URI"])
    runs = mlflow.search_runs(
        experiment_names=["lingualign"],
        filter_string="tags.`lingualign.stage` = 'ingest'",
        output_format="list",
        order_by=["attributes.start_time DESC"],
    )
    latest = runs[0]
    # A schema written as a name is logged as the mapping it stands for ({name: ...}).
    logged = {
        key.replace(".schema", ".schema.name") if key.endswith(".schema") else key: str(value)
        for key, value in flatten(params["ingest"]).items()
    }
    assert latest.data.params == logged
    new_metrics = json.loads((project / "metrics" / "ingest.json").read_text())
    assert latest.data.metrics == {key: float(value) for key, value in flatten(new_metrics).items()}
    assert latest.data.tags["mlflow.parentRunId"]
    locked = yaml.safe_load((project / "dvc.lock").read_text())["stages"]["ingest"]["deps"]
    assert latest.data.tags["lingualign.input.data/raw"] == next(d["md5"] for d in locked if d["path"] == "data/raw")
    assert len(runs) == 2 and runs[0].data.tags["mlflow.parentRunId"] != runs[1].data.tags["mlflow.parentRunId"]

    # Push, fresh clone, pull: clean status and the same bytes.
    run(["git", "add", "-A"], cwd=project)
    run(["git", "commit", "--allow-empty", "-qm", "limit orca"], cwd=project)
    run(["dvc", "push", "ingest"], cwd=project)
    clone = tmp_path / "clone"
    run(["git", "clone", "-q", str(project), str(clone)], cwd=tmp_path)
    run(["dvc", "remote", "add", "--local", "-d", "test", str(tmp_path / "remote")], cwd=clone)
    run(["dvc", "pull", "ingest"], cwd=clone)
    assert "up to date" in run(["dvc", "status", "ingest"], cwd=clone).stdout
    assert (clone / "data" / "normalized.parquet").read_bytes() == normalized.read_bytes()
