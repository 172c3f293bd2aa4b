"""translate: English rows -> German beside the English, chunked, cached, with quality flags.

Every text (system prompt, prompt, response) is split into chunks (``chunking``); each unique
chunk goes to the engine once, across all rows and datasets, unless the cache already holds it.
The engine layer runs the chunks in a fixed partition of batches and caches every finished
batch, so a killed run resumes where it stopped and ends as an uninterrupted run; added rows
translate only their new chunks. Rows already in the target language (``language`` from ingest:
a source declared German, or a German row of a mixed one) pass untouched, without engine or
cache, and get the same quality flags, judged on their own text; the metrics count them apart
(``native``). The stage also translates the German MT-Bench questions that
``evaluate`` asks, and scores its own translations of a shipped English-German set (chrF).
"""

from __future__ import annotations

import argparse
import hashlib
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
from pydantic import Field, field_validator

from lingualign.cache import ResultCache
from lingualign.contracts import NORMALIZED, TEXT_FIELDS, TRANSLATED
from lingualign.engines import EngineField, Generation, Request, RunStats, build, run
from lingualign.errors import InputError
from lingualign.settings import Settings
from lingualign.translate.chunking import Piece, join, split_text
from lingualign.translate.quality import FLAGS, QualitySettings, text_flags

PARAMS = ("translate",)
# What decides a whole text's German and flags, beside the engine (batching and output do not).
TEXT_IDENTITY = {
    "template", "chat", "source_language", "target_language", "target_code", "max_chunk_chars",
    "max_new_tokens", "new_tokens_per_char", "temperature", "seed", "quality",
}  # fmt: skip
_LINE_BOUNDARY = re.compile("[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")  # where str.splitlines() splits
ALMA_TEMPLATE = "Translate this from {source} to {target}:\n{source}: {text}\n{target}:"


class TranslateSettings(Settings):
    engine: EngineField = Field(
        description="The engine and model that translate: {name: transformers | vllm | openai, model: ...}"
    )  # type: ignore[valid-type]
    template: str = Field(default=ALMA_TEMPLATE, description="Prompt with {source}, {target} and {text}")
    chat: bool = Field(default=False, description="Send the prompt as a user turn through the chat template")
    source_language: str = "English"
    target_language: str = "German"
    target_code: str = Field(default="de", description="ISO 639-1 code the language check expects")
    fields: list[Literal["system", "prompt", "response"]] = Field(default_factory=lambda: list(TEXT_FIELDS))
    max_chunk_chars: int = Field(default=400, ge=20)
    batch_rows: int = Field(
        default=2_000, ge=1, description="Rows translated together and written as one row group: bounds memory"
    )
    max_new_tokens: int = Field(default=256, ge=1, description="Cap on new tokens per chunk")
    new_tokens_per_char: float = Field(
        default=0.5, gt=0, description="Per-chunk budget: this many new tokens per source character, plus 8"
    )
    temperature: float = Field(default=0.0, ge=0)
    seed: int = 0
    mtbench_per_category: int = Field(
        default=0, ge=0, le=10, description="MT-Bench questions per category to translate for evaluation (10 = all 80)"
    )
    quality: QualitySettings = Field(default_factory=QualitySettings)

    @field_validator("template")
    @classmethod
    def _has_text(cls, value: str) -> str:
        if "{text}" not in value:
            raise ValueError("the template must contain {text}")
        return value


def token_budget(chunk: str, settings: TranslateSettings) -> int:
    """New tokens allowed for one chunk: enough for a faithful translation, few for a loop.

    German needs about 1.3x the tokens of its English source and English runs about 4 characters
    a token; ``new_tokens_per_char`` leaves room to spare, and short chunks stop early instead of
    running to ``max_new_tokens``.
    """
    return min(settings.max_new_tokens, math.ceil(len(chunk) * settings.new_tokens_per_char) + 8)


def chunk_request(chunk: str, settings: TranslateSettings) -> Request:
    prompt = settings.template.format(source=settings.source_language, target=settings.target_language, text=chunk)
    common = {
        "temperature": settings.temperature,
        "seed": settings.seed if settings.temperature > 0 else None,
        "stop": ("\n",),
    }
    if settings.chat:
        return Request(token_budget(chunk, settings), messages=({"role": "user", "content": prompt},), **common)
    return Request(token_budget(chunk, settings), prompt=prompt, **common)


def clean_output(raw: str, target_language: str) -> str:
    """First non-empty line of the model's answer, without an echoed ``German:`` label.

    Chunks are single lines, so anything after the first line is the model running on
    (ALMA-style prompts continue with a new ``English:`` line).
    """
    label = f"{target_language}:"
    if not _LINE_BOUNDARY.search(raw) and not raw.startswith(label) and raw == raw.strip():
        return raw  # the common answer, one clean line: no copy
    for line in raw.strip().splitlines():
        line = line.strip()
        if line:
            return line[len(label) :].strip() if line.startswith(label) else line
    return ""


@dataclass(frozen=True)
class Translation:
    """One text's German, its quality flags, and (hash, length) of each chunk it was cut into."""

    german: str
    flags: tuple[str, ...]
    chunks: Sequence[Sequence[Any]]  # (hash, length) pairs; as JSON lists when read from the cache

    @classmethod
    def cached(cls, value: dict[str, Any]) -> Translation:
        return cls(value["german"], tuple(value["flags"]), value["chunks"])


class Translator:
    """Translates texts chunk by chunk through an engine. Two caches: one of chunk translations (what
    the engine made), one of whole texts (joined, with their flags), so a rerun over texts already
    done does no chunking, no flags and no engine work."""

    def __init__(self, engine: Any, chunks: ResultCache, texts: ResultCache, settings: TranslateSettings):
        self.engine, self.chunks, self.texts, self.settings = engine, chunks, texts, settings
        self.stats = RunStats()
        self.translated_characters = self.text_hits = 0

    def translate(self, texts: Iterable[str]) -> dict[str, Translation]:
        unique = list(dict.fromkeys(texts))
        found = {text: Translation.cached(value) for text, value in self.texts.lookup(unique).items()}
        self.text_hits += len(found)
        todo = {text: split_text(text, self.settings.max_chunk_chars) for text in unique if text not in found}
        if todo:
            found |= self._translate(todo)
        return {text: found[text] for text in unique}

    def _translate(self, pieces: dict[str, list[Piece]]) -> dict[str, Translation]:
        chunks = list(dict.fromkeys(p.text for parts in pieces.values() for p in parts if p.translate))
        requests = [chunk_request(chunk, self.settings) for chunk in chunks]
        raw = run(self.engine, requests, self.chunks, "translate", self.stats)
        self.translated_characters += sum(len(chunk) for chunk, g in zip(chunks, raw, strict=True) if not g.cached)
        cleaned = {
            chunk: Generation(clean_output(g.text, self.settings.target_language), g.truncated)
            for chunk, g in zip(chunks, raw, strict=True)
        }
        sources = [[p.text for p in parts if p.translate] for parts in pieces.values()]
        flags = text_flags(
            [(own, [cleaned[chunk] for chunk in own]) for own in sources],
            self.settings.quality,
            self.settings.target_code,
        )
        done = {
            text: Translation(
                join(parts, {chunk: cleaned[chunk].text for chunk in own}),
                tuple(sorted(found)),
                tuple((chunk_id(chunk), len(chunk)) for chunk in own),
            )
            for (text, parts), own, found in zip(pieces.items(), sources, flags, strict=True)
        }
        stored = [{"german": t.german, "flags": t.flags, "chunks": t.chunks} for t in done.values()]
        self.texts.store(list(done), stored)
        return done

    def german(self, texts: Iterable[str]) -> dict[str, str]:
        return {text: translation.german for text, translation in self.translate(texts).items()}

    def run_metrics(self) -> dict[str, Any]:
        # These vary with the caches' state and the machine; they sit apart from the content metrics.
        seconds = self.stats.seconds
        return {
            "cache_hits": self.stats.cache_hits,
            "text_cache_hits": self.text_hits,
            "translated_chunks": self.stats.generated,
            "translated_characters": self.translated_characters,
            "seconds": round(seconds, 1),
            "chars_per_s": round(self.translated_characters / seconds, 1) if seconds else 0.0,
        }


def chunk_id(chunk: str) -> str:
    return hashlib.blake2b(chunk.encode(), digest_size=8).hexdigest()


def native_flags(texts: Iterable[str], settings: TranslateSettings) -> dict[str, tuple[str, ...]]:
    """Quality flags of texts already in the target language, each judged as its own translation."""
    unique = list(dict.fromkeys(texts))
    prose = [[piece.text for piece in split_text(text, settings.max_chunk_chars) if piece.translate] for text in unique]
    judged = [(own, [Generation(chunk, False) for chunk in own]) for own in prose]
    flags = text_flags(judged, settings.quality, settings.target_code)
    return {text: tuple(sorted(found)) for text, found in zip(unique, flags, strict=True)}


def translate_table(
    table: pa.Table, settings: TranslateSettings, translator: Translator
) -> tuple[pa.Table, dict[str, Any]]:
    # Only the texts and their language come to Python; every other column passes through as Arrow.
    columns = table.select([*TEXT_FIELDS, "language"]).to_pydict()
    native = [language == settings.target_code for language in columns["language"]]
    texts = [text for field in settings.fields for text, own in zip(columns[field], native, strict=True) if not own]
    translated = translator.translate(texts)
    kept = native_flags(
        (text for field in settings.fields for text, own in zip(columns[field], native, strict=True) if own), settings
    )
    german: dict[str, Any] = {}
    row_flags: list[set[str]] = [set() for _ in range(table.num_rows)]
    for field in TEXT_FIELDS:
        if field not in settings.fields:
            german[field] = table.column(field)
            continue
        german[field] = pa.array(
            [text if own else translated[text].german for text, own in zip(columns[field], native, strict=True)],
            pa.string(),
        )
        for row, (text, own) in enumerate(zip(columns[field], native, strict=True)):
            row_flags[row].update(kept[text] if own else translated[text].flags)
    result = pa.Table.from_arrays(
        [
            *(table.column(name) for name in NORMALIZED.names),
            *(german[field] for field in TEXT_FIELDS),
            pa.array([sorted(flags) for flags in row_flags], pa.list_(pa.string())),
        ],
        schema=TRANSLATED,
    )
    flag_counts = Counter(flag for flags in row_flags for flag in flags)
    native_counts = Counter(flag for flags, own in zip(row_flags, native, strict=True) if own for flag in flags)
    if settings.quality.drop_flagged:
        result = result.filter(pa.array([not flags for flags in row_flags]))
    chunks = dict(chunk for translation in translated.values() for chunk in translation.chunks)
    metrics = {
        "rows": table.num_rows,
        "rows_flagged": sum(1 for flags in row_flags if flags),
        "rows_dropped": table.num_rows - result.num_rows,
        "flags": {flag: flag_counts[flag] for flag in FLAGS},
        "native": {  # rows already in the target language: kept as they are, flagged all the same
            "rows": sum(native),
            "rows_flagged": sum(1 for flags, own in zip(row_flags, native, strict=True) if own and flags),
            "flags": {flag: native_counts[flag] for flag in FLAGS},
        },
        "characters": sum(len(text) for text in texts),
        "unique_texts": len(translated),
        "chunks": len(chunks),
        "chunk_characters": sum(chunks.values()),
    }
    return result, metrics


def chrf(translator: Translator, reference: Path) -> dict[str, Any]:
    """chrF (sacrebleu) of the stage's own translations of a shipped English-German set."""
    import sacrebleu

    pairs = read_reference(reference)
    german = translator.german(english for english, _ in pairs)
    score = sacrebleu.corpus_chrf([german[english] for english, _ in pairs], [[de for _, de in pairs]])
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


def translate_questions(translator: Translator, questions: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """German MT-Bench questions, and the number of texts left in English because their translation
    came back empty (an empty turn cannot be asked; the count goes to the metrics)."""
    texts = [text for q in questions for text in (*q["turns"], *q.get("reference", []))]
    german = translator.german(texts)
    untranslated = {text for text, german_text in german.items() if not german_text.strip()}
    german |= {text: text for text in untranslated}
    result = []
    for question in questions:
        entry = {**question, "turns": [german[t] for t in question["turns"]], "turns_en": question["turns"]}
        if "reference" in question:
            entry["reference"] = [german[t] for t in question["reference"]]
        result.append(entry)
    return result, sum(text in untranslated for text in texts)


def translate_stage(
    settings: TranslateSettings,
    source: Path,
    out: Path,
    cache_dir: Path,
    reference: Path | None = None,
    mtbench_out: Path | None = None,
) -> dict[str, Any]:
    """Translate ``source`` into ``out``, ``batch_rows`` rows at a time; with ``reference``, score chrF
    on it; with ``mtbench_out``, write the German MT-Bench questions there (the CLI passes both)."""
    from lingualign import mtbench
    from lingualign.io import parquet_sink, read_parquet_batches, release_memory

    engine = build(settings.engine, "translate.engine")
    text_identity = engine.identity() | settings.model_dump(mode="json", include=TEXT_IDENTITY)
    with ResultCache(cache_dir, engine.identity()) as chunks, ResultCache(cache_dir, text_identity) as texts:
        translator = Translator(engine, chunks, texts, settings)
        metrics: dict[str, Any] = {}
        with parquet_sink(out, TRANSLATED) as sink:
            for table in read_parquet_batches(source, NORMALIZED, "normalized data", settings.batch_rows):
                result, counts = translate_table(table, settings, translator)
                sink.write_table(result)
                metrics = add_counts(metrics, counts)
                del table, result
                release_memory()
            metrics = metrics or add_counts({}, translate_table(NORMALIZED.empty_table(), settings, translator)[1])
            metrics["dedupe_saving"] = (
                round(1 - metrics["chunk_characters"] / metrics["characters"], 4) if metrics["characters"] else 0.0
            )
            if reference is not None:
                metrics["reference"] = chrf(translator, reference)
            if mtbench_out is not None:
                questions = mtbench.english_questions(settings.mtbench_per_category)
                german, untranslated = translate_questions(translator, questions)
                mtbench.write_questions(mtbench_out, german)
                metrics["mtbench_questions"] = len(questions)
                metrics["mtbench_left_in_english"] = untranslated
    metrics["dtype"] = engine.identity().get("dtype")  # what auto became here; it decides the translations
    metrics["run"] = translator.run_metrics()
    return metrics


def add_counts(total: dict[str, Any], counts: dict[str, Any]) -> dict[str, Any]:
    """Counts of one batch of rows added to those of the batches before (nested dicts alike)."""
    merged = dict(total)
    for key, value in counts.items():
        merged[key] = add_counts(merged.get(key, {}), value) if isinstance(value, dict) else merged.get(key, 0) + value
    return merged


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--in", dest="source", type=Path, required=True, help="Normalized English rows (Parquet)")
    parser.add_argument("--out", type=Path, required=True, help="Translated rows (Parquet)")
    parser.add_argument("--cache", type=Path, required=True, help="Chunk translations kept across runs")
    parser.add_argument("--reference", type=Path, required=True, help="TSV of English<TAB>German for chrF")
    parser.add_argument("--mtbench-out", type=Path, required=True, help="German MT-Bench questions (FastChat JSONL)")
    parser.add_argument("--metrics", type=Path, required=True)


def main(args: argparse.Namespace) -> None:
    from lingualign.settings import load_settings
    from lingualign.tracking import run_stage

    settings = load_settings(TranslateSettings, args.params, PARAMS)
    run_stage(
        "translate",
        settings,
        args.metrics,
        lambda: translate_stage(settings, args.source, args.out, args.cache, args.reference, args.mtbench_out),
    )
