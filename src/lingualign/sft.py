"""sft: fine-tune a source model on one dataset's SFT set (TRL ``SFTTrainer``).

``dvc.yaml`` runs this once per entry of ``sft.datasets`` (``foreach``), so the pipeline makes
its own distinct German fine-tunes of one base to merge, as the published recipe merged several
German fine-tunes of Mistral-7B. The loss is on the assistant turn only (prompt-completion
format); the chat template is the tokenizer's, set once by the ``models`` stage. ``sft.trainer``
is TRL's ``SFTConfig``, verbatim.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from pydantic import Field

from lingualign.contracts import SFT
from lingualign.errors import LingualignError
from lingualign.training import TrainingSettings, fingerprint, load_for_training, run_training

PARAMS = ("sft",)


class SFTSettings(TrainingSettings):
    base_model: str = Field(description="Model folder to fine-tune, e.g. models/sources/smollm2-135m-instruct")
    datasets: list[str] = Field(min_length=1, description="One fine-tune per dataset (DVC foreach)")

    def library_configs(self, work: Path, where: str) -> tuple[Any, Any]:
        from trl import SFTConfig

        return self.trainer_config(SFTConfig, work, where), self.peft_config(where)


def sft_dataset(source: Path, dataset: str) -> Any:
    from datasets import Dataset

    from lingualign.io import read_parquet

    rows = [row for row in read_parquet(source, SFT, "the SFT set").to_pylist() if row["dataset"] == dataset]
    if not rows:
        raise LingualignError(
            f"{source}: no SFT rows for dataset '{dataset}' (check sft.datasets against ingest.sources)"
        )
    return Dataset.from_list([{"prompt": row["messages"][:-1], "completion": row["messages"][-1:]} for row in rows])


def train_sft(
    settings: SFTSettings, dataset: str, source: Path, out: Path, work: Path, where: str = "sft"
) -> dict[str, Any]:
    from trl import SFTTrainer

    config, peft_config = settings.library_configs(work, where)
    train = sft_dataset(source, dataset)
    model, tokenizer = load_for_training(settings.base_model, settings)
    trainer = SFTTrainer(
        model=model, args=config, train_dataset=train, processing_class=tokenizer, peft_config=peft_config
    )
    trained = run_training(
        trainer,
        tokenizer,
        work,
        out,
        settings.base_model,
        fingerprint(settings.model_dump(mode="json"), dataset, source, Path(settings.base_model)),
    )
    return {"dataset": dataset, "examples": len(trainer.train_dataset), "dtype": settings.precision()} | trained


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dataset", required=True, help="A name from sft.datasets")
    parser.add_argument("--in", dest="source", type=Path, required=True, help="The SFT set (Parquet)")
    parser.add_argument("--out", type=Path, required=True, help="The fine-tuned model folder")
    parser.add_argument("--work", type=Path, required=True, help="Checkpoint folder (resume point; not a DVC output)")
    parser.add_argument("--metrics", type=Path, required=True)


def main(args: argparse.Namespace) -> None:
    from lingualign.settings import load_settings
    from lingualign.tracking import run_stage

    settings = load_settings(SFTSettings, args.params, PARAMS)
    if args.dataset not in settings.datasets:
        raise LingualignError(f"{args.params}: sft.datasets: '{args.dataset}' is not listed ({settings.datasets})")
    where = f"{args.params}: sft"
    run_stage(
        f"sft@{args.dataset}",
        settings,
        args.metrics,
        lambda: train_sft(settings, args.dataset, args.source, args.out, args.work, where),
    )
