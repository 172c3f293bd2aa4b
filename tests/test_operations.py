"""Operating the pipeline: profile switch, experiments reaching MLflow by name, lineage."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import yaml
from helpers import ROOT, run

from lingualign.errors import SettingsError
from lingualign.lineage import git_record, upstream
from lingualign.profiles import apply_profile, overlay


def test_overlay_merges_mappings_replaces_lists_and_drops_nulls() -> None:
    base = {"a": {"keep": 1, "drop": 2, "list": [1, 2]}, "b": 3}
    assert overlay(base, {"a": {"drop": None, "list": [9], "new": 4}}) == {
        "a": {"keep": 1, "list": [9], "new": 4},
        "b": 3,
    }


def test_overlay_replaces_a_plugin_mapping_that_names_another_plugin() -> None:
    base = {"engine": {"name": "transformers", "device": "cpu", "batch_size": 32}}
    assert overlay(base, {"engine": {"batch_size": 8}}) == {
        "engine": {"name": "transformers", "device": "cpu", "batch_size": 8}
    }
    assert overlay(base, {"engine": {"name": "vllm", "batch_size": 1024}}) == {
        "engine": {"name": "vllm", "batch_size": 1024}
    }


def test_a_profile_that_does_not_validate_leaves_params_untouched(tmp_path: Path) -> None:
    params = tmp_path / "params.yaml"
    params.write_text((ROOT / "params.yaml").read_text())
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "broken.yaml").write_text("merge:\n  random_seed: many\ningest:\n  batch_rows: 0\nscoring: {}\n")
    with pytest.raises(
        SettingsError,
        match=r"params.yaml with .*broken.yaml: unknown section 'scoring' .*; "
        r"ingest.batch_rows: Input should be greater than or equal to 1 \(got 0\); "
        r"merge.random_seed: Input should be a valid integer \(got 'many'\)$",
    ):
        apply_profile("broken", params, profiles)
    assert params.read_text() == (ROOT / "params.yaml").read_text()
    with pytest.raises(SettingsError, match=r"profiles/nope.yaml: no such profile \(known: broken\)"):
        apply_profile("nope", params, profiles)


def expected_stages(params: dict) -> set[str]:
    return (
        {f"models@{name}" for name in params["models"]["sources"]}
        | {f"sft@{name}" for name in params["sft"]["datasets"]}
        | {f"evaluate@{name}" for name in params["evaluate"]["models"]}
        | {f"export@{name}" for name in params["export"]["checkpoints"]}
        | {"check", "ingest", "translate", "generate", "score", "pairs", "merge", "reference", "dpo", "report", "cards"}
    )


@pytest.mark.slow
def test_gpu_profile_validates_and_its_dry_run_plans_every_stage(project: Path) -> None:
    before = (project / "params.yaml").read_text()
    run(["lingualign", "profile", "gpu"], cwd=project)
    params = yaml.safe_load((project / "params.yaml").read_text())
    assert params["merge"]["config"]["merge_method"] == "dare_ties" and params["dpo"]["method"] == "qlora"
    assert (
        params["translate"]["engine"]
        == yaml.safe_load((ROOT / "profiles" / "gpu.yaml").read_text())["translate"]["engine"]
    )
    assert all(source.get("revision") for source in params["models"]["sources"].values())
    assert "# One section per stage" in (project / "params.yaml").read_text()  # comments survive the switch
    # --force: plain --dry stops at the first stage whose inputs do not exist yet
    plan = run(["dvc", "repro", "--dry", "--force"], cwd=project).stdout
    planned = {line.split("'")[1] for line in plan.splitlines() if line.startswith("Running stage")}
    assert planned == expected_stages(params)
    run(["git", "checkout", "params.yaml"], cwd=project)
    assert (project / "params.yaml").read_text() == before


def test_the_gpu_profile_file_validates_against_the_shipped_params() -> None:
    run(
        [
            "lingualign",
            "profile",
            "gpu",
            "--check",
            "--params",
            str(ROOT / "params.yaml"),
            "--profiles",
            str(ROOT / "profiles"),
        ],
        cwd=ROOT,
    )


@pytest.mark.slow
def test_an_experiment_name_names_its_mlflow_run_and_the_store_outlives_the_temp_copy(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MLFLOW_TRACKING_URI")  # the default store: mlflow.db at the project root
    run(["dvc", "exp", "run", "--temp", "-n", "wide-batches", "-S", "ingest.batch_rows=5000", "ingest"], cwd=project)
    with sqlite3.connect(project / "mlflow.db") as db:
        runs = dict(db.execute("select run_uuid, name from runs").fetchall())
        tags = db.execute("select run_uuid, key, value from tags").fetchall()
        params = db.execute("select run_uuid, key, value from params where key = 'batch_rows'").fetchall()
    parent = [run_id for run_id, name in runs.items() if name == "wide-batches"]
    assert len(parent) == 1
    children = {run_id for run_id, key, value in tags if key == "mlflow.parentRunId" and value == parent[0]}
    assert {runs[run_id]: run_id for run_id in children}.keys() == {"check", "ingest"}  # check logs its run too
    ingest = next(run_id for run_id in children if runs[run_id] == "ingest")
    assert [(run_id, value) for run_id, _, value in params] == [(ingest, "5000")]
    assert "wide-batches" in run(["dvc", "exp", "show", "--no-pager", "--csv"], cwd=project).stdout


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
