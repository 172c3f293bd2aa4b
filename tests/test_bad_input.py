"""Bad input end to end, through the ``lingualign`` command a DVC stage runs.

Every case corrupts one thing of a small, valid workspace (data files, params values, merge
configs, model folders, judge replies, HTTP servers) and runs one stage. Each ends either in a
one-line error that names the file (with row and field where there is one) and a non-zero exit,
with no output and no temporary file left behind, or in a documented skip counted in the
stage's metrics. ``ingest``'s own cases live in test_ingest.py.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from servers import ScriptedServer

from lingualign import cli

Workspace = Path


def params_of(ws: Workspace) -> dict[str, Any]:
    return yaml.safe_load((ws / "params.yaml").read_text())


def set_params(ws: Workspace, section: str, **values: Any) -> None:
    params = params_of(ws)
    params[section].update(values)
    (ws / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))


def rewrite_rows(path: Path, change: Callable[[list[dict[str, Any]]], None]) -> None:
    table = pq.read_table(path)
    rows = table.to_pylist()
    change(rows)
    pq.write_table(pa.Table.from_pylist(rows, schema=table.schema), path)


def drop_column(path: Path, column: str) -> None:
    table = pq.read_table(path)
    pq.write_table(table.drop_columns([column]), path)


def replace_with(path: Path, content: bytes) -> None:
    path.write_bytes(content)


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def model_copy(ws: Workspace, source: Path, name: str) -> Path:
    target = ws / "broken-models" / name
    shutil.copytree(source, target)
    return target


@dataclass
class Case:
    argv: list[str]
    expected: list[str]  # fragments of the one-line error (file, row, field, reason)
    outputs: list[str]  # paths the run must not have written
    setup: Callable[[Workspace, dict[str, Any]], None] = lambda ws, env: None
    server: Callable[[], ScriptedServer] | None = None
    # A documented skip: (metrics file, dotted key, the count, or the key whose value it equals).
    counted: tuple[str, str, int | str] | None = None


TRANSLATE = [
    "translate",
    "--in",
    "data/normalized.parquet",
    "--out",
    "out/translated.parquet",
    "--cache",
    "cache/translate",
    "--reference",
    "data/reference/support_en_de.tsv",
    "--mtbench-out",
    "out/mtbench_de.jsonl",
    "--metrics",
    "out/translate.json",
]
SCORE = [
    "score",
    "--in",
    "data/translated.parquet",
    "--out",
    "out/scored.parquet",
    "--cache",
    "cache/score",
    "--metrics",
    "out/score.json",
]
PAIRS = [
    "pairs",
    "--in",
    "data/scored.parquet",
    "--train",
    "out/train.parquet",
    "--test",
    "out/test.parquet",
    "--sft",
    "out/sft.parquet",
    "--metrics",
    "out/pairs.json",
    "--plot",
    "out/margins.csv",
]
SFT = [
    "sft",
    "--dataset",
    "orca",
    "--in",
    "data/sft.parquet",
    "--out",
    "out/sft",
    "--work",
    "out/sft-work",
    "--metrics",
    "out/sft.json",
]
MERGE = ["merge", "--out", "out/merged", "--metrics", "out/merge.json"]
DPO = [
    "dpo",
    "--pairs",
    "data/pairs/train.parquet",
    "--reference",
    "data/reference_logps.parquet",
    "--out",
    "out/dpo",
    "--work",
    "out/dpo-work",
    "--metrics",
    "out/dpo.json",
    "--curves",
    "out/curves.csv",
]
EVALUATE = [
    "evaluate",
    "--model",
    "tiny",
    "--test",
    "data/pairs/test.parquet",
    "--answers",
    "out/answers.parquet",
    "--replies",
    "out/replies.parquet",
    "--pairs",
    "out/pairs.parquet",
    "--samples",
    "out/samples.parquet",
    "--metrics",
    "out/eval.json",
    "--cache",
    "out/judge",
]
MODELS = ["models", "--name", "broken", "--out", "out/model", "--metrics", "out/models.json"]


def openai_translation(ws: Workspace, env: dict[str, Any]) -> None:
    shutil.rmtree(ws / "cache" / "translate")  # or every chunk would come from the cache
    model = params_of(ws)["translate"]["engine"]["model"]
    set_params(
        ws,
        "translate",
        engine={
            "name": "openai",
            "model": model,
            "base_url": env["url"],
            "max_retries": 1,
            "backoff_s": 0.01,
            "timeout_s": 0.5,
        },
    )


def openai_judge(ws: Workspace, env: dict[str, Any]) -> None:
    params = params_of(ws)
    judge = params["evaluate"]["mtbench"]["judge"]
    judge.update({"engine": {"name": "openai", "model": "judge", "base_url": env["url"]}, "reply_prefix": ""})
    params["evaluate"]["mtbench"]["min_language_chars"] = 10_000  # every answer goes to the judge
    (ws / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))


def set_trainer(ws: Workspace, section: str, **values: Any) -> None:
    params = params_of(ws)
    params[section]["trainer"].update(values)
    (ws / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))


def source_folder(ws: Workspace, folder: Path) -> None:
    params = params_of(ws)
    params["models"]["sources"] = {"broken": {"path": str(folder)}}
    (ws / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))


def without_config(ws: Workspace, env: dict[str, Any]) -> None:
    folder = model_copy(ws, env["tiny_lm"], "no-config")
    (folder / "config.json").unlink()
    source_folder(ws, folder)


def pickle_only(ws: Workspace, env: dict[str, Any]) -> None:
    import torch
    from safetensors.torch import load_file

    folder = model_copy(ws, env["tiny_lm"], "pickled")
    weights = folder / "model.safetensors"
    torch.save(load_file(weights), folder / "pytorch_model.bin")
    weights.unlink()
    source_folder(ws, folder)


def sft_base_without_tokenizer(ws: Workspace, env: dict[str, Any]) -> None:
    folder = model_copy(ws, env["tiny_lm"], "no-tokenizer")
    for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "chat_template.jinja"):
        (folder / name).unlink(missing_ok=True)
    set_params(ws, "sft", base_model=str(folder))


def merge_config(ws: Workspace, **changes: Any) -> None:
    params = params_of(ws)
    params["merge"]["config"].update(changes)
    (ws / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))


def merge_with_foreign_vocabulary(ws: Workspace, env: dict[str, Any]) -> None:
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(env["tiny_lm"])
    model.resize_token_embeddings(model.config.vocab_size + 8)
    folder = ws / "broken-models" / "wider-vocab"
    model.save_pretrained(folder, safe_serialization=True)
    for extra in env["tiny_lm"].iterdir():
        if "token" in extra.name or extra.suffix == ".jinja":
            shutil.copy(extra, folder / extra.name)
    params = params_of(ws)
    params["merge"]["config"]["models"][0]["model"] = str(folder)
    (ws / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))


def answer(text: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda body: {"choices": [{"message": {"content": text}, "finish_reason": "stop"}]}


CASES: dict[str, Case] = {
    # ------------------------------------------------ data files
    "translate: input is not Parquet": Case(
        TRANSLATE,
        ["data/normalized.parquet: cannot read normalized data", "not a parquet file"],
        ["out/translated.parquet"],
        lambda ws, env: replace_with(ws / "data/normalized.parquet", b"id,prompt\n1,hi\n"),
    ),
    "translate: input lacks a column": Case(
        TRANSLATE,
        ["data/normalized.parquet: normalized data lack column(s) response"],
        ["out/translated.parquet"],
        lambda ws, env: drop_column(ws / "data/normalized.parquet", "response"),
    ),
    "score: input truncated": Case(
        SCORE,
        ["data/translated.parquet: cannot read"],
        ["out/scored.parquet"],
        lambda ws, env: truncate(ws / "data/translated.parquet"),
    ),
    "pairs: input lacks the score": Case(
        PAIRS,
        ["data/scored.parquet", "score"],
        ["out/train.parquet", "out/test.parquet", "out/sft.parquet"],
        lambda ws, env: drop_column(ws / "data/scored.parquet", "score"),
    ),
    "pairs: unscored rows": Case(
        PAIRS,
        [],
        [],
        lambda ws, env: rewrite_rows(ws / "data/scored.parquet", lambda rows: [r.update(score=None) for r in rows[:2]]),
        counted=("out/pairs.json", "dropped.unscored", 2),
    ),
    "dpo: reference log-probs of other pairs": Case(
        DPO,
        ["data/reference_logps.parquet: reference log-probs do not match data/pairs/train.parquet"],
        ["out/dpo"],
        lambda ws, env: rewrite_rows(
            ws / "data/reference_logps.parquet", lambda rows: rows[0].update(prompt_id="not-a-pair")
        ),
    ),
    "dpo: pairs file is JSON": Case(
        DPO,
        ["data/pairs/train.parquet: cannot read"],
        ["out/dpo"],
        lambda ws, env: replace_with(ws / "data/pairs/train.parquet", b'{"prompt": []}'),
    ),
    "evaluate: question of an unknown category": Case(
        EVALUATE,
        ["data/mtbench_de.jsonl: row 1: field 'category'"],
        ["out/answers.parquet"],
        lambda ws, env: replace_with(
            ws / "data/mtbench_de.jsonl",
            b'{"question_id": 1, "category": "poetry", "turns": ["a", "b"], "reference": null}\n',
        ),
    ),
    # ------------------------------------------------ params values
    "params: not YAML": Case(
        SCORE,
        ["params.yaml: not valid YAML"],
        ["out/scored.parquet"],
        lambda ws, env: replace_with(ws / "params.yaml", b"score: {scorer: ratings\n"),
    ),
    "params: unknown key": Case(
        SCORE,
        ["score.scorrer: unknown key"],
        ["out/scored.parquet"],
        lambda ws, env: set_params(ws, "score", scorrer="ratings"),
    ),
    "params: wrong type": Case(
        DPO,
        ["params.yaml: dpo.trainer.beta", "valid number", "'high'"],
        ["out/dpo"],
        lambda ws, env: set_trainer(ws, "dpo", beta="high"),
    ),
    "params: unknown translation engine": Case(
        TRANSLATE,
        ["params.yaml: translate.engine.name", "unknown engine 'deepl' (known: ", "openai", "transformers", "vllm"],
        ["out/translated.parquet"],
        lambda ws, env: set_params(ws, "translate", engine={"name": "deepl", "model": "m"}),
    ),
    "params: unknown engine key": Case(
        TRANSLATE,
        ["params.yaml: translate.engine.batchsize: unknown key"],
        ["out/translated.parquet"],
        lambda ws, env: set_params(ws, "translate", engine=params_of(ws)["translate"]["engine"] | {"batchsize": 3}),
    ),
    "params: unknown DPO loss": Case(
        DPO,
        ["params.yaml: dpo.trainer.loss_type", "hinge2"],
        ["out/dpo"],
        lambda ws, env: set_trainer(ws, "dpo", loss_type=["hinge2"]),
    ),
    "params: a TRL option that does not exist": Case(
        SFT,
        ["params.yaml: sft.trainer.weight_decy: not an option of SFTConfig"],
        ["out/sft"],
        lambda ws, env: set_trainer(ws, "sft", weight_decy=0.1),
    ),
    "params: TRL's own check": Case(
        DPO,
        ["params.yaml: dpo.trainer:", "`loss_weights` must have the same length as `loss_type`"],
        ["out/dpo"],
        lambda ws, env: set_trainer(ws, "dpo", loss_weights=[1.0, 2.0]),
    ),
    "params: a peft option that does not exist": Case(
        SFT,
        ["params.yaml: sft.lora.alpha: not an option of LoraConfig"],
        ["out/sft"],
        lambda ws, env: set_params(ws, "sft", lora={"alpha": 16}),
    ),
    "params: margin window upside down": Case(
        PAIRS,
        ["pairs", "margin_min"],
        ["out/train.parquet"],
        lambda ws, env: set_params(ws, "pairs", margin_min=5.0, margin_max=1.0),
    ),
    # ------------------------------------------------ merge configs
    "merge: unknown method": Case(
        MERGE,
        ["merge.config", "frankenmerge"],
        ["out/merged"],
        lambda ws, env: merge_config(ws, merge_method="frankenmerge"),
    ),
    "merge: model folder missing": Case(
        MERGE,
        ["models/sft/nowhere"],
        ["out/merged"],
        lambda ws, env: merge_config(ws, models=[{"model": "models/sft/nowhere", "parameters": {"weight": 1.0}}]),
    ),
    "merge: weight is not a number": Case(
        MERGE,
        ["params.yaml: merge.config.models.0.parameters.weight", "'heavy'"],
        ["out/merged"],
        lambda ws, env: merge_config(ws, models=[{"model": "models/sft/orca", "parameters": {"weight": "heavy"}}]),
    ),
    "merge: vocabularies differ": Case(MERGE, ["wider-vocab", "vocab"], ["out/merged"], merge_with_foreign_vocabulary),
    # ------------------------------------------------ model folders
    "models: folder without config.json": Case(
        MODELS, ["broken-models/no-config: not a model folder: config.json is missing"], ["out/model"], without_config
    ),
    "models: pickle weights only": Case(
        MODELS,
        ["broken-models/pickled: only pickle weights (pytorch_model.bin)", "models.allow_pickle: true"],
        ["out/model"],
        pickle_only,
    ),
    "sft: base model without a tokenizer": Case(
        SFT, ["broken-models/no-tokenizer: no tokenizer"], ["out/sft"], sft_base_without_tokenizer
    ),
    # ------------------------------------------------ judge replies (documented, counted skips)
    "judge: replies without a rating": Case(
        EVALUATE,
        [],
        [],
        openai_judge,
        server=lambda: ScriptedServer(respond=answer("Gut gemacht.")),
        counted=("out/eval.json", "mt_bench.unparseable", "mt_bench.judgements"),
    ),
    "judge: replies with two ratings": Case(
        EVALUATE,
        [],
        [],
        openai_judge,
        server=lambda: ScriptedServer(respond=answer("[[3]] oder [[7]]")),
        counted=("out/eval.json", "mt_bench.unparseable", "mt_bench.judgements"),
    ),
    # ------------------------------------------------ HTTP backend
    "server: keeps failing with 503": Case(
        TRANSLATE,
        ["error: http://127.0.0.1:", "/chat/completions: gave up after 2 attempts (HTTP 503)"],
        ["out/translated.parquet"],
        openai_translation,
        server=lambda: ScriptedServer([(503, 0.0)] * 1000),
    ),
    "server: times out": Case(
        TRANSLATE,
        ["gave up after 2 attempts (ReadTimeout)"],
        ["out/translated.parquet"],
        openai_translation,
        server=lambda: ScriptedServer([(200, 2.0)] * 1000),
    ),
    "server: refuses the key (401)": Case(
        TRANSLATE,
        ["HTTP 401"],
        ["out/translated.parquet"],
        openai_translation,
        server=lambda: ScriptedServer([(401, 0.0)] * 1000),
    ),
    "server: reply without choices": Case(
        TRANSLATE,
        ["the reply has no choices[0].message.content"],
        ["out/translated.parquet"],
        openai_translation,
        server=lambda: ScriptedServer(respond=lambda body: {"object": "error"}),
    ),
}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory, tiny_lm: Path) -> Workspace:
    """The real stages' outputs on a few rows: params, data, pairs, reference log-probs, SFT models."""
    from helpers import ROOT

    ws = tmp_path_factory.mktemp("bad-input-workspace")
    shutil.copytree(ROOT / "data" / "raw", ws / "data" / "raw")
    shutil.copytree(ROOT / "data" / "reference", ws / "data" / "reference")
    shutil.copytree(ROOT / "data" / "eval", ws / "data" / "eval", ignore=shutil.ignore_patterns("*.parquet"))
    params = yaml.safe_load((ROOT / "params.yaml").read_text())
    for source, limit in zip(params["ingest"]["sources"], (8, 4, 4, 12), strict=True):
        source["limit"] = limit
    params["translate"].update({"max_new_tokens": 4, "mtbench_per_category": 1})
    params["translate"]["engine"].update({"model": str(tiny_lm), "batch_size": 8})
    params["score"]["scorer"]["scorers"][1]["engine"]["model"] = str(tiny_lm)
    for section in ("sft", "dpo"):
        params[section]["trainer"].update({"max_steps": 1, "max_length": 64})
    params["sft"]["base_model"] = str(tiny_lm)
    params["merge"]["config"].update(
        {
            "base_model": str(tiny_lm),
            "models": [{"model": "models/sft/orca", "parameters": {"weight": 1.0}}],
            "merge_method": "linear",
        }
    )
    params["merge"]["config"].pop("parameters", None)
    params["dpo"]["model"] = str(tiny_lm)
    evaluate = params["evaluate"]
    evaluate["models"] = {"tiny": str(tiny_lm)}
    evaluate["mtbench"].update({"max_new_tokens": 4, "min_language_chars": 1})
    evaluate["mtbench"]["judge"].update({"max_new_tokens": 3})
    evaluate["mtbench"]["judge"]["engine"]["model"] = str(tiny_lm)
    evaluate["harness"]["limit"] = 2
    (ws / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    translate = [
        arg.replace("out/", "data/") if arg.startswith("out/") and arg.endswith((".parquet", ".jsonl")) else arg
        for arg in TRANSLATE
    ]
    translate[-1] = "metrics/translate.json"
    stages = [
        ["ingest", "--out", "data/normalized.parquet", "--metrics", "metrics/ingest.json"],
        translate,
        [
            "score",
            "--in",
            "data/translated.parquet",
            "--out",
            "data/scored.parquet",
            "--cache",
            "cache/score",
            "--metrics",
            "metrics/score.json",
        ],
        [
            "pairs",
            "--in",
            "data/scored.parquet",
            "--train",
            "data/pairs/train.parquet",
            "--test",
            "data/pairs/test.parquet",
            "--sft",
            "data/sft.parquet",
            "--metrics",
            "metrics/pairs.json",
            "--plot",
            "metrics/margins.csv",
        ],
        [
            "sft",
            "--dataset",
            "orca",
            "--in",
            "data/sft.parquet",
            "--out",
            "models/sft/orca",
            "--work",
            "models/checkpoints/sft-orca",
            "--metrics",
            "metrics/sft.json",
        ],
        [
            "reference",
            "--pairs",
            "data/pairs/train.parquet",
            "--out",
            "data/reference_logps.parquet",
            "--metrics",
            "metrics/reference.json",
        ],
    ]
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ws)
        for argv in stages:
            assert cli.main(argv) == 0, argv
    return ws


def dotted(data: dict[str, Any], key: str) -> Any:
    for part in key.split("."):
        data = data[part]
    return data


@pytest.mark.parametrize("name", CASES, ids=list(CASES))
def test_bad_input_gives_a_clear_error_or_a_counted_skip(
    name: str,
    workspace: Workspace,
    tiny_lm: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case = CASES[name]
    ws = tmp_path / "ws"
    shutil.copytree(workspace, ws, symlinks=True)
    server = case.server() if case.server else None
    try:
        case.setup(ws, {"tiny_lm": tiny_lm, "url": server.url if server else None})
        monkeypatch.chdir(ws)
        capsys.readouterr()
        status = cli.main(case.argv)
    finally:
        if server:
            server.close()
    stderr = capsys.readouterr().err
    assert "Traceback" not in stderr
    if case.counted:
        metrics_file, key, count = case.counted
        assert status == 0, stderr
        metrics = json.loads((ws / metrics_file).read_text())
        expected = dotted(metrics, count) if isinstance(count, str) else count
        assert dotted(metrics, key) == expected > 0
        return
    assert status == 2, stderr
    message = next(line for line in stderr.splitlines() if line.startswith(f"lingualign {case.argv[0]}: error: "))
    missing = [fragment for fragment in case.expected if fragment not in message]
    assert not missing, f"{message!r} lacks {missing}"
    assert not [path for path in case.outputs if (ws / path).exists()]
    out = ws / "out"
    assert not out.exists() or not [p.name for p in out.rglob("*") if ".tmp-" in p.name]
