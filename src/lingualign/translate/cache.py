"""A content-addressed translation cache that survives crashes and grows with the data.

Keys hash (model and revision, prompt template, generation settings, chunk text), so a chunk is
translated once however many rows or datasets contain it, and changing any of those settings
misses the cache instead of reusing a stale translation.

Storage is a folder of append-only JSONL segments, one per run. Each finished batch is flushed
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

from lingualign.translate.backends import Generation


def identity_hash(identity: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(identity, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class TranslationCache:
    def __init__(self, folder: Path, identity: Mapping[str, Any]):
        self.folder = folder
        self.identity = identity_hash(identity)
        self._segment: Any = None

    def key(self, chunk: str) -> str:
        return hashlib.sha256(f"{self.identity}\0{chunk}".encode()).hexdigest()[:32]

    def lookup(self, chunks: Iterable[str]) -> dict[str, Generation]:
        """Cached generations for those of ``chunks`` that have one."""
        wanted = {self.key(chunk): chunk for chunk in chunks}
        found: dict[str, Generation] = {}
        for segment in sorted(self.folder.glob("*.jsonl")) if self.folder.is_dir() else []:
            with open(segment, encoding="utf-8") as handle:
                for line in handle:
                    try:
                        entry = json.loads(line)
                    except json.JSONDecodeError:
                        continue  # the torn last line of a killed run
                    chunk = wanted.get(entry.get("k"))
                    if chunk is not None:
                        found[chunk] = Generation(entry["t"], entry["trunc"])
        return found

    def store(self, chunks: Iterable[str], generations: Iterable[Generation]) -> None:
        if self._segment is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            name = f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}.jsonl"
            self._segment = open(self.folder / name, "a", encoding="utf-8")
        lines = (
            json.dumps({"k": self.key(chunk), "t": generation.text, "trunc": generation.truncated}, ensure_ascii=False) + "\n"
            for chunk, generation in zip(chunks, generations, strict=True)
        )
        self._segment.write("".join(lines))
        self._segment.flush()
        os.fsync(self._segment.fileno())

    def close(self) -> None:
        if self._segment is not None:
            self._segment.close()
            self._segment = None
