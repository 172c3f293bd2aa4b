"""Ingest schemas: how one record of a raw dataset becomes (prompt, response) rows; one file each.

A schema is a function ``(record, settings) -> rows`` registered with the settings it owns
(``schema: {name: generic, columns: {...}}``, or just ``schema: orca_dpo_pairs``). It reads
fields through :func:`text`, :func:`number` and :func:`items`, which raise :class:`FieldError`
naming the field; the ingest stage adds the file and row.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from lingualign.registry import PluginSettings, Registry

Normalizer = Callable[[Mapping[str, Any], Any], Iterator[dict[str, Any]]]
SCHEMAS: Registry[Normalizer] = Registry("schema", __name__, PluginSettings)
SchemaField = SCHEMAS.field()

_SURROGATE = re.compile("[\udc80-\udcff]")
_MISSING = object()


class FieldError(Exception):
    """A problem with one field of the current record; the caller adds file and row."""

    def __init__(self, field_name: str | None, message: str, kind: str):
        super().__init__(message)
        self.field, self.kind = field_name, kind


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
    return {
        "response": response,
        "source_model": None,
        "rating": None,
        "fine_grained_rating": None,
        "label": None,
    } | fields
