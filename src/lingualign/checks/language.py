"""The reply is in the customer's language (German), also when the customer mixes in English."""

from __future__ import annotations

from pydantic import Field

from lingualign.checks import CHECKS, Case, Check
from lingualign.registry import PluginSettings


class LanguageSettings(PluginSettings):
    language: str = Field(default="de", description="ISO 639-1 code the reply must be in")
    min_chars: int = Field(default=1, ge=1, description="Shorter replies fail: too little to be in any language")


@CHECKS.register("language", LanguageSettings)
class Language(Check):
    def passes(self, reply: str, case: Case) -> bool:
        from lingualign.language import detect_language

        text = reply.strip()
        return len(text) >= self.settings.min_chars and detect_language(text) == self.settings.language
