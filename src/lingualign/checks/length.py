"""At most (or at least) so many sentences or words: "in höchstens zwei Sätzen". Sentences are
counted as a reader counts them: "bzw.", "z. B." or "3. März" end none, a sign-off is none."""

from __future__ import annotations

from pydantic import Field, model_validator

from lingualign.checks import CHECKS, Case, Check
from lingualign.checks.text import sentences
from lingualign.registry import PluginSettings


class LengthSettings(PluginSettings):
    max_sentences: int | None = Field(default=None, ge=1)
    max_words: int | None = Field(default=None, ge=1)
    min_words: int = Field(default=1, ge=0)

    @model_validator(mode="after")
    def _a_limit(self) -> LengthSettings:
        if self.max_sentences is None and self.max_words is None:
            raise ValueError("give max_sentences or max_words")
        return self


@CHECKS.register("length", LengthSettings)
class Length(Check):
    def passes(self, reply: str, case: Case) -> bool:
        words = len(reply.split())
        return (
            words >= self.settings.min_words
            and (self.settings.max_words is None or words <= self.settings.max_words)
            and (self.settings.max_sentences is None or len(sentences(reply)) <= self.settings.max_sentences)
        )
