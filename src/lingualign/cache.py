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
SEAL_BYTES = 8 << 20  # journal values held before sealing: part of every stage's peak memory
BLOCK = 256  # keys per block: one fence key each in memory
RUN_GAP = 8  # rows read together when the rows asked for are at most this far apart
OFFSET_GAP = 512  # the same for their offsets (8 bytes a row)
# Blocks of keys at most BLOCK_GAP apart are read and searched together, RUN_BLOCKS of them (8 MB at most)
# at a time: a few KB more read cost less than a read and a search of their own, and a lookup walks
# every segment in the folder, those of other identities too (the keys never match there).
BLOCK_GAP = 8
RUN_BLOCKS = 256
# Keys and value bytes merged at once when segments become one: what bounds the memory of a run's end.
MERGE_KEYS = 1 << 19
MERGE_BYTES = 8 << 20  # a range's values are held about three times over (read, sliced, joined)


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
        self.value_bytes = int.from_bytes(self._read(self.offsets_start + self.count * 8, 8), "little")

    def _read(self, at: int, size: int) -> bytes:
        data = os.pread(self.file.fileno(), size, at)
        if len(data) != size:
            raise ValueError(f"{self.path}: segment cut short")
        return data

    def rows(self, wanted: Any) -> tuple[Any, Any]:
        """(indices into the sorted keys ``wanted`` this segment holds, their rows here). Nearby blocks that
        keys fall in are read and searched together: many keys cost a few long reads, a few keys a block
        each."""
        import numpy as np

        empty = np.zeros(0, dtype=np.int64)
        if not len(wanted) or not self.count:
            return empty, empty
        block_of = np.searchsorted(self.fence, wanted, side="right") - 1  # -1: before this segment's first key
        starts = np.flatnonzero(np.diff(block_of, prepend=-2))  # each block's first key in ``wanted``
        stops = np.append(starts[1:], len(wanted))
        if block_of[0] < 0:
            starts, stops = starts[1:], stops[1:]
        blocks = block_of[starts]
        indices, rows = [empty], [empty]
        for low, high in _runs(blocks, BLOCK_GAP, RUN_BLOCKS):
            first_block, last_block = int(blocks[low]), int(blocks[high - 1])
            first, end = first_block * BLOCK, min((last_block + 1) * BLOCK, self.count)
            keys = np.frombuffer(self._read(16 + first * KEY_BYTES, (end - first) * KEY_BYTES), dtype=f"S{KEY_BYTES}")
            start, stop = int(starts[low]), int(stops[high - 1])
            part = wanted[start:stop]
            at = np.minimum(np.searchsorted(keys, part), len(keys) - 1)
            found = np.flatnonzero(keys[at] == part)
            indices.append(found + start)
            rows.append(at[found] + first)
        return np.concatenate(indices), np.concatenate(rows)

    def values(self, rows: Any) -> list[bytes]:
        """The values of ``rows`` (ascending). Offsets are read in one go for rows at most ``OFFSET_GAP``
        apart, values for rows at most ``RUN_GAP`` apart: a rerun that asks for most of a segment reads it
        in long runs, while scattered rows cost about one short read each."""
        import numpy as np

        found: list[bytes] = []
        rows = np.asarray(rows, dtype=np.int64)
        for low, high in _runs(rows, OFFSET_GAP, max(len(rows), 1)):
            run, first = rows[low:high], int(rows[low])
            offsets = np.frombuffer(self._read(self.offsets_start + first * 8, (int(run[-1]) - first + 2) * 8), "<u8")
            starts, ends = offsets[run - first].tolist(), offsets[run - first + 1].tolist()
            for a, b in _runs(run, RUN_GAP, len(run)):
                base = starts[a]
                data = self._read(self.values_start + base, ends[b - 1] - base)
                found.extend(data[start - base : end - base] for start, end in zip(starts[a:b], ends[a:b], strict=True))
        return found

    def position(self, key: bytes) -> int:
        """The row of the first key at or after ``key``."""
        import numpy as np

        block = int(np.searchsorted(self.fence, np.array([key], dtype=f"S{KEY_BYTES}"), side="right")[0]) - 1
        if block < 0:
            return 0
        first = block * BLOCK
        keys = np.frombuffer(
            self._read(16 + first * KEY_BYTES, min(BLOCK, self.count - first) * KEY_BYTES), f"S{KEY_BYTES}"
        )
        return first + int(np.searchsorted(keys, np.array([key], dtype=f"S{KEY_BYTES}"))[0])

    def span_keys(self, start: int, end: int) -> Any:
        import numpy as np

        return np.frombuffer(self._read(16 + start * KEY_BYTES, (end - start) * KEY_BYTES), dtype=f"S{KEY_BYTES}")

    def span_values(self, start: int, end: int) -> list[bytes]:
        """The values of rows ``start`` to ``end``, read in one go."""
        import numpy as np

        offsets = np.frombuffer(self._read(self.offsets_start + start * 8, (end - start + 1) * 8), dtype="<u8")
        base = int(offsets[0])
        data = self._read(self.values_start + base, int(offsets[-1]) - base)
        bounds = (offsets - base).tolist()
        return [data[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]

    def close(self) -> None:
        self.file.close()


class Sorted:
    """Sorted keys and their values in memory (the journal, or a benchmark's entries): a source of
    :func:`write_segment` beside segments on disk."""

    def __init__(self, keys: Any, values: list[bytes]):
        self.keys, self.values, self.count = keys, values, len(values)
        self.value_bytes = sum(map(len, values))

    def position(self, key: bytes) -> int:
        import numpy as np

        return int(np.searchsorted(self.keys, np.array([key], dtype=f"S{KEY_BYTES}"))[0])

    def span_keys(self, start: int, end: int) -> Any:
        return self.keys[start:end]

    def span_values(self, start: int, end: int) -> list[bytes]:
        return self.values[start:end]


def _runs(values: Any, gap: int, longest: int) -> Iterator[tuple[int, int]]:
    """(start, end) indices of each run of the ascending ``values`` whose neighbours are at most ``gap``
    apart, a run cut after ``longest`` values."""
    import numpy as np

    bounds = [0, *(np.flatnonzero(np.diff(values) > gap) + 1).tolist(), len(values)]
    for start, end in zip(bounds[:-1], bounds[1:], strict=True):
        for piece in range(start, end, longest):
            yield piece, min(piece + longest, end)


def write_segment(folder: Path, prefix: str, sources: list[Any], held: list[Segment]) -> Path | None:
    """One segment of the keys and values of ``sources`` (:class:`Sorted` or :class:`Segment`; a key in
    several keeps the first source's value) less the keys ``held`` holds, named ``prefix`` + the hash
    of its bytes; None if no key is left. Merged a range of keys at a time (about ``MERGE_KEYS`` keys and
    ``MERGE_BYTES`` of values at most in memory: keys are hashes, spread evenly over the ranges), so a
    cache of any size merges in bounded memory."""
    import numpy as np

    from lingualign.io import atomic_path

    keys_held = sum(source.count for source in sources)
    bytes_held = sum(source.value_bytes for source in sources)
    parts = min(65536, max(1, -(-keys_held // MERGE_KEYS), -(-bytes_held // MERGE_BYTES)))
    bounds = [(part * 65536 // parts).to_bytes(2, "big") for part in range(parts)]

    def merged(with_values: bool) -> Iterator[tuple[Any, list[bytes]]]:
        """(keys, values) of each range of keys, sorted, once each, without what ``held`` holds."""
        for lower, upper in zip(bounds, [*bounds[1:], None], strict=True):
            spans = [
                (source, source.position(lower) if lower != bounds[0] else 0,
                 source.position(upper) if upper is not None else source.count)
                for source in sources
            ]  # fmt: skip
            joined = np.concatenate([np.zeros(0, f"S{KEY_BYTES}")] + [s.span_keys(a, b) for s, a, b in spans])
            order = np.argsort(joined, kind="stable")
            first = np.ones(len(order), dtype=bool)
            first[1:] = joined[order][1:] != joined[order][:-1]  # a key twice (a kill between seal and unlink): once
            order = order[first]
            for segment in held:
                hits, _ = segment.rows(joined[order])
                order = np.delete(order, hits)
            values = [value for s, a, b in spans for value in s.span_values(a, b)] if with_values else []
            yield joined[order], [values[row] for row in order.tolist()] if with_values else []

    count = sum(len(keys) for keys, _ in merged(with_values=False))
    if not count:
        return None
    offsets_start = 16 + count * KEY_BYTES
    fence_start = offsets_start + (count + 1) * 8
    values_start = fence_start + -(-count // BLOCK) * KEY_BYTES
    tmp_path = folder / f".{prefix}writing{SUFFIX}"
    with open(tmp_path, "wb") as handle:
        fd, written, stored, fence = handle.fileno(), 0, 0, []
        os.pwrite(fd, MAGIC + count.to_bytes(8, "little"), 0)
        os.pwrite(fd, (0).to_bytes(8, "little"), offsets_start)
        for keys, values in merged(with_values=True):
            os.pwrite(fd, keys.tobytes(), 16 + written * KEY_BYTES)
            sizes = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
            ends = (stored + np.cumsum(sizes)).astype("<u8")
            os.pwrite(fd, ends.tobytes(), offsets_start + (written + 1) * 8)
            os.pwrite(fd, b"".join(values), values_start + stored)
            fence.append(keys[-written % BLOCK :: BLOCK].tobytes())
            written += len(keys)
            stored += int(sizes.sum())
        os.pwrite(fd, b"".join(fence), fence_start)
        os.fsync(fd)
    digest = hashlib.sha256()
    with open(tmp_path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            digest.update(block)
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
        answered = set()
        for keys, segment, rows in self._held(missing, self.segments + self.partials):
            if keys:
                answered.add(segment.path)
            for key, value in zip(keys, segment.values(rows), strict=True):
                found[wanted[key]] = decode(value)
        # Segments that answered go first next time: a lookup stops once every key is found, so those of the
        # other identities in the folder (a rerun's text lookups beside its chunk segment) are not read at all.
        self.segments.sort(key=lambda segment: segment.path not in answered)
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
        keys = sorted(self.journal)
        journal = Sorted(np.array(keys, dtype=f"S{KEY_BYTES}"), [self.journal[key] for key in keys])
        return write_segment(self.folder, prefix, [journal, *partials], held)

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
