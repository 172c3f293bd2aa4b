"""Chunking round trip: joining the pieces back reproduces every text's structure exactly."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from lingualign.translate.chunking import Piece, chunks, join, split_text

LINE_BREAKS = re.compile(r"\r\n|\n|\r")

# Lines built from the things that matter: markers, indentation, code fences, tables, unicode.
line = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60),
    st.sampled_from(
        [
            "```python",
            "```",
            "~~~",
            "    indented code",
            "| a | b |",
            "|---|---|",
            "- item",
            "  1. step one.",
            "## Heading",
            "> quote",
            "",
            "   ",
            "\t- [x] done",
            "x = 1",
            "Über 5 € ☕.",
            "https://example.com",
        ]
    ),
    st.builds(
        lambda w: " ".join(w),
        st.lists(
            st.sampled_from(["Reset", "the", "router.", "Then", "wait!", "Why?", "Supercalifragilistic"]), max_size=40
        ),
    ),
)
document = st.builds(
    lambda lines, breaks: "".join(text + brk for text, brk in zip(lines, breaks, strict=False)),
    st.lists(line, max_size=25),
    st.lists(st.sampled_from(["\n", "\r\n", "\r", "\n\n"]), min_size=25, max_size=25),
)
max_chars = st.integers(min_value=8, max_value=200)


def fake_translation(text: str) -> str:
    """A stand-in model: changes every piece (and its length) but never adds line breaks."""
    return f"«{text.upper()[::-1]}»"


@settings(max_examples=400, deadline=None)
@given(document, max_chars)
def test_pieces_concatenate_to_the_input(text: str, limit: int) -> None:
    pieces = split_text(text, limit)
    assert "".join(piece.text for piece in pieces) == text
    assert all(piece.text for piece in pieces)


@settings(max_examples=400, deadline=None)
@given(document, max_chars)
def test_translated_text_keeps_structure(text: str, limit: int) -> None:
    translated = join(split_text(text, limit), fake_translation)
    assert LINE_BREAKS.findall(translated) == LINE_BREAKS.findall(text)
    for before, after in zip(LINE_BREAKS.split(text), LINE_BREAKS.split(translated), strict=True):
        indent = len(before) - len(before.lstrip(" \t"))
        assert after[:indent] == before[:indent]
        if not before.strip():
            assert after == before


@settings(max_examples=400, deadline=None)
@given(document, max_chars)
def test_model_sees_only_single_line_prose_within_the_limit(text: str, limit: int) -> None:
    for piece in split_text(text, limit):
        if piece.translate:
            assert not LINE_BREAKS.search(piece.text)
            assert piece.text == piece.text.strip()
            assert len(piece.text) <= limit or " " not in piece.text


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(["print('hi')", "  for x in y:", "# a comment", "- not a list", "| a |"]), max_size=8),
    st.sampled_from(["\n", "\r\n"]),
)
def test_fenced_code_is_never_translated(code_lines: list[str], newline: str) -> None:
    text = newline.join(["Run this:", "```python", *code_lines, "```", "Done."])
    translated = join(split_text(text), fake_translation)
    assert newline.join(["```python", *code_lines, "```"]) in translated


def test_markdown_structure_examples() -> None:
    text = "## Refunds\r\n\r\n1. Open *Orders*.\r\n   - Pick the item.\r\n"
    text += "| Plan | Price |\r\n|---|---|\r\n| Basic | 5 € |\r\n"
    assert chunks(text) == ["Refunds", "Open *Orders*.", "Pick the item.", "Plan", "Price", "Basic"]
    assert join(split_text(text), {c: c.upper() for c in chunks(text)}) == (
        "## REFUNDS\r\n\r\n1. OPEN *ORDERS*.\r\n   - PICK THE ITEM.\r\n| PLAN | PRICE |\r\n|---|---|\r\n| BASIC "
        "| 5 € |\r\n"
    )


def test_long_lines_split_at_sentences_then_words_never_mid_word() -> None:
    text = "First sentence here. Second one is longer than the others! Third? " + "word " * 30
    pieces = split_text(text.strip(), max_chars=40)
    translated = [p.text for p in pieces if p.translate]
    assert translated[:3] == ["First sentence here.", "Second one is longer than the others!", "Third?"]
    assert all(len(t) <= 40 for t in translated)
    words = set(text.split())
    assert all(set(t.split()) <= words for t in translated)
    assert split_text("Pneumonoultramicroscopicsilicovolcanoconiosis", 10) == [
        Piece("Pneumonoultramicroscopicsilicovolcanoconiosis", True)
    ]


def test_lines_without_prose_are_kept() -> None:
    for text in ["---", "12.5 %", "`make test`", "https://example.com/a?b=c", "support@example.com", "  ", "😀 1"]:
        assert chunks(text) == [], text
