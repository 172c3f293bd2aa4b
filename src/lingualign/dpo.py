"""dpo: preference-tune the merged model on the translated pairs (TRL ``DPOTrainer``).

    lingualign dpo --pairs data/pairs/train.parquet --reference data/reference_logps.parquet \\
        --test data/pairs/test.parquet --out models/dpo --metrics metrics/dpo.json \\
        --curves metrics/plots/dpo_curves.csv

Full, LoRA (the published recipe trained ``q_proj``/``v_proj``) or 4-bit QLoRA; every loss TRL
offers (``sigmoid`` is DPO, ``sigmoid_norm`` the length-normalised variant, ``ipo``, ``hinge``,
``robust``, ...), combined with ``loss_weights`` if several. The reference log-probs come from
the ``reference`` stage's output, never from a second model. An interrupted run resumes from
its last checkpoint; adapters are merged into full weights for evaluation and export.

The metrics hold the last logged training values and the held-out preference accuracy of the
merged and the DPO model: the share of test pairs whose chosen answer has the higher mean
per-token log-likelihood.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from lingualign.errors import LingualignError
from lingualign.reference import REF_COLUMNS, pairs_dataset
from lingualign.settings import Settings
from lingualign.training import TrainingSettings, fingerprint, load_for_training, run_training

LossType = Literal["sigmoid", "hinge", "ipo", "exo_pair", "nca_pair", "robust", "bco_pair", "sppo_hard", "aot", "aot_unpaired", "apo_zero", "apo_down", "discopop", "sft", "sigmoid_norm"]
CURVES = ("loss", "rewards/accuracies", "rewards/margins", "rewards/chosen", "rewards/rejected")


class DPOSettings(Settings):
    model: str = Field(default="models/merged", description="The model to tune (and the reference)")
    beta: float = Field(default=0.1, gt=0)
    loss_type: list[LossType] = Field(default_factory=lambda: ["sigmoid"], min_length=1)
    loss_weights: list[float] | None = None
    label_smoothing: float = Field(default=0.0, ge=0, lt=0.5)
    training: TrainingSettings = Field(default_factory=lambda: TrainingSettings(learning_rate=5e-6))

    @model_validator(mode="after")
    def _weights(self) -> DPOSettings:
        if self.loss_weights is not None and len(self.loss_weights) != len(self.loss_type):
            raise ValueError(f"loss_weights needs one weight per loss_type ({len(self.loss_type)}), got {len(self.loss_weights)}")
        return self


def _trainer_class() -> Any:
    from trl import DPOTrainer

    class StoredReferenceDPOTrainer(DPOTrainer):
        """Uses the reference log-probs already in the dataset instead of recomputing them.

        TRL 1.16 recomputes them even when the columns exist; this override (of a private method,
        hence the pinned TRL) keeps the stored values.
        """

        def _precompute_ref_logps(self, dataset: Any, name: str, batch_size: int) -> Any:
            if set(REF_COLUMNS) <= set(dataset.column_names):
                return dataset
            return super()._precompute_ref_logps(dataset, name, batch_size)

    return StoredReferenceDPOTrainer


def training_dataset(pairs: Path, reference: Path) -> Any:
    from lingualign.io import read_parquet
    from lingualign.reference import SCHEMA as REFERENCE_SCHEMA

    dataset = pairs_dataset(pairs)
    stored = read_parquet(reference, REFERENCE_SCHEMA, "reference log-probs")
    stored_ids = stored.column("prompt_id").to_pylist()
    # TRL leaves out pairs whose prompt alone fills max_length; the reference stage already did.
    keep = set(stored_ids)
    if [prompt_id for prompt_id in dataset["prompt_id"] if prompt_id in keep] != stored_ids:
        raise LingualignError(f"{reference}: reference log-probs do not match {pairs} row for row; rerun the reference stage (dvc repro reference)")
    dataset = dataset.filter(lambda row: row["prompt_id"] in keep)
    for name in REF_COLUMNS:
        dataset = dataset.add_column(name, stored.column(name).to_pylist())
    return dataset


def train_dpo(settings: DPOSettings, pairs: Path, reference: Path, out: Path, work: Path, callbacks: list[Any] | None = None) -> dict[str, Any]:
    from trl import DPOConfig

    model, tokenizer = load_for_training(settings.model, settings.training)
    arguments = settings.training.trainer_arguments(work) | {
        "beta": settings.beta,
        "loss_type": list(settings.loss_type),
        "loss_weights": settings.loss_weights,
        "label_smoothing": settings.label_smoothing,
        "precompute_ref_log_probs": True,
    }
    trainer = _trainer_class()(
        model=model,
        args=DPOConfig(**arguments),
        train_dataset=training_dataset(pairs, reference),
        processing_class=tokenizer,
        peft_config=settings.training.peft_config(),
        callbacks=callbacks,
    )
    trained = run_training(trainer, tokenizer, work, out, settings.model, fingerprint(settings.model_dump(mode="json"), pairs, reference, Path(settings.model)))
    logged = [entry for entry in trainer.state.log_history if "loss" in entry]
    last = logged[-1] if logged else {}
    return trained | {"last": {key: round(float(last[key]), 6) for key in CURVES if key in last}, "_history": logged}


def write_curves(path: Path, history: list[dict[str, Any]]) -> None:
    from lingualign.io import atomic_path

    with atomic_path(path) as tmp, open(tmp, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["step", *CURVES])
        for entry in history:
            writer.writerow([entry.get("step"), *(round(float(entry[key]), 6) if key in entry else "" for key in CURVES)])


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--pairs", type=Path, default=Path("data/pairs/train.parquet"))
    parser.add_argument("--reference", type=Path, default=Path("data/reference_logps.parquet"))
    parser.add_argument("--test", type=Path, default=Path("data/pairs/test.parquet"))
    parser.add_argument("--out", type=Path, default=Path("models/dpo"))
    parser.add_argument("--work", type=Path, default=Path("models/checkpoints/dpo"))
    parser.add_argument("--metrics", type=Path, default=Path("metrics/dpo.json"))
    parser.add_argument("--curves", type=Path, default=Path("metrics/plots/dpo_curves.csv"))


def main(args: argparse.Namespace) -> None:
    from lingualign.devices import is_main_process, load_causal_lm
    from lingualign.likelihood import heldout_preference
    from lingualign.settings import load_settings
    from lingualign.tracking import run_stage

    settings = load_settings(DPOSettings, "dpo", args.params)

    def work() -> dict[str, Any]:
        metrics = train_dpo(settings, args.pairs, args.reference, args.out, args.work)
        if not is_main_process():
            return metrics
        write_curves(args.curves, metrics.pop("_history"))
        metrics["heldout"] = {"merged": heldout_preference(*load_causal_lm(settings.model), args.test), "dpo": heldout_preference(*load_causal_lm(str(args.out)), args.test)}
        return metrics

    run_stage("dpo", settings, [args.pairs, args.reference, args.test, Path(settings.model)], args.metrics, work)
