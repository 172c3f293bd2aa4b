"""Checks of a support reply: deterministic, exact and free; adding one is one file here.

A check is a class registered with the settings it owns; a case in the support case file names
its checks (``{"name": "regex", "pattern": "..."}``), and the settings class validates them when
the file is read, so a bad regex or schema is an error that names the case before any model
loads. ``passes(reply, case)`` is the whole contract: True when the reply does what the case asks.
How a check reads a reply (values, sentences, quotes) is ``checks.text``.
"""

from __future__ import annotations

from typing import Protocol

from lingualign.registry import Plugin, PluginSettings, Registry


class Case(Protocol):
    prompt: str  # the customer's message: what the reply may quote and repeat
    context: str  # the policy text: what the reply may cite


class Check(Plugin):
    def passes(self, reply: str, case: Case) -> bool:
        """Whether ``reply`` to ``case`` passes."""
        raise NotImplementedError


CHECKS: Registry[type[Check]] = Registry("check", __name__, PluginSettings)
CheckField = CHECKS.field()


def build(settings: PluginSettings) -> Check:
    return CHECKS.build(settings)
