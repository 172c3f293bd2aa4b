"""Per-case results beside the metrics, and the interval of every headline figure.

evaluate keeps one row per case of every evaluation, so any two runs compare case by case
(``lingualign diff``): the MT-Bench answers with their judge's rating (``--answers``), the support
replies with the checks they failed (``--replies``), one row per held-out preference pair
(``--pairs``) and one per harness document and metric (``--samples``). The metrics name these
files (``per_case``) and give each headline figure its seeded bootstrap 95% interval and n
(``intervals``, :mod:`lingualign.stats`).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import pyarrow as pa

PAIRS = pa.schema(
    [
        pa.field("prompt_id", pa.string(), nullable=False),
        pa.field("chosen", pa.float64(), nullable=False),  # mean log-likelihood per answer token
        pa.field("rejected", pa.float64(), nullable=False),
        pa.field("margin", pa.float64(), nullable=False),
        pa.field("correct", pa.bool_(), nullable=False),
    ]
)
SAMPLES = pa.schema(
    [
        pa.field("task", pa.string(), nullable=False),
        pa.field("doc_id", pa.int64(), nullable=False),
        pa.field("metric", pa.string(), nullable=False),
        pa.field("value", pa.float64(), nullable=False),
    ]
)


def write_table(path: Path, rows: list[dict[str, Any]], schema: pa.Schema) -> None:
    from lingualign.io import write_parquet

    write_parquet(path, pa.Table.from_pylist(rows, schema=schema), schema)


def intervals(
    answers: list[dict[str, Any]], replies: list[dict[str, Any]], pairs: list[dict[str, Any]], samples: list[dict]
) -> dict[str, dict[str, Any]]:
    """``{figure: {value, low, high, n}}`` for every headline figure, from its per-case rows."""
    from lingualign.stats import interval

    rated = [row for row in answers if row["rating"] is not None]
    figures = {
        "mt_bench.average": [row["rating"] for row in rated],
        "mt_bench.first_turn": [row["rating"] for row in rated if row["turn"] == 1],
        "mt_bench.second_turn": [row["rating"] for row in rated if row["turn"] == 2],
        "support.score": [not row["failed"] for row in replies],
        "preference.accuracy": [row["correct"] for row in pairs],
        "preference.mean_margin": [row["margin"] for row in pairs],
    }
    harness: dict[str, list[float]] = defaultdict(list)
    for row in samples:
        harness[f"harness.{row['task']}.{row['metric']}"].append(row["value"])
    return {figure: interval(values) for figure, values in (figures | harness).items()}
