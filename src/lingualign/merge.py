"""merge: combine fine-tunes with mergekit, offline and reproducibly.

``merge.config`` is a mergekit configuration exactly as mergekit's YAML takes it, and mergekit
validates it:

- any method mergekit registers (linear, slerp, ties, dare_ties, della, model_stock, ...), so the
  published ``dare_ties`` recipe with ``density`` and ``weight`` per model is written as is;
- layer stacking: ``merge_method: passthrough`` with ``slices`` of layer ranges;
- a Franken-MoE (mergekit-moe's YAML: ``base_model``, ``gate_mode`` hidden / cheap_embed /
  random, ``experts`` with ``source_model`` and ``positive_prompts``, ``experts_per_token``,
  ``dtype``): a Mixtral-layout model from the fine-tunes.

Two things are never left to defaults: ``random_seed`` (DARE drops parameters at random, random
gates are random) and ``normalize`` (``dare_ties`` does not normalize by default). Vocabularies
must equal the base model's unless the config aligns them itself (``tokenizer_source`` or a
``tokenizer`` block, mergekit's own mechanism). Local paths are made absolute: mergekit asks the
hub about relative ones, which fails offline.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import math
import resource
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import Field

from lingualign.devices import check_model_folder
from lingualign.errors import LingualignError, SettingsError
from lingualign.settings import Settings

PARAMS = ("merge",)
GATE_MODES = ("hidden", "hidden_avg", "hidden_last", "cheap_embed", "random", "uniform_random")


class MergeSettings(Settings):
    config: dict[str, Any] = Field(
        description="A mergekit configuration (merge_method, base_model, models, parameters, dtype, ...) or a "
        "mergekit-moe one (base_model, gate_mode, experts, ...)"
    )
    random_seed: int = Field(description="Seed for DARE/DELLA's random drops and random gates: always explicit")
    normalize: bool = Field(description="Divide by the sum of weights: always explicit")
    out_shard_size: str = Field(
        default="5B",
        pattern=r"^\d+[KMB]?$",
        description="Parameters per output shard (mergekit's option): the writer holds one shard in memory",
    )

    def is_moe(self) -> bool:
        return "experts" in self.config

    def library_config(self, where: str) -> Any:
        """mergekit-moe's validated config for a Franken-MoE, mergekit's for any other merge."""
        return moe_config(self, where) if self.is_moe() else mergekit_config(self, where)

    def check_libraries(self, where: str) -> None:
        self.library_config(where)


def absolute_paths(value: Any) -> Any:
    """Every string in the config that names an existing local folder, made absolute."""
    if isinstance(value, dict):
        return {key: absolute_paths(item) for key, item in value.items()}
    if isinstance(value, list):
        return [absolute_paths(item) for item in value]
    if isinstance(value, str) and ("/" in value or value.startswith(".")) and Path(value).exists():
        return str(Path(value).resolve())
    return value


def validation_error(exc: Any, where: str) -> SettingsError:
    first = exc.errors()[0]
    key = ".".join(str(part) for part in first["loc"])
    message = "unknown key" if first["type"] == "extra_forbidden" else first["msg"]
    return SettingsError(f"{where}.config.{key}: {message}")


def mergekit_config(settings: MergeSettings, where: str = "merge") -> Any:
    """The validated mergekit configuration, with absolute local paths and explicit normalize."""
    from mergekit.config import MergeConfiguration
    from pydantic import ValidationError

    raw = absolute_paths(settings.config)
    method = method_spec(raw.get("merge_method"), where)
    if "normalize" in {parameter.name for parameter in method.parameters}:
        parameters = dict(raw.get("parameters") or {})
        if "normalize" in parameters and parameters["normalize"] != settings.normalize:
            raise SettingsError(
                f"{where}.config.parameters.normalize ({parameters['normalize']}) contradicts {where}.normalize "
                f"({settings.normalize}); set it once, in merge.normalize"
            )
        raw["parameters"] = parameters | {"normalize": settings.normalize}
    known = {parameter.name for parameter in method.parameters}
    unknown = [key for key, name in parameter_keys(raw) if name not in known]
    if unknown:
        raise SettingsError(
            f"{where}.{unknown[0]}: not a parameter of merge method '{method.name}' (known: {', '.join(sorted(known))})"
        )
    try:
        # mergekit's models ignore unknown keys; a misspelt one must not be silently dropped.
        return MergeConfiguration.model_validate(raw, extra="forbid")
    except ValidationError as exc:
        raise validation_error(exc, where) from None


def moe_config(settings: MergeSettings, where: str = "merge") -> Any:
    """The validated mergekit-moe configuration (its unknown gate modes named here: mergekit would
    fail on them with an unrelated TypeError)."""
    from mergekit.moe.config import MoEMergeConfig
    from pydantic import ValidationError

    raw = absolute_paths(settings.config)
    if raw.get("gate_mode", "hidden") not in GATE_MODES:
        raise SettingsError(
            f"{where}.config.gate_mode: unknown gate mode {raw['gate_mode']!r} (known: {', '.join(GATE_MODES)})"
        )
    try:
        return MoEMergeConfig.model_validate(raw, extra="forbid")
    except ValidationError as exc:
        raise validation_error(exc, where) from None


def method_spec(name: Any, where: str) -> Any:
    """mergekit's spec of a registered method, or a settings error that lists the known ones."""
    from mergekit.merge_methods import get, registered_methods

    try:
        return get(str(name)).spec
    except RuntimeError:
        known = sorted(method.spec.name for method in registered_methods())
        hint = "; a mergekit-moe config names its 'experts'" if name is None else ""
        raise SettingsError(
            f"{where}.config.merge_method: unknown method {name!r} (known: {', '.join(known)}){hint}"
        ) from None


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


def leaves(tree: Any, prefix: str = "config") -> Iterator[tuple[str, str]]:
    """(dotted key, name) of every scalar in a params tree."""
    items = tree.items() if isinstance(tree, dict) else enumerate(tree) if isinstance(tree, list) else ()
    for name, child in items:
        if isinstance(child, (dict, list)):
            yield from leaves(child, f"{prefix}.{name}")
        else:
            yield f"{prefix}.{name}", str(name)


def parameter_keys(tree: Any, prefix: str = "config") -> Iterator[tuple[str, str]]:
    """(dotted key, name) of every key of a ``parameters`` mapping in a mergekit config."""
    items = tree.items() if isinstance(tree, dict) else enumerate(tree) if isinstance(tree, list) else ()
    for name, child in items:
        if name == "parameters" and isinstance(child, dict):
            yield from ((f"{prefix}.parameters.{key}", str(key)) for key in child)
        else:
            yield from parameter_keys(child, f"{prefix}.{name}")


def key_named_in(tree: Any, message: str) -> str | None:
    """The dotted key of the parameter a message names first (``Epsilon must be ...``)."""
    keys = list(leaves(tree))
    for word in message.lower().replace("`", " ").split():
        found = next((key for key, name in keys if name.lower() == word), None)
        if found:
            return found
    return None


def check_vocabularies(reference: str, others: list[str]) -> None:
    """Stop before merging if a model disagrees with ``reference`` on vocabulary size or tokens."""
    from transformers import AutoConfig, AutoTokenizer

    for path in (reference, *others):
        check_model_folder(path)
    ref_size = AutoConfig.from_pretrained(reference).vocab_size
    ref_vocab = AutoTokenizer.from_pretrained(reference).get_vocab()
    hint = "; give mergekit's tokenizer_source (e.g. union) to merge them anyway"
    for path in others:
        size = AutoConfig.from_pretrained(path).vocab_size
        if size != ref_size:
            raise LingualignError(
                f"merge: vocabularies differ: {path} has vocab_size {size}, {reference} has {ref_size}{hint}"
            )
        vocab = AutoTokenizer.from_pretrained(path).get_vocab()
        if vocab != ref_vocab:
            only_here = sorted(set(vocab.items()) - set(ref_vocab.items()))[:3]
            raise LingualignError(
                f"merge: tokenizers differ: {path} maps tokens differently from {reference}, e.g. {only_here}{hint}"
            )


@contextlib.contextmanager
def mergekit_errors(settings: MergeSettings, where: str) -> Iterator[list[str]]:
    """mergekit's own complaints as one line naming the key: pydantic errors of parameter values
    it checks only when it applies them, ValueErrors of its merge methods, and the ``sys.exit``
    of mergekit-moe after it logged why."""
    from pydantic import ValidationError

    logged: list[str] = []
    handler = logging.Handler(logging.ERROR)
    handler.emit = lambda record: logged.append(record.getMessage())  # type: ignore[method-assign]
    logging.getLogger().addHandler(handler)
    try:
        yield logged
    except ValidationError as exc:
        first = exc.errors()[0]
        key = key_of_value(settings.config, first["input"]) or "config"
        raise SettingsError(f"{where}.{key}: {first['msg']} (got {first['input']!r})") from None
    except (ValueError, RuntimeError) as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SettingsError(f"{where}.{key_named_in(settings.config, message) or 'config'}: {message}") from None
    except SystemExit:
        raise SettingsError(
            f"{where}.config: mergekit-moe refused it: {logged[-1] if logged else 'see its log above'}"
        ) from None
    finally:
        logging.getLogger().removeHandler(handler)


def merge(settings: MergeSettings, out: Path, where: str = "merge") -> dict[str, Any]:
    from lingualign.io import atomic_path

    config = settings.library_config(where)
    started = time.perf_counter()
    with atomic_path(out, directory=True) as tmp:
        if settings.is_moe():
            method, models = "moe", merge_moe(settings, config, tmp, where)
        else:
            method, models = merge_config(settings, config, tmp, where)
    seconds = time.perf_counter() - started
    return {
        "method": method,
        "models": models,
        "parameters": count_parameters(out),
        # Time and memory depend on the machine; they sit apart from what the merge produced.
        "run": {
            "seconds": round(seconds, 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        },
    }


def local_models(paths: list[str]) -> None:
    missing = [path for path in paths if not Path(path).is_dir()]
    if missing:
        raise LingualignError(f"merge: model folder(s) not found: {missing}")


def merge_config(settings: MergeSettings, config: Any, out: Path, where: str) -> tuple[str, int]:
    """A mergekit (non-MoE) merge into ``out``; returns the method and the number of models."""
    from mergekit.common import parse_kmb
    from mergekit.merge import run_merge
    from mergekit.options import MergeOptions

    listed = [str(m.model.model.path) for m in config.models or []]
    listed += [str(source.model.model.path) for piece in config.slices or [] for source in piece.sources]
    # In the config's order (mergekit's referenced_models is a set): without a base, the first model leads.
    paths = list(dict.fromkeys([*listed, *sorted(str(m.model.path) for m in config.referenced_models())]))
    local_models(paths)
    if config.tokenizer_source is None and config.tokenizer is None:
        reference = str(config.base_model.model.path) if config.base_model else paths[0]
        check_vocabularies(reference, [path for path in paths if path != reference])
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
        clone_tensors=True,  # layer stacking repeats tensors
    )
    with mergekit_errors(settings, where):
        run_merge(config, out_path=str(out), options=options)
    return config.merge_method, len(paths)


def merge_moe(settings: MergeSettings, config: Any, out: Path, where: str) -> int:
    """A mergekit-moe merge into ``out``; returns the number of experts."""
    from mergekit.common import parse_kmb
    from mergekit.options import MergeOptions
    from mergekit.scripts.moe import build
    from transformers import AutoTokenizer, set_seed

    base = str(config.base_model.model.path)
    experts = [str(expert.source_model.model.path) for expert in config.experts]
    local_models([base, *experts])
    check_vocabularies(base, [path for path in experts if path != base])
    options = MergeOptions(
        out_shard_size=parse_kmb(settings.out_shard_size),
        cuda=False,
        device="cpu",
        copy_tokenizer=False,
        lazy_unpickle=False,
        write_model_card=False,
        random_seed=settings.random_seed,
        safe_serialization=True,
        quiet=True,
    )
    set_seed(settings.random_seed)  # mergekit-moe's build() seeds nothing itself; random gates are random
    with mergekit_errors(settings, where):
        build(config, out_path=str(out), merge_options=options, device="cpu")
    # build() would save the tokenizer with its pad token changed; the base's own goes with the model.
    AutoTokenizer.from_pretrained(base).save_pretrained(out)
    return len(experts)


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
    run_stage("merge", settings, args.metrics, lambda: merge(settings, args.out, f"{args.params}: merge"))
