"""A content-addressed result cache: lookups cost what is asked, identical work gives identical files.

Keys hash an *identity* (whatever decides the result: model, revision and weights, dtype)
together with the input (a request), so each input is computed once however many rows or
datasets contain it, and changing any of those misses the cache instead of reusing a stale
result. translate, generate, score and the MT-Bench judge keep their results in one.

Storage is a folder of immutable *segments*, each named by the hash of its bytes: the keys,
sorted, then the offsets of the values, then the values (JSON). A lookup binary-searches each
segment's keys through a memory map, so it reads the pages of the keys it asks for and of their
values, not the whole cache. While a run works, each finished batch is appended to a journal
and fsynced before the next batch starts, so a kill loses at most the batch in flight; the next
run reads the journal as part of the cache. When a run ends well, its journal becomes one new
segment. The folder is a DVC output (``persist: true``): it only grows, ``dvc push`` sends only
the new segment, and two machines that did the same work record the same files in ``dvc.lock``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

MAGIC = b"LGCACHE1"
KEY_BYTES = 16
SUFFIX = ".seg"


def identity_hash(identity: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(identity, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class Segment:
    """One immutable segment, memory-mapped: sorted keys, value offsets, values."""

    def __init__(self, path: Path):
        import numpy as np

        self.path = path
        self.data = np.memmap(path, dtype=np.uint8, mode="r")
        if bytes(self.data[: len(MAGIC)]) != MAGIC:
            raise ValueError(f"{path}: not a cache segment")
        count = int(np.frombuffer(self.data[8:16], dtype="<u8")[0])
        keys_end = 16 + count * KEY_BYTES
        self.keys = np.frombuffer(self.data[16:keys_end], dtype=f"S{KEY_BYTES}")
        self.offsets = np.frombuffer(self.data[keys_end : keys_end + (count + 1) * 8], dtype="<u8")
        self.values_start = keys_end + (count + 1) * 8

    def find(self, wanted: Any) -> Iterator[tuple[int, Any]]:
        """(index into ``wanted``, value) for each of the sorted keys ``wanted`` this segment holds."""
        import numpy as np

        if not len(self.keys):
            return
        at = np.minimum(np.searchsorted(self.keys, wanted), len(self.keys) - 1)
        for index in np.flatnonzero(self.keys[at] == wanted):
            row = at[index]
            start, end = self.values_start + int(self.offsets[row]), self.values_start + int(self.offsets[row + 1])
            yield int(index), json.loads(bytes(self.data[start:end]))


def write_segment(folder: Path, entries: Mapping[bytes, Any]) -> Path:
    """A new segment of ``entries`` (key -> value), named by the hash of its bytes."""
    import numpy as np

    from lingualign.io import atomic_path

    keys = sorted(entries)
    values = [json.dumps(entries[key], sort_keys=True, ensure_ascii=False).encode() for key in keys]
    offsets = np.zeros(len(keys) + 1, dtype="<u8")
    offsets[1:] = np.cumsum([len(value) for value in values])
    body = b"".join([MAGIC, np.uint64(len(keys)).astype("<u8").tobytes(), *keys, offsets.tobytes(), *values])
    final = folder / f"{hashlib.sha256(body).hexdigest()[:32]}{SUFFIX}"
    if not final.exists():
        with atomic_path(final) as tmp, open(tmp, "wb") as handle:
            handle.write(body)
            handle.flush()
            os.fsync(handle.fileno())
    return final


class ResultCache:
    """``lookup`` and ``store`` results by input text under one identity; use as a context manager
    (or call ``close``): a run that ends well turns its journal into a segment."""

    def __init__(self, folder: Path, identity: Mapping[str, Any]):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)  # a DVC output even when nothing gets stored
        self.identity = identity_hash(identity)
        self.journal_path = folder / f"journal-{self.identity[:16]}.jsonl"
        self.journal = read_journal(self.journal_path)  # what a killed run of this identity kept
        self._handle: Any = None
        self.segments = [Segment(path) for path in sorted(folder.glob(f"*{SUFFIX}"))]

    def key(self, text: str) -> bytes:
        return hashlib.sha256(f"{self.identity}\0{text}".encode()).digest()[:KEY_BYTES]

    def lookup(self, texts: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Cached results for those of ``texts`` that have one."""
        import numpy as np

        wanted = {self.key(text): text for text in texts}
        found = {wanted[key]: self.journal[key] for key in wanted.keys() & self.journal.keys()}
        # numpy drops a key's trailing zero bytes when it hands one back: keep the keys themselves beside.
        rest = sorted(wanted.keys() - self.journal.keys())
        for segment in self.segments:
            if not rest:
                break
            hits = dict(segment.find(np.array(rest, dtype=f"S{KEY_BYTES}")))
            found.update((wanted[rest[index]], value) for index, value in hits.items())
            rest = [key for index, key in enumerate(rest) if index not in hits]
        return found

    def store(self, texts: Iterable[str], results: Iterable[Mapping[str, Any]]) -> None:
        """Append one batch to the journal, durably, before the caller goes on."""
        if self._handle is None:
            self._handle = open(self.journal_path, "a", encoding="utf-8")  # noqa: SIM115 - held across batches
        entries = {self.key(text): dict(result) for text, result in zip(texts, results, strict=True)}
        self._handle.write(
            "".join(
                json.dumps({"k": key.hex(), "v": value}, ensure_ascii=False) + "\n" for key, value in entries.items()
            )
        )
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self.journal.update(entries)

    def close(self) -> None:
        """Turn the journal into a segment (what the segments already hold is left out)."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        if not self.journal:
            self.journal_path.unlink(missing_ok=True)
            return
        import numpy as np

        keys = sorted(self.journal)
        for segment in self.segments:
            held = {index for index, _ in segment.find(np.array(keys, dtype=f"S{KEY_BYTES}"))} if keys else set()
            keys = [key for index, key in enumerate(keys) if index not in held]
        if keys:
            self.segments.append(Segment(write_segment(self.folder, {key: self.journal[key] for key in keys})))
        self.journal_path.unlink()
        self.journal = {}

    def __enter__(self) -> ResultCache:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if kind is None:
            self.close()
        elif self._handle is not None:  # keep the journal: the next run resumes from it
            self._handle.close()
            self._handle = None


def read_journal(path: Path) -> dict[bytes, Any]:
    entries: dict[bytes, Any] = {}
    with contextlib.suppress(FileNotFoundError), open(path, encoding="utf-8") as handle:
        for line in handle:
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue  # the torn last line of a killed run
            entries[bytes.fromhex(entry["k"])] = entry["v"]
    return entries
