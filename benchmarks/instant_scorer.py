"""``instant``: a scorer that answers at once, so a benchmark times the score and pairs stages, not a model.

Each response's score is drawn from a hash of its text (0 to 10 in steps of 0.01): the same text
scores the same on every run. Registered through the scorers' registry by whoever imports this file
(``benchmarks/scale_bench.py``).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from lingualign.registry import PluginSettings
from lingualign.scorers import SCORERS, Scorer


@SCORERS.register("instant", PluginSettings)
class InstantScorer(Scorer):
    def __init__(self, settings: PluginSettings):
        super().__init__(settings)
        self.identity = "instant"
        self.run = {"cache_hits": 0, "scored": 0}

    def score(self, columns: dict[str, list[Any]], text: str, cache_dir: Path) -> list[float | None]:
        responses = columns["response_de" if text == "translated" else "response"]
        self.run["scored"] += len(responses)
        return [
            int.from_bytes(hashlib.blake2b(response.encode(), digest_size=4).digest(), "little") % 1001 / 100
            for response in responses
        ]
