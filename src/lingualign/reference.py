"""reference: the reference model's log-probabilities of every training pair, computed once.

    lingualign reference --model models/merged --pairs data/pairs/train.parquet --out data/reference_logps.parquet

DPO compares the policy with a frozen reference model on every step. With the reference
log-probs stored as a DVC output, a rerun that changes only ``dpo.beta``, the learning rate or
the schedule skips this pass (and never holds a second model in memory). TRL's own
precomputation (``precompute_ref_log_probs``) does the work, so tokenization and truncation are
exactly what the DPO trainer then uses; only ``dpo.training.max_length`` and the model decide
the result.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pyarrow as pa
from pydantic import Field

from lingualign.devices import cuda_available, loading
from lingualign.errors import LingualignError
from lingualign.pairs import PAIR_SCHEMA
from lingualign.settings import Settings

SCHEMA = pa.schema(
    [
        pa.field("prompt_id", pa.string(), nullable=False),
        pa.field("ref_chosen_logps", pa.float64(), nullable=False),
        pa.field("ref_rejected_logps", pa.float64(), nullable=False),
    ]
)
REF_COLUMNS = ("ref_chosen_logps", "ref_rejected_logps")


def pairs_dataset(path: Path) -> Any:
    from datasets import Dataset

    from lingualign.io import read_parquet

    table = read_parquet(path, PAIR_SCHEMA, "preference pairs")
    if table.num_rows == 0:
        raise LingualignError(f"{path}: no preference pairs")
    return Dataset.from_list(table.select(["prompt_id", "prompt", "chosen", "rejected"]).to_pylist())


def dpo_config(output_dir: Path, max_length: int, batch_size: int, **extra: Any) -> Any:
    from trl import DPOConfig

    return DPOConfig(
        output_dir=str(output_dir),
        max_length=max_length,
        precompute_ref_log_probs=True,
        precompute_ref_batch_size=batch_size,
        per_device_train_batch_size=batch_size,
        use_cpu=not cuda_available(),
        bf16=cuda_available(),
        report_to=[],
        **extra,
    )


def reference_logps(model_dir: str, pairs: Path, max_length: int, batch_size: int, work: Path) -> pa.Table:
    """Run TRL's precomputation on the pairs and return (prompt_id, ref log-probs) in pair order."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import DPOTrainer

    with loading(model_dir):
        tokenizer = AutoTokenizer.from_pretrained(model_dir)
        model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.bfloat16 if cuda_available() else torch.float32, use_safetensors=True)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    dataset = pairs_dataset(pairs)
    trainer = DPOTrainer(model=model, args=dpo_config(work, max_length, batch_size), train_dataset=dataset, processing_class=tokenizer)
    computed = trainer.train_dataset
    return pa.table({"prompt_id": computed["prompt_id"], **{name: pa.array(computed[name], pa.float64()) for name in REF_COLUMNS}}, schema=SCHEMA)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", default="models/merged")
    parser.add_argument("--pairs", type=Path, default=Path("data/pairs/train.parquet"))
    parser.add_argument("--out", type=Path, default=Path("data/reference_logps.parquet"))
    parser.add_argument("--max-length", type=int, required=True, help="dpo.training.max_length (passed by dvc.yaml)")
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--metrics", type=Path, default=Path("metrics/reference.json"))


class ReferenceSettings(Settings):
    """What decides the reference log-probs; dvc.yaml passes them from the ``dpo`` section."""

    model: str
    max_length: int = Field(ge=16)
    batch_size: int = Field(ge=1)


def main(args: argparse.Namespace) -> None:
    from lingualign.settings import parse_settings
    from lingualign.tracking import run_stage

    raw = {"model": args.model, "max_length": args.max_length, "batch_size": args.batch_size}
    settings = parse_settings(ReferenceSettings, raw, "lingualign reference")
    run_stage("reference", settings, [args.pairs, Path(args.model)], args.metrics, lambda: write_reference(settings, args.pairs, args.out))


def write_reference(settings: ReferenceSettings, pairs: Path, out: Path) -> dict[str, Any]:
    import tempfile

    import pyarrow.parquet as pq

    from lingualign.io import write_parquet

    with tempfile.TemporaryDirectory() as work:
        table = reference_logps(settings.model, pairs, settings.max_length, settings.batch_size, Path(work))
    write_parquet(out, table, SCHEMA)
    total = pq.read_metadata(pairs).num_rows
    # TRL leaves out pairs whose prompt alone fills max_length; dpo trains on the rest.
    return {"pairs": table.num_rows, "left_out_prompt_too_long": total - table.num_rows}
