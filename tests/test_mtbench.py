"""mtbench: the question file (every problem named by file, row and field) and the judge's ratings
as MT-Bench's own judge prompts ask for them (``[[x]]``, one rating or none)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers import write_questions

from lingualign.errors import InputError
from lingualign.mtbench import parse_rating, read_questions


@pytest.mark.parametrize(
    ("reply", "rating"),
    [
        ("Gute Antwort. Rating: [[7]]", 7.0),
        ("Rating: [[7.5]]", 7.5),
        ("[[ 9 ]]", 9.0),
        ("Rating: [[6]] ... so, once more: [[6]]", 6.0),
        ("The answer is fine, I would give it a seven.", None),
        ("Rating: [[3]] or maybe [[8]]", None),
        ("Rating: [[0]]", None),
        ("Rating: [[11]]", None),
        ("Rating: [[-2]]", None),
        ("Rating: [7]", None),
    ],
)
def test_rating_parse(reply: str, rating: float | None) -> None:
    assert parse_rating(reply) == rating


@pytest.mark.parametrize(
    ("question", "field"),
    [
        ({"question_id": 1, "category": "poetry", "turns": ["a", "b"]}, "category"),
        ({"question_id": 1, "category": "writing", "turns": ["only one"]}, "turns"),
        ({"question_id": "one", "category": "writing", "turns": ["a", "b"]}, "question_id"),
        ({"question_id": 1, "category": "math", "turns": ["a", "b"], "reference": ["x"]}, "reference"),
    ],
)
def test_bad_questions_name_file_row_and_field(tmp_path: Path, question: dict[str, Any], field: str) -> None:
    good = {"question_id": 0, "category": "writing", "turns": ["Erste Frage?", "Zweite Frage?"]}
    path = write_questions(tmp_path / "q.jsonl", [good, question])
    with pytest.raises(InputError, match=rf"q.jsonl: row 2: field '{field}'"):
        read_questions(str(path))
