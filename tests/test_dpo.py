"""reference + dpo: stored_reference reference log-probs, LoRA touches only (and all) adapter weights, resume,
and TRL's own DPOConfig options from params (with its errors as one line naming the key)."""

from __future__ import annotations

import math
import shutil
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import torch
from helpers import assert_only_lora_targets_changed, merge_settings, moe_config, pairs_file
from safetensors.torch import load_file
from transformers import TrainerCallback

from lingualign.contracts import REFERENCE
from lingualign.devices import load_causal_lm
from lingualign.dpo import DPOSettings, train_dpo, training_dataset
from lingualign.errors import LingualignError, SettingsError
from lingualign.evaluate.preference import heldout_preference
from lingualign.io import write_parquet
from lingualign.reference import ReferenceSettings, reference_logps
from lingualign.settings import parse_settings


def dpo_settings(model: Path, method: str = "lora", device: str = "cpu", **trainer: Any) -> DPOSettings:
    trainer = {
        "beta": 0.1,
        "learning_rate": 5e-3,
        "per_device_train_batch_size": 2,
        "max_steps": 4,
        "save_steps": 2,
        "max_length": 64,
    } | trainer
    raw = {
        "model": str(model),
        "method": method,
        "device": device,
        "lora": {"lora_dropout": 0.0, "target_modules": ["q_proj", "v_proj"]},
        "trainer": trainer,
    }
    return parse_settings(DPOSettings, raw, "dpo")


class Snapshots(TrainerCallback):
    def on_train_begin(self, args: Any, state: Any, control: Any, model: Any = None, **kwargs: Any) -> None:
        self.before = {name: p.detach().clone() for name, p in model.named_parameters()}

    def on_train_end(self, args: Any, state: Any, control: Any, model: Any = None, **kwargs: Any) -> None:
        self.after = {name: p.detach().clone() for name, p in model.named_parameters()}


def test_lora_dpo_changes_all_adapter_weights_and_nothing_else(
    stored_reference: tuple[Path, Path], tiny_lm: Path, tmp_path: Path
) -> None:
    snapshots = Snapshots()
    metrics = train_dpo(
        dpo_settings(tiny_lm), *stored_reference, tmp_path / "out", tmp_path / "work", callbacks=[snapshots]
    )
    changed = {name for name in snapshots.before if not torch.equal(snapshots.before[name], snapshots.after[name])}
    adapters = {name for name in snapshots.before if "lora_" in name}
    assert adapters and changed == adapters
    assert metrics["steps"] == 4 and set(metrics["last"]) >= {"loss", "rewards/accuracies", "rewards/margins"}
    assert_only_lora_targets_changed(tiny_lm, tmp_path / "out")


@pytest.mark.gpu
def test_qlora_dpo_exports_the_adapter_merged_into_full_precision_weights(
    stored_reference: tuple[Path, Path], tiny_lm: Path, tmp_path: Path
) -> None:
    metrics = train_dpo(
        dpo_settings(tiny_lm, method="qlora", device="cuda"), *stored_reference, tmp_path / "out", tmp_path / "work"
    )
    assert metrics["steps"] == 4 and math.isfinite(metrics["last"]["loss"])
    assert_only_lora_targets_changed(tiny_lm, tmp_path / "out")


class CrashAfterFirstCheckpoint(TrainerCallback):
    def on_save(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt("simulated kill after the first checkpoint")


class StepCounter(TrainerCallback):
    steps = 0

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self.steps += 1


def test_resumed_run_ends_where_an_uninterrupted_one_ends(
    stored_reference: tuple[Path, Path], tiny_lm: Path, tmp_path: Path
) -> None:
    uninterrupted = train_dpo(dpo_settings(tiny_lm), *stored_reference, tmp_path / "clean", tmp_path / "work-clean")
    with pytest.raises(KeyboardInterrupt):
        train_dpo(
            dpo_settings(tiny_lm),
            *stored_reference,
            tmp_path / "resumed",
            tmp_path / "work",
            callbacks=[CrashAfterFirstCheckpoint()],
        )
    assert (tmp_path / "work" / "checkpoint-2").is_dir() and not (tmp_path / "resumed").exists()
    # A kill in the middle of saving the next checkpoint: its state file is torn.
    torn = tmp_path / "work" / "checkpoint-3"
    shutil.copytree(tmp_path / "work" / "checkpoint-2", torn)
    (torn / "trainer_state.json").write_text('{"global_step": 3, "log_hi')
    counter = StepCounter()
    metrics = train_dpo(
        dpo_settings(tiny_lm), *stored_reference, tmp_path / "resumed", tmp_path / "work", callbacks=[counter]
    )
    assert metrics["steps"] == 4 and counter.steps == 2  # it continued from step 2, not from scratch
    assert metrics["run"] == {"resumed_from_step": 2} and not torn.exists()
    assert metrics["train_loss"] == uninterrupted["train_loss"] and metrics["last"] == uninterrupted["last"]
    clean, resumed = (
        load_file(tmp_path / "clean" / "model.safetensors"),
        load_file(tmp_path / "resumed" / "model.safetensors"),
    )
    assert all(torch.allclose(clean[name], resumed[name], atol=1e-6) for name in clean)


def test_reference_rows_must_match_the_pairs(stored_reference: tuple[Path, Path], tmp_path: Path) -> None:
    other = pairs_file(tmp_path / "other.parquet", count=5)
    with pytest.raises(LingualignError, match="do not match"):
        training_dataset(other, stored_reference[1])


class Config(TrainerCallback):
    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self.args = args


def test_trl_options_lingualign_does_not_name_work_from_params(
    stored_reference: tuple[Path, Path], tiny_lm: Path, tmp_path: Path
) -> None:
    seen = Config()
    settings = dpo_settings(
        tiny_lm,
        max_steps=2,
        weight_decay=0.25,
        loss_type=["sigmoid", "sft"],
        loss_weights=[1.0, 0.5],
        learning_rate="2e-3",
    )
    metrics = train_dpo(settings, *stored_reference, tmp_path / "out", tmp_path / "work", callbacks=[seen])
    assert metrics["steps"] == 2 and math.isfinite(metrics["last"]["loss"])
    assert (seen.args.weight_decay, seen.args.loss_type, seen.args.loss_weights, seen.args.learning_rate) == (
        0.25,
        ["sigmoid", "sft"],
        [1.0, 0.5],
        2e-3,
    )
    assert seen.args.report_to == ["mlflow"] and seen.args.output_dir == str(tmp_path / "work")


@pytest.mark.parametrize(
    ("trainer", "message"),
    [
        ({"weight_decy": 0.1}, r"^dpo.trainer.weight_decy: not an option of DPOConfig$"),
        ({"learning_rate": "fast"}, r"^dpo.trainer.learning_rate: Input should be a valid number.*\(got 'fast'\)$"),
        (
            {"loss_type": ["sigmoid", "sft"], "loss_weights": [1.0]},
            r"^dpo.trainer: `loss_weights` must have the same length as `loss_type`",
        ),
        ({"output_dir": "elsewhere"}, r"^dpo.trainer.output_dir: set by dvc.yaml"),
        ({"loss_type": ["simpo"]}, r"^dpo.trainer.loss_type: Unknown loss type: simpo"),
    ],
)
def test_a_wrong_trl_option_is_one_line_naming_the_key(
    stored_reference: tuple[Path, Path], tiny_lm: Path, tmp_path: Path, trainer: dict[str, Any], message: str
) -> None:
    with pytest.raises(SettingsError, match=message) as caught:
        train_dpo(dpo_settings(tiny_lm, **trainer), *stored_reference, tmp_path / "out", tmp_path / "work")
    assert "\n" not in str(caught.value)


def test_pairs_the_reference_stage_left_out_are_left_out(stored_reference: tuple[Path, Path], tmp_path: Path) -> None:
    rows = pq.read_table(stored_reference[1]).to_pylist()
    del rows[3]
    write_parquet(tmp_path / "fewer.parquet", pa.Table.from_pylist(rows, REFERENCE), REFERENCE)
    assert training_dataset(stored_reference[0], tmp_path / "fewer.parquet")["prompt_id"] == [
        r["prompt_id"] for r in rows
    ]


def test_a_moe_merge_trains_with_lora_dpo_and_is_evaluated_like_any_checkpoint(
    tiny_family: dict[str, Path], tmp_path: Path
) -> None:

    from lingualign.merge import merge

    merge(merge_settings(moe_config(tiny_family, "random")), tmp_path / "moe")
    pairs = pairs_file(tmp_path / "train.parquet")
    reference = ReferenceSettings(
        model=str(tmp_path / "moe"), device="cpu", trainer={"max_length": 64, "precompute_ref_batch_size": 4}
    )
    write_parquet(tmp_path / "ref.parquet", reference_logps(reference, pairs, tmp_path / "ref-work", "dpo"), REFERENCE)
    metrics = train_dpo(
        dpo_settings(tmp_path / "moe", max_steps=2),
        pairs,
        tmp_path / "ref.parquet",
        tmp_path / "dpo",
        tmp_path / "work",
    )
    assert metrics["steps"] == 2 and math.isfinite(metrics["last"]["loss"])
    result, _ = heldout_preference(
        *load_causal_lm(str(tmp_path / "dpo")), pairs_file(tmp_path / "test.parquet", count=3)
    )
    assert result["pairs"] == 3 and math.isfinite(result["mean_margin"])
