"""The result cache: content-addressed segments, a journal that survives a kill, lookups by key."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import lingualign.cache as cache_module
from lingualign.cache import ResultCache

IDENTITY = {"model": "m", "dtype": "bfloat16"}


def fill(folder: Path, texts: list[str], identity: dict = IDENTITY) -> None:
    with ResultCache(folder, identity) as cache:
        for start in range(0, len(texts), 3):
            batch = texts[start : start + 3]
            cache.store(batch, [{"text": text.upper(), "n": len(text)} for text in batch])


def files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_what_is_stored_is_found_and_nothing_else(tmp_path: Path) -> None:
    fill(tmp_path / "c", ["a", "bb", "ccc", "dddd"])
    with ResultCache(tmp_path / "c", IDENTITY) as cache:
        assert cache.lookup(["bb", "zz", "dddd"]) == {"bb": {"text": "BB", "n": 2}, "dddd": {"text": "DDDD", "n": 4}}
    with ResultCache(tmp_path / "c", IDENTITY | {"dtype": "float32"}) as other:
        assert other.lookup(["bb"]) == {}  # another identity misses


def test_identical_work_gives_identical_files_in_any_order(tmp_path: Path) -> None:
    texts = [f"text {n}" for n in range(50)]
    fill(tmp_path / "one", texts)
    fill(tmp_path / "two", texts[::-1])
    assert files(tmp_path / "one") == files(tmp_path / "two")
    assert all(name.endswith(".seg") for name in files(tmp_path / "one"))


def test_a_second_run_adds_one_segment_of_only_what_is_new(tmp_path: Path) -> None:
    fill(tmp_path / "c", ["a", "b"])
    before = files(tmp_path / "c")
    fill(tmp_path / "c", ["a", "b", "c"])  # a and b are stored again: the new segment leaves them out
    after = files(tmp_path / "c")
    assert set(before) < set(after) and len(after) == 2
    new = next(name for name in after if name not in before)
    fill(tmp_path / "alone", ["c"])
    assert files(tmp_path / "alone") == {new: after[new]}
    with ResultCache(tmp_path / "c", IDENTITY) as cache:
        assert set(cache.lookup(["a", "b", "c"])) == {"a", "b", "c"}


def test_lookups_in_many_segments_find_keys_of_every_byte_value(tmp_path: Path) -> None:
    texts = [f"t{n}" for n in range(400)]
    for start in range(0, 400, 100):
        fill(tmp_path / "c", texts[start : start + 100])
    with ResultCache(tmp_path / "c", IDENTITY) as cache:
        assert len(cache.segments) == 4
        found = cache.lookup(texts + ["missing"])
    assert found == {text: {"text": text.upper(), "n": len(text)} for text in texts}


def test_dense_and_scattered_lookups_read_the_same_values(tmp_path: Path) -> None:
    texts = [f"value {n} " * (n % 7) for n in range(3000)]
    fill(tmp_path / "c", texts)
    expected = {text: {"text": text.upper(), "n": len(text)} for text in texts}
    with ResultCache(tmp_path / "c", IDENTITY) as cache:
        dense = cache.lookup(texts)  # every row: read in long runs
        scattered = cache.lookup(texts[::97])  # rows far apart: two short reads each
        mixed = cache.lookup(texts[:40] + texts[1000::301] + ["missing"])
    assert dense == expected
    assert scattered == {text: expected[text] for text in texts[::97]}
    assert mixed == {text: expected[text] for text in texts[:40] + texts[1000::301]}


KILLED_WRITER = """
import os, signal, sys
from pathlib import Path
import pytest

import lingualign.cache as cache_module
from lingualign.cache import ResultCache
cache = ResultCache(Path(sys.argv[1]), {"model": "m", "dtype": "bfloat16"})
for batch in range(5):
    cache.store([f"t{batch}"], [{"text": str(batch)}])
cache._handle.write(b"0123456789abcdef0123456789abcdef\\t{\\"text\\": \\"tor")  # a batch in flight
cache._handle.flush()
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_killed_run_keeps_every_stored_batch_and_the_next_run_ends_it_as_one_segment(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    killed = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(folder)], env=os.environ.copy())
    assert killed.returncode == -signal.SIGKILL
    assert [p.name.startswith("journal-") for p in folder.iterdir()] == [True]
    with ResultCache(folder, IDENTITY) as cache:
        assert cache.lookup([f"t{n}" for n in range(6)]) == {f"t{n}": {"text": str(n)} for n in range(5)}
        cache.store(["t5"], [{"text": "5"}])
    with ResultCache(tmp_path / "whole", IDENTITY) as whole:
        whole.store([f"t{n}" for n in range(6)], [{"text": str(n)} for n in range(6)])
    assert files(folder) == files(tmp_path / "whole")  # as if the run had never been killed


def test_a_failed_run_keeps_its_journal_for_the_next(tmp_path: Path) -> None:
    try:
        with ResultCache(tmp_path / "c", IDENTITY) as cache:
            cache.store(["a"], [{"text": "A"}])
            raise RuntimeError("engine died")
    except RuntimeError:
        pass
    assert [p.name.startswith("journal-") for p in (tmp_path / "c").iterdir()] == [True]
    with ResultCache(tmp_path / "c", IDENTITY) as cache:
        assert cache.lookup(["a"]) == {"a": {"text": "A"}}


@pytest.mark.parametrize("merge_bound", [("MERGE_KEYS", 16), ("MERGE_BYTES", 400)])
def test_a_long_run_seals_its_journal_into_partials_and_ends_with_the_same_segment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, merge_bound: tuple[str, int]
) -> None:
    texts = [f"text number {n}" for n in range(300)]
    fill(tmp_path / "whole", texts)
    monkeypatch.setattr(cache_module, "SEAL_BYTES", 200)
    monkeypatch.setattr(cache_module, *merge_bound)  # the merge at the end: a few keys at a time, same bytes
    with ResultCache(tmp_path / "sealed", IDENTITY) as cache:
        for start in range(0, 300, 3):
            batch = texts[start : start + 3]
            cache.store(batch, [{"text": text.upper(), "n": len(text)} for text in batch])
            assert cache.journal_bytes < 200  # memory: at most what one seal holds
        assert len(cache.partials) > 10
        assert len(cache.lookup(texts)) == 300  # partials answer lookups during the run
    assert files(tmp_path / "sealed") == files(tmp_path / "whole")


def test_a_run_killed_after_sealing_resumes_from_its_partials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [f"text number {n}" for n in range(60)]
    fill(tmp_path / "whole", texts)
    monkeypatch.setattr(cache_module, "SEAL_BYTES", 300)
    killed = ResultCache(tmp_path / "c", IDENTITY)
    for start in range(0, 40, 3):
        batch = texts[start : start + 3]
        killed.store(batch, [{"text": text.upper(), "n": len(text)} for text in batch])
    killed._close_journal()  # what a SIGKILL leaves: partial segments and a journal, never closed
    names = {path.name.split("-")[0] for path in (tmp_path / "c").iterdir()}
    assert names == {"partial", "journal"}
    with ResultCache(tmp_path / "c", IDENTITY) as cache:
        found = cache.lookup(texts)
        assert set(found) == set(texts[:42])
        todo = [text for text in texts if text not in found]
        cache.store(todo, [{"text": text.upper(), "n": len(text)} for text in todo])
    assert files(tmp_path / "c") == files(tmp_path / "whole")


def test_a_lookup_reads_first_the_segments_that_answered_the_last(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder holds the segments of several identities (translate's chunks and whole texts): once one
    segment has answered, a lookup it answers whole does not read the others."""
    texts = [f"text {n}" for n in range(300)]
    fill(tmp_path / "c", texts)
    fill(tmp_path / "c", texts, {"model": "other"})
    searched: list[Path] = []
    rows = cache_module.Segment.rows

    def counted(segment: cache_module.Segment, wanted: object) -> object:
        searched.append(segment.path)
        return rows(segment, wanted)

    monkeypatch.setattr(cache_module.Segment, "rows", counted)
    for identity in (IDENTITY, {"model": "other"}):
        with ResultCache(tmp_path / "c", identity) as cache:
            first = cache.lookup(texts[:100])
            searched.clear()
            second = cache.lookup(texts[100:200])
            assert len(first) == len(second) == 100
            assert len(searched) == 1 and len(cache.segments) == 2  # the other identity's segment: not read
