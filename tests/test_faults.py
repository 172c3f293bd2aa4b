"""Faults: SIGKILL in the middle of each kind of long stage, a full disk, a read-only output folder.

A killed stage is rerun by ``dvc repro`` and the pipeline ends exactly where an uninterrupted run
ends, reusing what was finished (translation and judge caches, training checkpoints). The full
disk is a real one: a small tmpfs mounted in a private user and mount namespace (``unshare``),
either filled up (ENOSPC) or remounted read-only (EROFS), so no root and no mock.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import psutil
import pytest
import yaml
from helpers import BIN, PipelineRun, run, stages_run, tool_env

from lingualign.warm import without_server

pytestmark = pytest.mark.slow  # whole DVC pipelines (make test-fast leaves them out)


def namespaces_available() -> bool:
    probe = ["unshare", "--user", "--map-root-user", "--mount", "true"]
    return shutil.which("unshare") is not None and subprocess.run(probe, capture_output=True).returncode == 0


needs_unshare = pytest.mark.skipif(not namespaces_available(), reason="needs unshare with user namespaces (util-linux)")


def tree_md5(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.md5(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


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
    subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script], cwd=project, env=env, check=True
    )
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
def test_full_disk_or_read_only_folder_fails_clearly_and_keeps_earlier_outputs(
    project: Path, tiny_lm: Path, stage: str, fault: str
) -> None:
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


# ---------------------------------------------------------------- SIGKILL in each kind of long stage

# DVC stage -> (its command, a glob whose match means it has finished work worth keeping; None:
# the stage keeps nothing partial, so it is killed a random 1-3 s after it starts). One stage for
# each way a stage keeps work: the engine layer's journal (generate keeps its samples the same
# way), nothing partial (merge too), a training checkpoint (sft resumes through the same
# training.train), and the judge's journal.
KILLED = {
    "translate": ("lingualign translate", "cache/translate/journal-*"),
    "score": ("lingualign score", None),
    "dpo": ("lingualign dpo", "models/checkpoints/dpo/checkpoint-*/trainer_state.json"),
    "evaluate@dpo": ("lingualign evaluate --model dpo", "cache/judge/dpo/journal-*"),
}
# Where a run differs from another by design: each metrics file's ``run`` block (time, memory,
# cache hits, resumed step). The caches do not: a killed run's journal ends in the same segments.


def is_metrics_file(path: str) -> bool:
    return path.startswith("metrics/") and path.endswith(".json")  # compared below, without their run blocks


def outputs_and_metrics(project: Path) -> tuple[dict[str, str], dict[str, Any]]:
    """Every DVC output's hash from dvc.lock, and every metrics file without its ``run`` blocks."""

    def without_run(data: Any) -> Any:
        return {k: without_run(v) for k, v in data.items() if k != "run"} if isinstance(data, dict) else data

    lock = yaml.safe_load((project / "dvc.lock").read_text())["stages"]
    outs = {
        out["path"]: out["md5"]
        for stage in lock.values()
        for out in stage.get("outs", [])
        if not is_metrics_file(out["path"])
    }
    metrics = {
        p.relative_to(project).as_posix(): without_run(json.loads(p.read_text()))
        for p in sorted((project / "metrics").rglob("*.json"))
    }
    return outs, metrics


def command_running(dvc: psutil.Process, command: str) -> bool:
    try:
        return any(
            command in " ".join(child.cmdline()) and child.status() != psutil.STATUS_ZOMBIE
            for child in dvc.children(recursive=True)
        )
    except psutil.Error:
        return False


def kill_if_command_running(dvc: subprocess.Popen[bytes], command: str) -> bool:
    """SIGKILL DVC and the stage together, but only while the stage's command still runs.

    The group is frozen first: once the command has exited, DVC writes dvc.lock in place, and a kill
    inside that write leaves a truncated lock that no ``dvc repro`` can read. A preempted machine can
    do that to DVC too; the test is about the stages, so it kills only where DVC itself is waiting.
    """
    os.killpg(dvc.pid, signal.SIGSTOP)
    if command_running(psutil.Process(dvc.pid), command):
        os.killpg(dvc.pid, signal.SIGKILL)
        dvc.wait()
        return True
    os.killpg(dvc.pid, signal.SIGCONT)
    return False


def kill_at_a_random_point(project: Path, stage: str, rng: random.Random, env: dict[str, str]) -> None:
    """Run ``stage`` again in a finished project (``dvc repro --force``); once its own command runs
    (and has kept some work, where it can), SIGKILL DVC and the stage together, as a preempted
    machine would.

    What the stage keeps across runs is removed first, so that the run has work to keep. A stage
    that keeps nothing partial is killed a random delay after it starts; if it finishes first, it
    runs again with a shorter delay.
    """
    command, marker = KILLED[stage]
    delay = rng.uniform(1.0, 3.0)
    for _ in range(5):
        if marker:
            kept = Path(marker).parts
            shutil.rmtree(
                project.joinpath(*kept[: next(i for i, p in enumerate(kept) if "*" in p)]), ignore_errors=True
            )
        dvc = subprocess.Popen(
            ["dvc", "repro", "--force", "--single-item", stage],
            cwd=project,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        started = None
        while dvc.poll() is None:
            if started is None and command_running(psutil.Process(dvc.pid), command):
                started = time.monotonic()
            if started is not None:
                kept_work = marker and any(path.stat().st_size for path in project.glob(marker))
                due = kept_work or (marker is None and time.monotonic() - started > delay)
                if due and kill_if_command_running(dvc, command):
                    return
            time.sleep(0.02)
        delay /= 3
    pytest.fail(f"{stage} kept finishing before it could be killed")


def test_sigkill_in_each_kind_of_long_stage_then_repro_equals_an_uninterrupted_run(
    tmp_path: Path, tiny_pipeline: PipelineRun
) -> None:
    """Each stage is killed in a copy of the shared finished run, then run again to the end. Forced:
    a plain ``dvc repro`` would check the finished run's outputs out of DVC's cache instead of running
    the stage, which after a kill in a first run it cannot. Every output and metric must then equal
    the uninterrupted run's, so the stages after them have nothing to redo."""
    interrupted = tmp_path / "interrupted"
    shutil.copytree(tiny_pipeline.project, interrupted, symlinks=True)
    # Cold: SIGKILL must reach the stage's own process, which a warm one's process group is not.
    env = without_server(tool_env({"MLFLOW_TRACKING_URI": f"sqlite:///{tmp_path}/mlflow.db"}))
    rng = random.Random(8)
    for stage in KILLED:
        kill_at_a_random_point(interrupted, stage, rng, env)
        run(["dvc", "repro", "--force", "--single-item", stage], cwd=interrupted, env=env)
    assert stages_run(run(["dvc", "repro"], cwd=interrupted, env=env).stdout) == []

    expected_outs, expected_metrics = outputs_and_metrics(tiny_pipeline.project)
    outs, metrics = outputs_and_metrics(interrupted)
    assert outs == expected_outs  # every data file, model and cache, byte for byte (DVC md5)
    assert metrics == expected_metrics
    # What a killed stage had finished was reused, and training went on from a checkpoint.
    assert json.loads((interrupted / "metrics" / "translate.json").read_text())["run"]["cache_hits"] > 0
    assert json.loads((interrupted / "metrics" / "dpo.json").read_text())["run"]["resumed_from_step"] >= 1
