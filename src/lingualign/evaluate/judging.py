"""German MT-Bench: two-turn answers in the chat template, an LLM judge, FastChat's aggregation.

Rating rules (FastChat's ``single-v1`` judging, made strict):

- The judge's reply must hold a rating as ``[[x]]`` with 1 <= x <= 10. A reply with no rating,
  with two different ratings, or with one out of range is *unparseable*: counted in
  ``unparseable`` and left out of every mean, never scored 0. The same rating written twice counts.
- An answer whose prose (fenced code removed) is not German scores 1 without asking the judge
  (``not_german``). An empty answer is not German. Prose shorter than ``min_language_chars``
  (a number, a code-only answer) is left to the judge.
- ``first_turn``/``second_turn`` are the means of each turn's ratings, ``categories`` the mean of
  both turns per category, ``average`` the mean of all ratings, as FastChat's ``show_result``.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from pydantic import Field

from lingualign.cache import ResultCache
from lingualign.errors import InputError, LingualignError
from lingualign.settings import Settings, registry_name
from lingualign.translate import OpenAISettings
from lingualign.translate.mtbench import CATEGORIES, package_file, read_jsonl
from lingualign.translate.quality import detect_language

# FastChat's sampling temperature per category (llm_judge/common.py).
TEMPERATURE = {"writing": 0.7, "roleplay": 0.7, "extraction": 0.0, "math": 0.0, "coding": 0.0, "reasoning": 0.0, "stem": 0.1, "humanities": 0.1}
_RATING = re.compile(r"\[\[\s*(-?\d+(?:\.\d+)?)\s*\]\]")
_FENCED = re.compile(r"```.*?(```|$)", re.S)

Message = dict[str, str]


class Judge(Protocol):
    def reply(self, conversations: Sequence[list[Message]]) -> list[str]: ...


JUDGES: dict[str, Callable[..., Judge]] = {}


def judge(name: str) -> Callable[[Callable[..., Judge]], Callable[..., Judge]]:
    def register(factory: Callable[..., Judge]) -> Callable[..., Judge]:
        JUDGES[name] = factory
        return factory

    return register


class JudgeSettings(Settings):
    backend: registry_name(JUDGES, "judge") = Field(default="transformers", description="transformers (a local model) | openai (any OpenAI-compatible server)")  # type: ignore[valid-type]
    model: str = Field(default="models/sources/smollm2-135m-instruct", description="Local model folder, or the served model's name")
    reply_prefix: str = Field(default="", description="Text the local judge's reply starts with, e.g. 'Rating: [[' to lead a small model to the format")
    max_new_tokens: int = Field(default=512, ge=1)
    batch_size: int = Field(default=4, ge=1)
    prompts: str | None = Field(default=None, description="Judge prompts JSONL (FastChat format); default: the package's")
    openai: OpenAISettings = Field(default_factory=OpenAISettings)

    def cache_identity(self) -> dict[str, Any]:
        """What decides a judgement besides its prompt: transport and batching must not."""
        model = (self.openai.model or self.model) if self.backend == "openai" else self.model
        return {"judge": model, "max_new_tokens": self.max_new_tokens, "reply_prefix": self.reply_prefix}


class MTBenchSettings(Settings):
    questions: str = Field(default="data/mtbench_de.jsonl", description="German two-turn questions (FastChat JSONL), or a hub dataset with `hub`")
    hub: bool = Field(default=False, description="Read `questions` as a hub dataset id (pinned by `revision`)")
    revision: str | None = None
    max_new_tokens: int = Field(default=1024, ge=1)
    batch_size: int = Field(default=8, ge=1)
    seed: int = 42
    language: str = Field(default="de", description="ISO 639-1 code an answer must be in")
    min_language_chars: int = Field(default=20, ge=1, description="Prose needed before the language is judged")
    judge: JudgeSettings = Field(default_factory=JudgeSettings)


@dataclass(frozen=True)
class Question:
    question_id: int
    category: str
    turns: tuple[str, str]
    reference: tuple[str, str] | None


# ---------------------------------------------------------------- questions


def read_questions(settings: MTBenchSettings) -> list[Question]:
    if settings.hub:
        import datasets

        rows = list(datasets.load_dataset(settings.questions, revision=settings.revision, split="train"))
    else:
        path = Path(settings.questions)
        if not path.is_file():
            raise InputError(path, None, None, "file not found", "missing_file")
        rows = read_jsonl(path)
    questions = [_question(settings.questions, number, row) for number, row in enumerate(rows, 1)]
    if not questions:
        raise InputError(settings.questions, None, None, "no questions (translate.mtbench_per_category: 0?)", "empty_file")
    return questions


def _question(source: str, row: int, data: dict[str, Any]) -> Question:
    def field(name: str, check: Callable[[Any], bool], expected: str) -> Any:
        value = data.get(name)
        if not check(value):
            raise InputError(source, row, name, f"expected {expected} (got {value!r:.60})", "bad_question")
        return value

    def two_texts(value: Any) -> bool:
        return isinstance(value, list) and len(value) == 2 and all(isinstance(t, str) and t.strip() for t in value)

    question_id = field("question_id", lambda v: isinstance(v, int), "an integer")
    category = field("category", lambda v: v in CATEGORIES, f"one of {', '.join(CATEGORIES)}")
    turns = field("turns", two_texts, "two non-empty turns")
    reference = field("reference", lambda v: v is None or two_texts(v), "two reference answers or none")
    return Question(question_id, category, tuple(turns), tuple(reference) if reference else None)  # type: ignore[arg-type]


# ---------------------------------------------------------------- answers


def generate_replies(model: Any, tokenizer: Any, conversations: Sequence[list[Message]], max_new_tokens: int, temperature: float, batch_size: int, prefix: str = "") -> list[str]:
    """One reply per conversation, rendered with the model's chat template; ``prefix`` starts each reply."""
    import torch
    from tqdm import tqdm

    prompts = [tokenizer.apply_chat_template(c, tokenize=False, add_generation_prompt=True) + prefix for c in conversations]
    replies = [""] * len(prompts)
    order = sorted(range(len(prompts)), key=lambda i: -len(prompts[i]))
    for start in tqdm(range(0, len(order), batch_size), desc="generate", unit="batch", leave=False):
        batch = order[start : start + batch_size]
        encoded = tokenizer([prompts[i] for i in batch], return_tensors="pt", padding=True, add_special_tokens=False).to(model.device)
        with torch.inference_mode():
            output = model.generate(
                **encoded,
                max_new_tokens=max_new_tokens,
                do_sample=temperature > 0,
                temperature=temperature if temperature > 0 else None,
                top_p=None,
                top_k=None,
                pad_token_id=tokenizer.pad_token_id,
            )
        for index, tokens in zip(batch, output[:, encoded["input_ids"].shape[1] :], strict=True):
            replies[index] = prefix + tokenizer.decode(tokens, skip_special_tokens=True).strip()
    return replies


def answer_questions(model: Any, tokenizer: Any, questions: Sequence[Question], settings: MTBenchSettings) -> list[tuple[str, str]]:
    """Both turns of every question; the second sees the first answer. Temperature by category."""
    import torch

    answers: dict[int, list[str]] = {q.question_id: [] for q in questions}
    for temperature in sorted({TEMPERATURE[q.category] for q in questions}):
        group = [q for q in questions if TEMPERATURE[q.category] == temperature]
        torch.manual_seed(settings.seed)  # sampled categories give the same answers on every run
        for turn in range(2):
            conversations = [_conversation(q, answers[q.question_id], turn) for q in group]
            for question, reply in zip(group, generate_replies(model, tokenizer, conversations, settings.max_new_tokens, temperature, settings.batch_size), strict=True):
                answers[question.question_id].append(reply)
    return [(answers[q.question_id][0], answers[q.question_id][1]) for q in questions]


def _conversation(question: Question, answers: Sequence[str], turn: int) -> list[Message]:
    messages: list[Message] = []
    for index in range(turn + 1):
        messages.append({"role": "user", "content": question.turns[index]})
        if index < turn:
            messages.append({"role": "assistant", "content": answers[index]})
    return messages


# ---------------------------------------------------------------- judges


@judge("transformers")
class LocalJudge:
    """A judge model on this machine, greedy, its reply started with ``reply_prefix``."""

    def __init__(self, settings: JudgeSettings, device: str):
        from lingualign.devices import load_causal_lm

        self.settings = settings
        self.model, self.tokenizer = load_causal_lm(settings.model, device)

    def reply(self, conversations: Sequence[list[Message]]) -> list[str]:
        s = self.settings
        return generate_replies(self.model, self.tokenizer, conversations, s.max_new_tokens, 0.0, s.batch_size, s.reply_prefix)


@judge("openai")
class OpenAIJudge:
    """A hosted judge (GPT-4 in the published MT-Bench) or a local ``vllm serve``; temperature 0."""

    def __init__(self, settings: JudgeSettings, device: str):
        if not settings.openai.base_url:
            raise LingualignError("params.yaml: evaluate.mtbench.judge.openai.base_url: required for the 'openai' judge")
        self.settings, self.http = settings, settings.openai

    def reply(self, conversations: Sequence[list[Message]]) -> list[str]:
        return asyncio.run(self._all(conversations))

    async def _all(self, conversations: Sequence[list[Message]]) -> list[str]:
        from lingualign.translate.backends import completion_text, http_client, post_with_retries

        limit = asyncio.Semaphore(self.http.concurrency)
        body = {"model": self.http.model or self.settings.model, "temperature": 0.0, "max_tokens": self.settings.max_new_tokens}
        async with http_client(self.http) as client:

            async def one(messages: list[Message]) -> str:
                async with limit:
                    data = await post_with_retries(client, "/chat/completions", body | {"messages": messages}, self.http, "judge")
                return completion_text(data, True, f"judge: {self.http.base_url}/chat/completions")[0]

            return list(await asyncio.gather(*(one(c) for c in conversations)))


def read_judge_prompts(path: str | None) -> dict[str, dict[str, str]]:
    source = Path(path) if path else package_file("judge_prompts.jsonl")
    return {p["name"]: p for p in read_jsonl(source)}


def judge_messages(prompts: dict[str, dict[str, str]], question: Question, answers: tuple[str, str], turn: int) -> list[Message]:
    """FastChat's single-answer judge prompt for one turn, with the reference where there is one."""
    name = "single-math-v1" if question.reference else "single-v1"
    if turn == 1:
        name += "-multi-turn"
    prompt = prompts[name]
    fields = {"question": question.turns[0], "answer": answers[0], "question_1": question.turns[0], "question_2": question.turns[1], "answer_1": answers[0], "answer_2": answers[1]}
    if question.reference:
        fields |= {"ref_answer_1": question.reference[0], "ref_answer_2": question.reference[1]}
    return [{"role": "system", "content": prompt["system_prompt"]}, {"role": "user", "content": prompt["prompt_template"].format(**fields)}]


# ---------------------------------------------------------------- ratings


def parse_rating(reply: str) -> float | None:
    """The ``[[x]]`` rating of a judge's reply, or None when it is missing, ambiguous or out of range."""
    found = {float(value) for value in _RATING.findall(reply)}
    if len(found) != 1:
        return None
    (rating,) = found
    return rating if 1 <= rating <= 10 else None


def is_german(answer: str, settings: MTBenchSettings) -> bool:
    if not answer.strip():
        return False
    prose = _FENCED.sub(" ", answer).strip()
    if len(prose) < settings.min_language_chars:
        return True  # too little prose to tell; the judge decides
    return detect_language(prose) == settings.language


def cached_replies(judge: Judge, conversations: Sequence[list[Message]], cache: ResultCache | None, chunk: int) -> list[str]:
    """The judge's replies, asked ``chunk`` at a time; each chunk is stored before the next, so a
    killed evaluation never pays for (or waits on) the same judgement twice."""
    texts = [json.dumps(messages, ensure_ascii=False, sort_keys=True) for messages in conversations]
    known = {text: entry["reply"] for text, entry in cache.lookup(texts).items()} if cache else {}
    # Longest first, so a local judge's batches hold prompts of similar length (little padding).
    todo = sorted((i for i, text in enumerate(texts) if text not in known), key=lambda i: -len(texts[i]))
    for start in range(0, len(todo), chunk):
        batch = todo[start : start + chunk]
        replies = judge.reply([conversations[index] for index in batch])
        known |= {texts[index]: reply for index, reply in zip(batch, replies, strict=True)}
        if cache:
            cache.store([texts[index] for index in batch], [{"reply": reply} for reply in replies])
    return [known[text] for text in texts]


def judge_answers(
    judge: Judge, prompts: dict[str, dict[str, str]], questions: Sequence[Question], answers: Sequence[tuple[str, str]], settings: MTBenchSettings, cache: ResultCache | None = None
) -> list[dict[str, Any]]:
    """One row per question and turn: the answer, the judgement, the rating and how it was reached."""
    rows, to_judge = [], []
    for question, pair in zip(questions, answers, strict=True):
        for turn in range(2):
            row: dict[str, Any] = {"question_id": question.question_id, "category": question.category, "turn": turn + 1, "question": question.turns[turn], "answer": pair[turn], "judgement": None}
            rows.append(row)
            if is_german(pair[turn], settings):
                to_judge.append((row, judge_messages(prompts, question, pair, turn)))
            else:
                row |= {"rating": 1.0, "status": "not_german"}
    replies = cached_replies(judge, [messages for _, messages in to_judge], cache, settings.judge.batch_size)
    for (row, _), reply in zip(to_judge, replies, strict=True):
        rating = parse_rating(reply)
        row |= {"judgement": reply, "rating": rating, "status": "judged" if rating is not None else "unparseable"}
    return rows


def aggregate(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The seed's shape: first_turn, second_turn, categories, average; plus the parse rate."""

    def mean(values: list[float]) -> float | None:
        return round(sum(values) / len(values), 6) if values else None

    rated = [r for r in rows if r["rating"] is not None]
    judged = [r for r in rows if r["status"] != "not_german"]
    unparseable = sum(r["status"] == "unparseable" for r in rows)
    return {
        "first_turn": mean([r["rating"] for r in rated if r["turn"] == 1]),
        "second_turn": mean([r["rating"] for r in rated if r["turn"] == 2]),
        "categories": {c: mean([r["rating"] for r in rated if r["category"] == c]) for c in CATEGORIES},
        "average": mean([r["rating"] for r in rated]),
        "parse_rate": round(1 - unparseable / len(judged), 6) if judged else None,
        "judgements": len(judged),
        "unparseable": unparseable,
        "not_german": len(rows) - len(judged),
    }


ANSWER_COLUMNS = ("question_id", "category", "turn", "question", "answer", "judgement", "rating", "status")


def write_answers(path: Path, rows: Sequence[dict[str, Any]]) -> None:
    import pyarrow as pa

    from lingualign.io import write_parquet

    schema = pa.schema(
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
    write_parquet(path, pa.Table.from_pylist([{k: r[k] for k in ANSWER_COLUMNS} for r in rows], schema=schema), schema)
