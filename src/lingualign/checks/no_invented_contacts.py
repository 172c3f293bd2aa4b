"""No invented phone numbers, e-mail addresses or URLs: each one the reply gives must appear in
the case's policy text (or in ``allowed``). A reply with none passes."""

from __future__ import annotations

import re

from pydantic import Field

from lingualign.checks import CHECKS, Check
from lingualign.registry import PluginSettings

URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"')]+", re.IGNORECASE)
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
PHONE = re.compile(r"(?<![\w/])\+?\d[\d ()/-]{5,}\d")


def contacts(text: str) -> set[str]:
    """Every URL, e-mail address and phone number in ``text``, normalised (phone: digits only)."""
    found = {match.rstrip(".,;:").lower() for match in URL.findall(text)}
    found |= {match.lower() for match in EMAIL.findall(text)}
    without = URL.sub(" ", EMAIL.sub(" ", text))
    found |= {re.sub(r"\D", "", match) for match in PHONE.findall(without)}
    return found


class NoInventedContactsSettings(PluginSettings):
    allowed: list[str] = Field(default_factory=list, description="Contacts the reply may give beyond the policy's")


@CHECKS.register("no_invented_contacts", NoInventedContactsSettings)
class NoInventedContacts(Check):
    def passes(self, reply: str, context: str) -> bool:
        known = contacts(context) | contacts(" ".join(self.settings.allowed))
        return contacts(reply) <= known
