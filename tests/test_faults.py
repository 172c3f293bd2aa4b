"""Faults: a full disk or a read-only output folder fails clearly and keeps earlier outputs.

The disk is a real one: a small tmpfs mounted in a private user and mount namespace
(``unshare``), either filled up (ENOSPC) or remounted read-only (EROFS), so no root and no mock.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import BIN, run


def namespaces_available() -> bool:
    probe = ["unshare", "--user", "--map-root-user", "--mount", "true"]
    return shutil.which("unshare") is not None and subprocess.run(probe, capture_output=True).returncode == 0


needs_unshare = pytest.mark.skipif(not namespaces_available(), reason="needs unshare with user namespaces (util-linux)")


def tree_md5(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.md5(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def run_on_small_disk(project: Path, earlier: Path, fault: str, command: str) -> tuple[int, str, dict[str, str]]:
    """Copy ``earlier`` onto a fresh tmpfs at project/out, make it full or read-only, run ``command``.

    Returns the exit status, stderr and the md5 of every file left on the tmpfs.
    """
    out = project / "out"
    out.mkdir()
    size_kib = sum(p.stat().st_size for p in earlier.rglob("*") if p.is_file()) // 1024 + 256
    fill = "dd if=/dev/zero of=out/filler bs=4k 2>/dev/null" if fault == "full" else "mount -o remount,ro out"
    script = f"""
        set -e
        mount -t tmpfs -o size={size_kib}k tmpfs out
        cp -a {earlier}/. out/
        {fill} || true
        set +e
        {command} 2>stderr.txt; echo "exit=$?" > status.txt
        find out -type f ! -name filler -exec md5sum {{}} + > md5.txt
    """
    env = {"PATH": f"{BIN}:/usr/bin:/bin"}
    subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script], cwd=project, env=env, check=True)
    status = int((project / "status.txt").read_text().strip().removeprefix("exit="))
    left = [line.split(maxsplit=1) for line in (project / "md5.txt").read_text().splitlines()]
    return status, (project / "stderr.txt").read_text(), {name.removeprefix("out/"): md5 for md5, name in left}


STAGES = {
    # stage -> (command writing into out/, the file the error must name)
    "ingest": ("lingualign ingest --out out/normalized.parquet --metrics out/ingest.json", "out/normalized.parquet"),
    "models": ("lingualign models --name tiny --out out/tiny --metrics out/tiny.json", "out/tiny"),
}


@needs_unshare
@pytest.mark.parametrize("fault", ["full", "read-only"])
@pytest.mark.parametrize("stage", list(STAGES))
def test_full_disk_or_read_only_folder_fails_clearly_and_keeps_earlier_outputs(project: Path, tiny_lm: Path, stage: str, fault: str) -> None:
    params = yaml.safe_load((project / "params.yaml").read_text())
    for source in params["ingest"]["sources"]:
        source["limit"] = 5
    params["models"]["sources"] = {"tiny": {"path": str(tiny_lm)}}
    (project / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    command, named = STAGES[stage]

    earlier = project / "earlier"
    run(command.replace("out/", "earlier/").split(), cwd=project)
    before = tree_md5(earlier)
    # The earlier outputs are stale (params changed) so the new run really writes.
    params["ingest"]["sources"][0]["limit"] = 6
    (project / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))

    status, stderr, after = run_on_small_disk(project, earlier, fault, command)

    assert status == 2, stderr
    reason = "No space left on device" if fault == "full" else "Read-only file system"
    assert f"lingualign {stage}: error: " in stderr and named in stderr and reason in stderr, stderr
    assert "Traceback" not in stderr
    assert after == before  # earlier outputs intact, no temporary file left behind
