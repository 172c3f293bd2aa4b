"""Facts present and absent, compared as values and whole words (a stated deadline, an amount,
the order number asked for; a wrong deadline the policy does not give): "30 Tage" is found in
"dreißig Tagen", "14 Uhr" in "14:00 Uhr", "24 Monate" in "zwei Jahre"; "5 Werktage" is not found
in "15 Werktagen", nor "4,95" in "14,95 €" (``checks.text``)."""

from __future__ import annotations

from pydantic import Field, model_validator

from lingualign.checks import CHECKS, Case, Check
from lingualign.checks.text import mentions, tokens
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
    def passes(self, reply: str, case: Case) -> bool:
        text = tokens(reply)
        has = [mentions(text, tokens(phrase)) for phrase in self.settings.any]
        return (
            all(mentions(text, tokens(phrase)) for phrase in self.settings.all)
            and (any(has) or not self.settings.any)
            and not any(mentions(text, tokens(phrase)) for phrase in self.settings.none)
        )
