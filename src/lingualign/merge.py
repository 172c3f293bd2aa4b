"""merge: combine fine-tunes of one base with mergekit, offline and reproducibly.

    lingualign merge --out models/merged --metrics metrics/merge.json

``merge.config`` is a mergekit configuration exactly as mergekit's YAML takes it (any method it
registers: linear, slerp, ties, dare_ties, dare_linear, task_arithmetic, della, breadcrumbs,
model_stock, passthrough, ...), so the published ``dare_ties`` recipe with ``density`` and
``weight`` per model, ``int8_mask`` and ``dtype`` is written as is. Two things are never left
to defaults: ``random_seed`` (DARE drops parameters at random) and ``normalize`` (``dare_ties``
does not normalize by default); both come from this stage's settings.

Before merging, every model's vocabulary must equal the base model's; otherwise the stage stops
and says which model differs and how. Local model paths are made absolute: mergekit asks the
hub about relative paths, which fails offline.
"""

from __future__ import annotations

import argparse
import math
import resource
import time
from pathlib import Path
from typing import Any

from pydantic import Field

from lingualign.devices import check_model_folder
from lingualign.errors import LingualignError
from lingualign.settings import Settings

PARAMS = ("merge",)


class MergeSettings(Settings):
    config: dict[str, Any] = Field(
        description="A mergekit configuration (merge_method, base_model, models, parameters, dtype, ...)"
    )
    random_seed: int = Field(description="Seed for DARE/DELLA's random drops: always explicit")
    normalize: bool = Field(description="Divide by the sum of weights: always explicit")
    out_shard_size: str = Field(
        default="5B",
        pattern=r"^\d+[KMB]?$",
        description="Parameters per output shard (mergekit's option): the writer holds one shard in memory",
    )


def mergekit_config(settings: MergeSettings, where: str = "merge") -> Any:
    """The validated mergekit configuration, with absolute local paths and explicit normalize."""
    from mergekit.config import MergeConfiguration
    from pydantic import ValidationError

    from lingualign.errors import SettingsError

    raw = _absolute_paths(settings.config)
    method = method_spec(raw.get("merge_method"), where)
    if "normalize" in {parameter.name for parameter in method.parameters}:
        parameters = dict(raw.get("parameters") or {})
        if "normalize" in parameters and parameters["normalize"] != settings.normalize:
            raise SettingsError(
                f"{where}.config.parameters.normalize ({parameters['normalize']}) contradicts {where}.normalize "
                f"({settings.normalize}); set it once, in merge.normalize"
            )
        raw["parameters"] = parameters | {"normalize": settings.normalize}
    try:
        config = MergeConfiguration.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(part) for part in first["loc"])
        raise SettingsError(f"{where}.config.{key}: {first['msg']}") from None
    return config


def method_spec(name: Any, where: str) -> Any:
    """mergekit's spec of a registered method, or a settings error that lists the known ones."""
    from mergekit.merge_methods import get, registered_methods

    from lingualign.errors import SettingsError

    try:
        return get(str(name)).spec
    except RuntimeError:
        known = sorted(method.spec.name for method in registered_methods())
        raise SettingsError(
            f"{where}.config.merge_method: unknown method {name!r} (known: {', '.join(known)})"
        ) from None


def _absolute_paths(raw: dict[str, Any]) -> dict[str, Any]:
    def fix(value: Any) -> Any:
        return str(Path(value).resolve()) if isinstance(value, str) and Path(value).exists() else value

    def fix_entry(entry: Any) -> Any:
        return entry | {"model": fix(entry.get("model"))} if isinstance(entry, dict) else entry

    out = dict(raw)
    if "base_model" in out:
        out["base_model"] = fix(out["base_model"])
    # Anything not shaped as mergekit expects is left for its validation to report.
    if isinstance(out.get("models"), list):
        out["models"] = [fix_entry(entry) for entry in out["models"]]
    if isinstance(out.get("slices"), list):
        out["slices"] = [
            s | {"sources": [fix_entry(item) for item in s["sources"]]}
            if isinstance(s, dict) and isinstance(s.get("sources"), list)
            else s
            for s in out["slices"]
        ]
    return out


def key_of_value(tree: Any, value: Any, prefix: str = "config") -> str | None:
    """The dotted key under which ``value`` sits in a params tree, to name it in an error."""
    items = tree.items() if isinstance(tree, dict) else enumerate(tree) if isinstance(tree, list) else ()
    for name, child in items:
        key = f"{prefix}.{name}"
        if child == value and not isinstance(child, (dict, list)):
            return key
        found = key_of_value(child, value, key)
        if found:
            return found
    return None


def model_paths(config: Any) -> list[str]:
    return sorted({str(model.model.path) for model in config.referenced_models()})


def check_vocabularies(paths: list[str]) -> None:
    """Stop before merging if any two models disagree on vocabulary size or tokens."""
    from transformers import AutoConfig, AutoTokenizer

    for path in paths:
        check_model_folder(path)
    reference = paths[0]
    ref_size = AutoConfig.from_pretrained(reference).vocab_size
    ref_vocab = AutoTokenizer.from_pretrained(reference).get_vocab()
    for path in paths[1:]:
        size = AutoConfig.from_pretrained(path).vocab_size
        if size != ref_size:
            raise LingualignError(
                f"merge: vocabularies differ: {path} has vocab_size {size}, {reference} has {ref_size}"
            )
        vocab = AutoTokenizer.from_pretrained(path).get_vocab()
        if vocab != ref_vocab:
            only_here = sorted(set(vocab.items()) - set(ref_vocab.items()))[:3]
            raise LingualignError(
                f"merge: tokenizers differ: {path} maps tokens differently from {reference}, e.g. {only_here}"
            )


def merge(settings: MergeSettings, out: Path, where: str = "merge") -> dict[str, Any]:
    from mergekit.common import parse_kmb
    from mergekit.merge import run_merge
    from mergekit.options import MergeOptions
    from pydantic import ValidationError

    from lingualign.errors import SettingsError
    from lingualign.io import atomic_path

    config = mergekit_config(settings, where)
    paths = model_paths(config)
    missing = [path for path in paths if not Path(path).is_dir()]
    if missing:
        raise LingualignError(f"merge: model folder(s) not found: {missing}")
    check_vocabularies(paths)
    started = time.perf_counter()
    options = MergeOptions(
        out_shard_size=parse_kmb(settings.out_shard_size),
        cuda=False,
        copy_tokenizer=True,
        lazy_unpickle=False,
        write_model_card=False,
        random_seed=settings.random_seed,
        allow_crimes=False,
        quiet=False,
        safe_serialization=True,
    )
    with atomic_path(out, directory=True) as tmp:
        try:
            run_merge(config, out_path=str(tmp), options=options)
        except ValidationError as exc:
            # mergekit checks parameter values (weight, density, ...) only when it applies them.
            first = exc.errors()[0]
            key = key_of_value(settings.config, first["input"]) or "config"
            raise SettingsError(f"{where}.{key}: {first['msg']} (got {first['input']!r})") from None
    seconds = time.perf_counter() - started
    return {
        "method": config.merge_method,
        "models": len(paths),
        "parameters": count_parameters(out),
        # Time and memory depend on the machine; they sit apart from what the merge produced.
        "run": {
            "seconds": round(seconds, 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        },
    }


def count_parameters(folder: Path) -> int:
    from safetensors import safe_open

    total = 0
    for shard in sorted(folder.glob("*.safetensors")):
        with safe_open(str(shard), "pt") as handle:
            for name in handle.keys():  # noqa: SIM118 - safe_open is not a mapping
                total += math.prod(handle.get_slice(name).get_shape())
    return total


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, required=True, help="The merged model folder")
    parser.add_argument("--metrics", type=Path, required=True)


def main(args: argparse.Namespace) -> None:
    from lingualign.settings import load_settings
    from lingualign.tracking import run_stage

    settings = load_settings(MergeSettings, args.params, PARAMS)
    run_stage("merge", settings, [], args.metrics, lambda: merge(settings, args.out, f"{args.params}: merge"))
