"""Scale-out on existing engines, run where a CPU machine can: 2-process DDP DPO through
``accelerate launch`` (torchrun workers, DDP over gloo where no GPU is visible) and translation
on a 2-worker Ray cluster each give the single-process result."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import torch
import yaml
from helpers import (
    BIN,
    ROOT,
    generate_settings,
    normalized,
    orca_records,
    pairs_file,
    run,
    translate_settings,
    translated,
)
from safetensors.torch import load_file

from lingualign.contracts import REFERENCE
from lingualign.io import write_parquet
from lingualign.reference import ReferenceSettings, reference_logps


def dpo_params(folder: Path, model: Path, batch_size: int) -> Path:
    """Full fine-tuning without dropout, and plain SGD: Adam's first steps move every weight by
    about the learning rate whatever its gradient's size, so float-level differences between
    the gradient sums of one and two processes would show as whole steps. Float32 for the same
    reason: bfloat16 autocast rounds a batch of 8 and two of 4 differently."""
    trainer = {
        "optim": "sgd",
        "learning_rate": 0.5,
        "warmup_steps": 0,
        "per_device_train_batch_size": batch_size,
        "max_steps": 3,
        "save_steps": 10,
        "max_length": 64,
        "seed": 7,
        "beta": 0.1,
        "loss_type": ["sigmoid"],
    }
    path = folder / "params.yaml"
    path.write_text(
        yaml.safe_dump(
            {"dpo": {"model": str(model), "method": "full", "device": "cpu", "dtype": "float32", "trainer": trainer}}
        )
    )
    return path


@pytest.mark.slow
def test_two_process_ddp_dpo_matches_the_single_process_run(tiny_lm: Path, tmp_path: Path) -> None:
    pairs = pairs_file(tmp_path / "train.parquet", count=8)
    reference = ReferenceSettings(
        model=str(tiny_lm), device="cpu", trainer={"max_length": 64, "precompute_ref_batch_size": 4}
    )
    write_parquet(tmp_path / "ref.parquet", reference_logps(reference, pairs, tmp_path / "ref-work", "dpo"), REFERENCE)
    stage = ["dpo", "--pairs", str(pairs), "--reference", str(tmp_path / "ref.parquet")]
    outputs = {}
    # Each step sees all 8 pairs, as one batch of 8 or as two processes' batches of 4: accelerate
    # shuffles a multi-process run with its own seeded sampler, so smaller batches would differ
    # in composition, not in how the processes' gradients are combined, which is what this checks.
    for name, launcher, batch_size in (
        ("single", [str(BIN / "lingualign")], 8),
        (
            "ddp",
            [
                str(BIN / "accelerate"),
                "launch",
                "--config_file",
                str(ROOT / "configs/accelerate/ddp.yaml"),
                "--num_processes",
                "2",
                "-m",
                "lingualign.cli",
            ],
            4,
        ),
    ):
        folder = tmp_path / name
        folder.mkdir()
        paths = [
            "--out",
            str(folder / "model"),
            "--work",
            str(folder / "work"),
            "--metrics",
            str(folder / "dpo.json"),
            "--curves",
            str(folder / "curves.csv"),
        ]
        run(
            [*launcher, *stage, "--params", str(dpo_params(folder, tiny_lm, batch_size)), *paths],
            cwd=folder,
            env={"MLFLOW_TRACKING_URI": f"sqlite:///{folder / 'mlflow.db'}"},
        )
        outputs[name] = (
            load_file(folder / "model" / "model.safetensors"),
            json.loads((folder / "dpo.json").read_text()),
        )
    (single, single_metrics), (ddp, ddp_metrics) = outputs["single"], outputs["ddp"]
    assert single_metrics["steps"] == ddp_metrics["steps"] == 3
    assert set(single) == set(ddp)
    changed = [name for name in single if not torch.equal(single[name], load_file(tiny_lm / "model.safetensors")[name])]
    assert changed, "training changed no weight"
    assert all(torch.allclose(single[name], ddp[name], atol=1e-5) for name in single)
    assert ddp_metrics["last"]["loss"] == pytest.approx(single_metrics["last"]["loss"], abs=1e-5)


@pytest.mark.slow
def test_translation_on_a_two_worker_ray_cluster_matches_the_single_process_run(tiny_lm: Path, tmp_path: Path) -> None:
    import ray

    from lingualign.translate import translate_stage

    source = normalized(tmp_path, orca_records(12))
    single = translate_stage(
        translate_settings(tiny_lm), source, tmp_path / "single.parquet", tmp_path / "cache-single"
    )
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)  # a local cluster of two workers
    try:
        spread = translate_stage(
            translate_settings(tiny_lm, engine={"ray": {"workers": 2}}),
            source,
            tmp_path / "ray.parquet",
            tmp_path / "cache-ray",
        )
    finally:
        ray.shutdown()
    assert (
        spread["run"]["translated_chunks"]
        == single["run"]["translated_chunks"]
        > 2 * translate_settings(tiny_lm).engine.batch_size
    )
    assert pq.read_table(tmp_path / "ray.parquet").equals(pq.read_table(tmp_path / "single.parquet"))


@pytest.mark.parametrize("name", ["ddp", "deepspeed_zero3", "fsdp"])
def test_shipped_accelerate_configs_load(name: str) -> None:
    from accelerate.commands.config.config_args import ClusterConfig

    config = ClusterConfig.from_yaml_file(ROOT / "configs" / "accelerate" / f"{name}.yaml")
    assert config.distributed_type.value == {"ddp": "MULTI_GPU", "deepspeed_zero3": "DEEPSPEED", "fsdp": "FSDP"}[name]


@pytest.mark.slow
def test_sampling_on_a_two_worker_ray_cluster_matches_the_single_process_run(tiny_lm: Path, tmp_path: Path) -> None:
    import ray

    from lingualign.generate import generate_stage

    engine = {"name": "transformers", "model": str(tiny_lm), "device": "cpu", "batch_size": 2}
    source = translated(tmp_path, 4)
    single = generate_stage(
        generate_settings(sources={"tiny": engine}, max_new_tokens=6),
        source,
        tmp_path / "single.parquet",
        tmp_path / "c1",
    )
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)  # a local cluster of two workers
    try:
        spread_settings = generate_settings(sources={"tiny": engine | {"ray": {"workers": 2}}}, max_new_tokens=6)
        spread = generate_stage(spread_settings, source, tmp_path / "ray.parquet", tmp_path / "c2")
    finally:
        ray.shutdown()
    assert spread["run"]["sampled"] == single["run"]["sampled"] == 12
    assert pq.read_table(tmp_path / "ray.parquet").equals(pq.read_table(tmp_path / "single.parquet"))
