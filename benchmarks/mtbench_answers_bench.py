"""MT-Bench answers: one batch per turn (each row at its own temperature) against one batch per temperature.

    python benchmarks/mtbench_answers_bench.py [--model models/sources/smollm2-135m-instruct]

MT-Bench answers each category at its own temperature (0.7 writing and roleplay, 0.1 STEM and
humanities, 0 the rest). The transformers engine decodes every row at its own temperature, so
both turns of the eight questions of the CPU default are two batches; split by temperature they
were six, each decoded to the end of its longest answer. Both sides run the same requests through
``lingualign.engines.run`` on the same loaded model, one after the other in one process; each
side is run once first to warm up. Needs ``data/mtbench_de.jsonl`` (``dvc repro translate``).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from lingualign import mtbench
from lingualign.devices import load_causal_lm
from lingualign.engines import Request, run
from lingualign.engines.transformers import TransformersEngine, TransformersSettings
from lingualign.evaluate import PARAMS, EvaluateSettings
from lingualign.evaluate.judging import MTBenchSettings
from lingualign.settings import load_settings, read_params


def turns(
    engine: TransformersEngine, questions: list[mtbench.Question], settings: MTBenchSettings, split: bool
) -> float:
    """Seconds to answer both turns, the requests of each turn in one call or one call per temperature."""
    answers: dict[int, list[str]] = {q.question_id: [] for q in questions}
    started = time.perf_counter()
    for turn in range(2):
        requests = [
            Request(
                settings.max_new_tokens,
                messages=tuple(mtbench.conversation(q, answers[q.question_id], turn)),
                temperature=mtbench.TEMPERATURE[q.category],
                seed=settings.seed,
            )
            for q in questions
        ]
        groups = sorted({r.temperature for r in requests}) if split else [None]
        replies = {}
        for temperature in groups:
            chosen = [r for r in requests if temperature is None or r.temperature == temperature]
            replies.update(zip(map(id, chosen), run(engine, chosen, desc=f"turn {turn + 1}"), strict=True))
        for question, request in zip(questions, requests, strict=True):
            answers[question.question_id].append(replies[id(request)].text.strip())
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="models/sources/smollm2-135m-instruct")
    parser.add_argument("--params", type=Path, default=Path("params.yaml"))
    args = parser.parse_args()
    first = next(iter(read_params(args.params)["evaluate"]["models"]))
    settings = load_settings(EvaluateSettings, args.params, PARAMS, item=first)
    questions = mtbench.read_questions(settings.mtbench.questions, settings.mtbench.hub, settings.mtbench.revision)
    engine_settings = TransformersSettings(
        name="transformers", model=args.model, device=settings.device, dtype=settings.dtype,
        batch_size=settings.mtbench.batch_size,
    )  # fmt: skip
    engine = TransformersEngine(engine_settings, load_causal_lm(args.model, settings.device, settings.dtype))
    for split in (False, True):
        turns(engine, questions, settings.mtbench, split)
    together = turns(engine, questions, settings.mtbench, split=False)
    apart = turns(engine, questions, settings.mtbench, split=True)
    print(f"{len(questions)} questions, 2 turns, {settings.mtbench.max_new_tokens} new tokens at most")
    print(f"one batch per turn, each row at its own temperature: {together:6.1f} s")
    print(f"one batch per temperature:                           {apart:6.1f} s  ({apart / together:.2f}x)")


if __name__ == "__main__":
    main()
