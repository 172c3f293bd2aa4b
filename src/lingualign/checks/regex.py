"""A regular expression that must (or must not) match somewhere in the reply."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import field_validator

from lingualign.checks import CHECKS, Check
from lingualign.registry import PluginSettings


class RegexSettings(PluginSettings):
    pattern: str
    expect: Literal["match", "no_match"] = "match"
    ignore_case: bool = True

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, pattern: str) -> str:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from None
        return pattern


@CHECKS.register("regex", RegexSettings)
class Regex(Check):
    def passes(self, reply: str, context: str) -> bool:
        found = re.search(self.settings.pattern, reply, re.IGNORECASE if self.settings.ignore_case else 0)
        return (found is not None) == (self.settings.expect == "match")
