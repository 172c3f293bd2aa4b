"""``ultrafeedback``: openbmb/UltraFeedback,
``instruction, models, completions[{model, response, overall_score, fine-grained_score, ...}]``."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from lingualign.schemas import SCHEMAS, FieldError, items, number, response_row, text


@SCHEMAS.register("ultrafeedback")
def ultrafeedback(record: Mapping[str, Any], settings: Any) -> Iterator[dict[str, Any]]:
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
