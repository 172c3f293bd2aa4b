"""merge: every mergekit method on tiny models, seeded reproducibility, vocabulary checks."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
import torch
from helpers import merge_settings, moe_config, tiny_llama_config
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


@pytest.mark.parametrize("method", list(configs({"base": Path("b"), "ft_a": Path("a"), "ft_b": Path("c")})))
def test_every_method_gives_a_complete_loadable_model(
    method: str, tiny_family: dict[str, Path], tmp_path: Path
) -> None:
    from transformers import AutoModelForCausalLM

    metrics = merge(merge_settings({"merge_method": method} | configs(tiny_family)[method]), tmp_path / "merged")
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
    merge(merge_settings(config, seed=1), tmp_path / "a")
    merge(merge_settings(config, seed=1), tmp_path / "b")
    merge(merge_settings(config, seed=2), tmp_path / "c")
    assert digest(tmp_path / "a") == digest(tmp_path / "b") != digest(tmp_path / "c")


def test_normalize_is_explicit_and_applied(tiny_family: dict[str, Path], tmp_path: Path) -> None:
    config = {"merge_method": "dare_ties"} | configs(tiny_family)["dare_ties"]
    assert mergekit_config(merge_settings(config, normalize=False)).parameters["normalize"] is False
    assert mergekit_config(merge_settings(config, normalize=True)).parameters["normalize"] is True
    with pytest.raises(SettingsError, match="normalize"):
        parse_settings(MergeSettings, {"config": config, "random_seed": 1}, "merge")
    with pytest.raises(SettingsError, match="contradicts merge.normalize"):
        mergekit_config(merge_settings(config | {"parameters": {"normalize": False}}, normalize=True))


def test_mismatched_vocabularies_fail_clearly(tiny_family: dict[str, Path], tmp_path: Path) -> None:
    from transformers import AutoTokenizer, LlamaForCausalLM

    other = tmp_path / "other"
    tokenizer = AutoTokenizer.from_pretrained(tiny_family["base"])
    LlamaForCausalLM(tiny_llama_config(tokenizer, vocab_size=1000)).save_pretrained(other)
    tokenizer.save_pretrained(other)
    config = {
        "merge_method": "linear",
        "models": [
            {"model": str(tiny_family["ft_a"]), "parameters": {"weight": 0.5}},
            {"model": str(other), "parameters": {"weight": 0.5}},
        ],
    }
    with pytest.raises(LingualignError, match=r"vocabularies differ: .*other has vocab_size 1000"):
        merge(merge_settings(config), tmp_path / "merged")
    assert not (tmp_path / "merged").exists()


def test_bad_configs_name_the_key(tiny_family: dict[str, Path]) -> None:
    with pytest.raises(SettingsError, match="merge.config.merge_method: unknown method 'dare_tie'"):
        mergekit_config(merge_settings({"merge_method": "dare_tie", "models": two_models(tiny_family)}))
    with pytest.raises(SettingsError, match=r"merge.config"):
        mergekit_config(merge_settings({"merge_method": "linear", "models": "not a list"}))


def test_out_shard_size_writes_several_shards_holding_every_tensor(
    tiny_family: dict[str, Path], tmp_path: Path
) -> None:
    from transformers import AutoModelForCausalLM

    linear = merge_settings({"merge_method": "linear"} | configs(tiny_family)["linear"])
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


# ---------------------------------------------------------------- the merges the talk names, and mergekit's own options


@pytest.mark.parametrize("gate_mode", ["hidden", "random"])
def test_a_moe_of_two_fine_tunes_loads_as_mixtral_and_generates(
    gate_mode: str, tiny_family: dict[str, Path], tmp_path: Path
) -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    metrics = merge(merge_settings(moe_config(tiny_family, gate_mode)), tmp_path / "moe")
    model = AutoModelForCausalLM.from_pretrained(tmp_path / "moe")
    tokenizer = AutoTokenizer.from_pretrained(tmp_path / "moe")
    assert type(model).__name__ == "MixtralForCausalLM" and model.config.num_local_experts == 2
    assert tokenizer.pad_token == AutoTokenizer.from_pretrained(tiny_family["base"]).pad_token
    ids = tokenizer.apply_chat_template(
        [{"role": "user", "content": "Hallo"}], add_generation_prompt=True, return_tensors="pt", return_dict=True
    )
    assert model.generate(**ids, max_new_tokens=3, do_sample=False).shape[1] == ids["input_ids"].shape[1] + 3
    assert metrics["method"] == "moe" and metrics["models"] == 2
    merge(merge_settings(moe_config(tiny_family, gate_mode)), tmp_path / "again")
    assert digest(tmp_path / "again") == digest(tmp_path / "moe")  # the seed decides random gates too


def test_layer_stacking_repeats_layer_ranges(tiny_family: dict[str, Path], tmp_path: Path) -> None:
    from transformers import AutoModelForCausalLM

    ft = str(tiny_family["ft_a"])
    slices = [{"sources": [{"model": ft, "layer_range": [0, 2]}]}, {"sources": [{"model": ft, "layer_range": [1, 2]}]}]
    merge(merge_settings({"merge_method": "passthrough", "slices": slices}), tmp_path / "stacked")
    model = AutoModelForCausalLM.from_pretrained(tmp_path / "stacked")
    assert model.config.num_hidden_layers == 3 and len(model.model.layers) == 3
    assert model.generate(torch.tensor([[1, 2, 3]]), max_new_tokens=2, do_sample=False).shape[1] == 5


def wider_vocabulary(family: dict[str, Path], folder: Path) -> Path:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(family["ft_b"])
    tokenizer.add_tokens([f"<extra_{i}>" for i in range(8)])
    model = AutoModelForCausalLM.from_pretrained(family["ft_b"])
    model.resize_token_embeddings(len(tokenizer))
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def test_tokenizer_source_lets_mergekit_align_different_vocabularies(
    tiny_family: dict[str, Path], tmp_path: Path
) -> None:
    from transformers import AutoConfig

    wider = wider_vocabulary(tiny_family, tmp_path / "wider")
    config = {
        "merge_method": "linear",
        "models": [
            {"model": str(tiny_family["ft_a"]), "parameters": {"weight": 0.5}},
            {"model": str(wider), "parameters": {"weight": 0.5}},
        ],
    }
    with pytest.raises(
        LingualignError, match=r"vocabularies differ: .*wider has vocab_size 49160.*give mergekit's tokenizer_source"
    ):
        merge(merge_settings(config), tmp_path / "refused")
    merge(merge_settings(config | {"tokenizer_source": "union"}), tmp_path / "union")
    assert AutoConfig.from_pretrained(tmp_path / "union").vocab_size == 49160


def test_vocabularies_are_compared_against_the_base_model(tiny_family: dict[str, Path], tmp_path: Path) -> None:
    wider = wider_vocabulary(tiny_family, tmp_path / "aaa-wider")  # sorts first: the base must still be the reference
    config = {
        "merge_method": "task_arithmetic",
        "base_model": str(tiny_family["base"]),
        "models": [{"model": str(wider), "parameters": {"weight": 0.5}}],
    }
    with pytest.raises(LingualignError, match=rf"{wider} has vocab_size 49160, {tiny_family['base']} has 49152"):
        merge(merge_settings(config), tmp_path / "merged")


def test_a_parameter_mergekit_rejects_while_merging_is_one_line_naming_the_key(
    tiny_family: dict[str, Path], tmp_path: Path
) -> None:
    config = {
        "merge_method": "della",
        "base_model": str(tiny_family["base"]),
        "models": two_models(tiny_family, density=0.5, epsilon=5.0),
    }
    with pytest.raises(
        SettingsError, match=r"^merge.config.models.0.parameters.epsilon: Epsilon must be chosen such that"
    ) as caught:
        merge(merge_settings(config), tmp_path / "merged")
    assert "\n" not in str(caught.value) and not (tmp_path / "merged").exists()


def test_a_moe_config_is_validated_by_mergekit_moe(tiny_family: dict[str, Path], tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"merge.config.gate_mode: unknown gate mode 'hiden' \(known: hidden"):
        merge(merge_settings(moe_config(tiny_family, "hiden")), tmp_path / "m")
    no_prompts = moe_config(tiny_family, "hidden")
    no_prompts["experts"][0]["positive_prompts"] = []
    with pytest.raises(SettingsError, match=r"merge.config: mergekit-moe refused it: Expert 0 has no positive prompts"):
        merge(merge_settings(no_prompts), tmp_path / "m")


def test_a_tokenizer_block_merges_and_reaches_mlflow_through_the_stage(
    tiny_family: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mlflow
    import yaml

    from lingualign import cli

    config = {"merge_method": "linear", "dtype": "float32", "models": two_models(tiny_family)}
    config["tokenizer"] = {"source": "union", "tokens": {"<|im_start|>": {"source": str(tiny_family["ft_a"])}}}
    (tmp_path / "lab.yaml").write_text(
        yaml.safe_dump({"merge": {"config": config, "random_seed": 1, "normalize": True}})
    )
    store = f"sqlite:///{tmp_path / 'mlflow.db'}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", store)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["merge", "--params", "lab.yaml", "--out", "merged", "--metrics", "merge.json"]) == 0
    mlflow.set_tracking_uri(store)
    (run,) = mlflow.search_runs(
        search_all_experiments=True, filter_string="tags.`lingualign.stage` = 'merge'", output_format="list"
    )
    assert run.data.params["config.tokenizer.tokens._3c__7c_im_start_7c__3e_.source"] == str(tiny_family["ft_a"])
    logged = mlflow.artifacts.load_dict(f"{run.info.artifact_uri}/params.json")
    assert logged["config"]["tokenizer"]["tokens"] == {"<|im_start|>": {"source": str(tiny_family["ft_a"])}}


def test_errors_name_the_params_file_the_stage_read(
    tiny_family: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import yaml

    from lingualign import cli

    config = {"merge_method": "frankenmerge", "models": two_models(tiny_family)}
    (tmp_path / "lab.yaml").write_text(
        yaml.safe_dump({"merge": {"config": config, "random_seed": 1, "normalize": True}})
    )
    monkeypatch.chdir(tmp_path)
    assert cli.main(["merge", "--params", "lab.yaml", "--out", "merged", "--metrics", "merge.json"]) == 2
    assert (
        "lingualign merge: error: lab.yaml: merge.config.merge_method: unknown method 'frankenmerge'"
        in capsys.readouterr().err
    )
