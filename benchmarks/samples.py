"""The shipped samples as the benchmarks use them: every text of every source, unsliced."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq

from lingualign.contracts import TEXT_FIELDS
from lingualign.ingest import PARAMS, IngestSettings, ingest
from lingualign.settings import load_settings


def shipped_texts(folder: Path) -> list[str]:
    """System prompts, prompts and responses of every shipped record (no limit, no max_chars)."""
    settings = load_settings(IngestSettings, Path("params.yaml"), PARAMS)
    sources = [source.model_copy(update={"limit": None, "max_chars": None}) for source in settings.sources]
    ingest(settings.model_copy(update={"sources": sources}), folder / "normalized.parquet")
    table = pq.read_table(folder / "normalized.parquet")
    return [text for field in TEXT_FIELDS for text in table.column(field).to_pylist()]
