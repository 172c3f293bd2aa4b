"""Language id for many texts at once gives py3langid's own answer for each."""

from __future__ import annotations

import json
import random

import pytest
from helpers import ROOT

from lingualign import language
from lingualign.language import detect_language, detect_languages


def test_batched_language_ids_equal_py3langid_text_by_text(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = []
    for line in (ROOT / "data" / "raw" / "orca_dpo_pairs.jsonl").open(encoding="utf-8"):
        record = json.loads(line)
        texts += [record["system"], record["question"], record["chosen"], record["rejected"]]
    texts += [
        "",
        "   \n",
        "IHRE BESTELLUNG WURDE VERSANDT UND KOMMT MORGEN AN",  # all upper case: py3langid lowers it
        "Ihre Rückerstattung wurde veranlasst und kommt innerhalb von fünf Werktagen an.",
        "Ovo je rečenica na srpskom jeziku, napisana latinicom.",  # a script alias (srl -> sr)
        "Ово је реченица на српском језику.",
        "日本語のテキストです。",
        "12345 67890",
        "e\u0301te\u0301",  # decomposed accents: py3langid normalizes to NFC
    ]
    rng = random.Random(0)
    alphabet = "abcdefghijklmnopqrstuvwxyzäöüß .,!?\n"
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 400))) for _ in range(300)]
    expected = [detect_language(text) for text in texts]
    assert detect_languages(texts) == expected
    monkeypatch.setattr(language, "SLICE_BYTES", 1000)  # many slices, and texts longer than one
    assert detect_languages(texts) == expected
    assert {"de", "en", "sr", "ja", ""} <= set(expected)
    assert detect_languages([]) == []
