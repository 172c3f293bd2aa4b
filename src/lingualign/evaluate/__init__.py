"""evaluate: one model of the run, the same three ways every time (DVC runs it once per model).

    lingualign evaluate --model dpo --test data/pairs/test.parquet \\
        --answers data/eval/dpo.parquet --metrics metrics/eval/dpo.json

- German MT-Bench (``mtbench``): two-turn answers in the chat template, judged by an LLM,
  reported in the seed's shape (``first_turn``, ``second_turn``, ``categories``, ``average``)
  with the judge's parse rate; answers and judgements kept as Parquet. Judgements are cached
  (``cache/judge/<model>``), so an interrupted or repeated run does not pay the judge twice.
- lm-evaluation-harness (``harness``): German multiple choice.
- Held-out preference: the share of test pairs whose chosen answer has the higher mean
  per-token log-likelihood, and the mean gap.

``params.yaml: evaluate.models`` names every model of the run; the ``report`` stage puts their
metrics side by side. The MLflow run of each evaluation carries the checkpoint's DVC hash.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from lingualign.evaluate.harness import HarnessSettings
from lingualign.evaluate.mtbench import MTBenchSettings
from lingualign.settings import Settings


class EvaluateSettings(Settings):
    models: dict[str, str] = Field(description="Name in metrics/eval.json -> checkpoint folder")
    device: Literal["auto", "cpu", "cuda"] = "auto"
    dtype: Literal["float32", "bfloat16", "float16"] = "float32"
    mtbench: MTBenchSettings = Field(default_factory=MTBenchSettings)
    harness: HarnessSettings = Field(default_factory=HarnessSettings)

    @model_validator(mode="after")
    def _some_models(self) -> EvaluateSettings:
        if not self.models:
            raise ValueError("models: name at least one model to evaluate")
        return self


def evaluate_model(settings: EvaluateSettings, name: str, test_pairs: Path, answers_out: Path, judge_cache: Path) -> dict[str, Any]:
    from lingualign.cache import ResultCache
    from lingualign.devices import load_causal_lm
    from lingualign.evaluate import mtbench
    from lingualign.evaluate.harness import run_harness
    from lingualign.likelihood import heldout_preference

    # Inputs first: a bad question file fails before any model loads.
    questions = mtbench.read_questions(settings.mtbench)
    prompts = mtbench.read_judge_prompts(settings.mtbench.judge.prompts)
    model, tokenizer = load_causal_lm(settings.models[name], settings.device, settings.dtype)
    answers = mtbench.answer_questions(model, tokenizer, questions, settings.mtbench)
    judge = mtbench.JUDGES[settings.mtbench.judge.backend](settings.mtbench.judge, settings.device)
    cache = ResultCache(judge_cache, settings.mtbench.judge.cache_identity())
    try:
        rows = mtbench.judge_answers(judge, prompts, questions, answers, settings.mtbench, cache)
    finally:
        cache.close()
    del judge  # a local judge's weights are not needed for the rest
    mtbench.write_answers(answers_out, rows)
    return {
        "mt_bench": mtbench.aggregate(rows),
        "harness": run_harness(model, tokenizer, settings.harness),
        "preference": heldout_preference(model, tokenizer, test_pairs),
    }


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", required=True, help="A name from params.yaml: evaluate.models")
    parser.add_argument("--test", type=Path, default=Path("data/pairs/test.parquet"))
    parser.add_argument("--answers", type=Path, help="MT-Bench answers and judgements (default: data/eval/<model>.parquet)")
    parser.add_argument("--metrics", type=Path, help="default: metrics/eval/<model>.json")
    parser.add_argument("--cache", type=Path, help="Judgements kept across runs (default: cache/judge/<model>)")


def main(args: argparse.Namespace) -> None:
    from lingualign.errors import SettingsError
    from lingualign.settings import load_settings
    from lingualign.tracking import dvc_hash, run_stage

    settings = load_settings(EvaluateSettings, "evaluate", args.params)
    if args.model not in settings.models:
        raise SettingsError(f"{args.params}: evaluate.models: no model named '{args.model}' (known: {', '.join(settings.models)})")
    checkpoint = Path(settings.models[args.model])
    answers = args.answers or Path(f"data/eval/{args.model}.parquet")
    metrics = args.metrics or Path(f"metrics/eval/{args.model}.json")
    judge_cache = args.cache or Path(f"cache/judge/{args.model}")
    run_stage(
        f"evaluate@{args.model}",
        settings,
        [checkpoint, args.test, Path(settings.mtbench.questions)],
        metrics,
        lambda: evaluate_model(settings, args.model, args.test, answers, judge_cache),
        tags={"lingualign.model": args.model, "lingualign.checkpoint": checkpoint.as_posix(), "lingualign.checkpoint_dvc_hash": dvc_hash(checkpoint)},
    )
