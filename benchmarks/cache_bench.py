"""The result cache: lookups that cost what is asked, not what is stored.

    python benchmarks/cache_bench.py [--entries 10000000] [--segments 10] [--lookups 100000]

Builds a cache of ``--entries`` chunk translations (values shaped as the translate stage stores
them) in ``--segments`` segments, as that many runs would leave it, then, in a fresh process,
opens it and looks up ``--lookups`` texts, half of them cached, and prints the time and the
process's peak RSS. The same lookups in a cache a tenth the size, side by side, show the cost
does not grow with what is stored. Target: 100,000 lookups in a cache of 10 M entries in under
2 s, in bounded memory. Also times storing batches (the journal) and closing (the segment).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = """
import json, sys, time
from pathlib import Path
from lingualign.cache import ResultCache
folder, count, lookups = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
stride = max(1, count // (lookups // 2))  # the cached half spread over every segment
texts = [f"chunk {i * stride}" for i in range(lookups // 2)]
texts += [f"never stored {i}" for i in range(lookups - lookups // 2)]
started = time.perf_counter()
cache = ResultCache(folder, {"model": "benchmark"})
found = cache.lookup(texts)
seconds = time.perf_counter() - started
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork and exec.
peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM")) / 1024
print(json.dumps({"seconds": seconds, "found": len(found), "peak_mb": peak}))
"""


def build(folder: Path, entries: int, segments: int) -> float:
    """A cache of ``entries`` texts 'chunk 0', 'chunk 1', ... in ``segments`` segments; returns seconds."""
    import numpy as np

    from lingualign.cache import KEY_BYTES, ResultCache, Sorted, encode, write_segment

    cache = ResultCache(folder, {"model": "benchmark"})
    started = time.perf_counter()
    share = -(-entries // segments)
    for start in range(0, entries, share):
        values = {
            cache.key(f"chunk {i}"): encode(
                {"text": f"Übersetzung des Abschnitts {i}", "truncated": False, "tokens": 9, "probabilities": {}}
            )
            for i in range(start, min(entries, start + share))
        }
        keys = sorted(values)
        write_segment(folder, "", [Sorted(np.array(keys, dtype=f"S{KEY_BYTES}"), [values[key] for key in keys])], [])
    return time.perf_counter() - started


def lookup(folder: Path, count: int, lookups: int) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(folder), str(count), str(lookups)], capture_output=True, text=True
    )
    if result.returncode:
        sys.exit(result.stderr[-2000:])
    return json.loads(result.stdout)


def main() -> None:
    from lingualign.cache import ResultCache

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000_000)
    parser.add_argument("--segments", type=int, default=10)
    parser.add_argument("--lookups", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for entries in (args.entries // 10, args.entries):
            folder = Path(tmp) / f"cache-{entries}"
            seconds = build(folder, entries, args.segments)
            size = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
            result = lookup(folder, entries, args.lookups)
            print(
                f"{entries:>11,} entries in {args.segments} segments ({size:,.0f} MB, built in {seconds:.0f} s): "
                f"{args.lookups:,} lookups ({result['found']:,} found) in {result['seconds']:.2f} s, "
                f"peak RSS {result['peak_mb']:,.0f} MB"
            )
        journal = Path(tmp) / "journal"
        cache = ResultCache(journal, {"model": "benchmark"})
        started = time.perf_counter()
        for batch in range(100):
            texts = [f"new {batch}.{i}" for i in range(32)]
            cache.store(texts, [{"text": text, "truncated": False, "tokens": 3, "probabilities": {}} for text in texts])
        stored = time.perf_counter() - started
        started = time.perf_counter()
        cache.close()
        print(
            f"storing 100 batches of 32 (written through, synced once a second): {stored:.2f} s; "
            f"closing them into a segment: "
            f"{time.perf_counter() - started:.2f} s"
        )
    print("target: 100,000 lookups in a cache of 10 M entries in under 2 s, memory bounded")


if __name__ == "__main__":
    main()
