"""The shipped samples in data/raw (the source of the CPU default's data) still hold the hard
cases they are there for, read through the ingest schemas that read them in the pipeline."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from helpers import ROOT

from lingualign.ingest import IngestSettings, Source, iter_records
from lingualign.schemas import SCHEMAS
from lingualign.settings import load_settings

TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$", re.M)


def rows_of(source: Source) -> list[dict[str, str]]:
    normalize = SCHEMAS.get(source.schema_.name)
    return [row for _, record in iter_records(source) for row in normalize(record, source.schema_)]


SOURCES = {source.name: source for source in load_settings(IngestSettings, ROOT / "params.yaml", ("ingest",)).sources}


@pytest.mark.parametrize("name", ["orca", "ultrafeedback", "ultrafeedback_binarized"])
def test_each_preference_sample_holds_crlf_fences_tables_and_empty_and_long_answers(name: str) -> None:
    responses = [row["response"] for row in rows_of(SOURCES[name])]
    assert sum("\r\n" in r for r in responses) >= 3
    assert sum("```" in r for r in responses) >= 10
    assert sum(bool(TABLE_ROW.search(r)) for r in responses) >= 5
    assert sum(not r.strip() for r in responses) >= 2
    assert sum(len(r) > 5000 for r in responses) >= 1


def test_orca_repeats_its_system_prompts_as_the_real_data_does() -> None:
    systems = Counter(row["system"] for row in rows_of(SOURCES["orca"]))
    assert len(systems) >= 4 and systems.most_common(1)[0][1] >= 20


def test_support_tickets_hold_multi_line_replies_and_ratings() -> None:
    rows = rows_of(SOURCES["support_tickets"])
    assert len(rows) >= 30
    assert sum("\n" in row["response"] for row in rows) >= 5
    assert len({row["rating"] for row in rows}) >= 3 and len({row["source_model"] for row in rows}) >= 2
