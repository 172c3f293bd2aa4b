"""evaluate: one model of the run, the same three ways every time (DVC runs it once per model).

- German MT-Bench (``judging``): two-turn answers in the chat template, judged by an LLM through
  the engine layer, reported in the seed's shape (``first_turn``, ``second_turn``,
  ``categories``, ``average``) with the judge's parse rate; answers and judgements kept as
  Parquet. Judgements are cached (``cache/judge/<model>``), so an interrupted or repeated run does
  not pay the judge twice.
- lm-evaluation-harness (``harness``): German multiple choice.
- German support cases (``support``): replies to customer messages, each graded by deterministic
  checks (language, Sie-form, exact answers, JSON values, list and length limits, refusals,
  policy facts as values, no invented contacts); the share passed per category and overall.
- Held-out preference (``preference``): the share of test pairs whose chosen answer has the
  higher mean per-token log-likelihood, and the mean gap. This is the one place it is measured,
  for every model alike.

Every evaluation keeps its per-case results and gives each headline figure a bootstrap interval
(``cases``). ``params.yaml: evaluate.models`` names every model of the run; the ``report`` stage
puts their metrics side by side. The MLflow run of each evaluation carries the checkpoint's DVC hash.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from pydantic import Field, model_validator

from lingualign.engines import ENGINES, EngineForEachModelField, EngineSettings, for_model
from lingualign.evaluate.harness import HarnessSettings
from lingualign.evaluate.judging import MTBenchSettings
from lingualign.evaluate.support import SupportSettings
from lingualign.settings import Settings

# The one model this run evaluates ({item}), and what every evaluation shares.
PARAMS = (
    "evaluate.models.{item}",
    "evaluate.engine",
    "evaluate.mtbench",
    "evaluate.support",
    "evaluate.harness",
)


class EvaluateSettings(Settings):
    models: dict[str, str] = Field(description="Name in metrics/eval.json -> checkpoint folder")
    baseline: str | None = Field(
        default=None, description="The model (of `models`) the report tests every other one against, case by case"
    )
    engine: EngineForEachModelField = Field(  # type: ignore[valid-type]
        description="The engine that answers for the model under test (its settings without `model`)"
    )
    mtbench: MTBenchSettings
    support: SupportSettings = Field(default_factory=SupportSettings)
    harness: HarnessSettings = Field(default_factory=HarnessSettings)

    @model_validator(mode="after")
    def _some_models(self) -> EvaluateSettings:
        if not self.models:
            raise ValueError("models: name at least one model to evaluate")
        if self.baseline is not None and self.baseline not in self.models:
            raise ValueError(f"baseline: '{self.baseline}' is not one of models ({', '.join(self.models)})")
        return self

    def engine_for(self, name: str) -> EngineSettings:
        return for_model(self.engine, self.models[name])


def evaluate_model(
    settings: EvaluateSettings,
    name: str,
    test_pairs: Path,
    outputs: tuple[Path, Path, Path, Path],
    judge_cache: Path,
    where: str,
) -> dict[str, Any]:
    """``outputs``: the per-case results (Parquet): MT-Bench answers and judgements, support replies,
    preference pairs, harness samples (:mod:`lingualign.evaluate.cases`)."""
    from lingualign import mtbench
    from lingualign.cache import ResultCache
    from lingualign.engines import build
    from lingualign.evaluate.cases import PAIRS, SAMPLES, intervals, write_table
    from lingualign.evaluate.harness import run_harness
    from lingualign.evaluate.judging import answer_questions, judge_answers, judge_facts, write_answers
    from lingualign.evaluate.preference import heldout_preference
    from lingualign.evaluate.support import read_cases, run_support, write_replies

    # Inputs first: a bad question or case file fails before any model loads.
    cases = read_cases(Path(settings.support.cases))
    questions = mtbench.read_questions(settings.mtbench.questions, settings.mtbench.hub, settings.mtbench.revision)
    prompts = mtbench.read_judge_prompts(settings.mtbench.judge.prompts)
    answers_out, replies_out, pairs_out, samples_out = outputs
    engine = build(settings.engine_for(name), "evaluate.engine")
    answers = answer_questions(engine, questions, settings.mtbench)
    support, replies = run_support(engine, cases, settings.support)
    write_replies(replies_out, replies)
    identity = engine.identity()
    loaded = logits_model(engine)
    del engine  # a vLLM engine's memory is free before the judge loads
    judge = build(settings.mtbench.judge.engine, "evaluate.mtbench.judge.engine")
    with ResultCache(judge_cache, judge.identity()) as cache:
        rows = judge_answers(judge, prompts, questions, answers, settings.mtbench, cache)
    del judge  # a local judge's weights are not needed for the rest
    write_answers(answers_out, rows)
    # An engine that only generates: the checkpoint loaded by transformers (device and dtype auto).
    loaded = loaded or logits_model(build(ENGINES.validate({"name": "transformers", "model": settings.models[name]})))
    harness, samples = run_harness(*loaded, settings.harness, f"{where}.harness")
    preference, pairs = heldout_preference(*loaded, test_pairs)
    write_table(pairs_out, pairs, PAIRS)
    write_table(samples_out, samples, SAMPLES)
    return {
        "engine": settings.engine.name,
        "dtype": identity.get("dtype"),
        "mt_bench": mtbench.aggregate(rows) | {"judge": judge_facts(settings.mtbench.judge.engine)},
        "support": support,
        "harness": harness,
        "preference": preference,
        "intervals": intervals(rows, replies, pairs, samples),
        "per_case": dict(zip(("mt_bench", "support", "preference", "harness"), map(str, outputs), strict=True)),
    }


def logits_model(engine: Any) -> tuple[Any, Any] | None:
    """The (model, tokenizer) behind a transformers engine, for what needs the model's log-likelihoods
    (harness, held-out preference); None for an engine that only generates (vllm, openai)."""
    from lingualign.engines.transformers import TransformersSettings

    if not isinstance(engine.settings, TransformersSettings):
        return None
    inner = engine.engine
    return inner.model, inner.tokenizer


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", required=True, help="A name from params.yaml: evaluate.models")
    parser.add_argument("--test", type=Path, required=True, help="Held-out preference pairs")
    parser.add_argument("--answers", type=Path, required=True, help="MT-Bench answers and judgements (Parquet)")
    parser.add_argument("--replies", type=Path, required=True, help="Support replies and the checks they failed")
    parser.add_argument("--pairs", type=Path, required=True, help="Held-out preference pairs, one row each (Parquet)")
    parser.add_argument("--samples", type=Path, required=True, help="Harness documents and metrics (Parquet)")
    parser.add_argument("--metrics", type=Path, required=True)
    parser.add_argument("--cache", type=Path, required=True, help="Judgements kept across runs")


def main(args: argparse.Namespace) -> None:
    from lingualign.errors import SettingsError
    from lingualign.settings import load_settings, read_params
    from lingualign.tracking import dvc_hash, run_stage

    known = list((read_params(args.params).get("evaluate") or {}).get("models") or {})
    if args.model not in known:
        raise SettingsError(
            f"{args.params}: evaluate.models: no model named '{args.model}' (known: {', '.join(known)})"
        )
    settings = load_settings(EvaluateSettings, args.params, PARAMS, item=args.model)
    checkpoint = Path(settings.models[args.model])
    run_stage(
        f"evaluate@{args.model}",
        settings,
        args.metrics,
        lambda: evaluate_model(
            settings,
            args.model,
            args.test,
            (args.answers, args.replies, args.pairs, args.samples),
            args.cache,
            f"{args.params}: evaluate",
        ),
        tags={
            "lingualign.model": args.model,
            "lingualign.checkpoint": checkpoint.as_posix(),
            "lingualign.checkpoint_dvc_hash": dvc_hash(checkpoint),
        },
    )
