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
from collections import Counter
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
    batch_rows: int = Field(
        default=2_000, ge=1, description="Rows scored together and written as one row group: bounds memory"
    )


def score_table(
    table: pa.Table, settings: ScoreSettings, scorer: Scorer, cache_dir: Path
) -> tuple[pa.Table, list[float | None]]:
    """One batch of rows with their scores appended, and the scores."""
    scores = scorer.score(table.to_pydict(), settings.text, cache_dir)
    result = table.append_column("score", pa.array(scores, pa.float64())).append_column(
        "scorer", pa.array(scorer.identities(table.num_rows), pa.string())
    )
    return result, scores


class ScoreCounts:
    """Per-dataset counts and score sums over the batches, added in row order: the same mean as one pass."""

    def __init__(self) -> None:
        self.responses: Counter[str] = Counter()
        self.scored: Counter[str] = Counter()
        self.sums: dict[str, float] = {}

    def add(self, datasets: list[str], scores: list[float | None]) -> None:
        self.responses.update(datasets)
        for dataset, score in zip(datasets, scores, strict=True):
            if score is not None:
                self.scored[dataset] += 1
                self.sums[dataset] = self.sums.get(dataset, 0) + score

    def metrics(self) -> dict[str, dict[str, Any]]:
        return {
            dataset: {
                "responses": self.responses[dataset],
                "unscored": self.responses[dataset] - self.scored[dataset],
                "mean_score": round(self.sums[dataset] / self.scored[dataset], 6) if self.scored[dataset] else None,
            }
            for dataset in sorted(self.responses)
        }


def score_stage(settings: ScoreSettings, sources: list[Path], out: Path, cache_dir: Path) -> dict[str, Any]:
    """Score the rows of every table in ``sources`` (translated rows, generated samples) together, as one
    stream of ``batch_rows`` rows: memory follows the batch, not the data."""
    from lingualign.io import parquet_sink, read_parquet_batches, rebatched, release_memory

    started = time.perf_counter()
    cache_dir.mkdir(parents=True, exist_ok=True)  # a DVC output even when the scorer caches nothing
    scorer = SCORERS.build(settings.scorer)
    tables = (
        table
        for source in sources
        for table in read_parquet_batches(source, TRANSLATED, "translated data", settings.batch_rows)
    )
    counts, rows = ScoreCounts(), 0
    with parquet_sink(out, SCORED) as sink:
        for batch in rebatched(tables, settings.batch_rows):
            result, scores = score_table(batch, settings, scorer, cache_dir)
            counts.add(batch.column("dataset").to_pylist(), scores)
            sink.add(result, settings.batch_rows)
            rows += batch.num_rows
            del batch, result, scores
            release_memory()
        sink.add(SCORED.empty_table(), settings.batch_rows)  # an output without rows keeps its schema
    metrics = {"scorer": scorer.identity, "text": settings.text, "responses": rows, "datasets": counts.metrics()}
    metrics |= {"report": scorer.report()} if scorer.report() else {}
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
