"""German customer-support cases with deterministic checks: exact, reproducible on CPU, free.

A case file is JSON Lines, one case per line (docs/evaluation.md):
``{"id": "...", "category": "...", "prompt": "<the customer's message>", "context": "<policy
text, optional>", "system": "<optional>", "checks": [{"name": "language", "language": "de"}, ...]}``.
Every ``*.jsonl`` in the cases folder is read, in name order, so a team's private cases are a
second file there (``dvc add`` it, outside git). Each check names a plug-in of
``lingualign.checks``; a case passes when every one of its checks does. Replies are greedy, so
the score of a checkpoint is the same on every run.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pyarrow as pa
from pydantic import Field, ValidationError, model_validator

from lingualign.checks import CHECKS, CheckField
from lingualign.checks import build as build_check
from lingualign.engines import Engine, Request, run
from lingualign.errors import InputError
from lingualign.settings import Settings, describe

DEFAULT_SYSTEM = (
    "Sie sind der Kundenservice eines Online-Shops. Antworten Sie auf Deutsch, höflich und in der "
    "Sie-Form, und halten Sie sich an die Richtlinie, wenn eine gegeben ist."
)


# What evaluate writes beside the metrics: every reply, the checks it failed and those it ran, to read why
# and to test two models case by case (report.py).
REPLIES = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("category", pa.string(), nullable=False),
        pa.field("reply", pa.string(), nullable=False),
        pa.field("failed", pa.list_(pa.string()), nullable=False),
        pa.field("checked", pa.list_(pa.string()), nullable=False),  # every check the case runs
    ]
)


class SupportSettings(Settings):
    cases: str = Field(default="data/eval/support", description="Folder of case files (*.jsonl)")
    system_prompt: str = Field(default=DEFAULT_SYSTEM, description="For cases without a system prompt of their own")
    max_new_tokens: int = Field(default=96, ge=1)


class SupportCase(Settings):
    id: str = Field(min_length=1)
    category: str = Field(min_length=1)
    prompt: str = Field(min_length=1)
    context: str = ""
    system: str | None = None
    checks: list[CheckField] = Field(min_length=1)  # type: ignore[valid-type]
    formal_address: bool = Field(description="No du anywhere in the reply (a listed formal_address check says more)")
    no_invented_contacts: bool = Field(description="Every contact the reply gives is in the policy or the prompt")

    @model_validator(mode="after")
    def _flags_agree(self) -> SupportCase:
        for flag in ("formal_address", "no_invented_contacts"):
            if not getattr(self, flag) and any(check.name == flag for check in self.checks):
                raise ValueError(f"{flag} is false but a {flag} check is listed")
        return self

    def all_checks(self) -> list[Any]:
        """The listed checks and those the case's flags add (no du; no invented contacts)."""
        listed = {check.name for check in self.checks}
        implied = {"formal_address": {"require_formal": False}, "no_invented_contacts": {}}
        added = [CHECKS.validate({"name": name, **keys}) for name, keys in implied.items() if getattr(self, name)]
        return [*self.checks, *(check for check in added if check.name not in listed)]


def read_cases(folder: Path) -> list[SupportCase]:
    """Every case of every ``*.jsonl`` in ``folder``; a bad line is an error naming file, line and case."""
    files = sorted(folder.glob("*.jsonl")) if folder.is_dir() else []
    if not files:
        raise InputError(folder, None, None, "no support case files (*.jsonl) here", "missing_file")
    cases: list[SupportCase] = []
    seen: dict[str, str] = {}
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(path, number, None, f"not valid JSON: {exc.msg}", "malformed_json") from None
            name = raw.get("id") if isinstance(raw, dict) else None
            try:
                case = SupportCase.model_validate(raw)
            except ValidationError as exc:
                raise InputError(path, number, None, describe(exc.errors(), f"case '{name}'"), "bad_case") from None
            if case.id in seen:
                raise InputError(path, number, "id", f"case '{case.id}' is also in {seen[case.id]}", "duplicate_case")
            seen[case.id] = f"{path.name}:{number}"
            cases.append(case)
    return cases


def conversation(case: SupportCase, settings: SupportSettings) -> tuple[dict[str, str], ...]:
    system = case.system or settings.system_prompt
    if case.context:
        system += f"\n\nRichtlinie:\n{case.context}"
    return ({"role": "system", "content": system}, {"role": "user", "content": case.prompt})


def grade(case: SupportCase, reply: str) -> list[str]:
    """The names of the checks ``reply`` fails (empty: the case passes)."""
    return [check.name for check in case.all_checks() if not build_check(check).passes(reply, case)]


def run_support(engine: Engine, cases: list[SupportCase], settings: SupportSettings) -> tuple[dict, list[dict]]:
    """(metrics, one row per case) for the model behind ``engine``."""
    requests = [Request(settings.max_new_tokens, messages=conversation(case, settings)) for case in cases]
    replies = [generation.text.strip() for generation in run(engine, requests, desc="support cases")]
    rows = []
    for case, reply in zip(cases, replies, strict=True):
        failed = grade(case, reply)
        checked = [check.name for check in case.all_checks()]
        rows.append({"id": case.id, "category": case.category, "reply": reply, "failed": failed, "checked": checked})
    return summarize(cases, rows), rows


def write_replies(path: Path, rows: list[dict[str, Any]]) -> None:
    from lingualign.io import write_parquet

    write_parquet(path, pa.Table.from_pylist(rows, schema=REPLIES), REPLIES)


def summarize(cases: list[SupportCase], rows: list[dict[str, Any]]) -> dict[str, Any]:
    by_category: dict[str, list[bool]] = defaultdict(list)
    by_check: dict[str, list[bool]] = defaultdict(list)
    for case, row in zip(cases, rows, strict=True):
        by_category[case.category].append(not row["failed"])
        for check in case.all_checks():
            by_check[check.name].append(check.name not in row["failed"])
    passed = sum(not row["failed"] for row in rows)
    return {
        "cases": len(rows),
        "passed": passed,
        "score": round(passed / len(rows), 4),
        "categories": {name: round(sum(ok) / len(ok), 4) for name, ok in sorted(by_category.items())},
        "checks": {name: round(sum(ok) / len(ok), 4) for name, ok in sorted(by_check.items())},
    }
