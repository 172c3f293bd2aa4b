"""translate: English rows -> German beside the English, chunked, cached, with quality flags.

Every text (system prompt, prompt, response) is split into chunks (``chunking``); each unique
chunk goes to the engine once, across all rows and datasets, unless the cache already holds it.
The engine layer runs the chunks in a fixed partition of batches and caches every finished
batch, so a killed run resumes where it stopped and ends as an uninterrupted run; added rows
translate only their new chunks. The stage also translates the German MT-Bench questions that
``evaluate`` asks, and scores its own translations of a shipped English-German set (chrF).
"""

from __future__ import annotations

import argparse
import math
from collections import Counter
from collections.abc import Iterable
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
    for line in raw.strip().splitlines():
        line = line.strip()
        if line:
            return line[len(label) :].strip() if line.startswith(label) else line
    return ""


class Translator:
    """Translates texts chunk by chunk through an engine, reading and filling the cache."""

    def __init__(self, engine: Any, cache: ResultCache, settings: TranslateSettings):
        self.engine, self.cache, self.settings = engine, cache, settings
        self.stats = RunStats()
        self.chunk_characters = self.translated_characters = 0

    def translate(self, texts: Iterable[str]) -> dict[str, tuple[list[Piece], dict[str, Generation]]]:
        """For each unique text: its pieces and the (cleaned) generation of each translatable piece."""
        pieces = {text: split_text(text, self.settings.max_chunk_chars) for text in dict.fromkeys(texts)}
        unique = list(dict.fromkeys(p.text for parts in pieces.values() for p in parts if p.translate))
        self.chunk_characters += sum(map(len, unique))
        raw = run(
            self.engine, [chunk_request(chunk, self.settings) for chunk in unique], self.cache, "translate", self.stats
        )
        self.translated_characters += sum(len(chunk) for chunk, g in zip(unique, raw, strict=True) if not g.cached)
        cleaned = {
            chunk: Generation(clean_output(g.text, self.settings.target_language), g.truncated)
            for chunk, g in zip(unique, raw, strict=True)
        }
        return {
            text: (parts, {p.text: cleaned[p.text] for p in parts if p.translate}) for text, parts in pieces.items()
        }

    def german(self, texts: Iterable[str]) -> dict[str, str]:
        return {
            text: join(parts, {chunk: g.text for chunk, g in generations.items()})
            for text, (parts, generations) in self.translate(texts).items()
        }

    def run_metrics(self) -> dict[str, Any]:
        # These vary with the cache's state and the machine; they sit apart from the content metrics.
        seconds = self.stats.seconds
        return {
            "cache_hits": self.stats.cache_hits,
            "translated_chunks": self.stats.generated,
            "translated_characters": self.translated_characters,
            "seconds": round(seconds, 1),
            "chars_per_s": round(self.translated_characters / seconds, 1) if seconds else 0.0,
        }


def translate_table(
    table: pa.Table, settings: TranslateSettings, translator: Translator
) -> tuple[pa.Table, dict[str, Any]]:
    columns = table.to_pydict()
    texts = [text for field in settings.fields for text in columns[field]]
    translated = translator.translate(texts)
    out = {name: list(values) for name, values in columns.items()}
    text_flags_cache: dict[str, set[str]] = {}
    row_flags: list[set[str]] = [set() for _ in range(table.num_rows)]
    for field in TEXT_FIELDS:
        out[f"{field}_de"] = []
        for row, text in enumerate(columns[field]):
            if field not in settings.fields:
                out[f"{field}_de"].append(text)
                continue
            parts, generations = translated[text]
            out[f"{field}_de"].append(join(parts, {chunk: g.text for chunk, g in generations.items()}))
            if text not in text_flags_cache:
                text_flags_cache[text] = text_flags(
                    list(generations), list(generations.values()), settings.quality, settings.target_code
                )
            row_flags[row] |= text_flags_cache[text]
    out["flags"] = [sorted(flags) for flags in row_flags]
    result = pa.Table.from_pydict(out, schema=TRANSLATED)
    flag_counts = Counter(flag for flags in row_flags for flag in flags)
    if settings.quality.drop_flagged:
        result = result.filter(pa.array([not flags for flags in row_flags]))
    metrics = {
        "rows": table.num_rows,
        "rows_flagged": sum(1 for flags in row_flags if flags),
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
    """Translate ``source`` into ``out``; with ``reference``, score chrF on it; with ``mtbench_out``,
    write the German MT-Bench questions there (the CLI always passes both)."""
    from lingualign import mtbench
    from lingualign.io import read_parquet, write_parquet

    table = read_parquet(source, NORMALIZED, "normalized data")
    engine = build(settings.engine)
    cache = ResultCache(cache_dir, engine.identity())
    translator = Translator(engine, cache, settings)
    try:
        result, metrics = translate_table(table, settings, translator)
        metrics |= {"chunks": translator.stats.requests, "chunk_characters": translator.chunk_characters}
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
        write_parquet(out, result, TRANSLATED)
    finally:
        cache.close()
    metrics["run"] = translator.run_metrics()
    return metrics


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
        [args.source, args.reference],
        args.metrics,
        lambda: translate_stage(settings, args.source, args.out, args.cache, args.reference, args.mtbench_out),
    )
