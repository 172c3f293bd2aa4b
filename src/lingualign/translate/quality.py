"""Per-text quality flags for machine translations, computed for many texts at once.

- ``empty``: the source has prose but the translation (or one of its chunks) is empty;
- ``length_ratio``: translated prose length / source prose length outside the params band
  (German runs about 1.15-1.25x the English; the band is wider to flag only outliers);
- ``wrong_language``: the translated prose is not in the target language (py3langid, offline);
- ``repetition``: the model looped: a stretch of 6 to 80 characters three or more times in a row
  (the regex ``(.{6,80}?)\\1{2,}``) in a chunk's translation whose source does not loop;
- ``truncated``: a chunk stopped at its token budget.

Ratio and language are judged on prose only (the chunks the model saw), so code blocks and
tables do not hide or fake a problem, and only where there are at least ``min_chars`` of it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from pydantic import Field

from lingualign.engines import Generation
from lingualign.language import detect_languages
from lingualign.settings import Settings

FLAGS = ("empty", "length_ratio", "wrong_language", "repetition", "truncated")
SHORTEST, LONGEST, COPIES = 6, 80, 3
WORD = 4  # characters compared at once by the cheap pass of loops()
PARALLEL_FROM = 2_000  # texts per language-id worker process at least; fewer texts stay in the stage's process


class QualitySettings(Settings):
    length_ratio_min: float = Field(default=0.8, gt=0)
    length_ratio_max: float = Field(default=2.0, gt=0)
    min_chars: int = Field(default=40, ge=1, description="Prose needed before ratio and language are judged")
    drop_flagged: bool = Field(default=False, description="Drop rows with any flag (counted in metrics)")


def loops(texts: Sequence[str]) -> list[bool]:
    """For each text, whether it holds a stretch of 6 to 80 characters three or more times in a row.

    The same answer as the regex ``(.{6,80}?)\\1{2,}`` (``re.S``). A cheap pass over all texts
    (:func:`_may_loop`) leaves the few that might loop; the exact pass (:func:`_loops_exactly`) decides those.
    """
    found = [False] * len(texts)
    suspects = _may_loop(texts)
    for index, looping in zip(suspects, _loops_exactly([texts[i] for i in suspects]), strict=True):
        found[index] = looping
    return found


def _may_loop(texts: Sequence[str]) -> list[int]:
    """Indices of the texts that may loop: every text that does, and a few that do not.

    A stretch of period p repeated three times makes ``s[i] == s[i + p]`` hold for 2p positions in a
    row, and with them for every 4-character word (aligned to 4) inside those positions: at least
    ``(2p - 3) // 4`` words in a row. Comparing whole words of a one-byte copy of the texts (characters
    beyond Latin-1 all become ``?``, which can only add suspects) does a quarter of the exact pass's work.
    """
    import numpy as np

    if not texts:
        return []
    data = np.frombuffer("\0".join(texts).encode("latin-1", "replace"), dtype=np.uint8)
    lengths = np.fromiter((len(text) for text in texts), dtype=np.int64, count=len(texts))
    starts = np.concatenate(([0], np.cumsum(lengths + 1)[:-1]))
    suspects = np.zeros(len(texts), dtype=bool)
    here = data[: len(data) // WORD * WORD].view("<u4")
    for period in range(SHORTEST, LONGEST + 1):
        words = (len(data) - period) // WORD
        needed = ((COPIES - 1) * period - (WORD - 1)) // WORD
        if words < needed:
            break
        runs = here[:words] == data[period : period + words * WORD].view("<u4")
        width = 1  # runs[k]: the words k .. k + width - 1 all match
        while width < min(needed, 4):
            shift = min(width, needed - width)
            runs = runs[:-shift] & runs[shift:]
            width += shift
        hits = np.flatnonzero(runs)
        if width < needed and len(hits):  # few hits left: check the rest of each run word group by word group
            offsets = np.append(np.arange(0, needed - width, width), needed - width)
            hits = hits[hits + offsets[-1] < len(runs)]
            hits = hits[runs[hits[:, None] + offsets].all(axis=1)]
        suspects[np.searchsorted(starts, hits * WORD, side="right") - 1] = True
    return np.flatnonzero(suspects).tolist()


def _loops_exactly(texts: Sequence[str]) -> list[bool]:
    """:func:`loops`, for all texts in one pass per period: a stretch of period p repeats three times
    exactly where ``s[i] == s[i + p]`` holds for 2p positions in a row. The texts are joined with
    separators that equal nothing, so no stretch crosses from one text into the next."""
    import numpy as np

    if not texts:
        return []
    lengths = np.fromiter((len(text) for text in texts), dtype=np.int64, count=len(texts))
    codes = np.frombuffer("\0".join(texts).encode("utf-32-le"), dtype=np.uint32).copy()
    separators = np.cumsum(lengths + 1)[:-1] - 1
    codes[separators] = 0x110000 + np.arange(len(separators), dtype=np.uint32)  # beyond Unicode, each unique
    starts = np.concatenate(([0], separators + 1))
    found = np.zeros(len(texts), dtype=bool)
    for period in range(SHORTEST, LONGEST + 1):
        if len(codes) <= period:
            break
        same = np.empty(len(codes) - period + 2, dtype=np.int8)
        same[0] = same[-1] = 0
        np.equal(codes[period:], codes[:-period], out=same[1:-1].view(bool))
        edges = np.diff(same)
        begin, end = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        runs = begin[(end - begin) >= (COPIES - 1) * period]
        if len(runs):
            found[np.searchsorted(starts, runs, side="right") - 1] = True
    return found.tolist()


def languages(texts: Sequence[str]) -> list[str]:
    """The language of each text (py3langid); many texts are split over the machine's cores."""
    workers = min(os.cpu_count() or 1, -(-len(texts) // PARALLEL_FROM))
    if workers < 2:
        return detect_languages(texts)
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    share = -(-len(texts) // workers)
    parts = [list(texts[i : i + share]) for i in range(0, len(texts), share)]
    detect_languages(parts[0][:1])  # the model loads once, here, and the forked workers share it
    with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
        return [language for part in pool.map(detect_languages, parts) for language in part]


def text_flags(
    texts: Sequence[tuple[Sequence[str], Sequence[Generation]]], settings: QualitySettings, language_code: str
) -> list[set[str]]:
    """Flags for each text, given as its chunks and their generations."""
    outputs = [g.text for _, generations in texts for g in generations]
    looping = iter(loops(outputs))
    looped = [[next(looping) for _ in generations] for _, generations in texts]
    # Only a looping translation's source is checked: the flag needs both.
    suspects = [
        source
        for (sources, _), marks in zip(texts, looped, strict=True)
        for source, mark in zip(sources, marks, strict=True)
        if mark
    ]
    source_loops = iter(loops(suspects))
    judged = [i for i, (sources, _) in enumerate(texts) if sum(len(s) for s in sources) >= settings.min_chars]
    translated = {i: " ".join(g.text for g in texts[i][1]) for i in judged}
    language = dict(zip(judged, languages([translated[i] for i in judged]), strict=True))
    flags: list[set[str]] = []
    for index, ((sources, generations), marks) in enumerate(zip(texts, looped, strict=True)):
        found: set[str] = set()
        if any(not g.text.strip() for g in generations):
            found.add("empty")
        if any(g.truncated for g in generations):
            found.add("truncated")
        if any([not next(source_loops) for mark in marks if mark]):
            found.add("repetition")
        if index in language:
            ratio = len(translated[index]) / sum(len(s) for s in sources)
            if not settings.length_ratio_min <= ratio <= settings.length_ratio_max:
                found.add("length_ratio")
            if language[index] != language_code:
                found.add("wrong_language")
        flags.append(found)
    return flags
