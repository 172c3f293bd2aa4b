"""``fallback``: several scorers in turn, each scoring the rows the ones before it left unscored.

The CPU default keeps the datasets' own ratings and has the judge rate what carries none (the
generated samples): ``{name: fallback, scorers: [{name: ratings}, {name: judge, ...}]}``. Each
row's ``scorer`` column names the scorer that scored it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field

from lingualign.registry import PluginSettings
from lingualign.scorers import SCORERS, Scorer, ScorerField


class FallbackSettings(PluginSettings):
    scorers: list[ScorerField] = Field(min_length=1, description="Scorers, first to last")  # type: ignore[valid-type]


@SCORERS.register("fallback", FallbackSettings)
class FallbackScorer(Scorer):
    def __init__(self, settings: FallbackSettings):
        super().__init__(settings)
        self.scorers = [SCORERS.build(inner) for inner in settings.scorers]
        self.identity = "fallback(" + ",".join(scorer.identity for scorer in self.scorers) + ")"
        self._identities: list[str] = []

    @property
    def run(self) -> dict[str, Any]:  # type: ignore[override]
        return {scorer.identity: scorer.run for scorer in self.scorers}

    def score(self, columns: dict[str, list[Any]], text: str, cache_dir: Path) -> list[float | None]:
        count = len(next(iter(columns.values())))
        scores: list[float | None] = [None] * count
        self._identities = [self.identity] * count
        for scorer in self.scorers:
            todo = [i for i, score in enumerate(scores) if score is None]
            if not todo:
                break
            subset = {name: [values[i] for i in todo] for name, values in columns.items()}
            for index, score in zip(todo, scorer.score(subset, text, cache_dir), strict=True):
                scores[index] = score
                if score is not None:
                    self._identities[index] = scorer.identity
        return scores

    def identities(self, count: int) -> list[str]:
        return self._identities

    def report(self) -> dict[str, Any]:
        return {scorer.identity: scorer.report() for scorer in self.scorers if scorer.report()}
