"""generate: sample responses to the translated prompts from several source models (FuseChat-3.0).

For the German prompts of ``generate.datasets``, every source model (each an engine of its own)
draws one sample per seed, with the sampling settings of the recipe (FuseChat-3.0: five samples,
temperature 0.8, top-p 0.95, the seeds of SimPO's scripts). Every sample is cached by its
identity (model, revision, weights, sampling settings, seed, the conversation), so a killed run
resumes, no sample is drawn twice, and added prompts draw only their own.

The samples become rows of the translated table's layout (``contracts.TRANSLATED``) under the
dataset ``generated``, with the source's name as ``source_model`` and the sample as the response
(``response`` and ``response_de`` alike: there is no English original), so ``score`` and
``pairs`` take them like any other rows. A prompt's samples from one source that are all the same
can make no pair; they are dropped and counted.
"""

from __future__ import annotations

import argparse
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
from pydantic import Field, model_validator

from lingualign.contracts import TRANSLATED
from lingualign.engines import EngineField, Request, RunStats
from lingualign.settings import Settings

PARAMS = ("generate",)
DATASET = "generated"


class GenerateSettings(Settings):
    datasets: list[str] = Field(min_length=1, description="Datasets whose (translated) prompts are sampled")
    prompts_per_dataset: int | None = Field(default=None, ge=1, description="The first N prompts of each; null: all")
    sources: dict[str, EngineField] = Field(  # type: ignore[valid-type]
        min_length=1, description="Source name (source_model of its samples) -> the engine and model that samples"
    )
    seeds: list[int] = Field(default_factory=lambda: [13, 21, 42, 79, 100], min_length=1, description="One sample each")
    temperature: float = Field(default=0.8, gt=0)
    top_p: float = Field(default=0.95, gt=0, le=1)
    max_new_tokens: int = Field(default=4096, ge=1)
    system_prompt: str | None = Field(default=None, description="Replaces each prompt's own system prompt when set")
    batch_rows: int = Field(
        default=1_000,  # fewer than the other stages' rows: each prompt is sampled once per seed and source
        ge=1,
        description="Table rows whose prompts are sampled together, and rows per row group: bounds memory",
    )

    @model_validator(mode="after")
    def _distinct_seeds(self) -> GenerateSettings:
        if len(set(self.seeds)) != len(self.seeds):
            raise ValueError(f"seeds must be distinct, got {self.seeds}")
        return self


def prompt_batches(source: Path, settings: GenerateSettings) -> Iterator[list[dict[str, Any]]]:
    """One row per prompt of the chosen datasets (the first of its rows), in table order, a batch of
    ``batch_rows`` table rows at a time; only the chosen prompts' ids are kept across batches."""
    import pyarrow.compute as pc

    from lingualign.io import read_parquet_batches, release_memory

    seen, taken = set(), dict.fromkeys(settings.datasets, 0)
    chosen = pa.array(list(taken), pa.string())
    columns = ["prompt_id", "dataset", "source_row", "system", "prompt", "system_de", "prompt_de"]
    for table in read_parquet_batches(source, TRANSLATED, "translated data", settings.batch_rows):
        # Other datasets' rows stay in Arrow: batches of them yield nothing, so no caller frees their memory.
        prompts = []
        for row in table.select(columns).filter(pc.is_in(table["dataset"], chosen)).to_pylist():
            if row["prompt_id"] in seen:
                continue
            if settings.prompts_per_dataset is not None and taken[row["dataset"]] >= settings.prompts_per_dataset:
                continue
            seen.add(row["prompt_id"])
            taken[row["dataset"]] += 1
            prompts.append(row)
        if prompts:
            yield prompts
        else:
            release_memory()


def conversation(prompt: dict[str, Any], settings: GenerateSettings) -> tuple[dict[str, str], ...]:
    system = settings.system_prompt if settings.system_prompt is not None else prompt["system_de"]
    return (
        *([{"role": "system", "content": system}] if system else []),
        {"role": "user", "content": prompt["prompt_de"]},
    )


def sample_requests(prompts: list[dict[str, Any]], settings: GenerateSettings) -> list[Request]:
    """Every prompt once per seed, in (prompt, seed) order."""
    common = {"temperature": settings.temperature, "top_p": settings.top_p}
    return [
        Request(settings.max_new_tokens, messages=conversation(prompt, settings), seed=seed, **common)
        for prompt in prompts
        for seed in settings.seeds
    ]


def sample_rows(prompts: list[dict[str, Any]], source: str, texts: list[str], settings: GenerateSettings) -> list[dict]:
    seeds = len(settings.seeds)
    rows = []
    for index, prompt in enumerate(prompts):
        samples = texts[index * seeds : (index + 1) * seeds]
        if seeds > 1 and len(set(samples)) == 1:
            continue
        system = settings.system_prompt if settings.system_prompt is not None else prompt["system_de"]
        for seed, text in zip(settings.seeds, samples, strict=True):
            identity = f"{prompt['prompt_id']}\x1f{source}\x1f{seed}"
            rows.append(
                {
                    "prompt_id": prompt["prompt_id"],
                    "dataset": DATASET,
                    "source_row": prompt["source_row"],
                    "system": prompt["system"],
                    "prompt": prompt["prompt"],
                    "response_id": hashlib.blake2b(identity.encode(), digest_size=8).hexdigest(),
                    "response": text,
                    "source_model": source,
                    "rating": None,
                    "fine_grained_rating": None,
                    "label": None,
                    "system_de": system,
                    "prompt_de": prompt["prompt_de"],
                    "response_de": text,
                    "flags": [],
                }
            )
    return rows


def generate_stage(settings: GenerateSettings, source: Path, out: Path, cache_dir: Path) -> dict[str, Any]:
    """Each source model in turn samples the prompts, ``batch_rows`` rows of the table at a time, so
    memory follows the batch, not the data."""
    from lingualign.cache import ResultCache
    from lingualign.engines import build, run
    from lingualign.io import parquet_sink, release_memory

    prompts, samples, per_source, stats = 0, 0, {}, RunStats()
    with parquet_sink(out, TRANSLATED) as sink:
        for name, engine_settings in settings.sources.items():
            engine = build(engine_settings, f"generate.sources.{name}")
            dtype = engine.identity().get("dtype")
            prompts = kept = characters = dropped = 0
            with ResultCache(cache_dir, engine.identity()) as cache:
                for batch in prompt_batches(source, settings):
                    requests = sample_requests(batch, settings)
                    texts = [g.text.strip() for g in run(engine, requests, cache, desc=f"generate {name}", stats=stats)]
                    rows = sample_rows(batch, name, texts, settings)
                    prompts += len(batch)
                    kept += len(rows)
                    characters += sum(len(row["response"]) for row in rows)
                    dropped += len(batch) - len(rows) // len(settings.seeds)
                    sink.add(pa.Table.from_pylist(rows, TRANSLATED), settings.batch_rows)
                    del requests, texts, rows
                    release_memory()
            del engine  # one source model in memory at a time
            samples += kept
            per_source[name] = {
                "dtype": dtype,
                "samples": kept,
                "mean_chars": round(characters / kept, 1) if kept else None,
                "identical_prompts_dropped": dropped,
            }
        sink.add(TRANSLATED.empty_table(), settings.batch_rows)  # an output without samples keeps its schema
    samples_per_s = round(stats.generated / stats.seconds, 2) if stats.seconds else 0.0
    run_block = {"cache_hits": stats.cache_hits, "sampled": stats.generated, "seconds": round(stats.seconds, 1)}
    return {
        "prompts": prompts,
        "samples": samples,
        "sources": per_source,
        "run": run_block | {"samples_per_s": samples_per_s},
    }


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--in", dest="source", type=Path, required=True, help="Translated rows (Parquet)")
    parser.add_argument("--out", type=Path, required=True, help="Sampled rows (Parquet, the translated layout)")
    parser.add_argument("--cache", type=Path, required=True, help="Samples kept across runs")
    parser.add_argument("--metrics", type=Path, required=True)


def main(args: argparse.Namespace) -> None:
    from lingualign.settings import load_settings
    from lingualign.tracking import run_stage

    settings = load_settings(GenerateSettings, args.params, PARAMS)
    run_stage(
        "generate",
        settings,
        args.metrics,
        lambda: generate_stage(settings, args.source, args.out, args.cache),
    )
