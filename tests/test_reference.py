"""reference: the reference model's log-probs of every training pair, computed once by TRL's own
precomputation and stored per pair (the dpo stage reads them: test_dpo.py)."""

from __future__ import annotations

import math
from pathlib import Path

import pyarrow.parquet as pq


def test_reference_logps_are_stored_per_pair(stored_reference: tuple[Path, Path]) -> None:
    rows = pq.read_table(stored_reference[1]).to_pylist()
    assert [r["prompt_id"] for r in rows] == [f"p{i}" for i in range(8)]
    assert all(
        r["ref_chosen_logps"] < 0 and r["ref_rejected_logps"] < 0 and math.isfinite(r["ref_chosen_logps"]) for r in rows
    )
