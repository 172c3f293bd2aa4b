"""merge: every mergekit method on tiny models, seeded reproducibility, vocabulary checks."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
import torch
from safetensors.torch import load_file

from lingualign.errors import LingualignError, SettingsError
from lingualign.merge import MergeSettings, merge, mergekit_config
from lingualign.settings import parse_settings


def two_models(family: dict[str, Path], **per_model: Any) -> list[dict[str, Any]]:
    return [
        {"model": str(family["ft_a"]), "parameters": {"weight": 0.6} | per_model},
        {"model": str(family["ft_b"]), "parameters": {"weight": 0.4} | per_model},
    ]


def configs(family: dict[str, Path]) -> dict[str, dict[str, Any]]:
    base = str(family["base"])
    sparse = two_models(family, density=0.6)
    return {
        "linear": {"models": two_models(family)},
        "slerp": {
            "base_model": str(family["ft_a"]),
            "models": [{"model": str(family["ft_a"])}, {"model": str(family["ft_b"])}],
            "parameters": {"t": 0.5},
        },
        "ties": {"base_model": base, "models": sparse},
        "dare_ties": {"base_model": base, "models": sparse, "parameters": {"int8_mask": True}},
        "dare_linear": {"base_model": base, "models": sparse},
        "task_arithmetic": {"base_model": base, "models": two_models(family)},
        "della": {"base_model": base, "models": sparse},
        "della_linear": {"base_model": base, "models": sparse},
        "breadcrumbs": {"base_model": base, "models": sparse},
        "breadcrumbs_ties": {"base_model": base, "models": sparse},
        "model_stock": {"base_model": base, "models": [{"model": str(family["ft_a"])}, {"model": str(family["ft_b"])}]},
        "passthrough": {"models": [{"model": str(family["ft_a"])}]},
        "nuslerp": {"models": two_models(family)},
        "multislerp": {"models": two_models(family)},
        "karcher": {"models": [{"model": str(family["ft_a"])}, {"model": str(family["ft_b"])}]},
        "sce": {"base_model": base, "models": [{"model": str(family["ft_a"])}, {"model": str(family["ft_b"])}]},
    }


def settings(config: dict[str, Any], seed: int = 7, normalize: bool = True) -> MergeSettings:
    return parse_settings(
        MergeSettings, {"config": {"dtype": "float32"} | config, "random_seed": seed, "normalize": normalize}, "merge"
    )


@pytest.mark.parametrize("method", list(configs({"base": Path("b"), "ft_a": Path("a"), "ft_b": Path("c")})))
def test_every_method_gives_a_complete_loadable_model(
    method: str, tiny_family: dict[str, Path], tmp_path: Path
) -> None:
    from transformers import AutoModelForCausalLM

    metrics = merge(settings({"merge_method": method} | configs(tiny_family)[method]), tmp_path / "merged")
    merged = load_file(tmp_path / "merged" / "model.safetensors")
    base = load_file(tiny_family["base"] / "model.safetensors")
    assert set(merged) == set(base)
    assert all(not torch.isnan(tensor).any() for tensor in merged.values())
    assert AutoModelForCausalLM.from_pretrained(tmp_path / "merged") is not None
    assert metrics["method"] == method and metrics["parameters"] == sum(t.numel() for t in base.values())
    assert (tmp_path / "merged" / "tokenizer.json").exists() and not (tmp_path / "merged" / "README.md").exists()


def digest(folder: Path) -> str:
    return hashlib.sha256((folder / "model.safetensors").read_bytes()).hexdigest()


def test_same_seed_gives_byte_identical_merges(tiny_family: dict[str, Path], tmp_path: Path) -> None:
    config = {"merge_method": "dare_ties"} | configs(tiny_family)["dare_ties"]
    merge(settings(config, seed=1), tmp_path / "a")
    merge(settings(config, seed=1), tmp_path / "b")
    merge(settings(config, seed=2), tmp_path / "c")
    assert digest(tmp_path / "a") == digest(tmp_path / "b") != digest(tmp_path / "c")


def test_normalize_is_explicit_and_applied(tiny_family: dict[str, Path], tmp_path: Path) -> None:
    config = {"merge_method": "dare_ties"} | configs(tiny_family)["dare_ties"]
    assert mergekit_config(settings(config, normalize=False)).parameters["normalize"] is False
    assert mergekit_config(settings(config, normalize=True)).parameters["normalize"] is True
    with pytest.raises(SettingsError, match="normalize"):
        parse_settings(MergeSettings, {"config": config, "random_seed": 1}, "merge")
    with pytest.raises(SettingsError, match="contradicts merge.normalize"):
        mergekit_config(settings(config | {"parameters": {"normalize": False}}, normalize=True))


def test_mismatched_vocabularies_fail_clearly(tiny_family: dict[str, Path], tmp_path: Path) -> None:
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    other = tmp_path / "other"
    LlamaForCausalLM(
        LlamaConfig(
            vocab_size=1000,
            hidden_size=32,
            intermediate_size=64,
            num_hidden_layers=2,
            num_attention_heads=4,
            num_key_value_heads=2,
        )
    ).save_pretrained(other)
    AutoTokenizer.from_pretrained(tiny_family["base"]).save_pretrained(other)
    config = {
        "merge_method": "linear",
        "models": [
            {"model": str(tiny_family["ft_a"]), "parameters": {"weight": 0.5}},
            {"model": str(other), "parameters": {"weight": 0.5}},
        ],
    }
    with pytest.raises(LingualignError, match=r"vocabularies differ: .*other has vocab_size 1000"):
        merge(settings(config), tmp_path / "merged")
    assert not (tmp_path / "merged").exists()


def test_bad_configs_name_the_key(tiny_family: dict[str, Path]) -> None:
    with pytest.raises(SettingsError, match="merge.config.merge_method: unknown method 'dare_tie'"):
        mergekit_config(settings({"merge_method": "dare_tie", "models": two_models(tiny_family)}))
    with pytest.raises(SettingsError, match=r"merge.config"):
        mergekit_config(settings({"merge_method": "linear", "models": "not a list"}))


def test_out_shard_size_writes_several_shards_holding_every_tensor(
    tiny_family: dict[str, Path], tmp_path: Path
) -> None:
    from transformers import AutoModelForCausalLM

    linear = settings({"merge_method": "linear"} | configs(tiny_family)["linear"])
    whole = merge(linear, tmp_path / "whole")
    sharded = merge(linear.model_copy(update={"out_shard_size": "400K"}), tmp_path / "sharded")
    shards = sorted((tmp_path / "sharded").glob("*.safetensors"))
    assert len(shards) > 1 and (tmp_path / "sharded" / "model.safetensors.index.json").exists()
    tensors = {name: tensor for shard in shards for name, tensor in load_file(shard).items()}
    expected = load_file(tmp_path / "whole" / "model.safetensors")
    assert set(tensors) == set(expected) and all(torch.equal(tensors[name], expected[name]) for name in expected)
    assert (
        sharded["parameters"] == whole["parameters"]
        and AutoModelForCausalLM.from_pretrained(tmp_path / "sharded") is not None
    )
    with pytest.raises(SettingsError, match=r"out_shard_size: String should match pattern"):
        parse_settings(
            MergeSettings, {"config": {}, "random_seed": 1, "normalize": True, "out_shard_size": "5 GB"}, "merge"
        )
