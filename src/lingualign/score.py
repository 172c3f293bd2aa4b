"""score: one reward score per response, with the scorer's identity beside it.

    lingualign score --in data/translated.parquet --out data/scored.parquet \\
        --cache cache/score --metrics metrics/score.json

Scorers plug into a registry (``@scorer("name")``) and are chosen by ``score.scorer``:

- ``reward_model``: any ``AutoModelForSequenceClassification`` reward model (ArmoRM,
  Skywork-Reward, ...). The conversation (system, user prompt, assistant response) goes
  through the model's chat template, batched with left padding; scores are cached by (model,
  revision, conversation), so a rerun after adding rows scores only the new ones.
- ``ratings``: the dataset's own judgement, no model in the loop: UltraFeedback's
  ``overall_score`` (or its fine-grained mean), the ratings argilla and the generic reader
  carry, and orca's chosen/rejected labels as ``label_scores``.

``score.text`` chooses what is scored: the German translation, or the English source
(English reward models are weaker on German; scoring the source is a sound alternative).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal, Protocol

import pyarrow as pa
from pydantic import Field

from lingualign.cache import ResultCache
from lingualign.devices import loading, resolve_device
from lingualign.errors import LingualignError
from lingualign.settings import Settings, registry_name
from lingualign.translate import SCHEMA as TRANSLATED_SCHEMA

SCHEMA = pa.schema([*TRANSLATED_SCHEMA, pa.field("score", pa.float64()), pa.field("scorer", pa.string(), nullable=False)])


class Scorer(Protocol):
    identity: str

    def score(self, columns: dict[str, list[Any]], text: str) -> list[float | None]: ...


SCORERS: dict[str, Callable[[ScoreSettings, Path], Scorer]] = {}  # filled by @scorer below


def scorer(name: str) -> Callable[[Callable[[ScoreSettings, Path], Scorer]], Callable[[ScoreSettings, Path], Scorer]]:
    def register(factory: Callable[[ScoreSettings, Path], Scorer]) -> Callable[[ScoreSettings, Path], Scorer]:
        SCORERS[name] = factory
        return factory

    return register


class RewardModelSettings(Settings):
    model: str = Field(description="Model folder (models/sources/...) or hub id")
    revision: str | None = None
    trust_remote_code: bool = False
    device: Literal["auto", "cpu", "cuda"] = "auto"
    dtype: Literal["float32", "bfloat16", "float16"] = "float32"
    batch_size: int = Field(default=8, ge=1)
    max_length: int = Field(default=2048, ge=16, description="Longer conversations are cut from the left")


class RatingsSettings(Settings):
    fine_grained: bool = Field(default=False, description="UltraFeedback: the fine-grained mean instead of overall_score")
    label_scores: dict[str, float] = Field(default_factory=lambda: {"chosen": 1.0, "rejected": 0.0}, description="Scores for rows that carry only a chosen/rejected label")


class ScoreSettings(Settings):
    scorer: registry_name(SCORERS, "scorer") = Field(default="ratings", description="A name from the scorer registry")  # type: ignore[valid-type]
    text: Literal["translated", "source"] = Field(default="translated", description="Score the German or the English text")
    reward_model: RewardModelSettings | None = None
    ratings: RatingsSettings = Field(default_factory=RatingsSettings)


def conversations(columns: dict[str, list[Any]], text: str) -> list[list[dict[str, str]]]:
    """The (system, user, assistant) turns of every row, in German or in the English source."""
    suffix = "_de" if text == "translated" else ""
    system, prompt, response = (columns[f"{name}{suffix}"] for name in ("system", "prompt", "response"))
    return [
        ([{"role": "system", "content": s}] if s else []) + [{"role": "user", "content": p}, {"role": "assistant", "content": r}]
        for s, p, r in zip(system, prompt, response, strict=True)
    ]


@scorer("ratings")
class RatingsScorer:
    def __init__(self, settings: ScoreSettings, cache_dir: Path):
        self.settings = settings.ratings
        self.identity = "ratings:fine_grained" if self.settings.fine_grained else "ratings:overall"

    def score(self, columns: dict[str, list[Any]], text: str) -> list[float | None]:
        ratings = columns["fine_grained_rating" if self.settings.fine_grained else "rating"]
        return [rating if rating is not None else self.settings.label_scores.get(label or "") for rating, label in zip(ratings, columns["label"], strict=True)]


@scorer("reward_model")
class RewardModelScorer:
    def __init__(self, settings: ScoreSettings, cache_dir: Path):
        if settings.reward_model is None:
            raise LingualignError("params.yaml: score.reward_model: required for the 'reward_model' scorer")
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        self.settings = config = settings.reward_model
        self.identity = f"reward_model:{config.model}@{config.revision or 'local'}"
        kwargs = {"revision": config.revision, "trust_remote_code": config.trust_remote_code}
        with loading(config.model):
            self.tokenizer = AutoTokenizer.from_pretrained(config.model, padding_side="left", truncation_side="left", **kwargs)
        if self.tokenizer.chat_template is None:
            raise LingualignError(f"score.reward_model.model: {config.model} has no chat template to render conversations with")
        if self.tokenizer.pad_token is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.device = resolve_device(config.device)
        with loading(config.model):
            self.model = AutoModelForSequenceClassification.from_pretrained(config.model, dtype=getattr(torch, config.dtype), use_safetensors=True, **kwargs).to(self.device).eval()
        if self.model.config.pad_token_id is None:
            self.model.config.pad_token_id = self.tokenizer.pad_token_id
        self.cache = ResultCache(cache_dir, {"scorer": self.identity, "max_length": config.max_length})
        self.run = {"cache_hits": 0, "scored": 0}

    def score(self, columns: dict[str, list[Any]], text: str) -> list[float | None]:
        from tqdm import tqdm

        rendered = [self.tokenizer.apply_chat_template(turns, tokenize=False) for turns in conversations(columns, text)]
        unique = list(dict.fromkeys(rendered))
        found = {key: value["score"] for key, value in self.cache.lookup(unique).items()}
        todo = sorted((r for r in unique if r not in found), key=len, reverse=True)
        self.run["cache_hits"] += len(unique) - len(todo)
        size = self.settings.batch_size
        try:
            with tqdm(total=len(todo), desc="score", unit="resp", file=sys.stderr, mininterval=2.0, disable=not todo) as progress:
                for start in range(0, len(todo), size):
                    batch = todo[start : start + size]
                    scores = self.score_batch(batch)
                    self.cache.store(batch, ({"score": s} for s in scores))
                    found.update(zip(batch, scores, strict=True))
                    self.run["scored"] += len(batch)
                    progress.update(len(batch))
        finally:
            self.cache.close()
        return [found[r] for r in rendered]

    def score_batch(self, rendered: Sequence[str]) -> list[float]:
        import torch

        # The template already holds the special tokens; adding them again would change scores.
        encoded = self.tokenizer(list(rendered), return_tensors="pt", padding=True, truncation=True, max_length=self.settings.max_length, add_special_tokens=False).to(self.device)
        with torch.inference_mode():
            output = self.model(**encoded)
        # ArmoRM-style models return a preference ``score``; plain classifiers one logit per row.
        values = output.score if hasattr(output, "score") and output.score is not None else output.logits[:, 0]
        return [float(v) for v in values.float().reshape(-1).cpu()]


def score_table(table: pa.Table, settings: ScoreSettings, scorer_impl: Scorer) -> tuple[pa.Table, dict[str, Any]]:
    columns = table.to_pydict()
    scores = scorer_impl.score(columns, settings.text)
    result = table.append_column("score", pa.array(scores, pa.float64())).append_column("scorer", pa.array([scorer_impl.identity] * table.num_rows, pa.string()))
    per_dataset: dict[str, dict[str, Any]] = {}
    for dataset in sorted(set(columns["dataset"])):
        values = [s for s, d in zip(scores, columns["dataset"], strict=True) if d == dataset]
        present = [s for s in values if s is not None]
        per_dataset[dataset] = {"responses": len(values), "unscored": len(values) - len(present), "mean_score": round(sum(present) / len(present), 6) if present else None}
    return result, {"scorer": scorer_impl.identity, "text": settings.text, "responses": table.num_rows, "datasets": per_dataset}


def score_stage(settings: ScoreSettings, source: Path, out: Path, cache_dir: Path) -> dict[str, Any]:
    from lingualign.io import read_parquet, write_parquet

    table = read_parquet(source, TRANSLATED_SCHEMA, "translated data")
    started = time.perf_counter()
    cache_dir.mkdir(parents=True, exist_ok=True)  # a DVC output even when the scorer caches nothing
    scorer_impl = SCORERS[settings.scorer](settings, cache_dir)
    result, metrics = score_table(table, settings, scorer_impl)
    write_parquet(out, result, SCHEMA)
    run = getattr(scorer_impl, "run", {"cache_hits": 0, "scored": 0})
    metrics["run"] = run | {"seconds": round(time.perf_counter() - started, 1)}
    return metrics


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--in", dest="source", type=Path, default=Path("data/translated.parquet"))
    parser.add_argument("--out", type=Path, default=Path("data/scored.parquet"))
    parser.add_argument("--cache", type=Path, default=Path("cache/score"))
    parser.add_argument("--metrics", type=Path, default=Path("metrics/score.json"))


def main(args: argparse.Namespace) -> None:
    from lingualign.settings import load_settings
    from lingualign.tracking import run_stage

    settings = load_settings(ScoreSettings, "score", args.params)
    run_stage("score", settings, [args.source], args.metrics, lambda: score_stage(settings, args.source, args.out, args.cache))
