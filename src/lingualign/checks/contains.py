"""Facts present and absent: plain substrings, case-insensitive (a stated deadline, an amount,
the order number asked for; a wrong deadline the policy does not give)."""

from __future__ import annotations

from pydantic import Field, model_validator

from lingualign.checks import CHECKS, Check
from lingualign.registry import PluginSettings


class ContainsSettings(PluginSettings):
    all: list[str] = Field(default_factory=list, description="Every one of these must appear")
    any: list[str] = Field(default_factory=list, description="At least one of these must appear")
    none: list[str] = Field(default_factory=list, description="None of these may appear")

    @model_validator(mode="after")
    def _something(self) -> ContainsSettings:
        if not (self.all or self.any or self.none):
            raise ValueError("give at least one of all, any, none")
        return self


@CHECKS.register("contains", ContainsSettings)
class Contains(Check):
    def passes(self, reply: str, context: str) -> bool:
        text = reply.casefold()
        has = [phrase.casefold() in text for phrase in self.settings.any]
        return (
            all(phrase.casefold() in text for phrase in self.settings.all)
            and (any(has) or not self.settings.any)
            and not any(phrase.casefold() in text for phrase in self.settings.none)
        )
