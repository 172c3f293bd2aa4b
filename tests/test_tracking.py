"""MLflow lineage: the check stage's own run, child runs that carry the stage's lineage tags, and
input tags for every stage's deps in dvc.yaml, as DVC's own hashes (the ones ``dvc.lock`` and
``.dvc`` files record)."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import time
from pathlib import Path

import mlflow
import pytest
import yaml
from helpers import ROOT, run
from servers import free_port, mlflow_server

from lingualign import cli
from lingualign.cards import CardsSettings
from lingualign.errors import LingualignError
from lingualign.io import file_md5
from lingualign.tracking import CODE, child_run, content_hash, lineage_tags, run_stage, stage_inputs, stage_run


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    monkeypatch.chdir(tmp_path)
    shutil.copy(ROOT / "params.yaml", tmp_path / "params.yaml")
    return uri


def test_input_tags_are_the_hashes_dvc_records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "data" / "model"
    (folder / "sub").mkdir(parents=True)
    (folder / "config.json").write_text("{}\n")
    (folder / "sub" / "weights.bin").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "data" / "rows.jsonl").write_text('{"a": 1}\n')
    run(["git", "init", "-q"], cwd=tmp_path)
    run(["dvc", "init", "-q"], cwd=tmp_path)
    run(["dvc", "add", "-q", "data/model", "data/rows.jsonl"], cwd=tmp_path)
    pipeline = {"stages": {"use": {"cmd": "true", "deps": ["src/lingualign/use.py", "data/model", "data/rows.jsonl"]}}}
    (tmp_path / "dvc.yaml").write_text(yaml.safe_dump(pipeline))
    (tmp_path / "params.yaml").write_text("{}\n")
    monkeypatch.chdir(tmp_path)
    tags = lineage_tags("use")
    for path in ("data/model", "data/rows.jsonl"):
        recorded = yaml.safe_load((tmp_path / f"{path}.dvc").read_text())["outs"][0]["md5"]
        assert content_hash(tmp_path / path) == recorded == tags[f"lingualign.input.{path}"]
    assert not [tag for tag in tags if tag.startswith(f"lingualign.input.{CODE}")]  # the commit tag names the code


def test_every_stage_has_inputs_and_they_are_its_dvc_yaml_deps(monkeypatch: pytest.MonkeyPatch) -> None:
    from dvc.repo import Repo

    monkeypatch.chdir(ROOT)
    with Repo(str(ROOT)) as repo:
        for stage in repo.index.stages:
            deps = [dep.def_path for dep in stage.deps if type(dep).__name__ != "ParamsDependency"]
            data = [Path(dep) for dep in deps if not dep.startswith(CODE)]
            assert stage_inputs(stage.name) == data and (data or stage.name == "check"), stage.name


def test_a_child_run_carries_the_stage_lineage_tags(store: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DVC_EXP_NAME", "narrow")
    with stage_run("dpo", {"beta": 0.1}), child_run("trainer"):
        child = mlflow.active_run()
    stage = mlflow.get_run(child.data.tags["mlflow.parentRunId"])
    tags = mlflow.get_run(child.info.run_id).data.tags
    assert child.info.run_name == "dpo/trainer"
    for key in ("lingualign.dvc_exp_name", "lingualign.git_commit", "lingualign.params_md5", "lingualign.stage"):
        assert tags[key] == stage.data.tags[key]
    assert tags["lingualign.dvc_exp_name"] == "narrow" and tags["lingualign.params_md5"] == file_md5(
        Path("params.yaml")
    )


def test_the_check_stage_logs_its_run(store: str, tmp_path: Path) -> None:
    assert cli.main(["check", "--out", "data/check.json"]) == 0
    mlflow.set_tracking_uri(store)
    (check,) = mlflow.search_runs(
        search_all_experiments=True, filter_string="tags.`lingualign.stage` = 'check'", output_format="list"
    )
    assert check.info.status == "FINISHED"
    assert check.data.tags["lingualign.output.data/check.json"] == file_md5(tmp_path / "data" / "check.json")
    assert check.data.params["dpo.trainer.beta"] == "0.1" and check.data.tags["mlflow.parentRunId"]


@pytest.mark.slow
def test_a_tracking_server_killed_mid_stage_costs_a_bounded_wait_and_leaves_no_run_running(
    store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # MLflow's retries kept short here; the project's default wait is measured in docs/operations.md.
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "2")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", "1")
    root, port = tmp_path / "server", free_port()
    server = contextlib.ExitStack()
    url = server.enter_context(mlflow_server(root, port))
    monkeypatch.setenv("MLFLOW_TRACKING_URI", url)

    def work() -> dict[str, int]:
        server.close()  # the tracking server dies while the stage works
        return {"cards": 1}

    started = time.monotonic()
    with pytest.raises(LingualignError, match=f"{url}: the tracking server stopped answering .* retried 2 times"):
        run_stage("cards", CardsSettings(), tmp_path / "cards.json", work)
    assert time.monotonic() - started < 30
    assert mlflow.active_run() is None

    with mlflow_server(root, port):  # back: the next stage closes the run the dead server left open
        monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "2")
        run_stage("cards", CardsSettings(), tmp_path / "cards.json", lambda: {"cards": 1})
        client = mlflow.MlflowClient(url)
        runs = client.search_runs(
            [client.get_experiment_by_name("lingualign").experiment_id], "tags.`lingualign.stage` = 'cards'"
        )
        assert sorted(run.info.status for run in runs) == ["FAILED", "FINISHED"]


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
