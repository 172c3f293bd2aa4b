"""ingest: raw English preference data -> one normalized long Parquet (one row per response).

Each source in ``params.yaml: ingest.sources`` names a *schema* (how a record maps to
prompt/response rows) and a *location* (a local JSONL/CSV/Parquet file, or a hub dataset pinned
to a revision). Both are registries: a new dataset shape is one function decorated with
``@schema("name")``.

    lingualign ingest --out data/normalized.parquet --metrics metrics/ingest.json

Records stream through in batches of ``batch_rows``, each written as one Parquet row group, so
memory stays bounded however large the input. A bad record stops the stage with one line that
names file, row and field, unless ``on_bad_row: skip`` is set; skipped rows are counted by
reason in the metrics.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
from pydantic import Field, model_validator

from lingualign.errors import InputError, LingualignError
from lingualign.settings import Settings

SCHEMA = pa.schema(
    [
        pa.field("prompt_id", pa.string(), nullable=False),
        pa.field("dataset", pa.string(), nullable=False),
        pa.field("source_row", pa.int64(), nullable=False),
        pa.field("system", pa.string(), nullable=False),
        pa.field("prompt", pa.string(), nullable=False),
        pa.field("response_id", pa.string(), nullable=False),
        pa.field("response", pa.string(), nullable=False),
        pa.field("source_model", pa.string()),
        pa.field("rating", pa.float64()),
        pa.field("fine_grained_rating", pa.float64()),
        pa.field("label", pa.string()),
    ]
)
RESPONSE_FIELDS = ("response", "source_model", "rating", "fine_grained_rating", "label")
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
GENERIC_FIELDS = ("prompt", "system", "response", "chosen", "rejected", "source_model", "rating", "label")


class HubDataset(Settings):
    name: str = Field(description="Hub dataset id, e.g. Intel/orca_dpo_pairs")
    revision: str = Field(min_length=1, description="Commit sha or tag the data is pinned to")
    split: str = "train"
    config: str | None = None


class Source(Settings):
    name: str = Field(pattern=r"^[A-Za-z0-9_-]+$", description="Value of the `dataset` column")
    schema_: str = Field(alias="schema", description="Record shape: a name from the schema registry")
    path: str | None = Field(default=None, description="Local .jsonl, .csv or .parquet file")
    hub: HubDataset | None = None
    limit: int | None = Field(default=None, ge=1, description="Read at most this many records")
    max_chars: int | None = Field(default=None, ge=1, description="Drop records with a longer prompt or response (counted as too_long)")
    columns: dict[str, str] = Field(
        default_factory=dict, description="generic schema only: normalized field -> source column"
    )

    @model_validator(mode="after")
    def _check(self) -> Source:
        if (self.path is None) == (self.hub is None):
            raise ValueError(f"source '{self.name}': give exactly one of 'path' or 'hub'")
        if self.schema_ not in SCHEMAS:
            raise ValueError(f"source '{self.name}': unknown schema '{self.schema_}' (known: {', '.join(SCHEMAS)})")
        if self.schema_ == "generic":
            _check_generic_columns(self.name, self.columns)
        elif self.columns:
            raise ValueError(f"source '{self.name}': 'columns' applies to the generic schema only")
        return self

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
    batch_rows: int = Field(default=10_000, ge=1, description="Rows per Parquet row group")


def _check_generic_columns(name: str, columns: Mapping[str, str]) -> None:
    unknown = sorted(set(columns) - set(GENERIC_FIELDS))
    if unknown:
        raise ValueError(f"source '{name}': unknown columns key(s) {unknown} (known: {list(GENERIC_FIELDS)})")
    paired = "chosen" in columns and "rejected" in columns
    if "prompt" not in columns or not ("response" in columns or paired):
        raise ValueError(f"source '{name}': columns must map 'prompt' and 'response' (or 'chosen' and 'rejected')")
    if "response" in columns and ("chosen" in columns or "rejected" in columns):
        raise ValueError(f"source '{name}': map either 'response' or 'chosen'/'rejected', not both")


# ---------------------------------------------------------------- record readers (locations)


class FieldError(Exception):
    """A problem with one field of the current record; the caller adds file and row."""

    def __init__(self, field_name: str | None, message: str, kind: str):
        super().__init__(message)
        self.field, self.kind = field_name, kind


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
        raise InputError(path, None, None, f"unsupported file type '{path.suffix}' (use one of {', '.join(FILE_READERS)})", "unsupported")
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
                yield line_number, FieldError(None, f"malformed JSON: {exc.msg} at column {exc.colno}", "malformed_json")


def _csv_records(path: Path) -> Iterator[tuple[int, Any]]:
    with open(path, encoding="utf-8", errors="surrogateescape", newline="") as handle:
        reader = csv.DictReader(handle)
        for row_number, record in enumerate(reader, 1):
            if None in record:
                yield row_number, FieldError(None, f"{len(record[None])} more value(s) than header columns", "malformed_csv")
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


# ---------------------------------------------------------------- schemas (record shapes)

Normalizer = Callable[[Mapping[str, Any], Source], Iterator[dict[str, Any]]]
SCHEMAS: dict[str, Normalizer] = {}


def schema(name: str) -> Callable[[Normalizer], Normalizer]:
    def register(function: Normalizer) -> Normalizer:
        SCHEMAS[name] = function
        return function

    return register


_SURROGATE = re.compile("[\udc80-\udcff]")
_MISSING = object()


def text(record: Mapping[str, Any], key: str, *, nullable: bool = False, where: str | None = None) -> str | None:
    """A string field; None only where ``nullable``. ``where`` names nested fields in errors."""
    name = where or key
    value = record.get(key, _MISSING)
    if value is _MISSING:
        found = ", ".join(map(str, record)) or "none"
        raise FieldError(name, f"missing field (found: {found})", "missing_field")
    if value is None:
        if nullable:
            return None
        raise FieldError(name, "is null, expected a string", "wrong_type")
    if not isinstance(value, str):
        raise FieldError(name, f"expected a string, got {type(value).__name__}", "wrong_type")
    if _SURROGATE.search(value):
        raise FieldError(name, "not valid UTF-8", "invalid_utf8")
    return value


def number(record: Mapping[str, Any], key: str, *, where: str | None = None) -> float | None:
    """A rating: int, float or numeric string; missing, null, '' and 'N/A' mean no rating."""
    value = record.get(key)
    if value is None or (isinstance(value, str) and value.strip() in ("", "N/A")):
        return None
    if isinstance(value, bool):
        raise FieldError(where or key, "expected a number, got bool", "wrong_type")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
    raise FieldError(where or key, f"expected a number, got {value!r}"[:120], "wrong_type")


def items(record: Mapping[str, Any], key: str) -> list[Any]:
    value = record.get(key, _MISSING)
    if value is _MISSING:
        raise FieldError(key, "missing field", "missing_field")
    if not isinstance(value, list):
        raise FieldError(key, f"expected a list, got {type(value).__name__}", "wrong_type")
    return value


def response_row(response: str | None, **fields: Any) -> dict[str, Any]:
    return {"response": response, "source_model": None, "rating": None, "fine_grained_rating": None, "label": None} | fields


@schema("orca_dpo_pairs")
def orca_dpo_pairs(record: Mapping[str, Any], source: Source) -> Iterator[dict[str, Any]]:
    """Intel/orca_dpo_pairs: ``system, question, chosen, rejected``."""
    head = {"system": text(record, "system", nullable=True) or "", "prompt": text(record, "question")}
    chosen, rejected = text(record, "chosen"), text(record, "rejected")
    yield head | response_row(chosen, label="chosen")
    yield head | response_row(rejected, label="rejected")


@schema("ultrafeedback")
def ultrafeedback(record: Mapping[str, Any], source: Source) -> Iterator[dict[str, Any]]:
    """openbmb/UltraFeedback: ``instruction, models, completions[{model, response, overall_score, ...}]``."""
    head = {"system": "", "prompt": text(record, "instruction")}
    rows = []
    for index, completion in enumerate(items(record, "completions")):
        where = f"completions[{index}]"
        if not isinstance(completion, Mapping):
            raise FieldError(where, f"expected an object, got {type(completion).__name__}", "wrong_type")
        rows.append(
            head
            | response_row(
                text(completion, "response", where=f"{where}.response"),
                source_model=text(completion, "model", where=f"{where}.model"),
                rating=number(completion, "overall_score", where=f"{where}.overall_score"),
                fine_grained_rating=number(completion, "fine-grained_score", where=f"{where}.fine-grained_score"),
            )
        )
    yield from rows


@schema("ultrafeedback_binarized")
def ultrafeedback_binarized(record: Mapping[str, Any], source: Source) -> Iterator[dict[str, Any]]:
    """argilla/ultrafeedback-binarized-preferences(-cleaned): ``prompt, chosen, chosen-rating, chosen-model, rejected, ...``.

    ``chosen``/``rejected`` are message lists (the answer is the last assistant turn) or strings.
    """
    head = {"system": "", "prompt": text(record, "prompt")}
    for label in ("chosen", "rejected"):
        yield head | response_row(
            _answer(record, label),
            source_model=text(record, f"{label}-model", nullable=True),
            rating=number(record, f"{label}-rating"),
            label=label,
        )


def _answer(record: Mapping[str, Any], key: str) -> str | None:
    value = record.get(key, _MISSING)
    if not isinstance(value, list):
        return text(record, key)
    for index in range(len(value) - 1, -1, -1):
        message = value[index]
        if not isinstance(message, Mapping):
            raise FieldError(f"{key}[{index}]", "expected a message object", "wrong_type")
        if message.get("role") == "assistant":
            return text(message, "content", where=f"{key}[{index}].content")
    raise FieldError(key, "no assistant message", "invalid_value")


@schema("generic")
def generic(record: Mapping[str, Any], source: Source) -> Iterator[dict[str, Any]]:
    """Any JSONL/CSV/Parquet file; ``columns`` maps normalized fields to the file's columns."""
    columns = source.columns

    def optional_text(name: str) -> str | None:
        return text(record, columns[name], nullable=True) if name in columns else None

    head = {"system": optional_text("system") or "", "prompt": text(record, columns["prompt"])}
    model = optional_text("source_model") or None
    rating = number(record, columns["rating"]) if "rating" in columns else None
    if "response" in columns:
        label = optional_text("label") or None
        if label not in (None, "chosen", "rejected"):
            raise FieldError(columns["label"], f"expected 'chosen', 'rejected' or empty, got {label!r}", "invalid_value")
        yield head | response_row(text(record, columns["response"]), source_model=model, rating=rating, label=label)
    else:
        for label in ("chosen", "rejected"):
            yield head | response_row(text(record, columns[label]), source_model=model, label=label)


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

    def as_metrics(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "prompts": len(self.prompts),
            "responses": self.responses,
            "dropped": {reason: self.dropped[reason] for reason in sorted(set(DROP_REASONS) | set(self.dropped))},
        }


class Batcher:
    """Collects rows column-wise and hands full batches to ``flush``."""

    def __init__(self, size: int, flush: Callable[[dict[str, list[Any]]], None]):
        self.size, self._flush = size, flush
        self.columns: dict[str, list[Any]] = {name: [] for name in SCHEMA.names}

    def add(self, row: Mapping[str, Any]) -> None:
        for name, column in self.columns.items():
            column.append(row[name])
        if len(self.columns["prompt_id"]) >= self.size:
            self.flush()

    def flush(self) -> None:
        if self.columns["prompt_id"]:
            self._flush(self.columns)
            self.columns = {name: [] for name in SCHEMA.names}


def ingest_source(source: Source, settings: IngestSettings, batcher: Batcher, progress: Any) -> SourceStats:
    normalize = SCHEMAS[source.schema_]
    stats, seen = SourceStats(), set()
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
        if not rows[0]["prompt"].strip():
            stats.dropped["empty_prompt"] += 1
            continue
        if source.max_chars and max(len(text) for row in rows for text in (row["system"], row["prompt"], row["response"])) > source.max_chars:
            stats.dropped["too_long"] += 1
            continue
        prompt_id = stable_id(source.name, rows[0]["system"], rows[0]["prompt"])
        ids = [stable_id(prompt_id.hex(), row["source_model"], row["label"], row["response"]) for row in rows]
        if len(set(ids)) < len(ids) or not seen.isdisjoint(ids):
            if settings.on_bad_row == "error":
                raise InputError(source.location, row_number, None, "duplicate record: same prompt, model, label and response as an earlier record", "duplicate")
            stats.dropped["duplicate"] += 1
            continue
        seen.update(ids)
        stats.prompts.add(prompt_id)
        for row, response_id in zip(rows, ids, strict=True):
            batcher.add(row | {"prompt_id": prompt_id.hex(), "dataset": source.name, "source_row": row_number, "response_id": response_id.hex()})
        stats.responses += len(rows)
    if stats.responses == 0:
        detail = f" (all {stats.records} records dropped: {dict(stats.dropped)})" if stats.records else ""
        raise InputError(source.location, None, None, f"no usable records{detail}", "no_rows")
    return stats


def _normalize_record(normalize: Normalizer, record: Any, source: Source) -> list[dict[str, Any]]:
    if isinstance(record, FieldError):
        raise record
    if not isinstance(record, Mapping):
        raise FieldError(None, f"expected a JSON object, got {type(record).__name__}", "wrong_type")
    return list(normalize(record, source))


def ingest(settings: IngestSettings, out: Path) -> dict[str, Any]:
    """Normalize every source into ``out``; return the metrics (also what MLflow logs)."""
    from tqdm import tqdm

    from lingualign.io import parquet_sink

    names = [source.name for source in settings.sources]
    if len(set(names)) != len(names):
        raise LingualignError(f"params.yaml: ingest.sources: source names must be unique, got {names}")
    per_source: dict[str, SourceStats] = {}
    with parquet_sink(out, SCHEMA) as sink, tqdm(desc="ingest", unit="rec", file=sys.stderr, mininterval=1.0) as progress:
        batcher = Batcher(settings.batch_rows, sink.write)
        for source in settings.sources:
            progress.set_postfix_str(source.name)
            per_source[source.name] = ingest_source(source, settings, batcher, progress)
        batcher.flush()
    return ingest_metrics(per_source)


def ingest_metrics(per_source: Mapping[str, SourceStats]) -> dict[str, Any]:
    datasets = {name: stats.as_metrics() for name, stats in per_source.items()}
    dropped: Counter[str] = Counter()
    for stats in per_source.values():
        dropped.update(stats.dropped)
    return {
        "rows": sum(stats.responses for stats in per_source.values()),
        "prompts": sum(len(stats.prompts) for stats in per_source.values()),
        "responses": sum(stats.responses for stats in per_source.values()),
        "dropped": {reason: dropped[reason] for reason in sorted(set(DROP_REASONS) | set(dropped))},
        "datasets": datasets,
    }


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=Path("data/normalized.parquet"))
    parser.add_argument("--metrics", type=Path, default=Path("metrics/ingest.json"))


def main(args: argparse.Namespace) -> None:
    from lingualign.settings import load_settings
    from lingualign.tracking import run_stage

    settings = load_settings(IngestSettings, "ingest", args.params)
    inputs = [Path(source.path) for source in settings.sources if source.path]
    run_stage("ingest", settings, inputs, args.metrics, lambda: ingest(settings, args.out))
