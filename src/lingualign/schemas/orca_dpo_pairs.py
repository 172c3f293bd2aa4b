"""``orca_dpo_pairs``: Intel/orca_dpo_pairs, ``system, question, chosen, rejected``."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from lingualign.schemas import SCHEMAS, response_row, text


@SCHEMAS.register("orca_dpo_pairs")
def orca_dpo_pairs(record: Mapping[str, Any], settings: Any) -> Iterator[dict[str, Any]]:
    head = {"system": text(record, "system", nullable=True) or "", "prompt": text(record, "question")}
    chosen, rejected = text(record, "chosen"), text(record, "rejected")
    yield head | response_row(chosen, label="chosen")
    yield head | response_row(rejected, label="rejected")
