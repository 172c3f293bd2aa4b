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

from lingualign.dpo import PARAMS, DPOSettings, train_dpo
from lingualign.settings import load_settings

TRL_SWITCH = trl.trainer.utils._use_triton  # TRL's own: labelled tokens only where Triton runs


class StepTimes(TrainerCallback):
    """Seconds per step; with ``every_position``, puts TRL's own scoring back before the first step
    (the dpo stage switched it to labelled tokens only when it loaded the model)."""

    def __init__(self, every_position: bool) -> None:
        self.every_position = every_position
        self.seconds: list[float] = []

    def on_train_begin(self, *args: Any, **kwargs: Any) -> None:
        if self.every_position:
            trl.trainer.utils._use_triton = TRL_SWITCH

    def on_step_begin(self, *args: Any, **kwargs: Any) -> None:
        self.started = time.perf_counter()

    def on_step_end(self, *args: Any, **kwargs: Any) -> None:
        self.seconds.append(time.perf_counter() - self.started)


def train_steps(settings: DPOSettings, steps: int, every_position: bool) -> tuple[list[float], list[float]]:
    """(seconds per step, logged losses) of ``steps`` steps of the dpo stage's own training."""
    trainer = settings.trainer | {"max_steps": steps, "save_steps": steps + 1, "report_to": []}
    timer = StepTimes(every_position)
    with tempfile.TemporaryDirectory() as work:
        metrics = train_dpo(
            settings.model_copy(update={"trainer": trainer}),
            Path("data/pairs/train.parquet"),
            Path("data/reference_logps.parquet"),
            Path(work) / "out",
            Path(work) / "checkpoints",
            callbacks=[timer],
        )
    return timer.seconds, [entry["loss"] for entry in metrics["_history"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=5)
    args = parser.parse_args()
    settings = load_settings(DPOSettings, Path("params.yaml"), PARAMS)
    results = {}
    for name, every_position in (("every position (TRL on CPU)", True), ("labelled tokens only", False)):
        seconds, losses = train_steps(settings, args.steps, every_position)
        results[name] = sum(seconds[1:]) / len(seconds[1:])
        print(f"{name:28s} {results[name]:6.2f} s/step  losses {[round(loss, 5) for loss in losses]}", flush=True)
    first, second = results.values()
    print(f"labelled tokens only: {first / second:.2f}x faster per step")


if __name__ == "__main__":
    main()
