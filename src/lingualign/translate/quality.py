"""Per-text quality flags for machine translations.

- ``empty``: the source has prose but the translation (or one of its chunks) is empty;
- ``length_ratio``: translated prose length / source prose length outside the params band
  (German runs about 1.15-1.25x the English; the band is wider to flag only outliers);
- ``wrong_language``: the translated prose is not in the target language (py3langid, offline);
- ``repetition``: the model looped (a stretch repeated three or more times that the source
  does not repeat);
- ``truncated``: a chunk stopped at ``max_new_tokens``.

Ratio and language are judged on prose only (the chunks the model saw), so code blocks and
tables do not hide or fake a problem, and only where there are at least ``min_chars`` of it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pydantic import Field

from lingualign.engines import Generation
from lingualign.language import detect_language
from lingualign.settings import Settings

FLAGS = ("empty", "length_ratio", "wrong_language", "repetition", "truncated")
_LOOP = re.compile(r"(.{6,80}?)\1{2,}", re.S)


class QualitySettings(Settings):
    length_ratio_min: float = Field(default=0.8, gt=0)
    length_ratio_max: float = Field(default=2.0, gt=0)
    min_chars: int = Field(default=40, ge=1, description="Prose needed before ratio and language are judged")
    drop_flagged: bool = Field(default=False, description="Drop rows with any flag (counted in metrics)")


def text_flags(
    sources: Sequence[str], generations: Sequence[Generation], settings: QualitySettings, language_code: str
) -> set[str]:
    """Flags for one text, given its chunks and their generations."""
    flags: set[str] = set()
    if any(not g.text.strip() for g in generations):
        flags.add("empty")
    if any(g.truncated for g in generations):
        flags.add("truncated")
    if any(_LOOP.search(g.text) and not _LOOP.search(s) for s, g in zip(sources, generations, strict=True)):
        flags.add("repetition")
    source_chars = sum(len(s) for s in sources)
    translated = " ".join(g.text for g in generations)
    if source_chars >= settings.min_chars:
        ratio = len(translated) / source_chars
        if not settings.length_ratio_min <= ratio <= settings.length_ratio_max:
            flags.add("length_ratio")
        if detect_language(translated) != language_code:
            flags.add("wrong_language")
    return flags
