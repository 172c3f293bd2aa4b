"""ingest: raw English preference data -> one normalized long Parquet (one row per response).

Each source in ``params.yaml: ingest.sources`` names a *schema* (how a record maps to
prompt/response rows: a plug-in of :mod:`lingualign.schemas`) and a *location* (a local
JSONL/CSV/Parquet file, or a hub dataset pinned to a revision).

Records stream through in batches of ``batch_rows``, each written as one Parquet row group, so
memory stays bounded however large the input. A bad record stops the stage with one line that
names file, row and field, unless ``on_bad_row: skip`` is set; skipped rows are counted by
reason in the metrics.

Ticket exports carry personal data: a source with ``scrub`` on (the default for ``generic``
sources, the shape a support team's export takes) has it replaced by typed placeholders
(:mod:`lingualign.scrub`) before anything is hashed, counted or written; the metrics count the
replaced mentions by kind, never the values.

Each source declares the ``language`` of its text (``en`` by default; ``mixed``: identified row by
row). Language identification checks the declaration: a source whose declared language is not
what most of its rows are stops the stage with one line naming the file and the share found.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
from pydantic import Field, model_validator

from lingualign.contracts import NORMALIZED
from lingualign.errors import InputError, LingualignError
from lingualign.language import detect_languages
from lingualign.schemas import SCHEMAS, FieldError, Normalizer, SchemaField
from lingualign.scrub import KINDS, ScrubSettings, scrub_conversation
from lingualign.settings import Settings

PARAMS = ("ingest",)
DROP_REASONS = (
    "empty_prompt",
    "too_long",
    "malformed_json",
    "missing_field",
    "wrong_type",
    "invalid_utf8",
    "invalid_value",
    "duplicate",
)
JUDGED_CHARS = 100  # shorter rows do not count towards a source's language check: py3langid guesses on them


class HubDataset(Settings):
    name: str = Field(description="Hub dataset id, e.g. Intel/orca_dpo_pairs")
    revision: str = Field(min_length=1, description="Commit sha or tag the data is pinned to")
    split: str = "train"
    config: str | None = None


class Source(Settings):
    name: str = Field(pattern=r"^[A-Za-z0-9_-]+$", description="Value of the `dataset` column")
    schema_: SchemaField = Field(
        alias="schema", description="Record shape: a schema name, or {name: generic, columns: ...}"
    )  # type: ignore[valid-type]
    path: str | None = Field(default=None, description="Local .jsonl, .csv or .parquet file")
    hub: HubDataset | None = None
    limit: int | None = Field(default=None, ge=1, description="Read at most this many records")
    max_chars: int | None = Field(
        default=None, ge=1, description="Drop records with a longer prompt or response (counted as too_long)"
    )
    scrub: bool | None = Field(
        default=None, description="Replace personal data (ingest.scrub); null: on for generic sources (ticket exports)"
    )
    language: str = Field(
        default="en",
        pattern=r"^(?:[a-z]{2}|mixed)$",
        description="ISO 639-1 code of the text, or 'mixed': each row's language is identified",
    )

    @model_validator(mode="after")
    def _one_location(self) -> Source:
        if (self.path is None) == (self.hub is None):
            raise ValueError(f"source '{self.name}': give exactly one of 'path' or 'hub'")
        return self

    @property
    def scrubbed(self) -> bool:
        return self.scrub if self.scrub is not None else self.schema_.name == "generic"

    @property
    def location(self) -> str:
        if self.hub is not None:
            return f"hub:{self.hub.name}@{self.hub.revision}"
        return str(self.path)


class IngestSettings(Settings):
    sources: list[Source] = Field(min_length=1)
    on_bad_row: Literal["error", "skip"] = Field(
        default="error", description="'skip' drops bad records and counts them in the metrics"
    )
    batch_rows: int = Field(default=2_000, ge=1, description="Rows per Parquet row group")
    scrub: ScrubSettings = Field(
        default_factory=ScrubSettings, description="What the sources with scrub on lose, and what they keep"
    )


# ---------------------------------------------------------------- record readers (locations)


def iter_records(source: Source) -> Iterator[tuple[int, Any]]:
    """Yield (row number, record) from the source's location; rows count from 1."""
    if source.hub is not None:
        return _hub_records(source.hub)
    path = Path(source.path or "")
    if not path.is_file():
        raise InputError(path, None, None, "file not found", "missing_file")
    if path.stat().st_size == 0:
        raise InputError(path, None, None, "file is empty", "empty_file")
    reader = FILE_READERS.get(path.suffix.lower())
    if reader is None:
        raise InputError(
            path,
            None,
            None,
            f"unsupported file type '{path.suffix}' (use one of {', '.join(FILE_READERS)})",
            "unsupported",
        )
    return reader(path)


def _jsonl_records(path: Path) -> Iterator[tuple[int, Any]]:
    # Bytes are decoded with surrogateescape so that bad UTF-8 is reported with its field,
    # not as a decoder error without a row.
    with open(path, "rb") as handle:
        for line_number, raw in enumerate(handle, 1):
            if not raw.strip():
                continue
            try:
                yield line_number, json.loads(raw.decode("utf-8", "surrogateescape"))
            except json.JSONDecodeError as exc:
                yield (
                    line_number,
                    FieldError(None, f"malformed JSON: {exc.msg} at column {exc.colno}", "malformed_json"),
                )


def _csv_records(path: Path) -> Iterator[tuple[int, Any]]:
    with open(path, encoding="utf-8", errors="surrogateescape", newline="") as handle:
        reader = csv.DictReader(handle)
        for row_number, record in enumerate(reader, 1):
            if None in record:
                yield (
                    row_number,
                    FieldError(None, f"{len(record[None])} more value(s) than header columns", "malformed_csv"),
                )
            else:
                yield row_number, record


def _parquet_records(path: Path) -> Iterator[tuple[int, Any]]:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except pa.ArrowException as exc:
        raise InputError(path, None, None, f"not a readable Parquet file: {exc}", "malformed_parquet") from None
    row_number = 0
    for batch in parquet.iter_batches(batch_size=4096):
        for record in batch.to_pylist():
            row_number += 1
            yield row_number, record


def _hub_records(hub: HubDataset) -> Iterator[tuple[int, Any]]:
    """Stream a hub dataset pinned to a revision (needs network; the GPU profile uses this)."""
    from datasets import load_dataset

    dataset = load_dataset(hub.name, hub.config, revision=hub.revision, split=hub.split, streaming=True)
    yield from enumerate(dataset, 1)


FILE_READERS: dict[str, Callable[[Path], Iterator[tuple[int, Any]]]] = {
    ".jsonl": _jsonl_records,
    ".csv": _csv_records,
    ".parquet": _parquet_records,
}


# ---------------------------------------------------------------- the stage


def stable_id(*parts: str | None) -> bytes:
    """8-byte content hash: the same text gives the same id on every machine and run."""
    joined = "\x1f".join("" if part is None else part for part in parts)
    return hashlib.blake2b(joined.encode("utf-8"), digest_size=8).digest()


@dataclass
class SourceStats:
    records: int = 0
    responses: int = 0
    prompts: set[bytes] = field(default_factory=set)
    dropped: Counter[str] = field(default_factory=Counter)
    scrubbed: Counter[str] = field(default_factory=Counter)
    languages: Counter[str] = field(default_factory=Counter)  # as identified, in rows long enough to judge

    def as_metrics(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "prompts": len(self.prompts),
            "responses": self.responses,
            "languages": dict(sorted(self.languages.items())),
            "dropped": {reason: self.dropped[reason] for reason in sorted(set(DROP_REASONS) | set(self.dropped))},
            "scrubbed": {kind: self.scrubbed[kind] for kind in KINDS},
        }


class LanguageCheck:
    """Identifies the language of a source's rows a batch at a time before they go on to the batcher:
    sets each row's ``language`` (identified where the source is ``mixed``) and counts what it finds."""

    def __init__(self, source: Source, batcher: Batcher, stats: SourceStats):
        self.source, self.batcher, self.stats = source, batcher, stats
        self.pending: list[dict[str, Any]] = []

    def add(self, row: dict[str, Any]) -> None:
        self.pending.append(row)
        if len(self.pending) >= self.batcher.size:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        texts = [f"{row['prompt']}\n{row['response']}" for row in self.pending]
        found = detect_languages(texts)
        judged = (language for text, language in zip(texts, found, strict=True) if len(text) >= JUDGED_CHARS)
        self.stats.languages.update(judged)
        for row, language in zip(self.pending, found, strict=True):
            declared = self.source.language
            self.batcher.add(row | {"language": language if declared == "mixed" else declared})
        self.pending = []

    def check(self) -> None:
        """Another language than the declared one in most rows is an error naming the file and the shares."""
        declared, rows = self.source.language, self.stats.languages.total()
        if declared == "mixed" or not rows:
            return
        found, count = self.stats.languages.most_common(1)[0]
        if found == declared or count * 2 <= rows:
            return
        raise InputError(
            self.source.location,
            None,
            None,
            f"declared language '{declared}', but language identification finds it in "
            f"{self.stats.languages[declared] / rows:.0%} of {rows} rows ('{found}' in {count / rows:.0%})",
            "wrong_language",
        )


class Batcher:
    """Collects rows column-wise and hands full batches to ``flush``."""

    def __init__(self, size: int, flush: Callable[[dict[str, list[Any]]], None]):
        self.size, self._flush = size, flush
        self.columns: dict[str, list[Any]] = {name: [] for name in NORMALIZED.names}

    def add(self, row: Mapping[str, Any]) -> None:
        for name, column in self.columns.items():
            column.append(row[name])
        if len(self.columns["prompt_id"]) >= self.size:
            self.flush()

    def flush(self) -> None:
        if self.columns["prompt_id"]:
            self._flush(self.columns)
            self.columns = {name: [] for name in NORMALIZED.names}


def ingest_source(source: Source, settings: IngestSettings, batcher: Batcher, progress: Any) -> SourceStats:
    normalize = SCHEMAS.get(source.schema_.name)
    stats, seen = SourceStats(), set()
    rows_out = LanguageCheck(source, batcher, stats)
    for row_number, record in iter_records(source):
        if source.limit is not None and stats.records >= source.limit:
            break
        stats.records += 1
        progress.update(1)
        try:
            rows = _normalize_record(normalize, record, source)
        except FieldError as exc:
            if settings.on_bad_row == "error":
                raise InputError(source.location, row_number, exc.field, str(exc), exc.kind) from None
            stats.dropped[exc.kind] += 1
            continue
        if source.scrubbed:
            rows = _scrub(rows, settings.scrub, stats.scrubbed)
        if not rows[0]["prompt"].strip():
            stats.dropped["empty_prompt"] += 1
            continue
        if (
            source.max_chars
            and max(len(text) for row in rows for text in (row["system"], row["prompt"], row["response"]))
            > source.max_chars
        ):
            stats.dropped["too_long"] += 1
            continue
        prompt_id = stable_id(source.name, rows[0]["system"], rows[0]["prompt"])
        ids = [stable_id(prompt_id.hex(), row["source_model"], row["label"], row["response"]) for row in rows]
        if len(set(ids)) < len(ids) or not seen.isdisjoint(ids):
            if settings.on_bad_row == "error":
                raise InputError(
                    source.location,
                    row_number,
                    None,
                    "duplicate record: same prompt, model, label and response as an earlier record",
                    "duplicate",
                )
            stats.dropped["duplicate"] += 1
            continue
        seen.update(ids)
        stats.prompts.add(prompt_id)
        for row, response_id in zip(rows, ids, strict=True):
            rows_out.add(
                row
                | {
                    "prompt_id": prompt_id.hex(),
                    "dataset": source.name,
                    "source_row": row_number,
                    "response_id": response_id.hex(),
                }
            )
        stats.responses += len(rows)
    rows_out.flush()
    rows_out.check()
    if stats.responses == 0:
        detail = f" (all {stats.records} records dropped: {dict(stats.dropped)})" if stats.records else ""
        raise InputError(source.location, None, None, f"no usable records{detail}", "no_rows")
    return stats


def _scrub(rows: list[dict[str, Any]], settings: ScrubSettings, counts: Counter[str]) -> list[dict[str, Any]]:
    """The rows of one record (one conversation) with its personal data replaced; ``counts`` gains the kinds."""
    texts = [rows[0]["system"], rows[0]["prompt"], *(row["response"] for row in rows)]
    (system, prompt, *responses), found = scrub_conversation(texts, settings)
    counts.update(found)
    return [
        row | {"system": system, "prompt": prompt, "response": response}
        for row, response in zip(rows, responses, strict=True)
    ]


def _normalize_record(normalize: Normalizer, record: Any, source: Source) -> list[dict[str, Any]]:
    if isinstance(record, FieldError):
        raise record
    if not isinstance(record, Mapping):
        raise FieldError(None, f"expected a JSON object, got {type(record).__name__}", "wrong_type")
    return list(normalize(record, source.schema_))


def ingest(settings: IngestSettings, out: Path, where: str = "ingest") -> dict[str, Any]:
    """Normalize every source into ``out``; return the metrics (also what MLflow logs)."""
    from tqdm import tqdm

    from lingualign.io import parquet_sink, release_memory

    names = [source.name for source in settings.sources]
    if len(set(names)) != len(names):
        raise LingualignError(f"{where}.sources: source names must be unique, got {names}")
    per_source: dict[str, SourceStats] = {}
    with (
        parquet_sink(out, NORMALIZED) as sink,
        tqdm(desc="ingest", unit="rec", file=sys.stderr, mininterval=1.0) as progress,
    ):

        def write(columns: dict[str, list[Any]]) -> None:
            sink.write(columns)
            release_memory()

        batcher = Batcher(settings.batch_rows, write)
        for source in settings.sources:
            progress.set_postfix_str(source.name)
            per_source[source.name] = ingest_source(source, settings, batcher, progress)
        batcher.flush()
    return ingest_metrics(per_source)


def ingest_metrics(per_source: Mapping[str, SourceStats]) -> dict[str, Any]:
    datasets = {name: stats.as_metrics() for name, stats in per_source.items()}
    dropped: Counter[str] = Counter()
    scrubbed: Counter[str] = Counter()
    for stats in per_source.values():
        dropped.update(stats.dropped)
        scrubbed.update(stats.scrubbed)
    return {
        "rows": sum(stats.responses for stats in per_source.values()),
        "prompts": sum(len(stats.prompts) for stats in per_source.values()),
        "responses": sum(stats.responses for stats in per_source.values()),
        "dropped": {reason: dropped[reason] for reason in sorted(set(DROP_REASONS) | set(dropped))},
        "scrubbed": {kind: scrubbed[kind] for kind in KINDS},
        "datasets": datasets,
    }


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, required=True, help="Normalized rows (Parquet)")
    parser.add_argument("--metrics", type=Path, required=True)


def main(args: argparse.Namespace) -> None:
    from lingualign.settings import load_settings
    from lingualign.tracking import run_stage

    settings = load_settings(IngestSettings, args.params, PARAMS)
    run_stage("ingest", settings, args.metrics, lambda: ingest(settings, args.out, f"{args.params}: ingest"))
