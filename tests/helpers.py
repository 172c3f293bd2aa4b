"""Data builders and checkpoint checks that several test modules share."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import torch
from safetensors.torch import load_file

from lingualign.contracts import PAIRS


def pairs_file(path: Path, count: int = 8) -> Path:
    """German preference pairs in the pairs stage's schema."""
    rows = [
        {
            "prompt_id": f"p{i}",
            "dataset": "orca",
            "prompt": [{"role": "user", "content": f"Wo ist Paket {i}?"}],
            "chosen": [{"role": "assistant", "content": f"Paket {i} kommt morgen an."}],
            "rejected": [{"role": "assistant", "content": "Keine Ahnung."}],
            "margin": 1.0,
            "chosen_score": 1.0,
            "rejected_score": 0.0,
            "source_model": None,
        }
        for i in range(count)
    ]
    pq.write_table(pa.Table.from_pylist(rows, PAIRS), path)
    return path


def assert_only_lora_targets_changed(
    base: Path, trained: Path, targets: tuple[str, ...] = ("q_proj", "v_proj")
) -> None:
    """A merged (Q)LoRA export: full, finite weights under the base's tensor names, and only the
    adapted projections differ from the base cast to the export's dtype (a merge into 4-bit
    weights would change every linear layer by its quantization error)."""
    before, after = load_file(base / "model.safetensors"), load_file(trained / "model.safetensors")
    assert set(after) == set(before)
    assert all(tensor.is_floating_point() and torch.isfinite(tensor).all() for tensor in after.values())
    changed = {name for name in before if not torch.equal(before[name].to(after[name].dtype), after[name])}
    assert changed == {name for name in before if any(target in name for target in targets)}
