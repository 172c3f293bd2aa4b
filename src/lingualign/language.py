"""Language identification, offline (py3langid): the one check translation flags and MT-Bench share."""

from __future__ import annotations


def detect_language(text: str) -> str:
    """The ISO 639-1 code of ``text``'s language, or '' for text without any."""
    import py3langid

    return py3langid.classify(text)[0] if text.strip() else ""
