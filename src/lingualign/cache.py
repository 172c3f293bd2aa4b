"""A content-addressed result cache that survives crashes and grows with the data.

Keys hash an *identity* (whatever decides the result: model and revision, prompt template,
generation settings) together with the input text, so each input is computed once however many
rows or datasets contain it, and changing any of those settings misses the cache instead of
reusing a stale result. The translate stage caches chunk translations in it, the score stage
reward scores.

Storage is a folder of append-only JSONL segments, one per run. Each stored batch is flushed
and fsynced before the next starts, so a killed run loses at most the batch in flight; a torn
last line is ignored on reading. The folder is a DVC output of its own (``persist: true``), so
``dvc push``/``dvc pull`` share it and only new segments travel.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any


def identity_hash(identity: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(identity, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class ResultCache:
    def __init__(self, folder: Path, identity: Mapping[str, Any]):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)  # a DVC output even when nothing gets stored
        self.identity = identity_hash(identity)
        self._segment: Any = None

    def key(self, text: str) -> str:
        return hashlib.sha256(f"{self.identity}\0{text}".encode()).hexdigest()[:32]

    def lookup(self, texts: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Cached results for those of ``texts`` that have one."""
        wanted = {self.key(text): text for text in texts}
        found: dict[str, dict[str, Any]] = {}
        for segment in sorted(self.folder.glob("*.jsonl")):
            with open(segment, encoding="utf-8") as handle:
                for line in handle:
                    try:
                        entry = json.loads(line)
                    except json.JSONDecodeError:
                        continue  # the torn last line of a killed run
                    text = wanted.get(entry.get("k"))
                    if text is not None:
                        found[text] = entry["v"]
        return found

    def store(self, texts: Iterable[str], results: Iterable[Mapping[str, Any]]) -> None:
        if self._segment is None:
            name = f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}.jsonl"
            self._segment = open(self.folder / name, "a", encoding="utf-8")  # noqa: SIM115 - open across batches; close() ends it
        lines = (
            json.dumps({"k": self.key(text), "v": dict(result)}, ensure_ascii=False) + "\n"
            for text, result in zip(texts, results, strict=True)
        )
        self._segment.write("".join(lines))
        self._segment.flush()
        os.fsync(self._segment.fileno())

    def close(self) -> None:
        if self._segment is not None:
            self._segment.close()
            self._segment = None
