"""translate: the stage on a real (tiny) model, its cache, crash-resume, increments and flags; an
engine registered from this file alone translating through the stage."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
import yaml
from helpers import ROOT, normalized, orca_records, translate_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from lingualign.engines import ENGINES, Engine, EngineSettings, Generation, Request
from lingualign.ingest import IngestSettings, ingest
from lingualign.settings import parse_settings
from lingualign.translate import TranslateSettings, translate_stage
from lingualign.translate.quality import QualitySettings, loops, text_flags

REFERENCE = ROOT / "data" / "reference" / "support_en_de.tsv"


def translate(
    settings: TranslateSettings, source: Path, folder: Path, out: str = "t.parquet", mtbench: bool = False
) -> dict[str, Any]:
    return translate_stage(
        settings, source, folder / out, folder / "cache", None, folder / "mtbench_de.jsonl" if mtbench else None
    )


def test_stage_translates_every_field_and_keeps_structure(tmp_path: Path, tiny_lm: Path) -> None:
    source = normalized(tmp_path, orca_records(8))
    metrics = translate(translate_settings(tiny_lm), source, tmp_path)
    rows = pq.read_table(tmp_path / "t.parquet").to_pylist()
    assert len(rows) == 16
    code_row = next(r for r in rows if "```bash" in r["response"])
    assert "```bash\nreset --hard\n```" in code_row["response_de"]
    assert code_row["response_de"].count("\r\n") == code_row["response"].count("\r\n")
    assert all(r["response_de"] == "" for r in rows if r["response"] == "")
    # The shared system prompt and rejected answer are translated once for all rows.
    assert metrics["chunks"] < metrics["unique_texts"] * 3
    assert metrics["run"]["translated_chunks"] == metrics["chunks"] and metrics["run"]["cache_hits"] == 0
    assert set(metrics["flags"]) == {"empty", "length_ratio", "wrong_language", "repetition", "truncated"}
    # A rerun finds every text whole in the cache (no chunking, no flags) and writes the same bytes.
    first = (tmp_path / "t.parquet").read_bytes()
    again = translate(translate_settings(tiny_lm), source, tmp_path)
    assert again["run"]["translated_chunks"] == 0 and again["run"]["text_cache_hits"] == metrics["unique_texts"]
    assert (tmp_path / "t.parquet").read_bytes() == first and again | {"run": None} == metrics | {"run": None}


def test_cache_key_covers_generation_settings(tmp_path: Path, tiny_lm: Path) -> None:
    source = normalized(tmp_path, orca_records(2))
    translate(translate_settings(tiny_lm), source, tmp_path, "a.parquet")
    changed = translate(translate_settings(tiny_lm, max_new_tokens=7), source, tmp_path, "b.parquet")
    assert changed["run"]["cache_hits"] == 0
    rebatched = translate(translate_settings(tiny_lm, engine={"batch_size": 3}), source, tmp_path, "c.parquet")
    assert rebatched["run"]["translated_chunks"] == 0


def test_adding_ten_percent_rows_translates_at_most_eleven_percent_of_chunks(tmp_path: Path, tiny_lm: Path) -> None:
    base = normalized(tmp_path, orca_records(40), "base.parquet")
    first = translate(translate_settings(tiny_lm), base, tmp_path)
    grown = normalized(tmp_path, orca_records(40) + orca_records(4, offset=40), "grown.parquet")
    second = translate(translate_settings(tiny_lm), grown, tmp_path)
    assert second["run"]["translated_chunks"] <= 0.11 * second["chunks"]
    assert second["run"]["text_cache_hits"] == first["unique_texts"]


def write_project(folder: Path, model: Path, records: list[dict[str, str]]) -> None:
    folder.mkdir()
    normalized(folder, records)
    params = {
        "translate": {
            "engine": {"name": "transformers", "model": str(model), "batch_size": 2, "device": "cpu"},
            "max_new_tokens": 6,
            "max_chunk_chars": 60,
        }
    }
    (folder / "params.yaml").write_text(yaml.safe_dump(params))


def run_translate(folder: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "MLFLOW_TRACKING_URI": f"sqlite:///{folder}/mlflow.db"}
    command = [
        sys.executable,
        "-m",
        "lingualign.cli",
        "translate",
        "--in",
        "normalized.parquet",
        "--out",
        "t.parquet",
        "--cache",
        "cache",
    ]
    command += [
        "--reference",
        str(REFERENCE),
        "--mtbench-out",
        "mtbench_de.jsonl",
        "--metrics",
        "metrics/translate.json",
    ]
    return subprocess.Popen(command, cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def cached_lines(folder: Path) -> int:
    return (
        sum(len(p.read_bytes().splitlines()) for p in (folder / "cache").glob("journal-*"))
        if (folder / "cache").is_dir()
        else 0
    )


@pytest.mark.slow
def test_sigkill_halfway_then_rerun_matches_uninterrupted(tmp_path: Path, tiny_lm: Path) -> None:
    records = orca_records(30)
    clean, killed = tmp_path / "clean", tmp_path / "killed"
    write_project(clean, tiny_lm, records)
    write_project(killed, tiny_lm, records)
    assert run_translate(clean).wait(timeout=600) == 0
    total = json.loads((clean / "metrics" / "translate.json").read_text())["run"]["translated_chunks"]

    process = run_translate(killed)
    deadline = time.monotonic() + 300
    while cached_lines(killed) < total // 2 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    done = cached_lines(killed)
    assert 0 < done < total and not (killed / "t.parquet").exists()

    assert run_translate(killed).wait(timeout=600) == 0
    resumed = json.loads((killed / "metrics" / "translate.json").read_text())
    assert resumed["run"]["cache_hits"] == done and resumed["run"]["translated_chunks"] == total - done
    assert (killed / "t.parquet").read_bytes() == (clean / "t.parquet").read_bytes()
    cache = {p.name: p.read_bytes() for p in sorted((clean / "cache").iterdir())}
    assert {p.name: p.read_bytes() for p in sorted((killed / "cache").iterdir())} == cache  # the same segments


# ---------------------------------------------------------------- quality flags


@pytest.mark.parametrize(
    ("sources", "outputs", "expected"),
    [
        (
            ["Your refund was issued and will arrive within five business days."],
            ["Ihre Rückerstattung wurde veranlasst und kommt innerhalb von fünf Werktagen an."],
            set(),
        ),
        (
            ["Your refund was issued and will arrive within five business days."],
            [""],
            {"empty", "length_ratio", "wrong_language"},
        ),
        (
            ["Your refund was issued and will arrive within five business days."],
            ["Your refund was issued and will arrive within five business days."],
            {"wrong_language"},
        ),
        (
            ["Your refund was issued and will arrive within five business days."],
            ["Die Rückerstattung die Rückerstattung die Rückerstattung die Rückerstattung wurde veranlasst."],
            {"repetition"},
        ),
        (["Ha ha ha ha ha ha ha ha ha."], ["Ha ha ha ha ha ha ha ha ha."], set()),
        (["Thanks!"], ["Danke!"], set()),
    ],
)
def test_quality_flags(sources: list[str], outputs: list[str], expected: set[str]) -> None:
    generations = [Generation(text, False) for text in outputs]
    settings = QualitySettings(length_ratio_min=0.8, length_ratio_max=1.5)
    assert text_flags([(sources, generations)], settings, "de") == [expected]
    # Many texts at once (the stage's way) flag each as it would alone.
    many = [(sources, generations), (["Thanks for waiting."], [Generation("Danke fürs Warten.", True)])] * 1500
    assert text_flags(many, settings, "de") == [expected, {"truncated"}] * 1500


@given(st.lists(st.text(alphabet="ab \nxé€😀", max_size=120), max_size=12))
@settings(max_examples=300, deadline=None)
def test_loops_answer_as_the_regex_does(texts: list[str]) -> None:
    regex = re.compile(r"(.{6,80}?)\1{2,}", re.S)
    assert loops(texts) == [bool(regex.search(text)) for text in texts]


def test_loops_find_long_and_short_stretches_but_none_across_texts() -> None:
    unit = "Das Paket kommt morgen. "
    texts = ["abcdef" * 3, "abcde" * 3, unit * 3, "x" * 300 + "0123456789" * 24, "abcdefabcdef", "abcdef"]
    assert loops(texts) == [True, False, True, True, False, False]
    assert loops(["abcdef", "abcdef", "abcdef"]) == [False, False, False]


def test_truncation_flag_and_drop_switch(tmp_path: Path, tiny_lm: Path) -> None:
    source = normalized(tmp_path, orca_records(4))
    metrics = translate(translate_settings(tiny_lm, max_new_tokens=1, quality={"drop_flagged": True}), source, tmp_path)
    assert metrics["flags"]["truncated"] == metrics["rows_flagged"] == metrics["rows_dropped"] == 8
    assert pq.read_table(tmp_path / "t.parquet").num_rows == 0


def test_mtbench_questions_are_translated_and_an_empty_translation_keeps_the_english(
    tmp_path: Path, tiny_lm: Path
) -> None:
    source = normalized(tmp_path, orca_records(2))
    out = tmp_path / "mtbench_de.jsonl"
    metrics = translate(
        translate_settings(tiny_lm, mtbench_per_category=1, max_new_tokens=1), source, tmp_path, mtbench=True
    )
    questions = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert metrics["mtbench_questions"] == len(questions) == 8
    assert {q["category"] for q in questions} == {
        "writing",
        "roleplay",
        "reasoning",
        "math",
        "coding",
        "extraction",
        "stem",
        "humanities",
    }
    assert all(
        len(q["turns"]) == len(q["turns_en"]) == 2 and all(turn.strip() for turn in q["turns"]) for q in questions
    )
    assert all("reference" in q for q in questions if q["category"] in {"math", "reasoning", "coding"})
    kept = sum(turn == english for q in questions for turn, english in zip(q["turns"], q["turns_en"], strict=True))
    assert kept <= metrics["mtbench_left_in_english"]


# ---------------------------------------------------------------- an engine in one file


class ShoutSettings(EngineSettings):
    suffix: str = "!"


@ENGINES.register("shout", ShoutSettings)
class ShoutEngine(Engine):
    """A whole engine, registered here: upper-cases the chunk at the end of each prompt."""

    settings: ShoutSettings

    def generate(self, requests: list[Request]) -> list[Generation]:
        return [
            Generation(request.text.rsplit("\n", 1)[-1].upper() + self.settings.suffix, False) for request in requests
        ]


def test_an_engine_registered_in_one_file_translates_through_the_stage(tmp_path: Path) -> None:
    source = normalized(tmp_path, orca_records(2))
    settings = parse_settings(
        TranslateSettings,
        {
            "engine": {"name": "shout", "model": "none", "suffix": "?"},
            "template": "{source} to {target}:\n{text}",
            "mtbench_per_category": 1,
        },
        "translate",
    )
    metrics = translate_stage(
        settings, source, tmp_path / "t.parquet", tmp_path / "cache", REFERENCE, tmp_path / "mtbench_de.jsonl"
    )
    rows = pq.read_table(tmp_path / "t.parquet").to_pylist()
    assert rows[1]["response_de"] == "I DO NOT KNOW.?"
    assert metrics["reference"]["sentences"] == 40
    assert metrics["run"]["translated_chunks"] > 0 and metrics["mtbench_questions"] == 8
    with pytest.raises(Exception, match=r"translate.engine.suffix: Input should be a valid string"):
        parse_settings(TranslateSettings, {"engine": {"name": "shout", "model": "none", "suffix": 3}}, "translate")


def test_rows_already_in_german_pass_untouched_with_flags_and_no_engine_or_cache(tmp_path: Path) -> None:
    german = [
        "Guten Tag, meine Bestellung ist seit einer Woche unterwegs. Können Sie bitte nachsehen, wo sie ist?",
        "Sehr geehrte Kundin, Ihr Paket wurde heute versendet und kommt in zwei bis drei Werktagen bei Ihnen an.",
    ]
    english = "Hello, my order has been on its way for a week and the tracking page shows nothing at all here."
    raw = tmp_path / "tickets.jsonl"
    records = [{"q": german[0], "a": german[1]}, {"q": english, "a": "It ships today."}, {"q": german[1], "a": english}]
    raw.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    schema = {"name": "generic", "columns": {"prompt": "q", "response": "a"}}
    source = {"name": "tickets", "schema": schema, "path": str(raw), "language": "mixed"}
    ingest(IngestSettings.model_validate({"sources": [source]}), tmp_path / "normalized.parquet")
    settings = parse_settings(
        TranslateSettings, {"engine": {"name": "shout", "model": "none"}, "template": "{text}"}, "translate"
    )
    metrics = translate(settings, tmp_path / "normalized.parquet", tmp_path)
    rows = pq.read_table(tmp_path / "t.parquet").to_pylist()
    assert [row["language"] for row in rows] == ["de", "en", "de"]
    assert (rows[0]["prompt_de"], rows[0]["response_de"]) == (german[0], german[1])
    assert rows[1]["prompt_de"] == english.upper() + "!"  # the English row went to the engine
    # A German row with an English response is judged as it stands: its response is not German.
    assert rows[0]["flags"] == [] and rows[2]["flags"] == ["wrong_language"]
    assert metrics["native"] == {
        "rows": 2,
        "rows_flagged": 1,
        "flags": {"empty": 0, "length_ratio": 0, "wrong_language": 1, "repetition": 0, "truncated": 0},
    }
    assert metrics["run"]["translated_characters"] == len(english) + len("It ships today.")
    cached = b"".join(path.read_bytes() for path in (tmp_path / "cache").rglob("*") if path.is_file())
    assert english.upper().encode() in cached and b"GUTEN TAG" not in cached and b"SEHR GEEHRTE" not in cached
