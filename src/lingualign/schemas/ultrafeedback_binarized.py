"""``ultrafeedback_binarized``: argilla/ultrafeedback-binarized-preferences(-cleaned),
``prompt, chosen, chosen-rating, chosen-model, rejected, ...``.

``chosen``/``rejected`` are message lists (the answer is the last assistant turn) or strings.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from lingualign.schemas import SCHEMAS, FieldError, number, response_row, text


@SCHEMAS.register("ultrafeedback_binarized")
def ultrafeedback_binarized(record: Mapping[str, Any], settings: Any) -> Iterator[dict[str, Any]]:
    head = {"system": "", "prompt": text(record, "prompt")}
    for label in ("chosen", "rejected"):
        yield head | response_row(
            _answer(record, label),
            source_model=text(record, f"{label}-model", nullable=True),
            rating=number(record, f"{label}-rating"),
            label=label,
        )


def _answer(record: Mapping[str, Any], key: str) -> str | None:
    value = record.get(key)
    if not isinstance(value, list):
        return text(record, key)
    for index in range(len(value) - 1, -1, -1):
        message = value[index]
        if not isinstance(message, Mapping):
            raise FieldError(f"{key}[{index}]", "expected a message object", "wrong_type")
        if message.get("role") == "assistant":
            return text(message, "content", where=f"{key}[{index}].content")
    raise FieldError(key, "no assistant message", "invalid_value")
