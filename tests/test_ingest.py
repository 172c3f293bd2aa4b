"""ingest: every reader on its real schema, every bad-input case, atomicity and streaming."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from lingualign.errors import InputError, SettingsError
from lingualign.ingest import IngestSettings, ingest, stable_id
from lingualign.scrub import KINDS
from lingualign.settings import parse_settings

ORCA = {
    "system": "You are a helpful assistant.",
    "question": "Where is my parcel?",
    "chosen": "It ships today.\r\n\r\n- Track it online.",
    "rejected": "No idea.",
}
UF_COMPLETION = {
    "annotations": {"helpfulness": {"Rating": "4", "Rationale": "ok"}},
    "critique": "fine",
    "custom_system_prompt": "Be helpful.",
    "fine-grained_score": 4.25,
    "model": "gpt-4",
    "overall_score": 8.5,
    "principle": "helpfulness",
    "response": "Sure:\n```python\nprint('hi')\n```",
}


def uf_record(instruction: str = "Explain DNS.", **overrides: Any) -> dict[str, Any]:
    completions = [
        UF_COMPLETION,
        UF_COMPLETION | {"model": "alpaca-7b", "overall_score": "N/A", "fine-grained_score": 2, "response": ""},
        UF_COMPLETION | {"model": "wizardlm-7b", "overall_score": 6, "response": "DNS maps names to addresses. ☕"},
        UF_COMPLETION | {"model": "gpt-3.5-turbo", "overall_score": 7.0, "response": "It is a phone book."},
    ]
    return {
        "source": "evol_instruct",
        "instruction": instruction,
        "models": [c["model"] for c in completions],
        "completions": completions,
        "correct_answers": [],
        "incorrect_answers": [],
    } | overrides


def argilla_record(prompt: str = "Cancel my plan") -> dict[str, Any]:
    return {
        "source": "sharegpt",
        "prompt": prompt,
        "chosen": [
            {"content": prompt, "role": "user"},
            {"content": "Done. You get a refund of 12 €.", "role": "assistant"},
        ],
        "chosen-rating": 5.0,
        "chosen-model": "gpt-4",
        "rejected": [{"content": prompt, "role": "user"}, {"content": "Cannot.", "role": "assistant"}],
        "rejected-rating": 2.0,
        "rejected-model": "falcon-40b-instruct",
    }


def write_jsonl(path: Path, records: list[Any]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def settings_for(path: Path, schema: str | dict[str, Any], **extra: Any) -> IngestSettings:
    source = {"name": "src", "schema": schema, "path": str(path)} | extra.pop("source", {})
    return parse_settings(IngestSettings, {"sources": [source]} | extra, "params.yaml: ingest")


def run_ingest(tmp_path: Path, settings: IngestSettings) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    out = tmp_path / "out" / "normalized.parquet"
    metrics = ingest(settings, out)
    return pq.read_table(out).to_pylist(), metrics


# ---------------------------------------------------------------- readers on their real schemas


def test_orca_rows_keep_system_and_labels(tmp_path: Path) -> None:
    rows, metrics = run_ingest(
        tmp_path, settings_for(write_jsonl(tmp_path / "o.jsonl", [ORCA, ORCA | {"system": ""}]), "orca_dpo_pairs")
    )
    assert [(r["label"], r["response"]) for r in rows[:2]] == [("chosen", ORCA["chosen"]), ("rejected", "No idea.")]
    assert rows[0]["system"] == ORCA["system"] and rows[2]["system"] == ""
    assert rows[0]["prompt_id"] == rows[1]["prompt_id"] != rows[2]["prompt_id"]
    assert {r["source_row"] for r in rows} == {1, 2}
    assert metrics["datasets"]["src"] | {"dropped": None} == {
        "records": 2,
        "prompts": 2,
        "responses": 4,
        "dropped": None,
        "scrubbed": dict.fromkeys(KINDS, 0),  # a public preference set is not scrubbed unless asked
        "languages": {},  # no row long enough to judge
    }
    assert {row["language"] for row in rows} == {"en"}


def test_ultrafeedback_one_row_per_completion_with_ratings(tmp_path: Path) -> None:
    rows, _ = run_ingest(tmp_path, settings_for(write_jsonl(tmp_path / "u.jsonl", [uf_record()]), "ultrafeedback"))
    assert [r["source_model"] for r in rows] == ["gpt-4", "alpaca-7b", "wizardlm-7b", "gpt-3.5-turbo"]
    assert [r["rating"] for r in rows] == [8.5, None, 6.0, 7.0]
    assert [r["fine_grained_rating"] for r in rows] == [4.25, 2.0, 4.25, 4.25]
    assert rows[1]["response"] == "" and all(r["label"] is None for r in rows)
    assert len({r["response_id"] for r in rows}) == 4 and len({r["prompt_id"] for r in rows}) == 1


def test_ultrafeedback_binarized_takes_last_assistant_turn(tmp_path: Path) -> None:
    rows, _ = run_ingest(
        tmp_path, settings_for(write_jsonl(tmp_path / "a.jsonl", [argilla_record()]), "ultrafeedback_binarized")
    )
    assert [(r["label"], r["response"], r["rating"], r["source_model"]) for r in rows] == [
        ("chosen", "Done. You get a refund of 12 €.", 5.0, "gpt-4"),
        ("rejected", "Cannot.", 2.0, "falcon-40b-instruct"),
    ]


def test_generic_csv_with_column_mapping_and_multiline_fields(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "msg", "reply", "agent", "csat"])
        writer.writerow(["1", "Router blinks red", "1. Unplug it\n2. Wait 30 s", "tier1-bot", "4"])
        writer.writerow(["2", "Router blinks red", "Call us.", "human-agent", ""])
    columns = {"prompt": "msg", "response": "reply", "source_model": "agent", "rating": "csat"}
    rows, metrics = run_ingest(tmp_path, settings_for(path, {"name": "generic", "columns": columns}))
    assert [(r["response"], r["source_model"], r["rating"]) for r in rows] == [
        ("1. Unplug it\n2. Wait 30 s", "tier1-bot", 4.0),
        ("Call us.", "human-agent", None),
    ]
    assert metrics["datasets"]["src"]["prompts"] == 1


def test_ticket_sources_are_scrubbed_by_default_and_counted_by_kind(tmp_path: Path) -> None:
    path = tmp_path / "tickets.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["msg", "reply"])
        writer.writerow(
            [
                "Hallo,\nbitte erstatten auf DE89 3704 0044 0532 0130 00, Rückruf 0171 2345678.\n\nGruß\nJana Keller",
                "Sehr geehrte Frau Keller,\nwir erstatten heute. Fragen: 0800 123 4567.\n\nViele Grüße\nTim Albers",
            ]
        )
    schema = {"name": "generic", "columns": {"prompt": "msg", "response": "reply"}}
    allow = {"scrub": {"allow": ["0800 123 4567"]}, "source": {"language": "de"}}
    rows, metrics = run_ingest(tmp_path, settings_for(path, schema, **allow))
    assert rows[0]["prompt"] == "Hallo,\nbitte erstatten auf [IBAN_1], Rückruf [PHONE_1].\n\nGruß\n[NAME_1]"
    assert rows[0]["response"] == (
        "Sehr geehrte Frau [NAME_1],\nwir erstatten heute. Fragen: 0800 123 4567.\n\nViele Grüße\n[NAME_2]"
    )
    assert rows[0]["prompt_id"] == stable_id("src", "", rows[0]["prompt"]).hex()  # hashed after scrubbing
    expected = dict.fromkeys(KINDS, 0) | {"iban": 1, "phone": 1, "name": 3}
    assert metrics["scrubbed"] == metrics["datasets"]["src"]["scrubbed"] == expected
    rows, metrics = run_ingest(tmp_path, settings_for(path, schema, source={"scrub": False, "language": "de"}))
    assert "Jana Keller" in rows[0]["prompt"] and sum(metrics["scrubbed"].values()) == 0


GERMAN = (
    "Guten Tag, meine Bestellung ist seit einer Woche unterwegs und die Sendungsverfolgung zeigt nichts an. "
    "Können Sie bitte nachsehen, wo das Paket gerade ist?"
)
ENGLISH = (
    "Hello, my order has been on its way for a week and the tracking page shows nothing at all. "
    "Could you please check where the parcel is right now?"
)


def write_pairs(path: Path, prompts: list[str]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["msg", "reply"])
        writer.writerows([prompt, f"Reply {number}."] for number, prompt in enumerate(prompts))
    return path


GENERIC = {"name": "generic", "columns": {"prompt": "msg", "response": "reply"}}


def test_a_source_declares_its_language_or_has_it_identified_row_by_row(tmp_path: Path) -> None:
    path = write_pairs(tmp_path / "t.csv", [GERMAN, ENGLISH, GERMAN + " Danke!"])
    rows, metrics = run_ingest(tmp_path, settings_for(path, GENERIC, source={"language": "mixed"}))
    assert [row["language"] for row in rows] == ["de", "en", "de"]
    assert metrics["datasets"]["src"]["languages"] == {"de": 2, "en": 1}
    rows, _ = run_ingest(tmp_path, settings_for(path, GENERIC, source={"language": "de"}))
    assert [row["language"] for row in rows] == ["de", "de", "de"]  # as declared: translate's flags judge each row


def test_a_declared_language_most_rows_are_not_in_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    path = write_pairs(tmp_path / "t.csv", [GERMAN, ENGLISH, GERMAN + " Danke!"])
    out = tmp_path / "n.parquet"
    with pytest.raises(InputError) as error:
        ingest(settings_for(path, GENERIC), out)  # declared English by default
    assert str(error.value) == (
        f"{path}: declared language 'en', but language identification finds it in 33% of 3 rows ('de' in 67%)"
    )
    assert not out.exists() and list(tmp_path.iterdir()) == [path]


def test_generic_paired_parquet(tmp_path: Path) -> None:
    import pyarrow as pa

    path = tmp_path / "p.parquet"
    pq.write_table(pa.table({"q": ["Hi?", "Bye?"], "good": ["Hallo", "Tschüss"], "bad": ["", "no"]}), path)
    columns = {"prompt": "q", "chosen": "good", "rejected": "bad"}
    rows, _ = run_ingest(tmp_path, settings_for(path, {"name": "generic", "columns": columns}))
    assert [(r["prompt"], r["label"], r["response"]) for r in rows] == [
        ("Hi?", "chosen", "Hallo"),
        ("Hi?", "rejected", ""),
        ("Bye?", "chosen", "Tschüss"),
        ("Bye?", "rejected", "no"),
    ]


def test_ids_are_stable_content_hashes(tmp_path: Path) -> None:
    rows, _ = run_ingest(tmp_path, settings_for(write_jsonl(tmp_path / "o.jsonl", [ORCA]), "orca_dpo_pairs"))
    assert rows[0]["prompt_id"] == stable_id("src", ORCA["system"], ORCA["question"]).hex() == rows[1]["prompt_id"]
    assert len(rows[0]["prompt_id"]) == 16


def test_limit_and_row_groups_stream(tmp_path: Path) -> None:
    records = [ORCA | {"question": f"Question {i}"} for i in range(50)]
    settings = settings_for(
        write_jsonl(tmp_path / "o.jsonl", records), "orca_dpo_pairs", batch_rows=8, source={"limit": 30}
    )
    out = tmp_path / "n.parquet"
    metrics = ingest(settings, out)
    assert metrics["rows"] == 60 and pq.ParquetFile(out).metadata.num_row_groups == 8


def test_output_is_byte_identical_across_runs(tmp_path: Path) -> None:
    settings = settings_for(write_jsonl(tmp_path / "u.jsonl", [uf_record(f"Q{i}") for i in range(20)]), "ultrafeedback")
    ingest(settings, tmp_path / "a.parquet")
    ingest(settings, tmp_path / "b.parquet")
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()


# ---------------------------------------------------------------- bad input

BAD_INPUTS = {
    "malformed JSONL line": (
        b'{"system": "", "question": "q", "chosen": "a", "rejected": "b"}\n{"system": "", "question": \n',
        "orca_dpo_pairs",
        2,
        None,
        "malformed JSON",
    ),
    "missing column": (
        b'{"system": "", "question": "q", "chosen": "a"}\n',
        "orca_dpo_pairs",
        1,
        "rejected",
        "missing field",
    ),
    "renamed column": (
        b'{"system": "", "prompt": "q", "chosen": "a", "rejected": "b"}\n',
        "orca_dpo_pairs",
        1,
        "question",
        "missing field (found: system, prompt, chosen, rejected)",
    ),
    "wrong type": (
        b'{"system": "", "question": "q", "chosen": 42, "rejected": "b"}\n',
        "orca_dpo_pairs",
        1,
        "chosen",
        "expected a string, got int",
    ),
    "wrong nested type": (
        json.dumps(uf_record(completions=[UF_COMPLETION | {"overall_score": "great"}])).encode() + b"\n",
        "ultrafeedback",
        1,
        "completions[0].overall_score",
        "expected a number",
    ),
    "non-UTF-8 bytes": (
        b'{"system": "", "question": "q", "chosen": "caf\xe9", "rejected": "b"}\n',
        "orca_dpo_pairs",
        1,
        "chosen",
        "not valid UTF-8",
    ),
    "duplicate ids": (
        b'{"system": "", "question": "q", "chosen": "a", "rejected": "b"}\n' * 2,
        "orca_dpo_pairs",
        2,
        None,
        "duplicate record",
    ),
    "not an object": (b'["q", "a", "b"]\n', "orca_dpo_pairs", 1, None, "expected a JSON object"),
}


@pytest.mark.parametrize("case", BAD_INPUTS, ids=list(BAD_INPUTS))
def test_bad_input_names_file_row_field_and_writes_nothing(tmp_path: Path, case: str) -> None:
    content, schema, row, field, message = BAD_INPUTS[case]
    path = tmp_path / "bad.jsonl"
    path.write_bytes(content)
    out = tmp_path / "out" / "normalized.parquet"
    with pytest.raises(InputError) as caught:
        ingest(settings_for(path, schema), out)
    text = str(caught.value)
    assert text.startswith(f"{path}: row {row}: ") and message in text and "\n" not in text
    assert (f"field '{field}'" in text) if field else ("field" not in text)
    assert list(out.parent.iterdir()) == []


@pytest.mark.parametrize("case", [c for c in BAD_INPUTS if c != "malformed JSONL line"])
def test_skip_mode_counts_bad_rows(tmp_path: Path, case: str) -> None:
    content, schema, _, _, _ = BAD_INPUTS[case]
    good = json.dumps(uf_record("fine")) if schema == "ultrafeedback" else json.dumps(ORCA)
    path = tmp_path / "bad.jsonl"
    path.write_bytes(good.encode() + b"\n" + content)
    rows, metrics = run_ingest(tmp_path, settings_for(path, schema, on_bad_row="skip"))
    assert rows and metrics["dropped"][next(k for k, v in metrics["dropped"].items() if v)] == 1
    assert sum(metrics["dropped"].values()) == 1


def test_empty_file_and_missing_file(tmp_path: Path) -> None:
    (tmp_path / "empty.jsonl").write_bytes(b"")
    with pytest.raises(InputError, match=r"empty\.jsonl: file is empty"):
        ingest(settings_for(tmp_path / "empty.jsonl", "orca_dpo_pairs"), tmp_path / "n.parquet")
    with pytest.raises(InputError, match=r"nope\.jsonl: file not found"):
        ingest(settings_for(tmp_path / "nope.jsonl", "orca_dpo_pairs"), tmp_path / "n.parquet")
    assert not (tmp_path / "n.parquet").exists()


def test_all_rows_skipped_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(BAD_INPUTS["wrong type"][0])
    with pytest.raises(InputError, match="no usable records"):
        ingest(settings_for(path, "orca_dpo_pairs", on_bad_row="skip"), tmp_path / "n.parquet")


def test_empty_prompts_are_dropped_and_counted(tmp_path: Path) -> None:
    rows, metrics = run_ingest(
        tmp_path, settings_for(write_jsonl(tmp_path / "o.jsonl", [ORCA, ORCA | {"question": "  \n"}]), "orca_dpo_pairs")
    )
    assert len(rows) == 2 and metrics["dropped"]["empty_prompt"] == 1


def test_csv_with_extra_values_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("msg,reply\nhello,hi,extra\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"t\.csv: row 1: 1 more value\(s\) than header columns"):
        ingest(
            settings_for(path, {"name": "generic", "columns": {"prompt": "msg", "response": "reply"}}),
            tmp_path / "n.parquet",
        )


def test_failure_after_first_row_group_leaves_previous_output_intact(tmp_path: Path) -> None:
    out = tmp_path / "normalized.parquet"
    out.write_bytes(b"previous output")
    records = [ORCA | {"question": f"Q{i}"} for i in range(100)] + [{"broken": True}]
    with pytest.raises(InputError, match="row 101"):
        ingest(settings_for(write_jsonl(tmp_path / "o.jsonl", records), "orca_dpo_pairs", batch_rows=10), out)
    assert out.read_bytes() == b"previous output"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["normalized.parquet", "o.jsonl"]


# ---------------------------------------------------------------- settings


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"sources": [], "batch_size": 3}, "params.yaml: ingest.batch_size: unknown key"),
        (
            {"sources": [{"name": "a", "schema": "orca_dpo_pairs", "path": "x.jsonl"}], "batch_rows": "many"},
            "ingest.batch_rows: Input should be a valid integer (got 'many')",
        ),
        (
            {"sources": [{"name": "a", "schema": "orca_dpo_pairs", "path": "x.jsonl", "limt": 3}]},
            "ingest.sources.0.limt: unknown key",
        ),
        (
            {"sources": [{"name": "a", "schema": "xml", "path": "x"}]},
            "ingest.sources.0.schema.name: unknown schema 'xml' (known: ",
        ),
        (
            {"sources": [{"name": "a", "schema": {"name": "generic", "columns": {"prompt": "q"}}, "path": "x"}]},
            "ingest.sources.0.schema: columns must map 'prompt' and 'response'",
        ),
        (
            {"sources": [{"name": "a", "schema": "generic", "path": "x"}]},
            "ingest.sources.0.schema.columns: Field required",
        ),
        (
            {"sources": [{"name": "a", "schema": {"name": "orca_dpo_pairs", "columns": {}}, "path": "x"}]},
            "ingest.sources.0.schema.columns: unknown key",
        ),
        ({"sources": [{"name": "a", "schema": "orca_dpo_pairs"}]}, "give exactly one of 'path' or 'hub'"),
        (
            {"sources": [{"name": "a", "schema": "orca_dpo_pairs", "hub": {"name": "Intel/orca_dpo_pairs"}}]},
            "ingest.sources.0.hub.revision: Field required",
        ),
        (
            {"sources": [{"name": "a", "schema": "orca_dpo_pairs", "path": "x"}], "on_bad_row": "ignore"},
            "ingest.on_bad_row: Input should be 'error' or 'skip'",
        ),
    ],
)
def test_settings_errors_name_the_key(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(SettingsError) as caught:
        parse_settings(IngestSettings, raw, "params.yaml: ingest")
    assert message in str(caught.value)


def test_cli_prints_one_line_and_exits_non_zero(tmp_path: Path) -> None:
    (tmp_path / "bad.jsonl").write_bytes(BAD_INPUTS["wrong type"][0])
    (tmp_path / "params.yaml").write_text(
        "ingest:\n  sources:\n    - {name: o, schema: orca_dpo_pairs, path: bad.jsonl}\n", encoding="utf-8"
    )
    result = subprocess.run(
        [sys.executable, "-m", "lingualign.cli", "ingest", "--out", "n.parquet", "--metrics", "metrics/ingest.json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"MLFLOW_TRACKING_URI": f"sqlite:///{tmp_path}/m.db", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 2
    last = result.stderr.strip().splitlines()[-1]
    assert last == "lingualign ingest: error: bad.jsonl: row 1: field 'chosen': expected a string, got int"
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "n.parquet").exists() and not (tmp_path / "metrics").exists()


def test_max_chars_drops_long_records_and_counts_them(tmp_path: Path) -> None:
    records = [ORCA, ORCA | {"question": "Long one", "chosen": "x" * 500}]
    rows, metrics = run_ingest(
        tmp_path, settings_for(write_jsonl(tmp_path / "o.jsonl", records), "orca_dpo_pairs", source={"max_chars": 100})
    )
    assert len(rows) == 2 and metrics["dropped"]["too_long"] == 1 and metrics["datasets"]["src"]["records"] == 2
