"""DPO training steps with TRL's fused LM head scoring every position against labelled tokens only.

    python benchmarks/dpo_step_bench.py [--steps 5]

Run it in a project whose pipeline has run (it reads ``params.yaml: dpo``, ``models/merged``,
``data/pairs/train.parquet`` and ``data/reference_logps.parquet``). Both runs train the same
steps from the same seed, one after the other in this process; the first step of each is left
out of the mean (it pays one-time set-up). The logged losses are printed so that the two can be
seen to agree.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

import trl.trainer.utils
from transformers import TrainerCallback
from trl import DPOConfig

from lingualign.dpo import PARAMS, DPOSettings, _trainer_class, training_dataset
from lingualign.settings import load_settings
from lingualign.training import load_for_training


class StepTimes(TrainerCallback):
    def __init__(self) -> None:
        self.seconds: list[float] = []

    def on_step_begin(self, *args: Any, **kwargs: Any) -> None:
        self.started = time.perf_counter()

    def on_step_end(self, *args: Any, **kwargs: Any) -> None:
        self.seconds.append(time.perf_counter() - self.started)


TRL_SWITCH = trl.trainer.utils._use_triton  # TRL's own: labelled tokens only where Triton runs


def train_steps(settings: DPOSettings, steps: int, labelled_only: bool) -> tuple[list[float], list[float]]:
    """(seconds per step, logged losses) of ``steps`` DPO steps as the dpo stage configures them."""
    trainer_params = settings.trainer | {"max_steps": steps, "save_steps": steps + 1}
    settings = settings.model_copy(update={"trainer": trainer_params})
    timer = StepTimes()
    with tempfile.TemporaryDirectory() as work:
        config = settings.trainer_config(DPOConfig, Path(work), "dpo", precompute_ref_log_probs=True)
        config.report_to = []
        if not labelled_only:  # trainer_config switched it on, as in the dpo stage
            trl.trainer.utils._use_triton = TRL_SWITCH
        model, tokenizer = load_for_training(settings.model, settings)
        trainer = _trainer_class()(
            model=model,
            args=config,
            train_dataset=training_dataset(Path("data/pairs/train.parquet"), Path("data/reference_logps.parquet")),
            processing_class=tokenizer,
            peft_config=settings.peft_config("dpo"),
            callbacks=[timer],
        )
        trainer.train()
    return timer.seconds, [entry["loss"] for entry in trainer.state.log_history if "loss" in entry]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=5)
    args = parser.parse_args()
    settings = load_settings(DPOSettings, Path("params.yaml"), PARAMS)
    results = {}
    for name, labelled_only in (("every position (TRL on CPU)", False), ("labelled tokens only", True)):
        seconds, losses = train_steps(settings, args.steps, labelled_only)
        results[name] = sum(seconds[1:]) / len(seconds[1:])
        print(f"{name:28s} {results[name]:6.2f} s/step  losses {[round(loss, 5) for loss in losses]}", flush=True)
    first, second = results.values()
    print(f"labelled tokens only: {first / second:.2f}x faster per step")


if __name__ == "__main__":
    main()
