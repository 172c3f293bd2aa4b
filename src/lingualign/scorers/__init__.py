"""Scorers: one reward score per response, chosen by ``score.scorer``; adding one is one file here.

A scorer is a class registered with the settings it owns, built once per run from them
(``SCORERS.build``). It scores column-wise rows of the translated table (``columns``, the
contracts' TRANSLATED fields) in German (``text: translated``) or English, and keeps what it
caches in the stage's ``cache_dir``.
Its ``identity`` names what produced a score; the stage writes it beside every score.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lingualign.registry import Plugin, PluginSettings, Registry


class Scorer(Plugin):
    identity: str
    run: dict[str, Any]  # what this run did (cache hits, scored), for the metrics' run block

    def score(self, columns: dict[str, list[Any]], text: str, cache_dir: Path) -> list[float | None]:
        raise NotImplementedError

    def identities(self, count: int) -> list[str]:
        """The ``scorer`` column of the rows just scored."""
        return [self.identity] * count

    def report(self) -> dict[str, Any]:
        """What the scores' content depends on beyond the scores (e.g. a judge's unparseable replies)."""
        return {}


SCORERS: Registry[type[Scorer]] = Registry("scorer", __name__, PluginSettings)
ScorerField = SCORERS.field()


def conversations(columns: dict[str, list[Any]], text: str) -> list[list[dict[str, str]]]:
    """The (system, user, assistant) turns of every row, in German or in the English source."""
    suffix = "_de" if text == "translated" else ""
    system, prompt, response = (columns[f"{name}{suffix}"] for name in ("system", "prompt", "response"))
    return [
        ([{"role": "system", "content": s}] if s else [])
        + [{"role": "user", "content": p}, {"role": "assistant", "content": r}]
        for s, p, r in zip(system, prompt, response, strict=True)
    ]
