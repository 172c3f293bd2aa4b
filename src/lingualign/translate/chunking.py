"""Split a text into the pieces a translation model sees and the structure it must not touch.

PHOENIX split texts at newlines, translated each piece and joined them back. Here every text
becomes a list of :class:`Piece`; joining the pieces' text gives back the input exactly. Only
pieces marked ``translate`` go to the model: the prose of a line without its indentation, list
marker, heading marks or trailing spaces; each cell of a markdown table row. Line endings
(``\\n``, ``\\r\\n``, ``\\r``), blank lines, fenced code blocks and lines without letters are
kept as they are. A piece longer than ``max_chars`` is cut at sentence ends, then between
words; never inside a word.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

_LINE_BREAK = re.compile(r"(\r\n|\n|\r)")
_FENCE = re.compile(r"^[ \t]*(```|~~~)")
# Indentation, then any run of list markers (with checkboxes), heading marks and quote marks.
_PREFIX = re.compile(r"[ \t]*(?:(?:[-*+]|\d{1,3}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?|#{1,6}[ \t]+|>[ \t]*)*")
_TABLE_ROW = re.compile(r"^[ \t]*\|.*\|[ \t]*$")
_CELL = re.compile(r"^(\s*)(.*?)(\s*)$", re.S)
_SENTENCE_END = re.compile(r"(?<=[.!?…:;])(\s+)(?=\S)")
_WORD_GAP = re.compile(r"(\s+)")
_LETTER = re.compile(r"[^\W\d_]")
_OPAQUE = re.compile(r"^(?:`[^`]*`|<?https?://\S+>?|\S+@\S+\.\w+)$")


@dataclass(frozen=True, slots=True)
class Piece:
    text: str
    translate: bool


def split_text(text: str, max_chars: int = 800) -> list[Piece]:
    """Pieces whose texts concatenate to ``text``; ``translate`` marks what the model sees."""
    pieces: list[Piece] = []
    in_code = False
    for part in _LINE_BREAK.split(text):
        if not part:
            continue
        if _LINE_BREAK.fullmatch(part):
            pieces.append(Piece(part, False))
        elif _FENCE.match(part):
            in_code = not in_code
            pieces.append(Piece(part, False))
        elif in_code:
            pieces.append(Piece(part, False))
        else:
            pieces.extend(_split_line(part, max_chars))
    return _merge_kept(pieces)


def _split_line(line: str, max_chars: int) -> list[Piece]:
    if _TABLE_ROW.match(line):
        pieces: list[Piece] = []
        cells = line.split("|")
        for index, cell in enumerate(cells):
            if index:
                pieces.append(Piece("|", False))
            pieces.extend(_split_prose(cell, max_chars))
        return pieces
    prefix = _PREFIX.match(line).group(0)  # type: ignore[union-attr]
    return [Piece(prefix, False), *_split_prose(line[len(prefix) :], max_chars)]


def _split_prose(text: str, max_chars: int) -> list[Piece]:
    lead, body, trail = _CELL.match(text).groups()  # type: ignore[union-attr]
    if not _is_translatable(body):
        return [Piece(text, False)]
    return [Piece(lead, False), *_cut(body, max_chars), Piece(trail, False)]


def _is_translatable(text: str) -> bool:
    return bool(_LETTER.search(text)) and not _OPAQUE.match(text)


def _cut(text: str, max_chars: int) -> list[Piece]:
    """Cut at sentence ends, then at word gaps, packing greedily up to ``max_chars``."""
    if len(text) <= max_chars:
        return [Piece(text, True)]
    pieces: list[Piece] = []
    for unit in _pack(_SENTENCE_END.split(text), max_chars):
        if isinstance(unit, Piece):
            pieces.append(unit)
        elif len(unit) <= max_chars:
            pieces.append(Piece(unit, True))
        else:
            pieces.extend(
                piece if isinstance(piece, Piece) else Piece(piece, True)
                for piece in _pack(_WORD_GAP.split(unit), max_chars)
            )
    return pieces


def _pack(parts: list[str], max_chars: int) -> list[str | Piece]:
    """``parts`` alternate text, gap, text, ...; join neighbours while they fit, else keep the gap."""
    packed: list[str | Piece] = [parts[0]]
    for gap, part in zip(parts[1::2], parts[2::2], strict=True):
        current = packed[-1]
        assert isinstance(current, str)
        if len(current) + len(gap) + len(part) <= max_chars:
            packed[-1] = current + gap + part
        else:
            packed.extend([Piece(gap, False), part])
    return packed


def _merge_kept(pieces: Iterable[Piece]) -> list[Piece]:
    """Drop empty pieces and fuse neighbouring kept ones: fewer, clearer pieces."""
    merged: list[Piece] = []
    for piece in pieces:
        if not piece.text:
            continue
        if merged and not piece.translate and not merged[-1].translate:
            merged[-1] = Piece(merged[-1].text + piece.text, False)
        else:
            merged.append(piece)
    return merged


def chunks(text: str, max_chars: int = 800) -> list[str]:
    return [piece.text for piece in split_text(text, max_chars) if piece.translate]


def join(pieces: Iterable[Piece], translated: Mapping[str, str] | Callable[[str], str]) -> str:
    """Reassemble a text, replacing each translatable piece by its translation."""
    lookup = translated.__getitem__ if isinstance(translated, Mapping) else translated
    return "".join(lookup(piece.text) if piece.translate else piece.text for piece in pieces)
