"""Warm start: a command handed to the warm server runs as it would alone (output, files, exit
status, errors) in the client's folder, a command waits for a server still importing, an edited
stage runs its new code, and a signal to the client reaches the command."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import BIN, run, tool_env

import lingualign

WAIT_S = 120  # bounds every wait on the server: its imports, a child starting or ending


def wait_for_server(folder: Path) -> Path:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        for path in folder.glob("*.sock"):
            with socket.socket(socket.AF_UNIX) as probe:
                try:
                    probe.connect(str(path))
                except OSError:
                    continue
            return path.with_suffix(".log")
        time.sleep(0.2)
    raise AssertionError(f"no warm server listened in {folder} within {WAIT_S} s")


def served(log: Path, command: str) -> int:
    """The pid of the child that ran ``lingualign <command>``, from the server's log."""
    found = re.findall(rf"pid (\d+): lingualign {re.escape(command)} in ", log.read_text())
    assert found, f"the warm server did not run '{command}':\n{log.read_text()}"
    return int(found[-1])


def test_a_warm_command_runs_as_it_would_alone(project: Path, warm_env: tuple[dict[str, str], Path]) -> None:
    env, folder = warm_env
    cold = run(["lingualign", "check", "--out", "data/cold.json"], cwd=project, env=env)  # starts the server
    hot = run(["lingualign", "check", "--out", "data/warm.json"], cwd=project, env=env)  # waits for its imports
    served(wait_for_server(folder), "check --out data/warm.json")
    assert hot.stdout == cold.stdout
    assert (project / "data/warm.json").read_bytes() == (project / "data/cold.json").read_bytes()

    params = project / "params.yaml"
    params.write_text(params.read_text().replace("  batch_size: 32 ", "  batchsize: 32 "))
    errors = [run(["lingualign", "check", "--out", "data/x.json"], cwd=project, env=e, check=False) for e in ({}, env)]
    assert [r.returncode for r in errors] == [2, 2]
    assert errors[1].stderr == errors[0].stderr and "batchsize" in errors[1].stderr
    assert not (project / "data/x.json").exists()
    unknown = run(["lingualign", "check", "--no-such-flag"], cwd=project, env=env, check=False)
    assert unknown.returncode == 2 and "unrecognized arguments: --no-such-flag" in unknown.stderr

    params.write_text(params.read_text().replace("  batchsize: 32 ", "  batch_size: 32 "))
    closed = subprocess.run(  # no stdin to hand over: the command runs in the client itself
        [str(BIN / "lingualign"), "check", "--out", "data/closed.json"],
        cwd=project, env=tool_env(env), capture_output=True, text=True, preexec_fn=lambda: os.close(0),
    )  # fmt: skip
    assert closed.returncode == 0 and (project / "data/closed.json").exists()
    assert "check --out data/closed.json" not in next(folder.glob("*.log")).read_text()


def test_an_edited_stage_runs_its_new_code_in_the_warm_server(
    project: Path, warm_env: tuple[dict[str, str], Path], tmp_path: Path
) -> None:
    src = tmp_path / "src"
    shutil.copytree(Path(lingualign.__file__).parent, src / "lingualign")
    env, folder = warm_env
    env = env | {"PYTHONPATH": str(src)}
    run(["lingualign", "check", "--out", "data/check.json"], cwd=project, env=env)  # starts the server
    log = wait_for_server(folder)
    check = src / "lingualign" / "check.py"
    check.write_text(check.read_text().replace("every section validates", "every section checks out"))
    edited = run(["lingualign", "check", "--out", "data/check.json"], cwd=project, env=env)
    served(log, "check --out data/check.json")
    assert "every section checks out" in edited.stdout


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A tracking server that accepts connections and never answers: a stage waits on it."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


def start_waiting_stage(
    project: Path, warm_env: tuple[dict[str, str], Path], tracking: str
) -> tuple[subprocess.Popen[str], int, Path]:
    """``lingualign ingest`` run warm, waiting on a silent tracking server: its client, its child's
    pid and the server's log."""
    env, folder = warm_env
    env = env | {"MLFLOW_TRACKING_URI": tracking}
    # Starts the warm server; a command that does not ask the (silent) tracking server, as check does.
    run(["lingualign", "profile", "gpu", "--check"], cwd=project, env=env)
    log = wait_for_server(folder)
    command = ["ingest", "--out", "data/normalized.parquet", "--metrics", "metrics/ingest.json"]
    client = subprocess.Popen(
        [str(BIN / "lingualign"), *command], cwd=project, env=tool_env(env), stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + WAIT_S
    while f"lingualign {' '.join(command)} in " not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    return client, served(log, " ".join(command)), log


def test_ctrl_c_reaches_the_warm_command(
    project: Path, warm_env: tuple[dict[str, str], Path], silent_server: str
) -> None:
    client, _, _ = start_waiting_stage(project, warm_env, silent_server)
    time.sleep(1.0)  # the child is waiting for the tracking server (up to 10 s)
    client.send_signal(signal.SIGINT)
    _, stderr = client.communicate(timeout=WAIT_S)
    assert client.returncode == 130
    assert "lingualign ingest: interrupted" in stderr
    assert not (project / "data/normalized.parquet").exists()


def test_a_killed_client_takes_its_command_with_it(
    project: Path, warm_env: tuple[dict[str, str], Path], silent_server: str
) -> None:
    client, child, log = start_waiting_stage(project, warm_env, silent_server)
    client.kill()
    client.wait()
    deadline = time.monotonic() + WAIT_S
    while f"pid {child}: exit" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    text = log.read_text()
    assert f"pid {child}: its client is gone: SIGTERM" in text
    assert f"pid {child}: exit -15" in text
