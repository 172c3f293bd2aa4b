"""One registry for every plug-in point: engines, scorers, support checks, ingest schemas.

A plug-in registers under a name together with the settings class it owns, and is built from
those settings alone: a class (engine, scorer, check) as ``Class(settings)``, through
:meth:`Registry.build`; a function (an ingest schema) is called with its settings beside each
record. What a stage hands a plug-in at run time (requests, rows, a reply, a cache folder) comes
with the call that does the work, never through the constructor. A params value names
it either as a string (``engine: transformers``) or as a mapping whose ``name`` picks the plug-in
and whose other keys the plug-in's settings class validates (``{name: transformers, batch_size:
32}``); an unknown name is an error that lists the known ones. Adding a plug-in is one file in
the registry's package: every module there is imported the first time the registry is asked.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BeforeValidator, SerializeAsAny, ValidationError
from pydantic_core import PydanticCustomError

from lingualign.settings import Settings

T = TypeVar("T")


class PluginSettings(Settings):
    """Base of every plug-in's settings: ``name`` is the registry key that chose it."""

    name: str


class Plugin:
    """Base of every plug-in class: its settings, and nothing else, make it."""

    def __init__(self, settings: PluginSettings):
        self.settings = settings


@dataclass(frozen=True)
class Entry(Generic[T]):
    name: str
    plugin: T
    settings: type[PluginSettings]


def nested_error(errors: list[Any]) -> PydanticCustomError:
    """A plug-in's own validation errors, carried through the field that chose the plug-in so the
    message still names each nested key (``translate.engine.batch_size``)."""
    nested = [{"loc": tuple(e["loc"]), "msg": e["msg"], "type": e["type"], "input": e.get("input")} for e in errors]
    return PydanticCustomError(
        "plugin", "{summary}", {"summary": "; ".join(e["msg"] for e in nested), "nested": nested}
    )


class Registry(Generic[T]):
    def __init__(self, kind: str, package: str | None = None, base: type[PluginSettings] = PluginSettings):
        self.kind, self.package, self.base = kind, package, base
        self._entries: dict[str, Entry[T]] = {}
        self._loaded = package is None

    def register(self, name: str, settings: type[PluginSettings] | None = None) -> Callable[[T], T]:
        """Register a plug-in under ``name`` with the settings class it owns; a taken name is an error."""
        settings = settings or self.base
        if not issubclass(settings, self.base):
            raise TypeError(f"{self.kind} '{name}': its settings must subclass {self.base.__name__}")

        def add(plugin: T) -> T:
            if name in self._entries and self._entries[name].plugin is not plugin:
                taken = self._entries[name].plugin
                raise ValueError(
                    f"{self.kind} '{name}' is taken by {getattr(taken, '__module__', '?')}."
                    f"{getattr(taken, '__qualname__', taken)}: register {getattr(plugin, '__qualname__', plugin)} "
                    "under another name"
                )
            self._entries[name] = Entry(name, plugin, settings)
            return plugin

        return add

    def names(self) -> list[str]:
        self._load()
        return sorted(self._entries)

    def entry(self, name: str) -> Entry[T]:
        self._load()
        if name not in self._entries:
            raise KeyError(f"unknown {self.kind} '{name}' (known: {', '.join(self.names())})")
        return self._entries[name]

    def get(self, name: str) -> T:
        return self.entry(name).plugin

    def build(self, settings: PluginSettings) -> Any:
        """The plug-in class ``settings`` name, built from them."""
        return self.get(settings.name)(settings)  # type: ignore[operator]

    def validate(self, raw: Any) -> PluginSettings:
        """A params value (a name, or a mapping with ``name``) as the chosen plug-in's settings."""
        if isinstance(raw, self.base):
            return raw
        if isinstance(raw, str):
            raw = {"name": raw}
        if not isinstance(raw, Mapping) or not isinstance(raw.get("name"), str):
            raise PydanticCustomError(
                "plugin",
                "expected the name of a {kind} or a mapping with 'name' (known: {known})",
                {"kind": self.kind, "known": ", ".join(self.names())},
            )
        try:
            entry = self.entry(raw["name"])
        except KeyError as exc:
            raise nested_error([{"loc": ("name",), "msg": exc.args[0], "type": "value_error"}]) from None
        try:
            return entry.settings.model_validate(dict(raw))
        except ValidationError as exc:
            raise nested_error(exc.errors()) from None

    def field(self) -> Any:
        """The annotation for a settings field that names one of this registry's plug-ins."""
        return Annotated[SerializeAsAny[self.base], BeforeValidator(self.validate)]

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        package = importlib.import_module(self.package or "")
        for module in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
            importlib.import_module(f"{self.package}.{module.name}")
