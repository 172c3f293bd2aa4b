"""At most (or at least) so many sentences or words: "in höchstens zwei Sätzen"."""

from __future__ import annotations

import re

from pydantic import Field, model_validator

from lingualign.checks import CHECKS, Check
from lingualign.registry import PluginSettings

# A sentence ends at . ! ? (runs of them) before white space or the end; "z. B." and "Nr. 5"
# would split early, so the cases ask for limits a correct reply stays well inside.
SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)")


class LengthSettings(PluginSettings):
    max_sentences: int | None = Field(default=None, ge=1)
    max_words: int | None = Field(default=None, ge=1)
    min_words: int = Field(default=1, ge=0)

    @model_validator(mode="after")
    def _a_limit(self) -> LengthSettings:
        if self.max_sentences is None and self.max_words is None:
            raise ValueError("give max_sentences or max_words")
        return self


def sentences(text: str) -> int:
    parts = [part for part in SENTENCE_END.split(text.strip()) if part.strip()]
    return len(parts)


@CHECKS.register("length", LengthSettings)
class Length(Check):
    def passes(self, reply: str, context: str) -> bool:
        words = len(reply.split())
        return (
            words >= self.settings.min_words
            and (self.settings.max_words is None or words <= self.settings.max_words)
            and (self.settings.max_sentences is None or sentences(reply) <= self.settings.max_sentences)
        )
