"""export: a checkpoint as a support team deploys it, checked against the checkpoint it came from.

For each checkpoint of ``export.checkpoints`` (DVC runs it once per checkpoint, after evaluate),
``models/export/<name>/`` gets:

- ``<name>-<quantization>.gguf`` per ``export.quantizations``, by llama.cpp's own converter
  (f32, f16, bf16, q8_0: no compiler) and quantizer (q4_k_m and the other K-quants: after
  ``make llama-quantize``) (:mod:`.gguf`);
- ``Modelfile``: FROM the GGUF that ``export.ollama.quantization`` names, a TEMPLATE that
  renders what the checkpoint's chat template renders, its stop tokens, the German support system
  prompt as SYSTEM and the sampling PARAMETERs (:mod:`.ollama`);
- ``adapter/``: a LoRA adapter of the checkpoint's delta against ``base`` (mergekit-extract-lora),
  that peft loads (:mod:`.adapter`).

``metrics/export/<name>.json`` says how each file answers: every GGUF is loaded back through
transformers and answers the German support cases greedily; the share of replies identical to
the safetensors checkpoint's (run alike, in the same dtype) and the support pass rate stand beside
each file's size, and the adapter's relative logit error beside its own.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from lingualign.engines import EngineForEachModelField
from lingualign.evaluate.support import DEFAULT_SYSTEM, SupportSettings
from lingualign.export.gguf import CONVERTED, QUANTIZATIONS, QUANTIZED
from lingualign.settings import Settings

PARAMS = (
    "export.checkpoints.{item}",
    "export.quantizations",
    "export.engine",
    "export.ollama",
    "export.adapter",
    "export.support",
)
# Ollama's PARAMETER names that a Modelfile may set here.
OllamaParameter = Literal[
    "temperature", "top_p", "top_k", "min_p", "repeat_penalty", "repeat_last_n", "num_ctx", "num_predict", "seed"
]


class Checkpoint(Settings):
    model: str = Field(description="The checkpoint folder (safetensors)")
    base: str = Field(description="The model the LoRA adapter applies to (its delta is the adapter)")


class OllamaSettings(Settings):
    quantization: str = Field(default="q8_0", description="The GGUF the Modelfile's FROM names")
    system: str = Field(default=DEFAULT_SYSTEM, description="The default SYSTEM prompt")
    parameters: dict[OllamaParameter, int | float] = Field(
        default_factory=lambda: {"temperature": 0.0}, description="Sampling PARAMETERs"
    )


class AdapterSettings(Settings):
    max_rank: int = Field(default=32, ge=1, description="mergekit-extract-lora's --max-rank")
    prompts: int = Field(default=8, ge=1, description="Support prompts whose logits measure the adapter's error")


class ExportSupportSettings(SupportSettings):
    spread: int | None = Field(
        default=None,
        ge=1,
        description="Answer this many cases, spread evenly over the case files (every category), not all (null)",
    )

    def chosen(self, cases: list[Any]) -> list[Any]:
        """``spread`` cases at even steps through ``cases``, so each category keeps its share."""
        if self.spread is None or self.spread >= len(cases):
            return cases
        return [cases[i * len(cases) // self.spread] for i in range(self.spread)]


class ExportSettings(Settings):
    checkpoints: dict[str, Checkpoint] = Field(description="Name (as in evaluate.models) -> checkpoint and base")
    quantizations: list[str] = Field(default_factory=lambda: ["f16", "q8_0"], min_length=1)
    engine: EngineForEachModelField = Field(  # type: ignore[valid-type]
        description="Answers the support cases for the checkpoint and for each GGUF file alike (without `model`)"
    )
    ollama: OllamaSettings = Field(default_factory=OllamaSettings)
    adapter: AdapterSettings = Field(default_factory=AdapterSettings)
    support: ExportSupportSettings = Field(default_factory=ExportSupportSettings)

    @field_validator("quantizations")
    @classmethod
    def _known(cls, names: list[str]) -> list[str]:
        unknown = [name for name in names if name not in QUANTIZATIONS]
        if unknown:
            raise ValueError(f"unknown quantization {', '.join(unknown)} (known: {', '.join(QUANTIZATIONS)})")
        if len(set(names)) < len(names):
            raise ValueError("a quantization is named twice")
        return names

    @model_validator(mode="after")
    def _modelfile_source(self) -> ExportSettings:
        if self.ollama.quantization not in self.quantizations:
            raise ValueError(f"ollama.quantization: '{self.ollama.quantization}' is not among the quantizations")
        return self


def gguf_name(name: str, quantization: str) -> str:
    return f"{name}-{quantization}.gguf"


def check_inputs(settings: ExportSettings, name: str, where: str) -> None:
    """What would fail halfway, checked before any file is written; each error names its params key."""
    from lingualign.devices import check_model_folder
    from lingualign.errors import LingualignError
    from lingualign.export.gguf import architecture, quantizer

    checkpoint = settings.checkpoints[name]
    key = f"{where}.checkpoints.{name}"
    try:
        check_model_folder(checkpoint.model)
    except LingualignError as exc:
        raise LingualignError(f"{key}.model: {exc}") from None
    architecture(Path(checkpoint.model), f"{key}.model")
    if not (Path(checkpoint.base) / "config.json").is_file():
        raise LingualignError(f"{key}.base: {checkpoint.base}: no base model there (config.json), for the adapter")
    needs_quantizer = [q for q in settings.quantizations if q in QUANTIZED]
    if needs_quantizer and quantizer() is None:
        raise LingualignError(
            f"{where}.quantizations: {', '.join(needs_quantizer)} needs llama-quantize (run: make llama-quantize)"
        )


def write_ggufs(model: Path, name: str, quantizations: list[str], folder: Path) -> dict[str, Path]:
    """Each quantization's file in ``folder``; the K-quants are made from the widest float file."""
    from lingualign.export.gguf import convert, quantize

    files = {q: folder / gguf_name(name, q) for q in quantizations}
    for quantization in [q for q in quantizations if q in CONVERTED]:
        convert(model, quantization, files[quantization])
    source = next((files[q] for q in ("f32", "bf16", "f16") if q in files), None)
    if source is None and any(q in QUANTIZED for q in quantizations):
        source = folder / ".source-f16.gguf"
        convert(model, "f16", source)
    for quantization in [q for q in quantizations if q in QUANTIZED]:
        quantize(source, quantization, files[quantization])
    if source is not None and source not in files.values():
        source.unlink()
    return files


def support_replies(location: Path, settings: ExportSettings, cases: list[Any]) -> tuple[dict, list[str]]:
    """The support metrics and the replies of the model at ``location`` (a folder or a GGUF file), as
    evaluate runs them, through ``export.engine``."""
    from lingualign.engines import build, for_model
    from lingualign.evaluate.support import run_support

    engine = build(for_model(settings.engine, str(location)), "export.engine")
    metrics, rows = run_support(engine, cases, settings.support)
    return metrics, [row["reply"] for row in rows]


def export_checkpoint(settings: ExportSettings, name: str, out: Path, where: str) -> dict[str, Any]:
    from transformers import AutoTokenizer

    from lingualign.evaluate.support import conversation, read_cases
    from lingualign.export import adapter, ollama
    from lingualign.io import atomic_path
    from lingualign.stats import interval

    cases = settings.support.chosen(read_cases(Path(settings.support.cases)))
    checkpoint = settings.checkpoints[name]
    model = Path(checkpoint.model)
    tokenizer = AutoTokenizer.from_pretrained(model)
    chat = ollama.derive(tokenizer, f"{where}.checkpoints.{name}.model")
    metrics: dict[str, Any] = {"checkpoint": checkpoint.model, "folder": out.as_posix(), "support_cases": len(cases)}
    with atomic_path(out, directory=True) as tmp:
        files = write_ggufs(model, name, settings.quantizations, tmp)
        source = gguf_name(name, settings.ollama.quantization)
        (tmp / "Modelfile").write_text(
            ollama.modelfile(source, chat, tokenizer, settings.ollama.system, settings.ollama.parameters),
            encoding="utf-8",
        )
        metrics["modelfile"] = {"from": source, "stop": chat.stops(tokenizer)}
        reference, replies = support_replies(model, settings, cases)
        metrics["safetensors"] = {"support": reference["score"]}
        metrics["gguf"] = {}
        for quantization, path in files.items():
            support, answers = support_replies(path, settings, cases)
            same = [float(mine == theirs) for mine, theirs in zip(answers, replies, strict=True)]
            metrics["gguf"][quantization] = {
                "file": path.name,
                "bytes": path.stat().st_size,
                "identical": interval(same),
                "support": support["score"],
            }
        adapter.extract(model, Path(checkpoint.base), tmp / "adapter", settings.adapter.max_rank, checkpoint.base)
        prompts = [
            tokenizer.apply_chat_template(list(conversation(case, settings.support)), tokenize=False)
            for case in cases[: settings.adapter.prompts]
        ]
        metrics["adapter"] = {
            "base": checkpoint.base,
            "max_rank": settings.adapter.max_rank,
            "bytes": sum(path.stat().st_size for path in (tmp / "adapter").iterdir()),
            "relative_logit_error": round(
                adapter.logit_error(model, Path(checkpoint.base), tmp / "adapter", prompts), 6
            ),
        }
    return metrics


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--name", required=True, help="A name from params.yaml: export.checkpoints")
    parser.add_argument("--out", type=Path, required=True, help="The export folder (GGUF files, Modelfile, adapter)")
    parser.add_argument("--metrics", type=Path, required=True)


def main(args: argparse.Namespace) -> None:
    from lingualign.errors import SettingsError
    from lingualign.settings import load_settings, read_params
    from lingualign.tracking import run_stage

    known = list((read_params(args.params).get("export") or {}).get("checkpoints") or {})
    if args.name not in known:
        raise SettingsError(
            f"{args.params}: export.checkpoints: no checkpoint named '{args.name}' (known: {', '.join(known)})"
        )
    settings = load_settings(ExportSettings, args.params, PARAMS, item=args.name)
    where = f"{args.params}: export"
    check_inputs(settings, args.name, where)  # before the run opens, as before any file is written
    run_stage(
        f"export@{args.name}",
        settings,
        args.metrics,
        lambda: export_checkpoint(settings, args.name, args.out, where),
        tags={"lingualign.model": args.name},
    )
