"""score: one reward score per response, with the scorer's identity beside it.

The scorer comes from the registry in :mod:`lingualign.scorers` (``score.scorer: {name: ...}``):
``reward_model`` (a sequence-classification reward model), ``ratings`` (the dataset's own),
``judge`` (an LLM with a published grading prompt) or ``fallback`` (several, in turn). The stage
scores the translated rows and the generated samples together.
``score.text`` chooses what is scored: the German translation, or the English source (English
reward models are weaker on German; scoring the source is a sound alternative).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
from pydantic import Field

from lingualign.contracts import SCORED, TRANSLATED
from lingualign.scorers import SCORERS, Scorer, ScorerField
from lingualign.settings import Settings

PARAMS = ("score",)


class ScoreSettings(Settings):
    scorer: ScorerField = Field(
        default_factory=lambda: SCORERS.validate("ratings"),
        description="{name: ratings | reward_model, ...its settings}",
    )  # type: ignore[valid-type]
    text: Literal["translated", "source"] = Field(
        default="translated", description="Score the German or the English text"
    )


def score_table(
    table: pa.Table, settings: ScoreSettings, scorer: Scorer, cache_dir: Path
) -> tuple[pa.Table, dict[str, Any]]:
    columns = table.to_pydict()
    scores = scorer.score(columns, settings.text, cache_dir)
    result = table.append_column("score", pa.array(scores, pa.float64())).append_column(
        "scorer", pa.array(scorer.identities(table.num_rows), pa.string())
    )
    per_dataset: dict[str, dict[str, Any]] = {}
    for dataset in sorted(set(columns["dataset"])):
        values = [s for s, d in zip(scores, columns["dataset"], strict=True) if d == dataset]
        present = [s for s in values if s is not None]
        per_dataset[dataset] = {
            "responses": len(values),
            "unscored": len(values) - len(present),
            "mean_score": round(sum(present) / len(present), 6) if present else None,
        }
    metrics = {"scorer": scorer.identity, "text": settings.text, "responses": table.num_rows, "datasets": per_dataset}
    return result, metrics | ({"report": scorer.report()} if scorer.report() else {})


def score_stage(settings: ScoreSettings, sources: list[Path], out: Path, cache_dir: Path) -> dict[str, Any]:
    """Score the rows of every table in ``sources`` (translated rows, generated samples) together."""
    from lingualign.io import read_parquet, write_parquet

    table = pa.concat_tables([read_parquet(source, TRANSLATED, "translated data") for source in sources])
    started = time.perf_counter()
    cache_dir.mkdir(parents=True, exist_ok=True)  # a DVC output even when the scorer caches nothing
    scorer = SCORERS.build(settings.scorer)
    result, metrics = score_table(table, settings, scorer, cache_dir)
    write_parquet(out, result, SCORED)
    metrics["run"] = scorer.run | {"seconds": round(time.perf_counter() - started, 1)}
    return metrics


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--in", dest="sources", type=Path, nargs="+", required=True, help="Tables of translated rows")
    parser.add_argument("--out", type=Path, required=True, help="Scored rows (Parquet)")
    parser.add_argument("--cache", type=Path, required=True, help="Scores kept across runs")
    parser.add_argument("--metrics", type=Path, required=True)


def main(args: argparse.Namespace) -> None:
    from lingualign.settings import load_settings
    from lingualign.tracking import run_stage

    settings = load_settings(ScoreSettings, args.params, PARAMS)
    run_stage("score", settings, args.metrics, lambda: score_stage(settings, args.sources, args.out, args.cache))
