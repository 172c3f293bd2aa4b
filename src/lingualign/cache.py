"""A content-addressed result cache: lookups cost what is asked, identical work gives identical files.

Keys hash an *identity* (whatever decides the result: model, revision and weights, dtype)
together with the input (a request), so each input is computed once however many rows or
datasets contain it, and changing any of those misses the cache instead of reusing a stale
result. translate, generate, score and the MT-Bench judge keep their results in one.

Storage is a folder of immutable *segments*, each named by the hash of its bytes: the keys,
sorted, then the offsets of the values, a fence of every ``BLOCK``-th key, then the values
(JSON). A lookup finds each key's block through the fence (held in memory) and reads that block,
then the key's value, so it reads what it asks for, not the whole cache. While a run works,
each finished batch is appended to a journal before the next batch starts, so a kill loses at
most the batch in flight; the next run reads the journal as part of the cache. A journal that
outgrows ``SEAL_BYTES`` is sealed into a *partial* segment, so memory stays bounded however long
the run. When a run ends well, its
partial segments and journal (with those a killed run of the same identity left) become one
segment. The folder is a DVC output (``persist: true``): it only grows, ``dvc push`` sends only
the new segment, and two machines that did the same work record the same files in ``dvc.lock``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import struct
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

MAGIC = b"LGCACHE1"
KEY_BYTES = 16
SUFFIX = ".seg"
PARTIAL = "partial-"
SYNC_SECONDS = 1.0
SEAL_BYTES = 32 << 20
BLOCK = 256  # keys per block: one fence key each in memory
RUN_GAP = 8  # rows read together when the rows asked for are at most this far apart


def identity_hash(identity: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(identity, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def encode(value: Any) -> bytes:
    import orjson  # results are long texts; orjson decodes them several times faster than json

    # orjson hands back its 4 KB working buffer as the bytes object: copy to the size of the value.
    return bytes(memoryview(orjson.dumps(value, option=orjson.OPT_SORT_KEYS)))


def decode(data: bytes) -> Any:
    import orjson

    return orjson.loads(data)


class Segment:
    """One immutable segment, read with ``pread``: only a fence of every ``BLOCK``-th key stays in
    memory; a lookup reads the blocks of keys its keys fall in, then the offsets and values of its
    hits. Memory and reads follow what is asked, not what is stored, and file pages read are the
    page cache's, not the process's."""

    def __init__(self, path: Path):
        import numpy as np

        self.path = path
        self.file = open(path, "rb")  # noqa: SIM115 - held while the cache is open
        head = self._read(0, 16)
        if head[: len(MAGIC)] != MAGIC:
            raise ValueError(f"{path}: not a cache segment")
        self.count = int.from_bytes(head[8:16], "little")
        self.offsets_start = 16 + self.count * KEY_BYTES
        fence_start = self.offsets_start + (self.count + 1) * 8
        blocks = -(-self.count // BLOCK)
        self.fence = np.frombuffer(self._read(fence_start, blocks * KEY_BYTES), dtype=f"S{KEY_BYTES}")
        self.values_start = fence_start + blocks * KEY_BYTES

    def _read(self, at: int, size: int) -> bytes:
        data = os.pread(self.file.fileno(), size, at)
        if len(data) != size:
            raise ValueError(f"{self.path}: segment cut short")
        return data

    def rows(self, wanted: Any) -> tuple[Any, Any]:
        """(indices into the sorted keys ``wanted`` this segment holds, their rows here)."""
        import numpy as np

        indices, rows = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
        if not len(wanted) or not self.count:
            return indices[0], rows[0]
        block_of = np.searchsorted(self.fence, wanted, side="right") - 1
        starts = np.concatenate(([0], np.flatnonzero(np.diff(block_of)) + 1, [len(wanted)]))
        for start, end in zip(starts[:-1].tolist(), starts[1:].tolist(), strict=True):
            block = int(block_of[start])
            if block < 0:
                continue  # before this segment's first key
            first = block * BLOCK
            count = min(BLOCK, self.count - first)
            keys = np.frombuffer(self._read(16 + first * KEY_BYTES, count * KEY_BYTES), dtype=f"S{KEY_BYTES}")
            part = wanted[start:end]
            at = np.minimum(np.searchsorted(keys, part), count - 1)
            found = np.flatnonzero(keys[at] == part)
            indices.append(found + start)
            rows.append(at[found] + first)
        return np.concatenate(indices), np.concatenate(rows)

    def value(self, row: int) -> bytes:
        start, end = struct.unpack("<QQ", self._read(self.offsets_start + row * 8, 16))
        return self._read(self.values_start + start, end - start)

    def values(self, rows: Any) -> list[bytes]:
        """The values of ``rows`` (ascending): rows at most ``RUN_GAP`` apart are read in one go, offsets
        and values each, so a rerun that asks for most of a segment reads it in long runs, while
        scattered rows cost two short reads each."""
        import numpy as np

        found: list[bytes] = []
        if not len(rows):
            return found
        breaks = np.flatnonzero(np.diff(rows) > RUN_GAP) + 1
        for run in np.split(np.asarray(rows, dtype=np.int64), breaks):
            first = int(run[0])
            offsets = np.frombuffer(self._read(self.offsets_start + first * 8, (int(run[-1]) - first + 2) * 8), "<u8")
            base = int(offsets[0])
            data = self._read(self.values_start + base, int(offsets[-1]) - base)
            starts, ends = offsets[run - first] - base, offsets[run - first + 1] - base
            found.extend(data[start:end] for start, end in zip(starts.tolist(), ends.tolist(), strict=True))
        return found

    def keys(self) -> Any:
        import numpy as np

        return np.frombuffer(self._read(16, self.count * KEY_BYTES), dtype=f"S{KEY_BYTES}")

    def sizes(self) -> Any:
        import numpy as np

        offsets = np.frombuffer(self._read(self.offsets_start, (self.count + 1) * 8), dtype="<u8")
        return np.diff(offsets.astype(np.int64))

    def close(self) -> None:
        self.file.close()


def write_segment(folder: Path, prefix: str, keys: Any, values: Iterable[bytes], sizes: Any) -> Path | None:
    """A segment of ``keys`` (a sorted array of unique keys) and their ``values`` (of ``sizes`` bytes,
    in key order), streamed to disk and named ``prefix`` + the hash of its bytes; None without keys."""
    import numpy as np

    from lingualign.io import atomic_path

    if not len(keys):
        return None
    offsets = np.zeros(len(keys) + 1, dtype="<u8")
    offsets[1:] = np.cumsum(sizes)
    digest = hashlib.sha256()
    tmp_path = folder / f".{prefix}writing{SUFFIX}"
    with open(tmp_path, "wb") as handle:
        head = MAGIC + len(keys).to_bytes(8, "little")
        for part in (head, keys.tobytes(), offsets.tobytes(), keys[::BLOCK].tobytes()):
            digest.update(part)
            handle.write(part)
        for value in values:
            digest.update(value)
            handle.write(value)
        handle.flush()
        os.fsync(handle.fileno())
    final = folder / f"{prefix}{digest.hexdigest()[:32]}{SUFFIX}"
    with atomic_path(final) as tmp:
        os.replace(tmp_path, tmp)
    return final


class ResultCache:
    """``lookup`` and ``store`` results by input text under one identity; use as a context manager
    (or call ``close``): a run that ends well turns what it stored into one segment."""

    def __init__(self, folder: Path, identity: Mapping[str, Any]):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)  # a DVC output even when nothing gets stored
        self.identity = identity_hash(identity)
        self.own = f"{PARTIAL}{self.identity[:16]}-"
        self.journal_path = folder / f"journal-{self.identity[:16]}.log"
        self.journal = read_journal(self.journal_path)  # what a killed run of this identity kept
        self.journal_bytes = sum(map(len, self.journal.values()))
        self._handle: Any = None
        self._synced = time.monotonic()
        self.segments = [Segment(p) for p in sorted(folder.glob(f"*{SUFFIX}")) if not p.name.startswith(PARTIAL)]
        self.partials = [Segment(p) for p in sorted(folder.glob(f"{self.own}*{SUFFIX}"))]

    def key(self, text: str) -> bytes:
        return hashlib.sha256(f"{self.identity}\0{text}".encode()).digest()[:KEY_BYTES]

    def lookup(self, texts: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Cached results for those of ``texts`` that have one."""
        wanted = {self.key(text): text for text in texts}
        found = {wanted[key]: decode(self.journal[key]) for key in wanted.keys() & self.journal.keys()}
        missing = sorted(wanted.keys() - self.journal.keys())
        for keys, segment, rows in self._held(missing, self.segments + self.partials):
            for key, value in zip(keys, segment.values(rows), strict=True):
                found[wanted[key]] = decode(value)
        return found

    def _held(self, keys: list[bytes], segments: list[Segment]) -> Iterator[tuple[list[bytes], Segment, Any]]:
        """(keys, segment, their rows there, ascending) for the sorted ``keys`` that one of ``segments`` holds."""
        import numpy as np

        wanted = np.array(keys, dtype=f"S{KEY_BYTES}")
        left = np.arange(len(keys))
        for segment in segments:
            if not len(left):
                return
            hits, rows = segment.rows(wanted[left])
            # numpy drops a key's trailing zero bytes when it hands one back: yield the caller's own.
            yield [keys[index] for index in left[hits].tolist()], segment, rows
            left = np.delete(left, hits)

    def store(self, texts: Iterable[str], results: Iterable[Mapping[str, Any]]) -> None:
        """Append one batch to the journal before the caller goes on.

        Written through to the operating system, so a killed run keeps every stored batch; synced
        to disk at most every ``SYNC_SECONDS`` (and when a segment is written), so a power loss
        costs at most that much work while fast engines are not held up by one fsync per batch.
        """
        if self._handle is None:
            self._handle = open(self.journal_path, "ab")  # noqa: SIM115 - held across batches
        entries = {self.key(text): encode(result) for text, result in zip(texts, results, strict=True)}
        self._handle.write(b"".join(key.hex().encode() + b"\t" + value + b"\n" for key, value in entries.items()))
        self._handle.flush()
        if time.monotonic() - self._synced >= SYNC_SECONDS:
            os.fsync(self._handle.fileno())
            self._synced = time.monotonic()
        self.journal.update(entries)
        self.journal_bytes += sum(map(len, entries.values()))
        if self.journal_bytes >= SEAL_BYTES:
            self._seal()

    def _seal(self) -> None:
        """The journal becomes a partial segment; memory goes back to what one batch needs."""
        path = self._write(self.own, [], self.segments + self.partials)
        if path is not None:
            self.partials.append(Segment(path))
        self.journal_path.unlink(missing_ok=True)
        self.journal, self.journal_bytes = {}, 0

    def close(self) -> None:
        """The partial segments and the journal become one segment (less what the segments hold)."""
        path = self._write("", self.partials, self.segments)
        if path is not None:
            self.segments.append(Segment(path))
        for segment in self.partials:
            segment.close()
            segment.path.unlink()
        self.partials = []
        self.journal_path.unlink(missing_ok=True)
        self.journal, self.journal_bytes = {}, 0

    def _write(self, prefix: str, partials: list[Segment], held: list[Segment]) -> Path | None:
        """One segment of the journal and ``partials``, without what ``held`` already holds."""
        import numpy as np

        self._close_journal()
        journal_values = list(self.journal.values())
        keys = np.concatenate(
            [np.array(list(self.journal), dtype=f"S{KEY_BYTES}"), *(segment.keys() for segment in partials)]
        )
        source = np.concatenate(
            [np.full(len(self.journal), -1), *(np.full(s.count, i) for i, s in enumerate(partials))]
        )
        row = np.concatenate([np.arange(len(self.journal)), *(np.arange(s.count) for s in partials)])
        sizes = np.concatenate([
            np.array([len(value) for value in journal_values], dtype=np.int64),
            *(s.sizes() for s in partials),
        ])  # fmt: skip
        order = np.argsort(keys, kind="stable")
        first = np.ones(len(order), dtype=bool)
        first[1:] = keys[order][1:] != keys[order][:-1]  # a key twice (a kill between seal and unlink): once
        order = order[first]
        for segment in held:
            hits, _ = segment.rows(keys[order])
            order = np.delete(order, hits)
        values = (
            journal_values[r] if s < 0 else partials[s].value(r)
            for s, r in zip(source[order].tolist(), row[order].tolist(), strict=True)
        )
        return write_segment(self.folder, prefix, keys[order], values, sizes[order])

    def _close_journal(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def __enter__(self) -> ResultCache:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if kind is None:
            self.close()
        else:  # keep the journal and the partial segments: the next run resumes from them
            self._close_journal()


def read_journal(path: Path) -> dict[bytes, bytes]:
    """key -> encoded value of each whole line (a killed run can leave its last line torn)."""
    entries: dict[bytes, bytes] = {}
    with contextlib.suppress(FileNotFoundError), open(path, "rb") as handle:
        for line in handle:
            key, tab, value = line.rstrip(b"\n").partition(b"\t")
            if not line.endswith(b"\n") or not tab or len(key) != 2 * KEY_BYTES:
                continue
            try:
                decode(value)
            except ValueError:
                continue
            entries[bytes.fromhex(key.decode())] = value
    return entries
