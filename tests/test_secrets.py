"""An API key is read from the environment only: after a DVC run that used one, it is nowhere
in params, metrics, dvc.lock, outputs, caches or the MLflow store (params, tags, artifacts)."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
import yaml
from conftest import run
from servers import ScriptedServer


@pytest.mark.slow
def test_an_api_key_used_by_a_run_is_stored_nowhere(project: Path, tiny_lm: Path, tmp_path: Path) -> None:
    key = f"sk-lingualign-{secrets.token_hex(16)}"
    server = ScriptedServer(
        respond=lambda body: {"choices": [{"message": {"content": "Hallo Welt"}, "finish_reason": "stop"}]}
    )
    params = yaml.safe_load((project / "params.yaml").read_text())
    for source in params["ingest"]["sources"]:
        source["limit"] = 3
    # the engine's model stays a local folder (the DVC dependency); served_model names it on the server
    params["translate"]["engine"] = {
        "name": "openai",
        "model": str(tiny_lm),
        "base_url": server.url,
        "served_model": "served-translator",
    }
    (project / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    try:
        run(["dvc", "repro", "translate"], cwd=project, env={"OPENAI_API_KEY": key})
    finally:
        server.close()
    assert server.requests and {request["auth"] for request in server.requests} == {f"Bearer {key}"}  # the key was used
    mlflow_store = tmp_path / "mlflow.db"  # the project fixture's MLFLOW_TRACKING_URI
    assert mlflow_store.is_file()
    searched = [path for path in (*project.rglob("*"), *tmp_path.glob("mlruns/**/*"), mlflow_store) if path.is_file()]
    assert len(searched) > 20
    leaks = [str(path) for path in searched if key.encode() in path.read_bytes()]
    assert leaks == []
    assert b"OPENAI_API_KEY" in mlflow_store.read_bytes()  # only the variable's name is logged
