"""dpo: preference-tune the merged model on the translated pairs (TRL ``DPOTrainer``), then save it.

Full, LoRA (the published recipe trained ``q_proj``/``v_proj``) or 4-bit QLoRA. ``dpo.trainer`` is
TRL's ``DPOConfig`` verbatim: every loss TRL offers (``sigmoid`` is DPO, ``sigmoid_norm`` the
length-normalised variant, ``ipo``, ``hinge``, ``robust``, ``sft``, ... combined with
``loss_weights``), ``beta`` and every other option. The reference log-probs come from the
``reference`` stage's output, never from a second model. An interrupted run resumes from its last
checkpoint; adapters are merged into full weights for evaluation and export. How well the model
prefers held-out chosen answers is measured by ``evaluate``, for every model alike.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path
from typing import Any

from pydantic import Field

from lingualign.contracts import REFERENCE, REFERENCE_COLUMNS, read_pairs
from lingualign.devices import first_line
from lingualign.errors import LingualignError, SettingsError
from lingualign.training import TrainingSettings, fingerprint, load_for_training, run_training
from lingualign.upstream import trl_stored_reference_dpo_trainer

PARAMS = ("dpo",)
CURVES = ("loss", "rewards/accuracies", "rewards/margins", "rewards/chosen", "rewards/rejected")


class DPOSettings(TrainingSettings):
    model: str = Field(default="models/merged", description="The model to tune (and the reference)")

    def library_configs(self, work: Path, where: str) -> tuple[Any, Any]:
        from trl import DPOConfig

        return self.trainer_config(DPOConfig, work, where, precompute_ref_log_probs=True), self.peft_config(where)


def training_dataset(pairs: Path, reference: Path) -> Any:
    from lingualign.io import read_parquet

    dataset = read_pairs(pairs)
    stored = read_parquet(reference, REFERENCE, "reference log-probs")
    stored_ids = stored.column("prompt_id").to_pylist()
    # TRL leaves out pairs whose prompt alone fills max_length; the reference stage already did.
    keep = set(stored_ids)
    if [prompt_id for prompt_id in dataset["prompt_id"] if prompt_id in keep] != stored_ids:
        raise LingualignError(
            f"{reference}: reference log-probs do not match {pairs} row for row; rerun the reference stage (dvc "
            "repro reference)"
        )
    dataset = dataset.filter(lambda row: row["prompt_id"] in keep)
    for name in REFERENCE_COLUMNS:
        dataset = dataset.add_column(name, stored.column(name).to_pylist())
    return dataset


def train_dpo(
    settings: DPOSettings,
    pairs: Path,
    reference: Path,
    out: Path,
    work: Path,
    where: str = "dpo",
    callbacks: list[Any] | None = None,
) -> dict[str, Any]:
    config, peft_config = settings.library_configs(work, where)
    train = training_dataset(pairs, reference)
    model, tokenizer = load_for_training(settings.model, settings)
    trainer = trl_stored_reference_dpo_trainer(REFERENCE_COLUMNS)(
        model=model,
        args=config,
        train_dataset=train,
        processing_class=tokenizer,
        peft_config=peft_config,
        callbacks=callbacks,
    )
    try:
        trained = run_training(
            trainer,
            tokenizer,
            work,
            out,
            settings.model,
            fingerprint(settings.model_dump(mode="json"), pairs, reference, Path(settings.model)),
        )
    except ValueError as exc:
        # TRL checks the loss type when it first computes the loss.
        if "loss type" in str(exc).lower():
            raise SettingsError(f"{where}.trainer.loss_type: {first_line(exc)}") from None
        raise
    logged = [entry for entry in trainer.state.log_history if "loss" in entry]
    last = logged[-1] if logged else {}
    curves = {key: round(float(last[key]), 6) for key in CURVES if key in last}
    return trained | {"dtype": settings.precision(), "last": curves, "_history": logged}


def write_curves(path: Path, history: list[dict[str, Any]]) -> None:
    from lingualign.io import atomic_path

    with atomic_path(path) as tmp, open(tmp, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["step", *CURVES])
        for entry in history:
            writer.writerow(
                [entry.get("step"), *(round(float(entry[key]), 6) if key in entry else "" for key in CURVES)]
            )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--pairs", type=Path, required=True, help="Training pairs (Parquet)")
    parser.add_argument("--reference", type=Path, required=True, help="The reference stage's log-probs (Parquet)")
    parser.add_argument("--out", type=Path, required=True, help="The tuned model folder")
    parser.add_argument("--work", type=Path, required=True, help="Checkpoint folder (resume point; not a DVC output)")
    parser.add_argument("--metrics", type=Path, required=True)
    parser.add_argument("--curves", type=Path, required=True, help="Training curves (CSV) for dvc plots")


def main(args: argparse.Namespace) -> None:
    from lingualign.settings import load_settings
    from lingualign.tracking import is_main_process, run_stage

    settings = load_settings(DPOSettings, args.params, PARAMS)

    def work() -> dict[str, Any]:
        metrics = train_dpo(settings, args.pairs, args.reference, args.out, args.work, f"{args.params}: dpo")
        history = metrics.pop("_history")
        if is_main_process():
            write_curves(args.curves, history)
        return metrics

    run_stage("dpo", settings, args.metrics, work)
