"""reference: the reference model's log-probabilities of every training pair, computed once.

DPO compares the policy with a frozen reference model on every step. With the reference
log-probs stored as a DVC output, a rerun that changes only ``dpo.trainer.beta``, the learning rate
or the schedule skips this pass (and never holds a second model in memory). TRL's own
precomputation (``precompute_ref_log_probs``) does the work, so tokenization and truncation are
exactly what the DPO trainer then uses. The stage reads only the keys of the ``dpo`` section that
decide the result (``PARAMS``), so DVC reruns it for those alone.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pyarrow as pa
from pydantic import Field

from lingualign.contracts import REFERENCE, REFERENCE_COLUMNS, read_pairs
from lingualign.training import TrainingSettings, load_for_training

PARAMS = (
    "dpo.model",
    "dpo.method",
    "dpo.device",
    "dpo.dtype",
    "dpo.trainer.max_length",
    "dpo.trainer.truncation_mode",
    "dpo.trainer.precompute_ref_batch_size",
)


class ReferenceSettings(TrainingSettings):
    model: str = Field(description="The model DPO tunes, frozen as its reference")


def reference_logps(settings: ReferenceSettings, pairs: Path, work: Path, where: str) -> pa.Table:
    """Run TRL's precomputation on the pairs and return (prompt_id, ref log-probs) in pair order.

    The config and the model come from the calls the dpo stage makes (``trainer_config``,
    ``load_for_training``), so tokenization, truncation and precision are DPO's own."""
    from trl import DPOConfig, DPOTrainer

    config = settings.trainer_config(DPOConfig, work, where, precompute_ref_log_probs=True, report_to=[])
    dataset = read_pairs(pairs)
    model, tokenizer = load_for_training(settings.model, settings)
    computed = DPOTrainer(model=model, args=config, train_dataset=dataset, processing_class=tokenizer).train_dataset
    return pa.table(
        {
            "prompt_id": computed["prompt_id"],
            **{name: pa.array(computed[name], pa.float64()) for name in REFERENCE_COLUMNS},
        },
        schema=REFERENCE,
    )


def write_reference(settings: ReferenceSettings, pairs: Path, out: Path, where: str = "dpo") -> dict[str, Any]:
    import tempfile

    import pyarrow.parquet as pq

    from lingualign.io import write_parquet

    with tempfile.TemporaryDirectory() as work:
        table = reference_logps(settings, pairs, Path(work), where)
    write_parquet(out, table, REFERENCE)
    total = pq.read_metadata(pairs).num_rows
    # TRL leaves out pairs whose prompt alone fills max_length; dpo trains on the rest.
    return {"pairs": table.num_rows, "left_out_prompt_too_long": total - table.num_rows}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--pairs", type=Path, required=True, help="Training pairs (Parquet)")
    parser.add_argument("--out", type=Path, required=True, help="Reference log-probs (Parquet)")
    parser.add_argument("--metrics", type=Path, required=True)


def main(args: argparse.Namespace) -> None:
    from lingualign.settings import load_settings
    from lingualign.tracking import run_stage

    settings = load_settings(ReferenceSettings, args.params, PARAMS)
    where = f"{args.params}: dpo"
    run_stage(
        "reference",
        settings,
        args.metrics,
        lambda: write_reference(settings, args.pairs, args.out, where),
    )
