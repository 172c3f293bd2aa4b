"""sft: real TRL training on a tiny model; full and LoRA both save merged safetensors."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import torch
from helpers import assert_only_lora_targets_changed
from safetensors.torch import load_file

from lingualign.contracts import SFT
from lingualign.errors import LingualignError
from lingualign.settings import parse_settings
from lingualign.sft import SFTSettings, train_sft


def sft_parquet(path: Path) -> Path:
    rows = [
        {
            "prompt_id": f"p{i}",
            "dataset": "orca" if i % 2 else "tickets",
            "score": 1.0,
            "source_model": None,
            "messages": [
                {"role": "user", "content": f"Wo ist Bestellung {i}?"},
                {"role": "assistant", "content": f"Bestellung {i} ist unterwegs."},
            ],
        }
        for i in range(12)
    ]
    pq.write_table(pa.Table.from_pylist(rows, SFT), path)
    return path


@pytest.mark.parametrize("method", ["full", "lora", pytest.param("qlora", marks=pytest.mark.gpu)])
def test_sft_trains_and_saves_full_weights(method: str, tiny_lm: Path, tmp_path: Path) -> None:
    training = {
        "method": method,
        "device": "cuda" if method == "qlora" else "cpu",
        "lora": {"target_modules": ["q_proj", "v_proj"]},
    }
    trainer = {"learning_rate": 1e-2, "per_device_train_batch_size": 2, "max_steps": 3}
    settings = parse_settings(
        SFTSettings, {"base_model": str(tiny_lm), "datasets": ["orca"], "trainer": trainer} | training, "sft"
    )
    metrics = train_sft(settings, "orca", sft_parquet(tmp_path / "sft.parquet"), tmp_path / "out", tmp_path / "work")
    assert metrics["examples"] == 6 and metrics["steps"] == 3
    if method == "full":
        before, after = load_file(tiny_lm / "model.safetensors"), load_file(tmp_path / "out" / "model.safetensors")
        assert set(after) == set(before)
        assert {name for name in before if not torch.equal(before[name], after[name])} >= {
            name for name in before if "layers" in name
        }
    else:
        assert_only_lora_targets_changed(tiny_lm, tmp_path / "out")
    assert (tmp_path / "out" / "chat_template.jinja").exists()


def test_unknown_dataset_fails_clearly(tiny_lm: Path, tmp_path: Path) -> None:
    settings = parse_settings(SFTSettings, {"base_model": str(tiny_lm), "datasets": ["nope"], "device": "cpu"}, "sft")
    with pytest.raises(LingualignError, match="no SFT rows for dataset 'nope'"):
        train_sft(settings, "nope", sft_parquet(tmp_path / "sft.parquet"), tmp_path / "out", tmp_path / "work")


def test_finished_or_foreign_checkpoints_are_not_resumed(tiny_lm: Path, tmp_path: Path) -> None:
    raw = {
        "base_model": str(tiny_lm),
        "datasets": ["orca"],
        "method": "lora",
        "device": "cpu",
        "trainer": {"per_device_train_batch_size": 2, "max_steps": 2, "save_steps": 1},
    }
    source = sft_parquet(tmp_path / "sft.parquet")
    first = train_sft(parse_settings(SFTSettings, raw, "sft"), "orca", source, tmp_path / "out", tmp_path / "work")
    assert not list((tmp_path / "work").glob("checkpoint-*"))
    again = train_sft(parse_settings(SFTSettings, raw, "sft"), "orca", source, tmp_path / "out", tmp_path / "work")
    assert again["train_loss"] == first["train_loss"] > 0
    (tmp_path / "work" / "checkpoint-2").mkdir()  # a stale checkpoint of another configuration
    raw["trainer"]["learning_rate"] = 1e-3
    changed = train_sft(parse_settings(SFTSettings, raw, "sft"), "orca", source, tmp_path / "out", tmp_path / "work")
    assert changed["steps"] == 2 and changed["train_loss"] > 0


def test_the_trainer_logs_its_options_and_curve_into_a_child_of_the_stage_run(tiny_lm: Path, tmp_path: Path) -> None:
    import mlflow

    from lingualign.tracking import stage_run

    raw = {
        "base_model": str(tiny_lm),
        "datasets": ["orca"],
        "method": "lora",
        "device": "cpu",
        "lora": {"target_modules": ["q_proj", "v_proj"]},
        "trainer": {"learning_rate": 1e-2, "per_device_train_batch_size": 2, "max_steps": 2},
    }
    settings = parse_settings(SFTSettings, raw, "sft")
    with stage_run("sft@orca", settings.model_dump(mode="json")):
        stage_id = mlflow.active_run().info.run_id
        train_sft(settings, "orca", sft_parquet(tmp_path / "sft.parquet"), tmp_path / "out", tmp_path / "work")
        assert mlflow.active_run().info.run_id == stage_id  # the stage logs its metrics into its own run after
    client = mlflow.MlflowClient()
    stage = client.get_run(stage_id)
    [child] = client.search_runs([stage.info.experiment_id], f"tags.mlflow.parentRunId = '{stage_id}'")
    assert stage.data.params["dtype"] == "auto" and child.info.run_name == "sft@orca/trainer"
    # The batch that holds the model config's dtype arrived whole: MLflow refused it in the stage's run.
    assert child.data.params["dtype"] == "float32" and float(child.data.params["learning_rate"]) == 1e-2
    assert [m.step for m in client.get_metric_history(child.info.run_id, "loss")] == [1, 2]
