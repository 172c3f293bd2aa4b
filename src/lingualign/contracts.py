"""The Parquet tables stages hand each other: one schema per hand-over, in one place.

A stage reads its input through the schema here, never through the code of the stage that wrote
it, so each stage's import closure (and with it the code DVC tracks for it) stays its own.

    ingest    -> NORMALIZED   one row per (prompt, response), in its source's language (``language``)
    translate -> TRANSLATED   the same rows, German beside the source text, with quality flags
    score     -> SCORED       one reward score per response, with the scorer's identity
    pairs     -> PAIRS, SFT   TRL's conversational preference format; the SFT set
    reference -> REFERENCE    the reference model's log-probs of every training pair
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa

from lingualign.errors import LingualignError

TEXT_FIELDS = ("system", "prompt", "response")

NORMALIZED = pa.schema(
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
        # ISO 639-1 code of the row's text: its source's declared language, or identified row by row
        # for a source declared `mixed`; rows already in the target language pass translate untouched.
        pa.field("language", pa.string()),
    ]
)
TRANSLATED = pa.schema(
    [
        *NORMALIZED,
        *(pa.field(f"{name}_de", pa.string(), nullable=False) for name in TEXT_FIELDS),
        pa.field("flags", pa.list_(pa.string()), nullable=False),
    ]
)
SCORED = pa.schema([*TRANSLATED, pa.field("score", pa.float64()), pa.field("scorer", pa.string(), nullable=False)])

MESSAGES = pa.list_(pa.struct([pa.field("role", pa.string()), pa.field("content", pa.string())]))
PAIRS = pa.schema(
    [
        pa.field("prompt_id", pa.string(), nullable=False),
        pa.field("dataset", pa.string(), nullable=False),
        pa.field("prompt", MESSAGES, nullable=False),
        pa.field("chosen", MESSAGES, nullable=False),
        pa.field("rejected", MESSAGES, nullable=False),
        pa.field("margin", pa.float64(), nullable=False),
        pa.field("chosen_score", pa.float64(), nullable=False),
        pa.field("rejected_score", pa.float64(), nullable=False),
        pa.field("source_model", pa.string()),
    ]
)
SFT = pa.schema(
    [
        pa.field("prompt_id", pa.string(), nullable=False),
        pa.field("dataset", pa.string(), nullable=False),
        pa.field("messages", MESSAGES, nullable=False),
        pa.field("score", pa.float64(), nullable=False),
        pa.field("source_model", pa.string()),
    ]
)
REFERENCE_COLUMNS = ("ref_chosen_logps", "ref_rejected_logps")
REFERENCE = pa.schema(
    [
        pa.field("prompt_id", pa.string(), nullable=False),
        *(pa.field(name, pa.float64(), nullable=False) for name in REFERENCE_COLUMNS),
    ]
)


def read_pairs(path: Path) -> Any:
    """Preference pairs as a ``datasets.Dataset`` (prompt_id, prompt, chosen, rejected), as TRL takes them."""
    from datasets import Dataset

    from lingualign.io import read_parquet

    table = read_parquet(path, PAIRS, "preference pairs")
    if table.num_rows == 0:
        raise LingualignError(f"{path}: no preference pairs")
    return Dataset.from_list(table.select(["prompt_id", "prompt", "chosen", "rejected"]).to_pylist())
