"""``lingualign profile NAME``: switch params.yaml to a profile, validated before it is written.

A profile is an overlay in ``profiles/<name>.yaml``: mappings are merged key by key into the
current params, any other value (lists included) replaces what was there, and ``null`` removes
a key. A mapping that names another plug-in (``engine: {name: vllm, ...}`` over ``{name:
transformers, ...}``) replaces the old one whole, since each plug-in has keys of its own. Every
section is then validated by its stage's settings class, so a switch either writes a params
file every stage accepts or writes nothing. ``params.yaml`` is versioned in git:
``git checkout params.yaml`` (or another branch) switches back.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping, MutableMapping
from pathlib import Path
from typing import Any

from lingualign.cards import CardsSettings
from lingualign.dpo import DPOSettings
from lingualign.errors import SettingsError
from lingualign.evaluate import EvaluateSettings
from lingualign.export import ExportSettings
from lingualign.generate import GenerateSettings
from lingualign.ingest import IngestSettings
from lingualign.merge import MergeSettings
from lingualign.models import ModelsSettings
from lingualign.pairs import PairsSettings
from lingualign.score import ScoreSettings
from lingualign.settings import Settings, parse_settings, read_params
from lingualign.sft import SFTSettings
from lingualign.translate import TranslateSettings

PROFILES = Path("profiles")
# params.yaml section -> the settings class that validates it
SECTIONS: dict[str, type[Settings]] = {
    "ingest": IngestSettings,
    "models": ModelsSettings,
    "translate": TranslateSettings,
    "generate": GenerateSettings,
    "score": ScoreSettings,
    "pairs": PairsSettings,
    "sft": SFTSettings,
    "merge": MergeSettings,
    "dpo": DPOSettings,
    "evaluate": EvaluateSettings,
    "export": ExportSettings,
    "cards": CardsSettings,
}


def overlay(base: MutableMapping[str, Any], changes: Mapping[str, Any]) -> MutableMapping[str, Any]:
    """Apply ``changes`` to ``base`` in place (a ruamel map keeps its comments) and return it."""
    for key, value in changes.items():
        if value is None:
            base.pop(key, None)
        elif (
            isinstance(value, Mapping)
            and isinstance(base.get(key), MutableMapping)
            and value.get("name", base[key].get("name")) == base[key].get("name")
        ):
            overlay(base[key], value)
        else:
            base[key] = value
    return base


def validate(params: Mapping[str, Any], where: str, libraries: bool = True) -> None:
    """Every section through its stage's settings class, and with ``libraries`` the keys that pass
    through to a library through that library's class; all problems in one message."""
    unknown = sorted(set(params) - set(SECTIONS))
    problems = [f"unknown section '{name}' (known: {', '.join(SECTIONS)})" for name in unknown]
    for section, settings in SECTIONS.items():
        try:
            parsed = parse_settings(settings, params.get(section) or {}, section)
            if libraries:
                parsed.check_libraries(section)
        except SettingsError as exc:
            problems.append(str(exc))
    if problems:
        raise SettingsError(f"{where}: " + "; ".join(problems))


def apply_profile(name: str, params_path: Path, profiles: Path = PROFILES, write: bool = True) -> None:
    """Overlay ``profiles/<name>.yaml`` on the params file, validate, then (atomically) write."""
    from ruamel.yaml import YAML

    from lingualign.io import atomic_path

    source = profiles / f"{name}.yaml"
    if not source.is_file():
        known = ", ".join(sorted(p.stem for p in profiles.glob("*.yaml"))) or "none"
        raise SettingsError(f"{source}: no such profile (known: {known})")
    changes = read_params(source)
    read_params(params_path)  # a clear error for a missing or broken params file
    document = YAML()  # round trip: the params file keeps its comments
    document.width = 100
    params = overlay(document.load(params_path.read_text(encoding="utf-8")), changes)
    validate(json.loads(json.dumps(params)), f"{params_path} with {source}")
    if write:
        with atomic_path(params_path) as tmp, tmp.open("w", encoding="utf-8") as out:
            document.dump(params, out)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", help="profile name: profiles/<name>.yaml (gpu: the published recipe)")
    parser.add_argument("--profiles", type=Path, default=PROFILES)
    parser.add_argument(
        "--check", action="store_true", help="validate the params with the profile applied; write nothing"
    )


def main(args: argparse.Namespace) -> None:
    apply_profile(args.name, args.params, args.profiles, write=not args.check)
    if args.check:
        print(f"{args.params} with profile '{args.name}': every section validates")
    else:
        print(f"{args.params}: switched to profile '{args.name}'; `dvc repro --dry --force` shows the whole plan")
