"""PHOENIX scale on one machine: the data stages on synthetic data of the size you name.

    python benchmarks/scale_bench.py 150M                       # ingest, translate, generate, score, pairs
    python benchmarks/scale_bench.py 1.5G --stages ingest translate --rerun --kill

Writes orca_dpo_pairs and UltraFeedback records in their own JSONL shapes (half the characters
each): a realistic mix of lengths (one-line answers, paragraphs, numbered and nested lists, fenced
code, a long tail), orca's few system prompts repeated, every prose line unique. Then runs each
stage in a process of its own, on the stages' own code, with an engine and a scorer that answer at
once (``instant_engine.py``, ``instant_scorer.py``, plugged in through the project's registries),
and prints each stage's time, characters per second and peak RSS. ``size`` counts the characters
of the normalized rows (system, prompt and response of every row: what translate reads).

``--rerun`` runs translate again over its full cache. ``--kill`` runs translate into a fresh cache,
SIGKILLs it at a random point, runs it again and prints how many requests the killed run answered,
how many of them the rerun found cached, and whether its output equals the uninterrupted run's.
Keep ``--work`` to reuse the data and outputs of earlier stages (``--stages translate`` then reads
the normalized rows that were left there).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
STAGES = ("ingest", "translate", "generate", "score", "pairs")
PREFIXES = {"K": 10**3, "M": 10**6, "G": 10**9}

# The bench's params: the GPU profile's shapes (ALMA's prompt, 400-character chunks, 1024 chunks a
# batch, five seeds) with instant models; rows are not dropped for flags, since echoed English is.
PARAMS = {
    "ingest": {"sources": [
        {"name": "orca", "schema": "orca_dpo_pairs", "path": "raw/orca.jsonl"},
        {"name": "ultrafeedback", "schema": "ultrafeedback", "path": "raw/ultrafeedback.jsonl"},
    ]},
    "translate": {
        "engine": {"name": "instant", "model": "instant", "batch_size": 1024},
        "template": "Translate this from {source} to {target}:\n{source}: {text}\n{target}:",
        "max_chunk_chars": 400,
    },
    "generate": {
        "datasets": ["ultrafeedback"], "seeds": [13, 21, 42, 79, 100],
        "sources": {name: {"name": "instant", "model": name, "batch_size": 1024} for name in ("one", "two")},
    },
    "score": {"scorer": {"name": "fallback", "scorers": [{"name": "ratings"}, {"name": "instant"}]}},
    "pairs": {"margin_min": 0.5, "margin_max": 10.0, "windows": {"generated": {"min": 0.01, "max": 10.0}}},
}  # fmt: skip

WORDS = [
    "order", "invoice", "refund", "router", "password", "account", "delivery", "customer", "warranty", "parcel",
    "update", "screen", "battery", "network", "question", "answer", "reason", "method", "result", "value", "number",
    "table", "column", "function", "variable", "equation", "system", "message", "product", "service", "contract",
    "payment", "address", "weather", "history", "country", "science", "language",
]  # fmt: skip
SYSTEM_PROMPTS = (
    "You are an AI assistant. User will you give you a task. Your goal is to complete the task as faithfully as "
    "you can. While performing the task think step-by-step and justify your steps.",
    "You are a helpful assistant, who always provide explanation. Think like you are answering to a five year old.",
    "You are an AI assistant that helps people find information.",
    "You are an AI assistant. You will be given a task. You must generate a detailed and long answer.",
    "",
)
CODE = (
    "def average(values):",
    "    total = sum(values)",
    "    return total / len(values)",
    "",
    "for item in items:",
    "    if item.price > 10:",
    "        print(item.name, item.price)",
    "result = {key: value for key, value in pairs}",
)
UF_MODELS = ("gpt-4", "llama-2-13b-chat", "wizardlm-7b", "falcon-40b-instruct", "alpaca-7b", "vicuna-33b")


class Writer:
    """Text in the shapes answers take, from a seeded generator; every prose line carries a serial number,
    so no two are the same (repeats would flatter translate's cache)."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.sentences = [self._sentence() for _ in range(4096)]
        self.serial = 0

    def _sentence(self) -> str:
        words = [self.rng.choice(WORDS) for _ in range(self.rng.randint(6, 24))]
        return " ".join(words).capitalize() + self.rng.choice(".....?!:")

    def line(self, sentences: int) -> str:
        self.serial += 1
        picked = " ".join(self.sentences[self.rng.randrange(4096)] for _ in range(sentences))
        return f"{picked} (ref {self.serial})"

    def answer(self) -> str:
        draw = self.rng.random()
        scale = 4 if self.rng.random() < 0.05 else 1  # a long tail
        if draw < 0.25:
            return self.line(self.rng.randint(1, 2))
        if draw < 0.65:
            return "\n\n".join(self.line(self.rng.randint(2, 7)) for _ in range(self.rng.randint(1, 4) * scale))
        if draw < 0.88:
            items = []
            for number in range(1, self.rng.randint(3, 8) * scale + 1):
                items.append(f"{number}. **{self.rng.choice(WORDS).title()}**: {self.line(self.rng.randint(1, 3))}")
                if self.rng.random() < 0.3:
                    items.append(f"   - {self.line(1)}")
            return f"{self.line(1)}\n\n" + "\n".join(items) + f"\n\n{self.line(2)}"
        code = "\n".join(self.rng.choice(CODE) for _ in range(self.rng.randint(3, 15) * scale))
        return f"{self.line(2)}\n\n```python\n{code}\n```\n\n{self.line(self.rng.randint(1, 4))}"

    def question(self) -> str:
        if self.rng.random() < 0.7:
            return self.line(self.rng.randint(1, 3))
        return f"{self.line(2)}\n\n{self.answer()}\n\n{self.line(1)}"  # a question with material to work on


def orca_records(writer: Writer, path: Path, characters: int) -> int:
    """Orca records until their normalized rows hold ``characters``; returns how many they hold."""
    written = 0
    with open(path, "w", encoding="utf-8") as handle:
        while written < characters:
            system, question = writer.rng.choice(SYSTEM_PROMPTS), writer.question()
            chosen, rejected = writer.answer(), writer.answer()
            handle.write(json.dumps({"system": system, "question": question, "chosen": chosen, "rejected": rejected}))
            handle.write("\n")
            written += 2 * (len(system) + len(question)) + len(chosen) + len(rejected)
    return written


def ultrafeedback_records(writer: Writer, path: Path, characters: int) -> int:
    written = 0
    with open(path, "w", encoding="utf-8") as handle:
        while written < characters:
            instruction = writer.question()
            completions = []
            for model in writer.rng.sample(UF_MODELS, 4):
                rating = writer.rng.randint(1, 5)
                response = writer.answer()
                completions.append({
                    "model": model, "response": response, "overall_score": writer.rng.randint(2, 20) / 2,
                    "fine-grained_score": float(rating), "critique": writer.line(2),
                    "annotations": {"helpfulness": {"Rating": str(rating), "Rationale": writer.line(1)}},
                })  # fmt: skip
                written += len(instruction) + len(response)
            record = {"source": "evol_instruct", "instruction": instruction, "completions": completions}
            handle.write(json.dumps({**record, "models": [c["model"] for c in completions]}))
            handle.write("\n")
    return written


def make_data(work: Path, characters: int, seed: int) -> None:
    (work / "raw").mkdir(parents=True, exist_ok=True)
    writer = Writer(seed)
    started = time.perf_counter()
    made = orca_records(writer, work / "raw" / "orca.jsonl", characters // 2)
    made += ultrafeedback_records(writer, work / "raw" / "ultrafeedback.jsonl", characters - made)
    size = sum(path.stat().st_size for path in (work / "raw").iterdir())
    print(
        f"data: {made / 1e6:,.1f} M characters, {size / 1e6:,.0f} MB of JSONL in {time.perf_counter() - started:.0f} s"
    )


# ---------------------------------------------------------------- one stage in a process of its own


def stage_paths(work: Path, cache: str = "cache") -> dict[str, Path]:
    return {
        "normalized": work / "normalized.parquet",
        "translated": work / "translated.parquet",
        "generated": work / "generated.parquet",
        "scored": work / "scored.parquet",
        "translate_cache": work / cache / "translate",
        "generate_cache": work / cache / "generate",
        "score_cache": work / cache / "score",
    }


def child(stage: str, work: Path, translated: Path, cache: str) -> None:
    """Runs in the stage's own process: plug in the instant models, run the stage, print what it cost."""
    sys.path.insert(0, str(Path(__file__).parent))
    import instant_engine  # noqa: F401 - registers the engine
    import instant_scorer  # noqa: F401 - registers the scorer

    from lingualign.settings import load_settings

    paths, params = stage_paths(work, cache), work / "params.yaml"
    os.chdir(work)  # the sources' paths are relative to the params file, as in the project
    started = time.perf_counter()
    if stage == "ingest":
        from lingualign.ingest import PARAMS as KEYS
        from lingualign.ingest import IngestSettings, ingest

        ingest(load_settings(IngestSettings, params, KEYS), paths["normalized"])
    elif stage == "translate":
        from lingualign.translate import PARAMS as KEYS
        from lingualign.translate import TranslateSettings, translate_stage

        settings = load_settings(TranslateSettings, params, KEYS)
        metrics = translate_stage(settings, paths["normalized"], translated, paths["translate_cache"])
        print(json.dumps({"translate_run": metrics["run"]}))
    elif stage == "generate":
        from lingualign.generate import PARAMS as KEYS
        from lingualign.generate import GenerateSettings, generate_stage

        settings = load_settings(GenerateSettings, params, KEYS)
        generate_stage(settings, translated, paths["generated"], paths["generate_cache"])
    elif stage == "score":
        from lingualign.score import PARAMS as KEYS
        from lingualign.score import ScoreSettings, score_stage

        settings = load_settings(ScoreSettings, params, KEYS)
        score_stage(settings, [translated, paths["generated"]], paths["scored"], paths["score_cache"])
    else:
        from lingualign.pairs import PARAMS as KEYS
        from lingualign.pairs import PairsSettings, pairs_stage

        pairs = work / "pairs"
        settings = load_settings(PairsSettings, params, KEYS)
        pairs_stage(settings, paths["scored"], pairs / "train.parquet", pairs / "test.parquet",
                    pairs / "sft.parquet", pairs / "margins.csv")  # fmt: skip
    seconds = time.perf_counter() - started
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork and exec.
    status = Path("/proc/self/status").read_text().splitlines()
    peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak}))


def stage_command(stage: str, work: Path, translated: Path, cache: str) -> list[str]:
    return [sys.executable, __file__, "--child", stage, "--work", str(work), "--translated", str(translated),
            "--cache", cache]  # fmt: skip


def run_stage(stage: str, work: Path, translated: Path | None = None, cache: str = "cache") -> dict:
    translated = translated or stage_paths(work)["translated"]
    with open(work / f"{stage}.log", "a") as log:
        result = subprocess.run(stage_command(stage, work, translated, cache), stdout=subprocess.PIPE, stderr=log,
                                text=True, cwd=ROOT)  # fmt: skip
    if result.returncode:
        sys.exit(f"{stage} failed ({result.returncode}); see {work / f'{stage}.log'}")
    found: dict = {}
    for line in result.stdout.strip().splitlines():
        found |= json.loads(line)
    return found


def characters(*paths: Path) -> int:
    """The text characters of Parquet tables (system, prompt, response and their German), read a row group
    at a time."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    total = 0
    for path in paths:
        parquet = pq.ParquetFile(path)
        names = [name for name in parquet.schema_arrow.names if name.split("_")[0] in ("system", "prompt", "response")]
        for group in range(parquet.num_row_groups):
            table = parquet.read_row_group(group, columns=names)
            total += sum(pc.sum(pc.utf8_length(table[name])).as_py() or 0 for name in names)
    return total


def report(stage: str, result: dict, chars: int) -> None:
    print(f"{stage:>18}: {result['seconds']:8.1f} s  {chars / result['seconds'] / 1e6:7.2f} M chars/s "
          f"({chars / 1e6:,.0f} M)  peak RSS {result['peak_mb']:6,.0f} MB", flush=True)  # fmt: skip


def file_hash(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()


def killed_run(work: Path, first: dict, seed: int) -> None:
    """translate into a fresh cache, SIGKILLed at a random point of its first run's time, then again.
    Recomputed: what the two runs asked of the engine beyond what the uninterrupted run asked."""
    paths = stage_paths(work, "cache-killed")
    shutil.rmtree(paths["translate_cache"], ignore_errors=True)
    counter = work / "answered"
    counter.unlink(missing_ok=True)
    at = random.Random(seed).uniform(0.1, 0.9) * first["seconds"]
    out = work / "translated-killed.parquet"
    with open(work / "translate.log", "a") as log:
        env = os.environ | {"LINGUALIGN_INSTANT_COUNT": str(counter)}
        command = stage_command("translate", work, out, "cache-killed")
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log, cwd=ROOT, env=env)
        time.sleep(at)
        process.send_signal(signal.SIGKILL)
        process.wait()
    answered = int(counter.read_text()) if counter.exists() else 0
    again = run_stage("translate", work, out, "cache-killed")
    asked, total = again["translate_run"]["translated_chunks"], first["translate_run"]["translated_chunks"]
    batch = PARAMS["translate"]["engine"]["batch_size"]
    print(f"killed translate at {at:.0f} s, after {answered:,} of {total:,} chunks; the rerun asked {asked:,}: "
          f"{answered + asked - total:,} recomputed (a batch is {batch:,})")  # fmt: skip
    report("translate resumed", again, characters(stage_paths(work)["normalized"]))
    same = file_hash(out) == file_hash(stage_paths(work)["translated"])
    print(f"resumed output {'equals' if same else 'DIFFERS FROM'} the uninterrupted run's")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", nargs="?", default="15M", help="characters of normalized rows: 15M, 150M, 1.5G")
    parser.add_argument("--stages", nargs="+", choices=STAGES, default=list(STAGES))
    parser.add_argument("--work", type=Path, help="keep data and outputs here (default: a folder removed at the end)")
    parser.add_argument("--rerun", action="store_true", help="translate again with every chunk cached")
    parser.add_argument("--kill", action="store_true", help="SIGKILL translate at a random point, then resume")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch-rows", type=int, help="every stage's batch_rows (default: each stage's own)")
    parser.add_argument("--child", choices=STAGES, help=argparse.SUPPRESS)
    parser.add_argument("--translated", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--cache", default="cache", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.work, args.translated, args.cache)
        return
    size = int(float(args.size[:-1]) * PREFIXES[args.size[-1].upper()]) if args.size[-1].isalpha() else int(args.size)
    work = args.work or Path(os.environ.get("TMPDIR", "/tmp")) / f"scale-bench-{os.getpid()}"
    work.mkdir(parents=True, exist_ok=True)
    try:
        params = {stage: dict(section) for stage, section in PARAMS.items()}
        if args.batch_rows:
            for section in params.values():
                section["batch_rows"] = args.batch_rows
        (work / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
        if "ingest" in args.stages:
            make_data(work, size, args.seed)
        paths = stage_paths(work)
        inputs = {"ingest": [paths["normalized"]], "translate": [paths["normalized"]],
                  "generate": [paths["translated"]], "score": [paths["translated"], paths["generated"]],
                  "pairs": [paths["scored"]]}  # fmt: skip
        first = {}
        for stage in args.stages:
            if stage == "translate":
                shutil.rmtree(paths["translate_cache"], ignore_errors=True)
            first[stage] = run_stage(stage, work)
            report(stage, first[stage], characters(*inputs[stage]))
        if args.rerun:
            cached = run_stage("translate", work)
            report("translate cached", cached, characters(paths["normalized"]))
            print(f"cached rerun / first run: {cached['seconds'] / first['translate']['seconds']:.3f}")
        if args.kill:
            killed_run(work, first["translate"], args.seed)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
