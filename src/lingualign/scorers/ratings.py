"""``ratings``: the dataset's own judgement, no model in the loop.

UltraFeedback's ``overall_score`` (or its fine-grained mean), the ratings argilla and the generic
reader carry, and for rows that carry only a chosen/rejected label (orca) ``label_scores``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field

from lingualign.registry import PluginSettings
from lingualign.scorers import SCORERS, Scorer


class RatingsSettings(PluginSettings):
    fine_grained: bool = Field(
        default=False, description="UltraFeedback: the fine-grained mean instead of overall_score"
    )
    label_scores: dict[str, float] = Field(
        default_factory=lambda: {"chosen": 1.0, "rejected": 0.0},
        description="Scores for rows that carry only a chosen/rejected label",
    )


@SCORERS.register("ratings", RatingsSettings)
class RatingsScorer(Scorer):
    def __init__(self, settings: RatingsSettings):
        super().__init__(settings)
        self.identity = "ratings:fine_grained" if settings.fine_grained else "ratings:overall"
        self.run = {"cache_hits": 0, "scored": 0}

    def score(self, columns: dict[str, list[Any]], text: str, cache_dir: Path) -> list[float | None]:
        ratings = columns["fine_grained_rating" if self.settings.fine_grained else "rating"]
        scores = [
            rating if rating is not None else self.settings.label_scores.get(label or "")
            for rating, label in zip(ratings, columns["label"], strict=True)
        ]
        self.run["scored"] += len(scores)
        return scores
