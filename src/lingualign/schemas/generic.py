"""``generic``: any JSONL/CSV/Parquet file; ``columns`` maps normalized fields to the file's columns.

Either ``response`` (one response per record, with an optional ``label``) or ``chosen`` and
``rejected`` (a pair per record) must be mapped, and ``prompt`` always.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import Field, model_validator

from lingualign.registry import PluginSettings
from lingualign.schemas import SCHEMAS, FieldError, number, response_row, text

FIELDS = ("prompt", "system", "response", "chosen", "rejected", "source_model", "rating", "label")


class GenericSettings(PluginSettings):
    columns: dict[str, str] = Field(description="normalized field -> source column")

    @model_validator(mode="after")
    def _mapping(self) -> GenericSettings:
        unknown = sorted(set(self.columns) - set(FIELDS))
        if unknown:
            raise ValueError(f"unknown columns key(s) {unknown} (known: {list(FIELDS)})")
        paired = "chosen" in self.columns and "rejected" in self.columns
        if "prompt" not in self.columns or not ("response" in self.columns or paired):
            raise ValueError("columns must map 'prompt' and 'response' (or 'chosen' and 'rejected')")
        if "response" in self.columns and ("chosen" in self.columns or "rejected" in self.columns):
            raise ValueError("map either 'response' or 'chosen'/'rejected', not both")
        return self


@SCHEMAS.register("generic", GenericSettings)
def generic(record: Mapping[str, Any], settings: GenericSettings) -> Iterator[dict[str, Any]]:
    columns = settings.columns

    def optional_text(name: str) -> str | None:
        return text(record, columns[name], nullable=True) if name in columns else None

    head = {"system": optional_text("system") or "", "prompt": text(record, columns["prompt"])}
    model = optional_text("source_model") or None
    rating = number(record, columns["rating"]) if "rating" in columns else None
    if "response" in columns:
        label = optional_text("label") or None
        if label not in (None, "chosen", "rejected"):
            raise FieldError(
                columns["label"], f"expected 'chosen', 'rejected' or empty, got {label!r}", "invalid_value"
            )
        yield head | response_row(text(record, columns["response"]), source_model=model, rating=rating, label=label)
    else:
        for label in ("chosen", "rejected"):
            yield head | response_row(text(record, columns[label]), source_model=model, label=label)
