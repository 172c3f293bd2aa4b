"""An API key is read from the environment only: after a DVC run that used one, it is nowhere
in params, metrics, dvc.lock, outputs, caches or the MLflow store (params, tags, artifacts).
Likewise the personal data of a ticket export: after ingest and translate it is in none of those,
nor in the stage logs or the requests the translation engine got."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml
from helpers import run
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


# A ticket export's personal data, each value unique to this test.
TICKET_PII = {
    "email": "wiebke.oltmanns@example.net",
    "phone": "0151 47110815",
    "iban": "DE29 5353 7045 4596 7531 42",
    "card": "4752 6720 4955 4809",
    "customer_id": "KD-993817",
    "order_id": "BS-2025-771942",
    "address": "Fliederweg 17, 26123 Oldenburg",
    "name": "Oltmanns",
}


@pytest.mark.slow
def test_personal_data_of_a_ticket_export_reaches_no_output_cache_log_or_run(
    project: Path, tiny_lm: Path, tmp_path: Path
) -> None:
    pii = TICKET_PII
    message = (
        f"Guten Tag,\nmeine Bestellung {pii['order_id']} (Kundennummer {pii['customer_id']}) kam nicht an "
        f"{pii['address']}. Bitte erstatten auf {pii['iban']}, bezahlt mit {pii['card']}. "
        f"Rückruf unter {pii['phone']} oder {pii['email']}.\n\nMit freundlichen Grüßen\nWiebke {pii['name']}"
    )
    reply = (
        f"Sehr geehrte Frau {pii['name']},\nwir erstatten den Betrag zu Bestellung {pii['order_id']} heute. "
        "Bei Fragen erreichen Sie uns unter 0800 123 4567.\n\nMit freundlichen Grüßen\nLena Hoffmann"
    )
    tickets = project / "data" / "raw" / "tickets_pii.csv"  # not committed: git would hold it
    tickets.write_text(f'msg,reply\n"{message}","{reply}"\n', encoding="utf-8")
    server = ScriptedServer(  # echoes what it is sent, so anything that reached the engine reaches the outputs
        respond=lambda body: {
            "choices": [{"message": {"content": body["messages"][-1]["content"]}, "finish_reason": "stop"}]
        }
    )
    params = yaml.safe_load((project / "params.yaml").read_text())
    params["ingest"]["sources"] = [
        {"name": "export", "schema": {"name": "generic", "columns": {"prompt": "msg", "response": "reply"}},
         "path": "data/raw/tickets_pii.csv", "language": "de"}
    ]  # fmt: skip
    params["translate"]["engine"] = {"name": "openai", "model": str(tiny_lm),
                                     "base_url": server.url, "served_model": "served-translator"}  # fmt: skip
    (project / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    try:
        result = run(["dvc", "repro", "translate"], cwd=project, env={"OPENAI_API_KEY": "sk-test"})
    finally:
        server.close()
    metrics = json.loads((project / "metrics" / "ingest.json").read_text())
    assert metrics["datasets"]["export"]["scrubbed"] == {
        "email": 1, "iban": 1, "card": 1, "customer_id": 1, "order_id": 2, "phone": 1, "address": 1, "name": 3,
    }  # fmt: skip
    searched = [
        path
        for path in (*project.rglob("*"), *tmp_path.glob("mlruns/**/*"), tmp_path / "mlflow.db")
        if path.is_file() and path != tickets and not {".git", "tests"} & set(path.parts[len(project.parts) :])
    ]
    assert len(searched) > 20 and any(path.suffix == ".parquet" for path in searched)
    tables = [  # Parquet pages may be compressed: search their values too
        (str(path), repr(pq.read_table(path).to_pylist()).encode()) for path in searched if path.suffix == ".parquet"
    ]
    texts = (
        [(str(path), path.read_bytes()) for path in searched]
        + tables
        + [
            ("stdout", result.stdout.encode()),
            ("stderr", result.stderr.encode()),
            ("engine", repr(server.requests).encode()),
        ]
    )
    leaks = [(where, kind) for kind, value in pii.items() for where, data in texts if value.encode() in data]
    assert server.requests and leaks == []
