"""Typed, validated settings: one class per stage, read from its section of params.yaml.

An unknown key or a value of the wrong type stops the stage with a message that names the key,
e.g. ``params.yaml: ingest.row_group_size: Input should be a valid integer (got 'many')``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, TypeVar

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError

from lingualign.errors import SettingsError

DEFAULT_PARAMS = Path("params.yaml")


class Settings(BaseModel):
    """Base for every stage's settings: no unknown keys, no silent type coercion."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


S = TypeVar("S", bound=Settings)


def registry_name(registry: Mapping[str, object], kind: str) -> Any:
    """A ``str`` field that must name an entry of ``registry`` (backends, scorers, schemas...)."""

    def check(value: str) -> str:
        if value not in registry:
            raise ValueError(f"unknown {kind} '{value}' (known: {', '.join(registry)})")
        return value

    return Annotated[str, AfterValidator(check)]


def read_params(path: Path = DEFAULT_PARAMS) -> dict[str, Any]:
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


def load_settings(cls: type[S], section: str, path: Path = DEFAULT_PARAMS) -> S:
    """Validate ``section`` of the params file as ``cls``; a missing section means all defaults."""
    raw = read_params(path).get(section) or {}
    return parse_settings(cls, raw, f"{path}: {section}")


def parse_settings(cls: type[S], raw: Any, where: str) -> S:
    try:
        return cls.model_validate(raw)
    except ValidationError as exc:
        raise SettingsError(_describe(exc, where)) from None


def _describe(exc: ValidationError, where: str) -> str:
    problems = []
    for error in exc.errors():
        key = ".".join(str(part) for part in error["loc"])
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = "unknown key"
        elif "input" in error and not isinstance(error["input"], dict):
            message += f" (got {error['input']!r})"
        problems.append(f"{where}.{key}: {message}" if key else f"{where}: {message}")
    return "; ".join(problems)
