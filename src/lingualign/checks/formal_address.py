"""Formal address: "Sie", never "du". German support addresses customers with Sie/Ihnen/Ihr;
a du-form anywhere (du, dich, dir, dein..., euch, euer...) fails, and so does a reply with no
formal form at all, unless the case allows that (``require_formal: false``)."""

from __future__ import annotations

import re

from lingualign.checks import CHECKS, Check
from lingualign.registry import PluginSettings

INFORMAL = re.compile(r"\b(du|dich|dir|dein|deine[mnrs]?|euch|euer|eure[mnrs]?)\b", re.IGNORECASE)
# Capitalised forms only: lower-case "sie"/"ihr" are "she/they"/"her".
FORMAL = re.compile(r"\b(Sie|Ihnen|Ihr|Ihre[mnrs]?)\b")


class FormalAddressSettings(PluginSettings):
    require_formal: bool = True


@CHECKS.register("formal_address", FormalAddressSettings)
class FormalAddress(Check):
    def passes(self, reply: str, context: str) -> bool:
        if INFORMAL.search(reply):
            return False
        return bool(FORMAL.search(reply)) or not self.settings.require_formal
