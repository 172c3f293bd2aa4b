"""Atomic outputs: a stage's output appears whole or not at all.

Everything is written to a temporary sibling first and moved into place with ``os.replace``
(atomic on POSIX within one file system), so an error or a kill never leaves half a file where
DVC or the next stage would read it.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from lingualign.errors import LingualignError


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], directory: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it onto ``path`` only if the block succeeds."""
    final = Path(path)
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        prefix = f".{final.name}.tmp-"
        tmp = Path(tempfile.mkdtemp(prefix=prefix, dir=final.parent) if directory else _mkstemp(prefix, final.parent))
    except OSError as exc:
        raise LingualignError(f"{final}: cannot write output: {exc.strerror or exc}") from None
    try:
        yield tmp
        if directory and final.is_dir():
            shutil.rmtree(final)
        os.replace(tmp, final)
    except OSError as exc:
        _remove(tmp)
        raise LingualignError(f"{final}: cannot write output: {exc.strerror or exc}") from None
    except BaseException:
        _remove(tmp)
        raise


def _mkstemp(prefix: str, parent: Path) -> str:
    fd, name = tempfile.mkstemp(prefix=prefix, dir=parent)
    os.close(fd)
    return name


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def write_json(path: str | os.PathLike[str], data: Any) -> None:
    """Write JSON atomically, keys sorted, so that diffs across commits stay small and stable."""
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


class ParquetSink:
    """Stream record batches into one Parquet file with a fixed schema, committed atomically.

    Row groups are encoded and compressed on a thread of their own while the caller makes the next
    batch (pyarrow releases the GIL there): on two cores a stage's cost is its own work, not its work
    plus its writes. One write is in flight at a time, so memory holds one batch more and the row
    groups keep their order; a write's error is raised by the next call.
    """

    def __init__(self, writer: pq.ParquetWriter, schema: pa.Schema):
        self._writer, self.schema, self.rows = writer, schema, 0
        self._pending: list[pa.Table] = []
        self._pending_rows = 0
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="parquet-sink")
        self._writing: Future[None] | None = None

    def write(self, columns: dict[str, list[Any]]) -> None:
        batch = pa.RecordBatch.from_pydict(columns, schema=self.schema)
        if batch.num_rows:
            self._submit(batch)

    def write_table(self, table: pa.Table) -> None:
        self._submit(table.select(self.schema.names).cast(self.schema))

    def _submit(self, data: pa.Table | pa.RecordBatch) -> None:
        self.wait()
        self._writing = self._worker.submit(self._writer.write, data)
        self.rows += data.num_rows

    def wait(self) -> None:
        """Block until the write in flight is done; raise its error, if any."""
        writing, self._writing = self._writing, None
        if writing is not None:
            writing.result()

    def add(self, table: pa.Table, group_rows: int) -> None:
        """Collect tables into row groups of at least ``group_rows`` rows (the last one shorter): a small
        output is one row group, however many pieces it came in."""
        self._pending.append(table.select(self.schema.names).cast(self.schema))
        self._pending_rows += table.num_rows
        if self._pending_rows >= group_rows:
            self.flush()

    def flush(self) -> None:
        if self._pending_rows or (self._pending and not self.rows):  # an empty output still gets its schema
            self.write_table(pa.concat_tables(self._pending).combine_chunks())
        self._pending, self._pending_rows = [], 0

    def close(self) -> None:
        """Wait for the write in flight (raising its error), then close the file."""
        try:
            self.wait()
        finally:
            self._worker.shutdown()
            self._writer.close()


@contextlib.contextmanager
def parquet_sink(path: str | os.PathLike[str], schema: pa.Schema) -> Iterator[ParquetSink]:
    """Each ``write`` becomes one row group, so memory is bounded by the caller's batch size."""
    with atomic_path(path) as tmp:
        # Fixed writer settings keep the bytes identical across runs and machines.
        writer = pq.ParquetWriter(tmp, schema, compression="zstd", write_statistics=True, use_dictionary=True)
        sink = ParquetSink(writer, schema)
        try:
            yield sink
            sink.flush()
        except BaseException:
            with contextlib.suppress(Exception):  # the caller's error is the one to report
                sink.close()
            raise
        sink.close()


def read_parquet(path: str | os.PathLike[str], schema: pa.Schema, what: str) -> pa.Table:
    """Read a stage's input with the schema its producer wrote; a missing or foreign file is a clear error."""
    try:
        _check_columns(path, schema, what)
        return pq.read_table(path, schema=schema)
    except (OSError, pa.ArrowException) as exc:
        raise LingualignError(f"{path}: cannot read {what}: {exc}") from None


def read_parquet_batches(path: str | os.PathLike[str], schema: pa.Schema, what: str, rows: int) -> Iterator[pa.Table]:
    """The same, ``rows`` at a time across row groups: memory bounded by the batch and one row group,
    not the file."""
    try:
        _check_columns(path, schema, what)
        parquet = pq.ParquetFile(path)
        # A reader per row group: one reader over the whole file keeps Arrow memory for every row group
        # it has passed until it is done (about 5.5 MB per 10,000 translated rows with pyarrow 25; the
        # peak RSS figures in docs/benchmarks.md).
        groups = (
            pa.Table.from_batches([batch])
            for group in range(parquet.num_row_groups)
            for batch in parquet.iter_batches(batch_size=rows, row_groups=[group], columns=schema.names)
        )
        for table in rebatched(groups, rows):
            yield table.cast(schema)
    except (OSError, pa.ArrowException) as exc:
        raise LingualignError(f"{path}: cannot read {what}: {exc}") from None


def rebatched(tables: Iterable[pa.Table], rows: int) -> Iterator[pa.Table]:
    """The rows of ``tables`` in batches of ``rows`` (the last one shorter), across the tables' boundaries."""
    pending: list[pa.Table] = []
    held = 0
    for table in tables:
        while table.num_rows:
            taken = table.slice(0, rows - held)
            pending.append(taken)
            held += taken.num_rows
            table = table.slice(taken.num_rows)
            if held == rows:
                yield pa.concat_tables(pending).combine_chunks()
                pending, held = [], 0
    if held:
        yield pa.concat_tables(pending).combine_chunks()


def _check_columns(path: str | os.PathLike[str], schema: pa.Schema, what: str) -> None:
    found = pq.read_schema(path).names
    missing = [name for name in schema.names if name not in found]
    if missing:
        raise LingualignError(f"{path}: {what} lack column(s) {', '.join(missing)} (found: {', '.join(found)})")


def write_parquet(path: str | os.PathLike[str], table: pa.Table, schema: pa.Schema) -> None:
    with parquet_sink(path, schema) as sink:
        sink.write_table(table)


@functools.cache
def _libc() -> Any:
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"))
        return libc if hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


def release_memory() -> None:
    """Hand memory freed by the batch just done back to the operating system. glibc keeps freed blocks
    in its heap and Arrow's allocator keeps freed pages, so without this a long run's RSS creeps up
    batch by batch to the sum of every batch's leftovers rather than the largest batch. A few ms."""
    libc = _libc()
    if libc is not None:  # glibc only: elsewhere, nothing to do
        libc.malloc_trim(0)
    pa.default_memory_pool().release_unused()


def file_md5(path: str | os.PathLike[str]) -> str:
    """The md5 DVC records for a file, so MLflow tags match dvc.lock."""
    digest = hashlib.md5()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
