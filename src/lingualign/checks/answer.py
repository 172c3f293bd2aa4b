"""Only the answer, where the prompt asks for nothing else ("Nur die Nummer", "Nur das Datum"):
the reply is one of the expected values and nothing more; values compare as in ``contains``
("14. Februar 2025" is "14.02.2025", "drei" is "3", "15 Euro" is "15,00 €"), quotes, bold and a
closing full stop are allowed, and so are a currency and the words in ``allow``."""

from __future__ import annotations

import re

from pydantic import Field

from lingualign.checks import CHECKS, Case, Check
from lingualign.checks.text import same, tokens
from lingualign.registry import PluginSettings

CURRENCY = ("w", "€")


class AnswerSettings(PluginSettings):
    expect: list[str] = Field(min_length=1, description="The right answers; the reply must be one of them")
    allow: list[str] = Field(default_factory=list, description="Words the reply may add, such as a unit")


def compact(text: str) -> str:
    """``text`` without spaces and marks: "0034 0434 1612" is the number "003404341612"."""
    return re.sub(r"\W", "", text).casefold()


@CHECKS.register("answer", AnswerSettings)
class Answer(Check):
    def passes(self, reply: str, case: Case) -> bool:
        extra = {CURRENCY} | {token for word in self.settings.allow for token in tokens(word)}
        given = [token for token in tokens(reply) if token not in extra]
        for expected in self.settings.expect:
            wanted = [token for token in tokens(expected) if token not in extra]
            if len(given) == len(wanted) and all(map(same, given, wanted)):
                return True
            if compact(reply) == compact(expected):
                return True
        return False
