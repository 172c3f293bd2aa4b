"""MT-Bench answers: one batch per turn (each row at its own temperature) against one batch per temperature.

    python benchmarks/mtbench_answers_bench.py [--model models/sources/smollm2-135m-instruct]

MT-Bench answers each category at its own temperature (0.7 writing and roleplay, 0.1 STEM and
humanities, 0 the rest). The transformers engine decodes every row at its own temperature, so
both turns of the eight questions of the CPU default are two batches; split by temperature they
were six, each decoded to the end of its longest answer (``ByTemperature`` wraps the engine to
batch so). Both sides run evaluate's own ``answer_questions`` on the same loaded model, one after
the other in one process; each side is run once first to warm up. Needs ``data/mtbench_de.jsonl``
(``dvc repro translate``).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path

from lingualign import mtbench
from lingualign.devices import load_causal_lm
from lingualign.engines import Engine, Generation, Request
from lingualign.engines.transformers import TransformersEngine, TransformersSettings
from lingualign.evaluate import PARAMS, EvaluateSettings
from lingualign.evaluate.judging import MTBenchSettings, answer_questions
from lingualign.settings import load_settings, read_params


class ByTemperature(Engine):
    """The engine as it batched before: each temperature of a batch decoded as a batch of its own."""

    def __init__(self, inner: Engine):
        super().__init__(inner.settings)
        self.inner = inner

    def generate(self, requests: Sequence[Request]) -> list[Generation]:
        done: dict[int, Generation] = {}
        for temperature in sorted({request.temperature for request in requests}):
            chosen = [i for i, request in enumerate(requests) if request.temperature == temperature]
            done.update(zip(chosen, self.inner.generate([requests[i] for i in chosen]), strict=True))
        return [done[i] for i in range(len(requests))]


def seconds(engine: Engine, questions: list[mtbench.Question], settings: MTBenchSettings) -> float:
    started = time.perf_counter()
    answer_questions(engine, questions, settings)
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
    apart_engine = ByTemperature(engine)
    for warmup in (engine, apart_engine):
        seconds(warmup, questions, settings.mtbench)
    together = seconds(engine, questions, settings.mtbench)
    apart = seconds(apart_engine, questions, settings.mtbench)
    print(f"{len(questions)} questions, 2 turns, {settings.mtbench.max_new_tokens} new tokens at most")
    print(f"one batch per turn, each row at its own temperature: {together:6.1f} s")
    print(f"one batch per temperature:                           {apart:6.1f} s  ({apart / together:.2f}x)")


if __name__ == "__main__":
    main()
