"""translate: English rows -> German beside the English, chunked, cached, with quality flags.

    lingualign translate --in data/normalized.parquet --out data/translated.parquet \\
        --cache cache/translate --reference data/reference/support_en_de.tsv \\
        --metrics metrics/translate.json

Every text (system prompt, prompt, response) is split into chunks (``chunking``); each unique
chunk goes to the model once, across all rows and datasets, unless the cache already holds it.
Chunks go in a fixed order (longest first) in fixed batches, and every finished batch is
cached at once: a killed run resumes where it stopped and gives the same output an
uninterrupted run gives; added rows translate only their new chunks.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
from pydantic import Field, field_validator

from lingualign.cache import ResultCache
from lingualign.errors import InputError
from lingualign.ingest import SCHEMA as NORMALIZED_SCHEMA
from lingualign.settings import Settings, registry_name
from lingualign.translate.backends import BACKENDS, Backend, Generation, PromptSpec
from lingualign.translate.chunking import Piece, join, split_text
from lingualign.translate.distributed import RayBackend, RaySettings
from lingualign.translate.quality import FLAGS, QualitySettings, text_flags

ALMA_TEMPLATE = "Translate this from {source} to {target}:\n{source}: {text}\n{target}:"
FIELDS = ("system", "prompt", "response")
SCHEMA = pa.schema(
    [*NORMALIZED_SCHEMA, *(pa.field(f"{name}_de", pa.string(), nullable=False) for name in FIELDS), pa.field("flags", pa.list_(pa.string()), nullable=False)]
)


class OpenAISettings(Settings):
    base_url: str | None = Field(default=None, description="e.g. http://localhost:8000/v1")
    model: str | None = Field(default=None, description="Served model name; default: translate.model")
    api_key_env: str = Field(default="OPENAI_API_KEY", description="Environment variable that holds the key")
    concurrency: int = Field(default=8, ge=1)
    timeout_s: float = Field(default=120.0, gt=0)
    max_retries: int = Field(default=4, ge=0)
    backoff_s: float = Field(default=1.0, ge=0)


class VLLMSettings(Settings):
    tensor_parallel_size: int = Field(default=1, ge=1)
    data_parallel_size: int = Field(default=1, ge=1)
    gpu_memory_utilization: float = Field(default=0.9, gt=0, le=1)
    max_model_len: int | None = None


class TranslateSettings(Settings):
    backend: registry_name(BACKENDS, "backend") = Field(default="transformers", description="A name from the backend registry")  # type: ignore[valid-type]
    model: str = Field(description="Model folder (models/sources/...), hub id, or served model name")
    revision: str | None = None
    trust_remote_code: bool = False
    device: Literal["auto", "cpu", "cuda"] = "auto"
    dtype: Literal["float32", "bfloat16", "float16"] = "float32"
    template: str = Field(default=ALMA_TEMPLATE, description="Prompt with {source}, {target} and {text}")
    chat: bool = Field(default=False, description="Send the prompt as a user turn through the chat template")
    source_language: str = "English"
    target_language: str = "German"
    target_code: str = Field(default="de", description="ISO 639-1 code the language check expects")
    fields: list[Literal["system", "prompt", "response"]] = Field(default_factory=lambda: list(FIELDS))
    max_chunk_chars: int = Field(default=400, ge=20)
    max_new_tokens: int = Field(default=256, ge=1, description="Cap on new tokens per chunk")
    new_tokens_per_char: float = Field(default=0.5, gt=0, description="Per-chunk budget: this many new tokens per source character, plus 8")
    batch_size: int = Field(default=16, ge=1, description="Chunks per generation batch (and per cache write)")
    mtbench_per_category: int = Field(default=0, ge=0, le=10, description="MT-Bench questions per category to translate for evaluation (10 = all 80)")
    temperature: float = Field(default=0.0, ge=0)
    seed: int = 0
    quality: QualitySettings = Field(default_factory=QualitySettings)
    openai: OpenAISettings = Field(default_factory=OpenAISettings)
    vllm: VLLMSettings = Field(default_factory=VLLMSettings)
    ray: RaySettings = Field(default_factory=RaySettings)

    @field_validator("template")
    @classmethod
    def _has_text(cls, value: str) -> str:
        if "{text}" not in value:
            raise ValueError("the template must contain {text}")
        return value

    def prompt_spec(self) -> PromptSpec:
        return PromptSpec(self.template, self.chat, self.source_language, self.target_language)

    def cache_identity(self) -> dict[str, Any]:
        """What decides a chunk's translation: anything else (batching, backend) must not."""
        return {
            "model": (self.openai.model or self.model) if self.backend == "openai" else self.model,
            "revision": self.revision,
            "template": self.template,
            "chat": self.chat,
            "languages": [self.source_language, self.target_language],
            "max_new_tokens": self.max_new_tokens,
            "new_tokens_per_char": self.new_tokens_per_char,
            "temperature": self.temperature,
            "seed": self.seed if self.temperature > 0 else None,
        }


@dataclass
class TranslationRun:
    """What one pass over a set of texts did: the basis of the throughput metrics."""

    chunks: int = 0
    chunk_characters: int = 0
    cache_hits: int = 0
    translated_chunks: int = 0
    translated_characters: int = 0
    seconds: float = 0.0


class Translator:
    """Translates texts chunk by chunk through a backend, reading and filling the cache."""

    def __init__(self, backend: Backend, cache: ResultCache, settings: TranslateSettings):
        self.backend, self.cache, self.settings = backend, cache, settings
        self.run = TranslationRun()

    def translate(self, texts: Iterable[str]) -> dict[str, tuple[list[Piece], dict[str, Generation]]]:
        """For each unique text: its pieces and the generation of each translatable piece."""
        pieces = {text: split_text(text, self.settings.max_chunk_chars) for text in dict.fromkeys(texts)}
        unique = dict.fromkeys(p.text for parts in pieces.values() for p in parts if p.translate)
        generations = self._generate(list(unique))
        return {text: (parts, {p.text: generations[p.text] for p in parts if p.translate}) for text, parts in pieces.items()}

    def _generate(self, chunks: list[str]) -> dict[str, Generation]:
        from tqdm import tqdm

        found = {chunk: Generation(**value) for chunk, value in self.cache.lookup(chunks).items()}
        self.run.chunks += len(chunks)
        self.run.chunk_characters += sum(map(len, chunks))
        self.run.cache_hits += len(found)
        # A fixed partition of all chunks (not only the misses) keeps batch composition, and so
        # every generation, the same whether or not an earlier run was interrupted.
        ordered = sorted(chunks, key=lambda chunk: (-len(chunk), chunk))
        size = self.settings.batch_size
        batches = [ordered[i : i + size] for i in range(0, len(ordered), size)]
        todo = [[c for c in batch if c not in found] for batch in batches]
        total = sum(len(c) for batch in todo for c in batch)
        started = time.perf_counter()
        with tqdm(total=total, desc="translate", unit="char", unit_scale=True, file=sys.stderr, mininterval=2.0, disable=total == 0) as progress:
            for batch, generations in self._translated(filter(None, todo)):
                self.cache.store(batch, (asdict(g) for g in generations))
                found.update(zip(batch, generations, strict=True))
                self.run.translated_chunks += len(batch)
                self.run.translated_characters += sum(map(len, batch))
                progress.update(sum(map(len, batch)))
        self.run.seconds += time.perf_counter() - started
        return found

    def _translated(self, batches: Iterable[list[str]]) -> Iterable[tuple[list[str], list[Generation]]]:
        if isinstance(self.backend, RayBackend):
            return self.backend.translate_batches(batches)
        return ((batch, self.backend.translate(batch)) for batch in batches)


def translate_table(table: pa.Table, settings: TranslateSettings, translator: Translator) -> tuple[pa.Table, dict[str, Any]]:
    columns = table.to_pydict()
    texts = [text for field in settings.fields for text in columns[field]]
    translated = translator.translate(texts)
    out = {name: list(values) for name, values in columns.items()}
    text_flags_cache: dict[str, set[str]] = {}
    row_flags: list[set[str]] = [set() for _ in range(table.num_rows)]
    for field in FIELDS:
        out[f"{field}_de"] = []
        for row, text in enumerate(columns[field]):
            if field not in settings.fields:
                out[f"{field}_de"].append(text)
                continue
            parts, generations = translated[text]
            out[f"{field}_de"].append(join(parts, {chunk: g.text for chunk, g in generations.items()}))
            if text not in text_flags_cache:
                text_flags_cache[text] = text_flags(list(generations), list(generations.values()), settings.quality, settings.target_code)
            row_flags[row] |= text_flags_cache[text]
    out["flags"] = [sorted(flags) for flags in row_flags]
    result = pa.Table.from_pydict(out, schema=SCHEMA)
    flag_counts = Counter(flag for flags in row_flags for flag in flags)
    flagged = sum(1 for flags in row_flags if flags)
    if settings.quality.drop_flagged:
        result = result.filter(pa.array([not flags for flags in row_flags]))
    metrics = {
        "rows": table.num_rows,
        "rows_flagged": flagged,
        "rows_dropped": table.num_rows - result.num_rows,
        "flags": {flag: flag_counts[flag] for flag in FLAGS},
        "characters": sum(len(text) for text in texts),
        "unique_texts": len(translated),
    }
    return result, metrics


def chrf(translator: Translator, reference: Path) -> dict[str, Any]:
    """chrF (sacrebleu) of the stage's own translations of a shipped English-German set."""
    import sacrebleu

    pairs = read_reference(reference)
    translated = translator.translate(english for english, _ in pairs)
    hypotheses = [join(parts, {c: g.text for c, g in gens.items()}) for parts, gens in (translated[en] for en, _ in pairs)]
    score = sacrebleu.corpus_chrf(hypotheses, [[german for _, german in pairs]])
    return {"chrf": round(score.score, 2), "sentences": len(pairs)}


def read_reference(path: Path) -> list[tuple[str, str]]:
    """A TSV of ``english<TAB>german`` lines with a header row."""
    pairs = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if number == 1 or not line.strip():
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 2 or not all(p.strip() for p in parts):
                raise InputError(path, number, None, "expected 'english<TAB>german'", "malformed_tsv")
            pairs.append((parts[0], parts[1]))
    if not pairs:
        raise InputError(path, None, None, "no sentence pairs", "empty_file")
    return pairs


def run_metrics(run: TranslationRun) -> dict[str, Any]:
    # These vary with the cache's state and the machine; they sit apart from the content metrics.
    return {
        "cache_hits": run.cache_hits,
        "translated_chunks": run.translated_chunks,
        "translated_characters": run.translated_characters,
        "seconds": round(run.seconds, 1),
        "chars_per_s": round(run.translated_characters / run.seconds, 1) if run.seconds else 0.0,
    }


def build_backend(settings: TranslateSettings) -> Backend:
    if settings.ray.workers:
        return RayBackend(settings)
    return BACKENDS[settings.backend](settings, settings.prompt_spec())


def translate_stage(
    settings: TranslateSettings, source: Path, out: Path, cache_dir: Path, reference: Path | None, mtbench_out: Path | None = None, backend: Backend | None = None
) -> dict[str, Any]:
    from lingualign.io import read_parquet, write_parquet
    from lingualign.translate import mtbench

    table = read_parquet(source, NORMALIZED_SCHEMA, "normalized data")
    cache_dir.mkdir(parents=True, exist_ok=True)  # a DVC output even when nothing needs translating
    cache = ResultCache(cache_dir, settings.cache_identity())
    translator = Translator(backend or build_backend(settings), cache, settings)
    try:
        result, metrics = translate_table(table, settings, translator)
        metrics |= {"chunks": translator.run.chunks, "chunk_characters": translator.run.chunk_characters}
        metrics["dedupe_saving"] = round(1 - metrics["chunk_characters"] / metrics["characters"], 4) if metrics["characters"] else 0.0
        if reference is not None:
            metrics["reference"] = chrf(translator, reference)
        if mtbench_out is not None:
            questions = mtbench.english_questions(settings.mtbench_per_category)
            german, untranslated = mtbench.translate_questions(translator, questions)
            mtbench.write_questions(mtbench_out, german)
            metrics["mtbench_questions"] = len(questions)
            metrics["mtbench_left_in_english"] = untranslated
        write_parquet(out, result, SCHEMA)
    finally:
        cache.close()
    metrics["run"] = run_metrics(translator.run)
    return metrics


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--in", dest="source", type=Path, default=Path("data/normalized.parquet"))
    parser.add_argument("--out", type=Path, default=Path("data/translated.parquet"))
    parser.add_argument("--cache", type=Path, default=Path("cache/translate"))
    parser.add_argument("--reference", type=Path, default=None, help="TSV of English<TAB>German for chrF")
    parser.add_argument("--mtbench-out", type=Path, default=None, help="Write the German MT-Bench questions here (FastChat JSONL)")
    parser.add_argument("--metrics", type=Path, default=Path("metrics/translate.json"))


def main(args: argparse.Namespace) -> None:
    from lingualign.settings import load_settings
    from lingualign.tracking import run_stage

    settings = load_settings(TranslateSettings, "translate", args.params)
    inputs = [args.source] + ([args.reference] if args.reference else [])
    run_stage("translate", settings, inputs, args.metrics, lambda: translate_stage(settings, args.source, args.out, args.cache, args.reference, args.mtbench_out))

