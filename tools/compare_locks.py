#!/usr/bin/env python3
"""Compare the outputs two ``dvc.lock`` files record: which are byte-identical, which differ.

    python tools/compare_locks.py OLD_LOCK NEW_LOCK        # each a path, or REV:dvc.lock from git

Prints one line per output (the stage that writes it, its hash in each file, same or differs),
then a count. Exit status 0 whatever it finds: it reports, the reader judges.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml


def read_lock(spec: str) -> dict[str, tuple[str, str]]:
    """``{output path: (stage, md5)}`` from a file, or from ``REV:path`` in git."""
    if Path(spec).is_file():
        text = Path(spec).read_text(encoding="utf-8")
    else:
        text = subprocess.run(["git", "show", spec], capture_output=True, text=True, check=True).stdout
    stages = (yaml.safe_load(text) or {}).get("stages", {})
    return {
        out["path"]: (name, str(out.get("md5") or out.get("hash")))
        for name, stage in stages.items()
        for out in stage.get("outs", [])
    }


def main(old_spec: str, new_spec: str) -> None:
    old, new = read_lock(old_spec), read_lock(new_spec)
    same = 0
    width = max(map(len, old.keys() | new.keys()))
    for path in sorted(old.keys() | new.keys()):
        before, after = old.get(path, ("-", "absent")), new.get(path, ("-", "absent"))
        verdict = "same" if before[1] == after[1] else "differs"
        same += verdict == "same"
        print(
            f"{path:<{width}}  {after[0] if after[0] != '-' else before[0]:<28} {before[1][:12]:<12} "
            f"{after[1][:12]:<12} {verdict}"
        )
    print(f"{same} of {len(old.keys() | new.keys())} outputs the same")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
