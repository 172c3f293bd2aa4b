"""io: outputs appear whole or not at all, in bytes that do not change between identical runs, an
input without the columns its producer writes is one line naming them, and batched reads cross row groups."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from lingualign.errors import LingualignError
from lingualign.io import atomic_path, parquet_sink, read_parquet, read_parquet_batches, write_json, write_parquet

SCHEMA = pa.schema([pa.field("id", pa.string()), pa.field("score", pa.float64())])


def test_a_failed_write_leaves_the_previous_output_and_no_temporary_file(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    write_json(out, {"b": 1, "a": [2]})
    assert out.read_text() == '{\n  "a": [\n    2\n  ],\n  "b": 1\n}\n'  # keys sorted: small diffs
    with pytest.raises(RuntimeError), atomic_path(out) as tmp:
        tmp.write_text("half")
        raise RuntimeError("killed mid-write")
    with pytest.raises(RuntimeError), parquet_sink(tmp_path / "rows.parquet", SCHEMA) as sink:
        sink.write({"id": ["a"], "score": [1.0]})
        raise RuntimeError("killed after a row group")
    assert out.read_text().startswith('{\n  "a"') and sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


def test_the_same_table_gives_the_same_bytes(tmp_path: Path) -> None:
    table = pa.table({"id": ["a", "b"], "score": [1.0, None]}, schema=SCHEMA)
    write_parquet(tmp_path / "one.parquet", table, SCHEMA)
    write_parquet(tmp_path / "two.parquet", table, SCHEMA)
    digest = [hashlib.md5((tmp_path / name).read_bytes()).hexdigest() for name in ("one.parquet", "two.parquet")]
    assert digest[0] == digest[1] and read_parquet(tmp_path / "one.parquet", SCHEMA, "rows").equals(table)


def test_an_input_without_its_columns_names_them(tmp_path: Path) -> None:
    write_parquet(tmp_path / "other.parquet", pa.table({"id": ["a"]}), pa.schema([pa.field("id", pa.string())]))
    with pytest.raises(LingualignError, match=r"other.parquet: scores lack column\(s\) score \(found: id\)$"):
        read_parquet(tmp_path / "other.parquet", SCHEMA, "scores")
    with pytest.raises(LingualignError, match=r"missing.parquet: cannot read scores"):
        read_parquet(tmp_path / "missing.parquet", SCHEMA, "scores")


def test_batches_run_across_row_groups_as_one_read_would(tmp_path: Path) -> None:
    schema = pa.schema([("n", pa.int64())])
    pq.write_table(pa.table({"n": list(range(21))}, schema=schema), tmp_path / "t.parquet", row_group_size=7)
    batches = list(read_parquet_batches(tmp_path / "t.parquet", schema, "numbers", 5))
    assert [batch.num_rows for batch in batches] == [5, 5, 5, 5, 1]
    assert [batch.column("n").num_chunks for batch in batches] == [1] * 5
    assert [n for batch in batches for n in batch.column("n").to_pylist()] == list(range(21))


def test_writes_behind_the_caller_keep_their_order_and_give_the_bytes_of_direct_writes(tmp_path: Path) -> None:
    tables = [pa.table({"id": [f"{n}-{i}" for i in range(n + 1)], "score": [float(n)] * (n + 1)}) for n in range(30)]
    with parquet_sink(tmp_path / "sink.parquet", SCHEMA) as sink:
        for table in tables:
            sink.write_table(table)
    with pq.ParquetWriter(tmp_path / "direct.parquet", SCHEMA, compression="zstd", use_dictionary=True) as writer:
        for table in tables:
            writer.write_table(table.cast(SCHEMA))
    written = pq.ParquetFile(tmp_path / "sink.parquet")
    assert written.num_row_groups == 30 and sink.rows == sum(t.num_rows for t in tables)
    assert (tmp_path / "sink.parquet").read_bytes() == (tmp_path / "direct.parquet").read_bytes()
