"""Formal address: "Sie", never "du". German support addresses customers with Sie/Ihnen/Ihr;
a du-form anywhere (du, dich, dir, dein..., euch, euer..., or a verb in the du-form such as "hast",
"kannst") fails, and so does a reply with no formal form at all, unless the case allows that
(``require_formal: false``). What the reply quotes ("Sie schrieben: „Kannst du ...“") is the
customer's own text and is not read."""

from __future__ import annotations

import re

from lingualign.checks import CHECKS, Case, Check
from lingualign.checks.text import unquoted
from lingualign.registry import PluginSettings

INFORMAL = re.compile(
    r"\b(du|dich|dir|dein|deine[mnrs]?|euch|euer|eure[mnrs]?"
    # du-form verbs that are no other word; a du-reply often drops the pronoun ("Hast schon ...").
    r"|hast|bist|kannst|musst|willst|möchtest|solltest|könntest|wirst|darfst|brauchst|bekommst|erhältst"
    r"|findest|siehst|gibst|schickst|klickst|prüfst|erreichst|gehst"
    r"|schreib|schau|probier|guck|logg)\b",
    re.IGNORECASE,
)
# Capitalised forms only: lower-case "sie"/"ihr" are "she/they"/"her".
FORMAL = re.compile(r"\b(Sie|Ihnen|Ihr|Ihre[mnrs]?)\b")


class FormalAddressSettings(PluginSettings):
    require_formal: bool = True


@CHECKS.register("formal_address", FormalAddressSettings)
class FormalAddress(Check):
    def passes(self, reply: str, case: Case) -> bool:
        own = unquoted(reply)
        if INFORMAL.search(own):
            return False
        return bool(FORMAL.search(own)) or not self.settings.require_formal
