"""export: GGUF files by llama.cpp's converter, an Ollama Modelfile whose TEMPLATE renders the
chat template's token ids, a LoRA adapter peft loads; checked against the checkpoint, and bad
params stopped with one line that names the key, leaving no file behind."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
import yaml
from gotemplate import execute
from helpers import ROOT, run

from lingualign.errors import LingualignError
from lingualign.export import ExportSettings, export_checkpoint
from lingualign.export.gguf import quantizer
from lingualign.export.ollama import derive, modelfile

SYSTEM = "Sie sind der Kundenservice eines Online-Shops. Antworten Sie höflich."
CONVERSATION = [
    {"role": "user", "content": "Mein Paket ist nicht angekommen. Bestellnummer 4711."},
    {"role": "assistant", "content": "Das tut mir leid.\n\nIch prüfe die Sendung."},
    {"role": "user", "content": "Danke! Wann bekomme ich Bescheid?"},
]


def read_modelfile(text: str) -> dict:
    """FROM, TEMPLATE, SYSTEM (triple-quoted or not) and the PARAMETER lines of a Modelfile."""
    commands: dict = {"PARAMETER": []}
    rest = text
    while rest.strip():
        name, _, rest = rest.lstrip().partition(" ")
        if rest.startswith('"""'):
            value, _, rest = rest[3:].partition('"""')
        else:
            value, _, rest = rest.partition("\n")
        if name == "PARAMETER":
            commands["PARAMETER"].append(tuple(value.split(" ", 1)))
        else:
            commands[name] = value
    return commands


def ollama_messages(system: str, messages: list[dict[str, str]]) -> list[dict[str, str]]:
    """What Ollama hands the TEMPLATE: the Modelfile's SYSTEM first where the request has none."""
    if system and (not messages or messages[0]["role"] != "system"):
        return [{"role": "system", "content": system}, *messages]
    return messages


def test_the_modelfile_template_gives_the_chat_templates_token_ids(smol_tokenizer_dir: Path) -> None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(smol_tokenizer_dir)
    chat = derive(tokenizer, "export")
    written = read_modelfile(modelfile("m.gguf", chat, tokenizer, SYSTEM, {"temperature": 0.0, "num_ctx": 2048}))
    assert written["FROM"] == "./m.gguf" and written["SYSTEM"] == SYSTEM
    assert ("stop", '"<|im_end|>"') in written["PARAMETER"] and ("temperature", "0.0") in written["PARAMETER"]
    own_system = [{"role": "system", "content": "Antworten Sie knapp."}, *CONVERSATION]
    for modelfile_system, messages, expected in [
        # A multi-turn conversation with its own system prompt: Ollama keeps it.
        (SYSTEM, own_system, own_system),
        # None of its own: the Modelfile's German SYSTEM.
        (SYSTEM, CONVERSATION, [{"role": "system", "content": SYSTEM}, *CONVERSATION]),
        # No SYSTEM at all: the chat template's own default system turn.
        ("", CONVERSATION, CONVERSATION),
    ]:
        prompt = execute(written["TEMPLATE"], ollama_messages(modelfile_system, messages))
        ids = tokenizer.apply_chat_template(expected, add_generation_prompt=True, return_dict=True)["input_ids"]
        assert tokenizer(prompt, add_special_tokens=False)["input_ids"] == list(ids)
    # The check can fail: another assistant prefix is other token ids.
    broken = written["TEMPLATE"].replace("<|im_start|>assistant\n", "<|im_start|>bot\n")
    prompt = execute(broken, ollama_messages(SYSTEM, CONVERSATION))
    assert prompt != tokenizer.apply_chat_template(
        [{"role": "system", "content": SYSTEM}, *CONVERSATION], tokenize=False, add_generation_prompt=True
    )


def test_a_chat_template_that_is_not_per_role_text_is_refused(smol_tokenizer_dir: Path) -> None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(smol_tokenizer_dir)
    # Mistral's way: the system prompt goes into the first user turn.
    tokenizer.chat_template = (
        "{% set system = messages[0]['content'] if messages[0]['role'] == 'system' else '' %}"
        "{% for m in messages if m['role'] != 'system' %}{% if m['role'] == 'user' %}[INST] "
        "{{ system + '\\n\\n' if loop.first and system else '' }}{{ m['content'] }} [/INST]"
        "{% else %}{{ m['content'] }}</s>{% endif %}{% endfor %}"
    )
    with pytest.raises(LingualignError, match="export.checkpoints.x.model: the chat template does not wrap"):
        derive(tokenizer, "export.checkpoints.x.model")


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Six of the shipped support cases: the checks run as on all of them, in a fraction of the time."""
    folder = tmp_path_factory.mktemp("cases")
    shipped = (ROOT / "data/eval/support/cases_de.jsonl").read_text(encoding="utf-8").splitlines()
    (folder / "cases.jsonl").write_text("\n".join(shipped[:6]) + "\n", encoding="utf-8")
    return str(folder)


def settings(model: Path, base: Path, cases: str, **overrides: object) -> ExportSettings:
    raw = {
        "checkpoints": {"ft": {"model": str(model), "base": str(base)}},
        "engine": {"name": "transformers", "device": "cpu", "dtype": "float32", "batch_size": 8},
        "adapter": {"max_rank": 64, "prompts": 2},
        "support": {"cases": cases, "max_new_tokens": 6},
    }
    return ExportSettings.model_validate(raw | overrides)


@pytest.mark.slow  # converts, reloads and runs the support cases three times
def test_export_writes_files_that_answer_as_the_checkpoint(
    tiny_family: dict[str, Path], tmp_path: Path, cases: str
) -> None:
    import gguf
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    out = tmp_path / "export" / "ft"
    metrics = export_checkpoint(settings(tiny_family["ft_a"], tiny_family["base"], cases), "ft", out, "export")
    assert sorted(p.name for p in out.iterdir()) == ["Modelfile", "adapter", "ft-f16.gguf", "ft-q8_0.gguf"]
    types = {
        q: {t.tensor_type.name for t in gguf.GGUFReader(out / f"ft-{q}.gguf").tensors if t.name.endswith("q.weight")}
        for q in ("f16", "q8_0")
    }
    assert types == {"f16": {"F16"}, "q8_0": {"Q8_0"}}
    for quantization in ("f16", "q8_0"):
        row = metrics["gguf"][quantization]
        assert row["bytes"] == (out / row["file"]).stat().st_size
        assert 0 <= row["support"] <= 1
    # A random tiny model's greedy replies survive F16 exactly.
    assert metrics["gguf"]["f16"]["identical"] == {"value": 1.0, "low": 1.0, "high": 1.0, "n": 6}
    assert metrics["gguf"]["f16"]["bytes"] > metrics["gguf"]["q8_0"]["bytes"]
    assert read_modelfile((out / "Modelfile").read_text())["FROM"] == "./ft-q8_0.gguf"
    # At full rank the adapter is the delta itself; peft loads it onto the base.
    assert metrics["adapter"]["relative_logit_error"] < 1e-4
    adapter_config = json.loads((out / "adapter/adapter_config.json").read_text())
    assert adapter_config["base_model_name_or_path"] == str(tiny_family["base"])
    # The same adapter, the same bytes: mergekit's module set comes out in a salted hash order.
    assert adapter_config["target_modules"] == sorted(adapter_config["target_modules"]) != []
    PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(tiny_family["base"]), out / "adapter")
    low = export_checkpoint(
        settings(tiny_family["ft_a"], tiny_family["base"], cases, quantizations=["q8_0"], adapter={"max_rank": 1}),
        "ft",
        tmp_path / "low",
        "export",
    )
    assert low["adapter"]["relative_logit_error"] > 10 * metrics["adapter"]["relative_logit_error"]


@pytest.mark.skipif(
    quantizer() is None and not os.environ.get("LINGUALIGN_REQUIRE_LLAMA_QUANTIZE"), reason="make llama-quantize"
)
@pytest.mark.slow
def test_q4_k_m_comes_from_llama_quantize_and_loads_back(
    tiny_family: dict[str, Path], tmp_path: Path, cases: str
) -> None:
    import gguf

    assert quantizer() is not None, "llama-quantize is required here: make llama-quantize"
    raw = settings(
        tiny_family["ft_a"], tiny_family["base"], cases, quantizations=["q4_k_m"], ollama={"quantization": "q4_k_m"}
    )
    metrics = export_checkpoint(raw, "ft", tmp_path / "ft", "export")
    written = gguf.GGUFReader(tmp_path / "ft" / "ft-q4_k_m.gguf")
    assert int(written.fields["general.file_type"].parts[-1][0]) == gguf.LlamaFileType.MOSTLY_Q4_K_M
    assert sorted(p.name for p in (tmp_path / "ft").iterdir()) == ["Modelfile", "adapter", "ft-q4_k_m.gguf"]
    assert 0 <= metrics["gguf"]["q4_k_m"]["identical"]["value"] <= 1


def params_file(tmp_path: Path, model: Path, base: Path, cases: str, **export: object) -> Path:
    section = {
        "checkpoints": {"ft": {"model": str(model), "base": str(base)}},
        "engine": {"name": "transformers", "device": "cpu"},
        "support": {"cases": cases, "max_new_tokens": 4},
    }
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump({"export": section | export}))
    return path


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("quantization", "export.quantizations: unknown quantization q3_x (known: f32, f16, bf16, q8_0, q4_k_m"),
        ("base", "export.checkpoints.ft.base: {base}: no base model there (config.json), for the adapter"),
        ("architecture", "export.checkpoints.ft.model: llama.cpp's converter does not know the architecture Foo"),
    ],
)
def test_bad_params_stop_with_one_line_naming_the_key_and_leave_no_file(
    tiny_lm: Path, tmp_path: Path, cases: str, case: str, message: str
) -> None:
    model, base, export = tiny_lm, tiny_lm, {}
    if case == "quantization":
        export = {"quantizations": ["f16", "q3_x"]}
    elif case == "base":
        base = tmp_path / "no-base"
    else:
        model = Path(shutil.copytree(tiny_lm, tmp_path / "foo"))
        config = json.loads((model / "config.json").read_text())
        (model / "config.json").write_text(json.dumps(config | {"architectures": ["FooForCausalLM"]}))
    params = params_file(tmp_path, model, base, cases, **export)
    out = tmp_path / "models" / "export" / "ft"
    metrics = tmp_path / "metrics" / "ft.json"
    result = run(
        ["lingualign", "export", "--params", str(params), "--name", "ft", "--out", str(out), "--metrics", str(metrics)],
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message.format(base=base) in lines[0], result.stderr
    assert not out.exists() and not metrics.exists()
    assert not out.parent.exists() or not list(out.parent.glob(".*"))  # no temporary sibling either


def test_support_spread_keeps_every_category_of_the_shipped_cases() -> None:
    from lingualign.evaluate.support import read_cases
    from lingualign.export import ExportSupportSettings

    shipped = read_cases(ROOT / "data/eval/support")
    chosen = ExportSupportSettings(spread=24).chosen(shipped)
    assert len(chosen) == 24 and len({case.id for case in chosen}) == 24
    assert {case.category for case in chosen} == {case.category for case in shipped}
    assert ExportSupportSettings().chosen(shipped) == shipped
