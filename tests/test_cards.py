"""Model cards: the Hub's header, the params dvc.lock recorded, the evaluation of metrics/eval.json
and the lineage, for every exported checkpoint; they load with huggingface_hub.ModelCard."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from helpers import card_numbers, run
from huggingface_hub import ModelCard

SFT = {"base_model": "models/sources/smollm2", "method": "lora", "trainer": {"learning_rate": 0.0002}}
LOCK = {
    "schema": "2.0",
    "stages": {
        "models@smollm2": {
            "cmd": "lingualign models --name smollm2",
            "params": {"params.yaml": {"models.sources.smollm2": {"hub": "HuggingFaceTB/SmolLM2-135M-Instruct"}}},
            "outs": [{"path": "models/sources/smollm2", "md5": "aaa.dir"}],
        },
        "ingest": {"cmd": "lingualign ingest", "params": {"params.yaml": {"ingest": {"sources": [{"name": "orca"}]}}}},
        "sft@orca": {
            "cmd": "lingualign sft --dataset orca",
            "deps": [
                {"path": "src/lingualign/sft.py", "md5": "src"},
                {"path": "data/sft.parquet", "md5": "sft-data-md5"},
                {"path": "models/sources/smollm2", "md5": "aaa.dir"},
            ],
            "params": {"params.yaml": {"sft": SFT}},
            "outs": [{"path": "models/sft/orca", "md5": "sft-orca-md5.dir"}],
        },
        "dpo": {
            "cmd": "lingualign dpo",
            "deps": [{"path": "data/pairs/train.parquet", "md5": "pairs-md5"}],
            "params": {"params.yaml": {"dpo": {"model": "models/sft/orca", "trainer": {"beta": 0.1}}}},
            "outs": [{"path": "models/dpo", "md5": "dpo-md5.dir"}],
        },
        "evaluate@smollm2": {
            "cmd": "x",
            "params": {"params.yaml": {"evaluate.models.smollm2": "models/sources/smollm2"}},
        },
        "evaluate@sft_orca": {"cmd": "x", "params": {"params.yaml": {"evaluate.models.sft_orca": "models/sft/orca"}}},
        "evaluate@dpo": {"cmd": "x", "params": {"params.yaml": {"evaluate.models.dpo": "models/dpo"}}},
    },
}


# metrics/export/dpo.json, as the export stage writes it.
EXPORT = {
    "checkpoint": "models/dpo",
    "folder": "models/export/dpo",
    "modelfile": {"from": "dpo-q8_0.gguf", "stop": ["<|im_end|>"]},
    "safetensors": {"support": 0.2639},
    "gguf": {
        "f16": {
            "file": "dpo-f16.gguf",
            "bytes": 270_100_000,
            "identical": {"value": 1.0, "low": 1.0, "high": 1.0, "n": 24},
            "support": 0.2639,
        },
        "q8_0": {
            "file": "dpo-q8_0.gguf",
            "bytes": 145_000_000,
            "identical": {"value": 0.9722, "low": 0.9, "high": 1.0, "n": 24},
            "support": 0.25,
        },
    },
    "adapter": {"base": "models/sources/smollm2", "max_rank": 32, "bytes": 39_000_000, "relative_logit_error": 0.0123},
}


def evaluation(offset: float) -> dict:
    return {
        "mt_bench": {"average": 2.5 + offset, "first_turn": 2.0, "second_turn": 3.0 + offset},
        "support": {"score": 0.25 + offset / 10, "categories": {"json": 0.5, "refusal": 0.125 + offset / 10}},
        "harness": {"support_mc_de": {"acc": 0.3}},
        "preference": {"accuracy": 0.6 + offset / 10, "mean_margin": -0.01},
    }


def test_every_exported_checkpoint_gets_a_card_whose_numbers_are_the_metrics(tmp_path: Path) -> None:
    (tmp_path / "dvc.lock").write_text(yaml.safe_dump(LOCK))
    (tmp_path / "params.yaml").write_text("cards: {license: apache-2.0}\n")
    results = {"smollm2": evaluation(0), "sft_orca": evaluation(1), "dpo": evaluation(2)}
    (tmp_path / "eval.json").write_text(json.dumps(results))
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "dpo.json").write_text(json.dumps(EXPORT))
    command = ["lingualign", "cards", "--eval", "eval.json", "--exports", "exports", "--out", "cards"]
    run([*command, "--metrics", "cards.json"], cwd=tmp_path)

    assert sorted(p.name for p in (tmp_path / "cards").iterdir()) == ["dpo", "sft_orca"]  # the base is no export
    sft = ModelCard.load(tmp_path / "cards" / "sft_orca" / "README.md")
    assert sft.data.base_model == "HuggingFaceTB/SmolLM2-135M-Instruct"  # the hub id the source came from
    assert (sft.data.language, sft.data.license, sft.data.datasets) == (["de"], "apache-2.0", ["orca"])
    assert {"lingualign", "german", "customer-support", "sft", "trl"} <= set(sft.data.tags)
    assert "learning_rate: 0.0002" in sft.text and "method: lora" in sft.text  # the params dvc.lock recorded
    assert "`data/sft.parquet`: `sft-data-md5`" in sft.text and "DVC hash: `sft-orca-md5.dir`" in sft.text
    assert "params.yaml md5: `" in sft.text
    assert "`git log --reverse --format=%H -S sft-orca-md5.dir -- dvc.lock | head -1`" in sft.text
    numbers = card_numbers(sft.text)
    assert numbers["MT-Bench average"] == 3.5 and numbers["support cases passed"] == 0.35
    assert numbers["support refusal"] == 0.225 and numbers["held-out preference accuracy"] == 0.7
    assert numbers["support_mc_de acc"] == 0.3

    dpo = ModelCard.load(tmp_path / "cards" / "dpo" / "README.md")
    assert dpo.data.base_model == "models/sft/orca" and dpo.data.datasets == ["orca"] and "beta: 0.1" in dpo.text
    assert card_numbers(dpo.text)["MT-Bench average"] == 4.5
    metrics = json.loads((tmp_path / "cards.json").read_text())
    assert metrics["cards"]["dpo"] == {"checkpoint": "models/dpo", "stage": "dpo", "rows": 9}
    # The exported files, each with its size, quantization, pass rate, and how to run it.
    assert "## Exported files (`models/export/dpo/`)" in dpo.text and "Exported files" not in sft.text
    assert (
        "- `dpo-q8_0.gguf`: Q8_0 GGUF, 145.0 MB; support cases passed 0.2500, "
        "greedy replies identical to this checkpoint's 0.9722 (95% interval 0.90-1.00, n=24)" in dpo.text
    )
    assert "- `dpo-f16.gguf`: F16 GGUF, 270.1 MB; support cases passed 0.2639" in dpo.text
    assert "relative logit error against this checkpoint 0.012300" in dpo.text and "39.0 MB" in dpo.text
    assert "ollama create dpo -f Modelfile" in dpo.text and "FROM ./dpo-q8_0.gguf" in dpo.text
    assert "llama-cli -m dpo-q8_0.gguf" in dpo.text
    assert 'PeftModel.from_pretrained(base, "models/export/dpo/adapter")' in dpo.text


def test_a_model_missing_from_the_evaluation_is_named(tmp_path: Path) -> None:
    (tmp_path / "dvc.lock").write_text(yaml.safe_dump(LOCK))
    (tmp_path / "params.yaml").write_text("cards: {}\n")
    (tmp_path / "eval.json").write_text(json.dumps({"sft_orca": evaluation(0)}))
    result = run(
        ["lingualign", "cards", "--eval", "eval.json", "--exports", "exports", "--out", "cards", "--metrics", "m.json"],
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 2 and "no evaluation of model 'dpo'" in result.stderr
    assert not (tmp_path / "cards").exists()


def test_a_card_is_the_same_at_any_commit(tmp_path: Path) -> None:
    """Nothing of the run goes into a card, so the committed dvc.lock names cards any clone can check out."""
    (tmp_path / "dvc.lock").write_text(yaml.safe_dump(LOCK))
    (tmp_path / "params.yaml").write_text("cards: {}\n")
    (tmp_path / "eval.json").write_text(json.dumps({"sft_orca": evaluation(0), "dpo": evaluation(1)}))
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "dpo.json").write_text(json.dumps(EXPORT))
    run(["git", "init", "-q"], cwd=tmp_path)
    made = []
    for commit in ("first", "second"):
        run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", commit],
            cwd=tmp_path,
        )
        command = ["lingualign", "cards", "--eval", "eval.json", "--exports", "exports", "--out", commit]
        run([*command, "--metrics", "m.json"], cwd=tmp_path)
        made.append({p.relative_to(tmp_path / commit): p.read_bytes() for p in (tmp_path / commit).rglob("*.md")})
    assert made[0] == made[1] and len(made[0]) == 2 and b"dpo-q8_0.gguf" in made[0][Path("dpo/README.md")]
