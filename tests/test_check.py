"""``check`` validates every key that passes through to a library with that library's own class,
every engine's settings, and the tracking server, before DVC removes any output."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import ROOT, run, stages_run
from servers import free_port

from lingualign.errors import SettingsError
from lingualign.io import file_md5
from lingualign.profiles import validate

PARAMS = yaml.safe_load((ROOT / "params.yaml").read_text())
MOE = {
    "base_model": PARAMS["sft"]["base_model"],
    "gate_mode": "random",
    "dtype": "float32",
    "experts": [{"source_model": PARAMS["sft"]["base_model"], "positive_prompts": ["Hallo"]}],
}


def problem(change: Callable[[dict[str, Any]], Any]) -> str:
    params = copy.deepcopy(PARAMS)
    change(params)
    with pytest.raises(SettingsError) as caught:
        validate(params, "params.yaml")
    return str(caught.value)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda p: p["sft"]["trainer"].update(learnig_rate=1e-4),
            "sft.trainer.learnig_rate: not an option of SFTConfig",
        ),
        (
            lambda p: p["dpo"]["trainer"].update(learnig_rate=1e-4),
            "dpo.trainer.learnig_rate: not an option of DPOConfig",
        ),
        (lambda p: p["dpo"]["trainer"].update(beta="high"), "dpo.trainer.beta: Input should be a valid number"),
        (lambda p: p["dpo"]["trainer"].update(output_dir="x"), "dpo.trainer.output_dir: set by dvc.yaml"),
    ],
    ids=["SFTConfig", "DPOConfig", "DPOConfig-type", "DPOConfig-fixed"],
)
def test_trl_configs(change: Callable[[dict[str, Any]], Any], expected: str) -> None:
    assert expected in problem(change)


def test_peft_lora_config_also_where_the_method_leaves_it_unused() -> None:
    assert "dpo.lora.alpah: not an option of LoraConfig" in problem(lambda p: p["dpo"]["lora"].update(alpah=8))
    unused = problem(lambda p: p["sft"].update(method="full") or p["sft"]["lora"].update(lora_dropuot=0.1))
    assert "sft.lora.lora_dropuot: not an option of LoraConfig" in unused


def test_mergekit_config_unknown_keys_and_method_parameters() -> None:
    assert "merge.config.merge_methd: unknown key" in problem(lambda p: p["merge"]["config"].update(merge_methd="ties"))
    misspelt = problem(lambda p: p["merge"]["config"]["models"][0]["parameters"].update(densty=0.5))
    assert "merge.config.models.0.parameters.densty: not a parameter of merge method 'dare_ties'" in misspelt


def test_mergekit_moe_config() -> None:
    assert "merge.config.experts.0.postive_prompts: unknown key" in problem(
        lambda p: p["merge"].update(config=MOE | {"experts": [MOE["experts"][0] | {"postive_prompts": ["x"]}]})
    )
    assert "merge.config.gate_mode: unknown gate mode" in problem(
        lambda p: p["merge"].update(config=MOE | {"gate_mode": "hiden"})
    )


@pytest.mark.parametrize(
    "engine",
    [
        {"name": "transformers", "model": "m", "batchsize": 8},
        {"name": "vllm", "model": "m", "batchsize": 8},
        {"name": "openai", "model": "m", "base_url": "http://localhost:8000/v1", "batchsize": 8},
    ],
    ids=lambda engine: engine["name"],
)
def test_every_engine_settings(engine: dict[str, Any]) -> None:
    assert "translate.engine.batchsize: unknown key" in problem(lambda p: p["translate"].update(engine=engine))


def test_the_shipped_params_and_profiles_validate() -> None:
    validate(copy.deepcopy(PARAMS), "params.yaml")
    for profile in sorted((ROOT / "profiles").glob("*.yaml")):
        assert "every section validates" in run(["lingualign", "check", "--profile", profile.stem], cwd=ROOT).stdout


@pytest.mark.slow
def test_plain_dvc_repro_stops_at_check_when_the_tracking_server_is_down(project: Path) -> None:
    """A params change makes the check stage run first, and it asks the server: nothing is deleted, check.json
    included."""
    run(["dvc", "repro", "ingest"], cwd=project)
    check = json.loads((project / "data" / "check.json").read_text())
    outputs = ("data/normalized.parquet", "metrics/ingest.json", "data/check.json")
    kept = {path: file_md5(project / path) for path in outputs}
    params = project / "params.yaml"
    params.write_text(re.sub(r"batch_rows: \d+", "batch_rows: 1234", params.read_text(), count=1))  # ingest would rerun
    down = {"MLFLOW_TRACKING_URI": f"http://127.0.0.1:{free_port()}"}
    failed = run(["dvc", "repro", "ingest"], cwd=project, env=down, check=False)
    assert failed.returncode != 0 and "failed to reproduce 'check'" in failed.stderr
    assert f"MLFLOW_TRACKING_URI={down['MLFLOW_TRACKING_URI']}: the tracking server does not answer" in failed.stderr
    assert "Traceback" not in failed.stderr
    assert {path: file_md5(project / path) for path in outputs} == kept
    assert check["valid"] is True
    assert stages_run(run(["dvc", "repro", "ingest"], cwd=project).stdout) == ["check", "ingest"]
