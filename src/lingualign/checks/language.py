"""The reply is in the customer's language (German), also when the customer mixes in English:
the reply as a whole is German, and none of its own sentences (four words or more, quotes aside)
is in a language of ``mixed``, so "Ihr Abo ist gekündigt. Confirmation follows via email asap."
fails. Only the languages a customer mixes in are asked about: a short German sentence full of
figures can read as Latin to py3langid, never as English."""

from __future__ import annotations

from pydantic import Field

from lingualign.checks import CHECKS, Case, Check
from lingualign.registry import PluginSettings


class LanguageSettings(PluginSettings):
    language: str = Field(default="de", description="ISO 639-1 code the reply must be in")
    min_chars: int = Field(default=1, ge=1, description="Shorter replies fail: too little to be in any language")
    mixed: list[str] = Field(default_factory=lambda: ["en"], description="No sentence of the reply may be in these")


@CHECKS.register("language", LanguageSettings)
class Language(Check):
    def passes(self, reply: str, case: Case) -> bool:
        from lingualign.checks.text import sentences, unquoted
        from lingualign.language import detect_language

        text = reply.strip()
        if len(text) < self.settings.min_chars or detect_language(text) != self.settings.language:
            return False
        own = [part.strip() for part in sentences(unquoted(text)) if len(part.split()) >= 4]
        return not any(detect_language(part) in self.settings.mixed for part in own)
