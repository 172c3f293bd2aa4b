"""German MT-Bench through the engine layer: both turns answered in the model's chat template,
each answer judged by an LLM (a local model or any OpenAI-compatible server), rated by
:mod:`lingualign.mtbench`'s rules. Judgements are cached batch by batch, so an interrupted or
repeated evaluation never pays for the same judgement twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
from pydantic import Field

from lingualign import mtbench
from lingualign.engines import Engine, EngineField, Request, run
from lingualign.mtbench import Question
from lingualign.settings import Settings


class JudgeSettings(Settings):
    engine: EngineField = Field(
        description="The judge: {name: transformers, model: ...} or {name: openai, base_url: ..., served_model: gpt-4}"
    )  # type: ignore[valid-type]
    reply_prefix: str = Field(
        default="",
        description="Text the judge's reply starts with, e.g. 'Rating: [[' to lead a small model to the format",
    )
    max_new_tokens: int = Field(default=512, ge=1)
    prompts: str | None = Field(
        default=None, description="Judge prompts JSONL (FastChat format); default: the package's"
    )


class MTBenchSettings(Settings):
    questions: str = Field(
        default="data/mtbench_de.jsonl",
        description="German two-turn questions (FastChat JSONL), or a hub dataset with `hub`",
    )
    hub: bool = Field(default=False, description="Read `questions` as a hub dataset id (pinned by `revision`)")
    revision: str | None = None
    max_new_tokens: int = Field(default=1024, ge=1)
    seed: int = 42
    language: str = Field(default="de", description="ISO 639-1 code an answer must be in")
    min_language_chars: int = Field(default=20, ge=1, description="Prose needed before the language is judged")
    judge: JudgeSettings


def answer_questions(engine: Engine, questions: Sequence[Question], settings: MTBenchSettings) -> list[tuple[str, str]]:
    """Both turns of every question; the second sees the first answer. Temperature by category."""
    answers: dict[int, list[str]] = {q.question_id: [] for q in questions}
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
        for question, generation in zip(questions, run(engine, requests, desc=f"answer turn {turn + 1}"), strict=True):
            answers[question.question_id].append(generation.text.strip())
    return [(answers[q.question_id][0], answers[q.question_id][1]) for q in questions]


def judge_answers(
    judge: Engine,
    prompts: dict[str, dict[str, str]],
    questions: Sequence[Question],
    answers: Sequence[tuple[str, str]],
    settings: MTBenchSettings,
    cache: Any = None,
) -> list[dict[str, Any]]:
    """One row per question and turn: the answer, the judgement, the rating and how it was reached."""
    rows, requests = [], []
    prefix = settings.judge.reply_prefix
    for question, pair in zip(questions, answers, strict=True):
        for turn in range(2):
            row: dict[str, Any] = {
                "question_id": question.question_id,
                "category": question.category,
                "turn": turn + 1,
                "question": question.turns[turn],
                "answer": pair[turn],
                "judgement": None,
            }
            rows.append(row)
            if mtbench.is_in_language(pair[turn], settings.language, settings.min_language_chars):
                messages = mtbench.judge_messages(prompts, question, pair, turn) + (
                    [{"role": "assistant", "content": prefix}] if prefix else []
                )
                requests.append(
                    (row, Request(settings.judge.max_new_tokens, messages=tuple(messages), continue_final=bool(prefix)))
                )
            else:
                row |= {"rating": 1.0, "status": "not_german"}
    replies = run(judge, [request for _, request in requests], cache, desc="judge")
    for (row, _), reply in zip(requests, replies, strict=True):
        judgement = prefix + reply.text.strip()
        rating = mtbench.parse_rating(judgement)
        row |= {"judgement": judgement, "rating": rating, "status": "judged" if rating is not None else "unparseable"}
    return rows


def judge_facts(engine: Any) -> dict[str, Any]:
    """The judge's model and, for a local checkpoint, its parameter count (read from the safetensors
    headers, no weights loaded): the report says whether its ratings can mean anything."""
    import math

    files = sorted(Path(engine.model).glob("*.safetensors"))
    parameters = None
    if files:
        from safetensors import safe_open

        parameters = 0
        for file in files:
            with safe_open(file, "np") as handle:
                parameters += sum(math.prod(handle.get_slice(key).get_shape()) for key in handle.keys())  # noqa: SIM118
    return {"model": getattr(engine, "served_model", None) or engine.model, "parameters": parameters}


ANSWERS = pa.schema(
    [
        pa.field("question_id", pa.int64(), nullable=False),
        pa.field("category", pa.string(), nullable=False),
        pa.field("turn", pa.int8(), nullable=False),
        pa.field("question", pa.string(), nullable=False),
        pa.field("answer", pa.string(), nullable=False),
        pa.field("judgement", pa.string()),
        pa.field("rating", pa.float64()),
        pa.field("status", pa.string(), nullable=False),
    ]
)


def write_answers(path: Path, rows: Sequence[dict[str, Any]]) -> None:
    from lingualign.io import write_parquet

    write_parquet(path, pa.Table.from_pylist([{k: r[k] for k in ANSWERS.names} for r in rows], schema=ANSWERS), ANSWERS)
