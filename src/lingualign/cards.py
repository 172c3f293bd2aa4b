"""cards: a Hugging Face model card for every checkpoint the run exported (SFT, merged, DPO).

Each card is ``models/cards/<name>/README.md`` (``<name>`` as in ``evaluate.models``): the card
header the Hub reads (base model, datasets, language, license, tags), the merge config or the
training params, the evaluation table and the lineage (params.yaml md5, the DVC hash of the
checkpoint and of everything it was made from). The training params and hashes are what
``dvc.lock`` recorded for the stage that made the checkpoint, the numbers are
``metrics/eval.json``'s, so the card says what was run, not what params.yaml says now. A card
holds nothing of the run itself (no commit, no time): the same inputs make the same card at any
commit, so a fresh clone checks out the cards ``dvc.lock`` records. The commit is one ``git log``
away (the card gives the command) and a tag of the stage's MLflow run (``lingualign.git_commit``).
The cards sit beside the checkpoints, not inside them: a DVC output cannot hold another stage's
output, and the evaluation comes after the export. To publish: copy the folder and its card
(``cp -r models/dpo out && cp models/cards/dpo/README.md out/``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import Field

from lingualign.errors import LingualignError
from lingualign.settings import Settings

PARAMS = ("cards",)
# The stages whose outputs are exported checkpoints, and what each card says they did.
KINDS = {"sft": ("sft", "trl"), "merge": ("merge", "mergekit"), "dpo": ("dpo", "trl")}


class CardsSettings(Settings):
    license: str = Field(default="apache-2.0", description="The license the cards declare (the base model's)")
    language: list[str] = Field(default_factory=lambda: ["de"])
    tags: list[str] = Field(default_factory=lambda: ["lingualign", "german", "customer-support"])


def exported(stages: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Evaluated model name -> (checkpoint path, the stage that made it), for checkpoints of sft, merge or dpo."""
    producers = {out["path"].rstrip("/"): name for name, stage in stages.items() for out in stage.get("outs", [])}
    models = {}
    for name, stage in stages.items():
        if not name.startswith("evaluate@"):
            continue
        recorded = stage.get("params", {}).get("params.yaml", {})
        model = name.removeprefix("evaluate@")
        path = str(recorded.get(f"evaluate.models.{model}", "")).rstrip("/")
        producer = producers.get(path, "")
        if producer.split("@")[0] in KINDS:
            models[model] = (path, producer)
    return models


def recorded_params(stage: dict[str, Any]) -> dict[str, Any]:
    return stage.get("params", {}).get("params.yaml", {})


def base_model(kind: str, params: dict[str, Any], stages: dict[str, Any]) -> str:
    """The model this one was made from; a source model by the hub id it was fetched from, if any."""
    if kind == "sft":
        base = str(params["sft"]["base_model"]).rstrip("/")
    elif kind == "dpo":
        base = str(params["dpo"]["model"]).rstrip("/")
    else:
        base = str(params["merge"]["config"]["base_model"]).rstrip("/")
    name = base.removeprefix("models/sources/")
    source = recorded_params(stages.get(f"models@{name}", {})).get(f"models.sources.{name}")
    return str(source.get("hub") or base) if isinstance(source, dict) else base


def evaluation_rows(metrics: dict[str, Any]) -> list[tuple[str, float]]:
    """(what, value) for the card's evaluation table, in the order the report shows them."""
    rows = [
        (f"MT-Bench {key.replace('_', ' ')}", lookup(metrics, "mt_bench", key))
        for key in ("average", "first_turn", "second_turn")
    ]
    support = metrics.get("support", {})
    rows.append(("support cases passed", support.get("score")))
    rows += [(f"support {name}", value) for name, value in support.get("categories", {}).items()]
    rows += [
        (f"{task} {metric}", value)
        for task, values in metrics.get("harness", {}).items()
        for metric, value in values.items()
    ]
    rows += [
        (f"held-out preference {key.replace('_', ' ')}", lookup(metrics, "preference", key))
        for key in ("accuracy", "mean_margin")
    ]
    return [(what, value) for what, value in rows if isinstance(value, int | float)]


def lookup(data: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def datasets_of(kind: str, producer: str, stages: dict[str, Any]) -> list[str]:
    """What the checkpoint was trained on: the SFT set's dataset, or every ingested source for DPO."""
    if kind == "sft":
        return [producer.split("@", 1)[1]]
    if kind == "dpo":
        return [
            source["name"] for source in recorded_params(stages.get("ingest", {})).get("ingest", {}).get("sources", [])
        ]
    return []


def render(
    name: str,
    path: str,
    producer: str,
    stages: dict[str, Any],
    metrics: dict[str, Any],
    settings: CardsSettings,
    lineage: dict[str, str],
) -> str:
    from huggingface_hub import ModelCardData

    kind = producer.split("@")[0]
    stage = stages[producer]
    params = recorded_params(stage)
    base = base_model(kind, params, stages)
    what, library = KINDS[kind]
    header = ModelCardData(
        base_model=base,
        datasets=datasets_of(kind, producer, stages) or None,
        language=settings.language,
        license=settings.license,
        library_name="transformers",
        pipeline_tag="text-generation",
        tags=[*settings.tags, what, library],
    )
    config = params["merge"]["config"] if kind == "merge" else params[kind]
    table = "\n".join(f"| {row} | {value:.4f} |" for row, value in evaluation_rows(metrics))
    inputs = "\n".join(
        f"  - `{dep['path']}`: `{dep.get('md5', '')}`"
        for dep in stage.get("deps", [])
        if not dep["path"].startswith("src/")
    )
    title = {"sft": "A German SFT fine-tune", "merge": "A merge of German fine-tunes", "dpo": "A German DPO model"}[
        kind
    ]
    return f"""---
{header.to_yaml()}
---

# {name}

{title} of `{base}`, made by the lingualign pipeline's `{producer}` stage.

## {"Merge config (mergekit)" if kind == "merge" else "Training params (TRL, peft)"}

```yaml
{yaml.safe_dump(config, sort_keys=True).strip()}
```

## Evaluation

| benchmark | value |
|---|---|
{table}

## Lineage

- git commit: the one whose `dvc.lock` first records this checkpoint:
  `git log --reverse --format=%H -S {lineage["checkpoint"]} -- dvc.lock | head -1`
- params.yaml md5: `{lineage["params_md5"]}`
- this checkpoint (`{path}`), DVC hash: `{lineage["checkpoint"]}`
- made from (DVC hashes as `dvc.lock` records them):
{inputs}
"""


def exported_files(name: str, export: dict[str, Any]) -> str:
    """The card's section on what the export stage made of the checkpoint (metrics/export/<name>.json)."""
    folder, modelfile = export["folder"], export["modelfile"]["from"]
    lines = [
        f"- `{row['file']}`: {quantization.upper()} GGUF, {row['bytes'] / 1e6:.1f} MB; support cases passed "
        f"{row['support']:.4f}, greedy replies identical to this checkpoint's {row['identical']['value']:.4f} "
        f"(95% interval {row['identical']['low']:.2f}-{row['identical']['high']:.2f}, n={row['identical']['n']})"
        for quantization, row in export["gguf"].items()
    ]
    adapter = export["adapter"]
    lines.append(
        f"- `adapter/`: LoRA adapter (rank up to {adapter['max_rank']}) on `{adapter['base']}`, "
        f"{adapter['bytes'] / 1e6:.1f} MB; relative logit error against this checkpoint "
        f"{adapter['relative_logit_error']:.6f}"
    )
    listed = "\n".join(lines)
    return f"""
## Exported files (`{folder}/`)

{listed}

The support cases were answered greedily by each file, loaded back through transformers, and by
this checkpoint in the same dtype ({export["safetensors"]["support"]:.4f} passed).

```sh
cd {folder}
ollama create {name} -f Modelfile && ollama run {name}   # FROM ./{modelfile}, German support SYSTEM
llama-cli -m {modelfile} -cnv                             # llama.cpp: the GGUF carries the chat template
lingualign chat {folder}/{modelfile}
```

```python
from peft import PeftModel
from transformers import AutoModelForCausalLM

base = AutoModelForCausalLM.from_pretrained("{adapter["base"]}")
model = PeftModel.from_pretrained(base, "{folder}/adapter")
```
"""


def write_cards(
    stages: dict[str, Any],
    evaluation: dict[str, Any],
    settings: CardsSettings,
    out: Path,
    exports: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    from lingualign.io import atomic_path
    from lingualign.tracking import content_hash, project_root

    models = exported(stages)
    if not models:
        raise LingualignError("dvc.lock records no evaluated checkpoint of sft, merge or dpo: run dvc repro first")
    cards = {}
    with atomic_path(out, directory=True) as tmp:
        for name, (path, producer) in models.items():
            if name not in evaluation:
                raise LingualignError(f"metrics/eval.json: no evaluation of model '{name}' (run: dvc repro report)")
            checkpoint = next(o for o in stages[producer]["outs"] if o["path"].rstrip("/") == path)
            lineage = {
                "params_md5": content_hash(project_root() / "params.yaml"),
                "checkpoint": str(checkpoint.get("md5", "")),
            }
            folder = tmp / name
            folder.mkdir(parents=True)
            card = render(name, path, producer, stages, evaluation[name], settings, lineage)
            if name in (exports or {}):
                card += exported_files(name, exports[name])
            (folder / "README.md").write_text(card, encoding="utf-8")
            cards[name] = {"checkpoint": path, "stage": producer, "rows": len(evaluation_rows(evaluation[name]))}
    return {"cards": cards}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--eval", type=Path, required=True, help="Every model's evaluation (metrics/eval.json)")
    parser.add_argument(
        "--exports", type=Path, required=True, help="The export stage's metrics: <name>.json per exported checkpoint"
    )
    parser.add_argument("--out", type=Path, required=True, help="Folder of cards: <name>/README.md")
    parser.add_argument("--metrics", type=Path, required=True)


def main(args: argparse.Namespace) -> None:
    from lingualign.settings import load_settings
    from lingualign.tracking import project_root, recorded_stages, run_stage

    settings = load_settings(CardsSettings, args.params, PARAMS)
    stages = recorded_stages(project_root() / "dvc.lock")
    try:
        evaluation = json.loads(args.eval.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise LingualignError(f"{args.eval}: cannot read the evaluation ({exc})") from None
    exports = {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted(args.exports.glob("*.json"))}
    run_stage(
        "cards",
        settings,
        args.metrics,
        lambda: write_cards(stages, evaluation, settings, args.out, exports),
    )
