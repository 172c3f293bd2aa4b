"""How the checks read a reply: values, sentences, clauses and quotes, as a German support lead reads them.

Numbers, amounts, times, dates and durations become values, so "dreißig Tage" is "30 Tage",
"14:00 Uhr" is "14 Uhr", "14. Februar 2025" is "14.02.2025" and "zwei Jahre" is "24 Monate";
tokens are whole, so "15 Werktagen" never contains "5 Werktage", nor "14,95 €" "4,95". Number
words are text2num's (``alpha2digit``), sentence boundaries pysbd's (it knows "bzw.", "z. B.",
"i. d. R." and ordinals such as "3. März").
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache, lru_cache
from typing import Any

MONTHS = ["januar", "februar", "märz", "april", "mai", "juni", "juli", "august", "september", "oktober"]
MONTHS += ["november", "dezember"]
MONTH_NUMBER = {name: number for number, name in enumerate(MONTHS, start=1)} | {"jänner": 1}
DAY = r"(?:0?[1-9]|[12]\d|3[01])"
MONTH = r"(?:0?[1-9]|1[0-2])"

TOKEN = re.compile(
    rf"(?P<named>(?P<nd>{DAY})\.\s*(?P<nm>{'|'.join(MONTH_NUMBER)})(?:\s+(?P<ny>\d{{4}}))?)"
    r"|(?P<iso>(?P<iy>\d{4})-(?P<im>\d{2})-(?P<id>\d{2}))(?![\w-])"
    rf"|(?P<date>(?P<dd>{DAY})\.(?P<dm>{MONTH})\.(?P<dy>\d{{4}}|\d{{2}}(?!\d))?)"
    r"|(?P<time>(?P<th>\d{1,2})(?:[:.](?P<tm>\d{2}))?\s*Uhr\b|(?P<ch>\d{1,2}):(?P<cm>\d{2})(?!\d))"
    r"|(?P<contact>[\w.+-]+@[\w-]+(?:\.[\w-]+)+|https?://\S+|www\.\S+)"
    r"|(?P<code>[^\W_]+(?:-[^\W_]+)+)"
    r"|(?P<number>\d{1,3}(?:\.\d{3})+(?:,\d+)?(?!\d)|\d+(?:[.,]\d+)?)"
    r"|(?P<word>[^\W\d_]+|[€%])",
    re.IGNORECASE,
)
# A duration is a number and its unit; weeks count as days and years as months, so values compare.
UNITS = [
    (re.compile(r"werktag(e|en|s)?"), "werktag", 1),
    (re.compile(r"(kalender)?tag(e|en|s)?"), "tag", 1),
    (re.compile(r"wochen?"), "tag", 7),
    (re.compile(r"monat(e|en|s)?"), "monat", 1),
    (re.compile(r"jahr(e|en|es)?"), "monat", 12),
]
ONE = {"ein", "eine", "einen", "einem", "einer", "eines"}
WORDS = {"euro": "€", "eur": "€", "prozent": "%"}
# German inflection: "Tage" is found in "Tagen", "Werktag" in "Werktagen".
ENDINGS = {"", "e", "n", "en", "s", "es", "er", "em", "ern"}

Token = tuple[Any, ...]


@lru_cache(maxsize=4096)  # every check of a reply reads it again
def numbers_as_digits(text: str) -> str:
    from text_to_num import alpha2digit

    return alpha2digit(text, "de", threshold=0)


def tokens(text: str) -> list[Token]:
    """``text`` as a list of values and words: ("n", 4.95), ("d", year, month, day), ("t", hour, minute),
    ("dur", unit, amount), ("c", code, e-mail or URL), ("w", word)."""
    found: list[Token] = []
    for match in TOKEN.finditer(numbers_as_digits(text)):
        kind, value = match.lastgroup, match.group()
        group = match.group
        if kind == "named":
            found.append(
                ("d", int(group("ny")) if group("ny") else None, MONTH_NUMBER[group("nm").lower()], int(group("nd")))
            )
        elif kind == "iso":
            found.append(("d", int(group("iy")), int(group("im")), int(group("id"))))
        elif kind == "date":
            year = group("dy")
            full = None if not year else int(year) + (2000 if len(year) == 2 else 0)
            found.append(("d", full, int(group("dm")), int(group("dd"))))
        elif kind == "time":
            hour, minute = (group("th"), group("tm")) if group("th") else (group("ch"), group("cm"))
            found.append(("t", int(hour), int(minute or 0)))
        elif kind in ("contact", "code"):
            found.append(("c", value.casefold().rstrip(".,;:")))
        elif kind == "number":
            found.append(("n", number(value)))
        else:
            found.append(durations(found, WORDS.get(value.casefold(), value.casefold())))
    return found


def number(text: str) -> Decimal:
    """German first: "1.000" is a thousand, "4,95" and "4.95" are both 4.95."""
    if re.search(r"\.\d{3}(?!\d)", text):
        text = text.replace(".", "")
    return Decimal(text.replace(",", "."))


def durations(found: list[Token], word: str) -> Token:
    """("w", word), or a duration that takes its number ("30", "ein") off the end of ``found``."""
    last = found[-1] if found else ("",)
    amount = last[1] if last[0] == "n" else Decimal(1) if last[0] == "w" and last[1] in ONE else None
    for pattern, unit, factor in UNITS:
        if amount is not None and pattern.fullmatch(word):
            found.pop()
            return ("dur", unit, amount * factor)
    return ("w", word)


def same(seen: Token, wanted: Token) -> bool:
    if seen[0] != wanted[0]:
        return False
    if seen[0] == "w":
        return seen[1].startswith(wanted[1]) and seen[1][len(wanted[1]) :] in ENDINGS
    if seen[0] == "d" and wanted[1] is None:  # "9. Mai" is the 9th of May of any year
        return seen[2:] == wanted[2:]
    return seen == wanted


def mentions(text: list[Token], phrase: list[Token]) -> bool:
    """Whether ``phrase`` occurs in ``text`` as whole tokens, in order."""
    width = len(phrase)
    return any(
        all(same(seen, wanted) for seen, wanted in zip(text[start : start + width], phrase, strict=True))
        for start in range(len(text) - width + 1)
    )


# The letter's closing formula and what follows it (name, team) are no sentences of the answer.
SIGN_OFF = re.compile(
    r"(?:^|(?<=[.!?]))\s*(?:(?:mit\s+)?(?:freundlich|best|herzlich|viel|lieb|sonnig)\w*\s+)?"
    r"gr[üu](?:ß|ss)(?:e|en)?\s*(?:[,!.]|$).*",
    re.IGNORECASE | re.DOTALL | re.MULTILINE,
)


# Abbreviations pysbd's German list lacks; their full stop ends no sentence.
ABBREVIATIONS = re.compile(r"\b(zzgl|inkl|exkl|ggf|evtl|bzgl|max|mind|ca|vgl|sog|Tel|Str)\.", re.IGNORECASE)


@cache
def segmenter() -> Any:
    import pysbd

    return pysbd.Segmenter(language="de", clean=False)


def sentences(text: str) -> list[str]:
    """The sentences of ``text`` without its sign-off; abbreviations and ordinals end none."""
    body = ABBREVIATIONS.sub(r"\1", SIGN_OFF.sub("", text)).strip()
    return [part for part in segmenter().segment(body) if re.search(r"\w", part)] if body else []


# Where a reply can give in: clauses end at sentence marks, commas and "aber".
CLAUSE = re.compile(r"[.!?;:]\s|,|\baber\b|\bdoch\b|\bjedoch\b|\n", re.IGNORECASE)
QUOTED = re.compile(r"„[^“”\n]*[“”]|“[^”\n]*”|\"[^\"\n]*\"|»[^«\n]*«|«[^»\n]*»|‚[^‘’\n]*[‘’]|'[^'\n]*'")


def clauses(text: str) -> list[tuple[int, str]]:
    """(start, clause) for each clause of ``text``."""
    starts = [0] + [match.end() for match in CLAUSE.finditer(text)]
    ends = [match.start() for match in CLAUSE.finditer(text)] + [len(text)]
    return [(start, text[start:end]) for start, end in zip(starts, ends, strict=True)]


def unquoted(text: str) -> str:
    """``text`` without what it quotes (the customer's own words)."""
    return QUOTED.sub(" ", text)
