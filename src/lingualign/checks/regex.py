"""A regular expression that must (or must not) match somewhere in the reply."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import field_validator

from lingualign.checks import CHECKS, Case, Check
from lingualign.registry import PluginSettings


def compiles(pattern: str) -> str:
    """``pattern``, or a ValueError that says why it is not a regular expression."""
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"not a regular expression: {exc}") from None
    return pattern


class RegexSettings(PluginSettings):
    pattern: str
    expect: Literal["match", "no_match"] = "match"
    ignore_case: bool = True

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, pattern: str) -> str:
        return compiles(pattern)


@CHECKS.register("regex", RegexSettings)
class Regex(Check):
    def passes(self, reply: str, case: Case) -> bool:
        found = re.search(self.settings.pattern, reply, re.IGNORECASE if self.settings.ignore_case else 0)
        return (found is not None) == (self.settings.expect == "match")
