"""A numbered list ("1. ...", "2) ..."), numbered from 1 without gaps, with so many items."""

from __future__ import annotations

import re

from pydantic import Field

from lingualign.checks import CHECKS, Case, Check
from lingualign.registry import PluginSettings

ITEM = re.compile(r"^\s*(\d+)[.)]\s+\S", re.MULTILINE)


class NumberedListSettings(PluginSettings):
    min_items: int = Field(default=2, ge=1)
    max_items: int | None = Field(default=None, ge=1)


@CHECKS.register("numbered_list", NumberedListSettings)
class NumberedList(Check):
    def passes(self, reply: str, case: Case) -> bool:
        numbers = [int(number) for number in ITEM.findall(reply)]
        if numbers != list(range(1, len(numbers) + 1)):
            return False
        return len(numbers) >= self.settings.min_items and (
            self.settings.max_items is None or len(numbers) <= self.settings.max_items
        )
