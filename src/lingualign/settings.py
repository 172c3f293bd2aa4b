"""Typed, validated settings: one class per stage, read from its section of params.yaml.

A stage declares the params keys it reads (``PARAMS``, the same list ``dvc.yaml`` gives DVC) and
is handed those keys alone, so a key DVC does not track cannot change its output. An unknown key
or a value of the wrong type stops the stage with a message that names the file and the key,
e.g. ``params.yaml: ingest.batch_rows: Input should be a valid integer (got 'many')``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from lingualign.errors import SettingsError


class Settings(BaseModel):
    """Base for every stage's settings: no unknown keys, no silent type coercion."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    def check_libraries(self, where: str) -> None:
        """Build the upstream libraries' configs that keys pass through to (TRL's, peft's,
        mergekit's), so ``lingualign check`` finds their errors before any stage runs; a
        settings class with such keys says how."""


S = TypeVar("S", bound=Settings)


def read_params(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SettingsError(f"{path}: file not found") from None
    try:
        params = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise SettingsError(f"{path}: not valid YAML: {exc}".replace("\n", " ")) from None
    if not isinstance(params, dict):
        raise SettingsError(f"{path}: expected a mapping of stage sections at the top level")
    return params


def select(params: dict[str, Any], keys: Sequence[str]) -> dict[str, Any]:
    """The part of ``params`` under the dotted ``keys``, nested as in the file; absent keys are left out."""
    picked: dict[str, Any] = {}
    for key in keys:
        parts, value = key.split("."), params
        for part in parts:
            if not isinstance(value, dict) or part not in value:
                break
            value = value[part]
        else:
            target = picked
            for part in parts[:-1]:
                target = target.setdefault(part, {})
            target[parts[-1]] = value
    return picked


def load_settings(cls: type[S], path: Path, keys: Sequence[str], item: str | None = None) -> S:
    """Validate the params ``keys`` (all in one section; ``{item}`` is the foreach key) as ``cls``."""
    keys = [key.format(item=item) for key in keys]
    sections = {key.split(".")[0] for key in keys}
    if len(sections) != 1:
        raise ValueError(f"params keys of one stage must share one section, got {sorted(sections)}")
    (section,) = sections
    raw = select(read_params(path), keys).get(section) or {}
    return parse_settings(cls, raw, f"{path}: {section}")


def parse_settings(cls: type[S], raw: Any, where: str) -> S:
    try:
        return cls.model_validate(raw)
    except ValidationError as exc:
        raise SettingsError(describe(exc.errors(), where)) from None


def describe(errors: Sequence[Any], where: str) -> str:
    """One line: every problem as ``where.key: message``, nested plug-in keys included."""
    problems = []
    for error in errors:
        loc = tuple(error["loc"])
        nested = (error.get("ctx") or {}).get("nested")
        if nested:
            problems.extend(describe([e | {"loc": loc + tuple(e["loc"])} for e in nested], where).split("; "))
            continue
        key = ".".join(str(part) for part in loc)
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown key"
        elif error.get("input") is not None and not isinstance(error["input"], dict):
            message += f" (got {error['input']!r:.80})"
        problems.append(f"{where}.{key}: {message}" if key else f"{where}: {message}")
    return "; ".join(problems)
