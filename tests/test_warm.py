"""``lingualign-warm``: a command forked from the warm server behaves as the same command run cold.

Each test starts servers and commands as real processes; none shares the suite's own server.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import BIN, ROOT, tool_env
from import_closure import SRC, closure, module_file
from servers import free_port

from lingualign.warm import SERVER_ENV, SOCKET_ENV, log_path, warm_server, without_server


def lingualign(*args: str, env: dict[str, str], cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["lingualign", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def wait_for(predicate: object, what: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def log_lines(env: dict[str, str]) -> list[str]:
    return log_path(env).read_text().splitlines()


def test_a_warm_command_gets_the_clients_arguments_folder_environment_streams_and_status() -> None:
    """``lingualign check`` reads params.yaml from its folder and asks the tracking server that its
    environment names; one that is down fails it with one line and status 2, warm as cold."""
    down = f"http://127.0.0.1:{free_port()}"
    base = without_server(tool_env())
    with warm_server(base) as served:
        warm = lingualign("check", env=served | {"MLFLOW_TRACKING_URI": down})
        log = log_lines(served)
    cold = lingualign("check", env=base | {"MLFLOW_TRACKING_URI": down})
    assert cold.returncode == 2 and down in cold.stderr
    assert (warm.returncode, warm.stdout, warm.stderr) == (cold.returncode, cold.stdout, cold.stderr)
    forked = [line for line in log if "lingualign check in " in line]
    assert forked and forked[0].endswith(f" in {ROOT}")  # forked in the server, not run cold
    assert any(line.endswith(": exit 2") for line in log)


def test_stdout_to_a_pipe_arrives_whole_and_help_matches_the_cold_command() -> None:
    base = without_server(tool_env())
    with warm_server(base) as served:
        warm = [lingualign(*args, env=served) for args in (["--help"], ["export", "--help"], ["no-such-command"])]
        log = log_lines(served)
    cold = [lingualign(*args, env=base) for args in (["--help"], ["export", "--help"], ["no-such-command"])]
    for w, c in zip(warm, cold, strict=True):
        assert (w.returncode, w.stdout, w.stderr) == (c.returncode, c.stdout, c.stderr)
    assert [w.returncode for w in warm] == [0, 0, 2] and "--params" in warm[1].stdout
    assert not any("cold" in line for line in log)


def test_a_client_whose_import_time_environment_differs_runs_cold_and_the_log_says_why(tmp_path: Path) -> None:
    """A variable as the server's imports set it (a client started by a process that has done
    them) is no difference; any other value is."""
    base = without_server(tool_env())
    with warm_server(base) as served:
        wait_for(lambda: " they set " in log_path(served).read_text(), "the server's imports")
        set_by_imports = json.loads(log_lines(served)[0].split(" they set ", 1)[1])
        other = lingualign("--help", env=served | {"HF_HOME": str(tmp_path)})
        as_imported = lingualign("--help", env=served | set_by_imports)
        log = log_lines(served)
    assert other.returncode == 0 and "usage: lingualign" in other.stdout
    assert any("cold: lingualign --help (HF_HOME differ)" in line for line in log)
    assert as_imported.returncode == 0 and sum("cold" in line for line in log) == 1


@pytest.mark.slow  # a model loaded in the child
def test_ctrl_c_reaches_the_child_and_a_killed_client_takes_its_child_along(tiny_lm: Path) -> None:
    base = without_server(tool_env())
    with warm_server(base) as served:

        def chat() -> subprocess.Popen[str]:
            return subprocess.Popen(
                ["lingualign", "chat", str(tiny_lm)],
                env=served,
                stdin=subprocess.PIPE,  # kept open: the chat waits for a turn
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )

        interrupted = chat()
        wait_for(lambda: sum("lingualign chat" in line for line in log_lines(served)) == 1, "the first chat")
        time.sleep(1.0)
        interrupted.send_signal(signal.SIGINT)
        interrupted.wait(timeout=120)  # before stdin closes: the end of input would end the chat too
        _, stderr = interrupted.communicate()
        assert interrupted.returncode == 130 and "lingualign chat: interrupted" in stderr

        killed = chat()
        wait_for(lambda: sum("lingualign chat" in line for line in log_lines(served)) == 2, "the second chat")
        child = int(log_lines(served)[-1].split(" pid ")[1].split(":")[0])
        killed.kill()
        killed.wait()
        wait_for(lambda: any(f"pid {child}: exit" in line for line in log_lines(served)), "the child's end")
        assert f"pid {child}: its client is gone: SIGTERM" in log_path(served).read_text()


def test_the_wrapper_exits_with_its_commands_status_and_stops_its_server() -> None:
    printed = subprocess.run(
        [str(BIN / "lingualign-warm"), "sh", "-c", f'echo "${SERVER_ENV} ${SOCKET_ENV}"; exit 3'],
        env=without_server(tool_env()),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert printed.returncode == 3
    server, socket = printed.stdout.split()
    with pytest.raises(ProcessLookupError):
        os.kill(int(server), 0)
    assert not Path(socket).parent.exists()


def test_a_wrapper_under_a_running_server_uses_it_with_its_lingualign_first() -> None:
    """As ``make repro`` in a warm test: make puts the environment's folder first on PATH."""
    base = without_server(tool_env())
    with warm_server(base) as served:
        inner = subprocess.run(
            [sys.executable, "-m", "lingualign.warm", "client", "--help"], env=served, capture_output=True, text=True
        )
        shim_last = served | {"PATH": f"{BIN}{os.pathsep}{without_server(served)['PATH']}"}
        nested = subprocess.run(
            [str(BIN / "lingualign-warm"), "sh", "-c", f'echo "${SERVER_ENV}"; command -v lingualign'],
            env=shim_last,
            capture_output=True,
            text=True,
        )
    assert inner.returncode == 0 and "usage: lingualign" in inner.stdout
    server, found = nested.stdout.split()
    assert server == served[SERVER_ENV] and Path(found).parent == Path(served[SOCKET_ENV]).parent / "bin"


def test_nothing_in_the_package_imports_the_warm_start() -> None:
    """cli.py and the stages run the same without it, and no import circle can pass through it."""
    warm = module_file("lingualign.warm")
    modules = {".".join(path.relative_to(SRC).with_suffix("").parts) for path in SRC.rglob("*.py")}
    assert "lingualign.cli" in modules and "lingualign.warm" in modules
    assert sorted(name for name in modules - {"lingualign.warm"} if warm in closure(name)) == []
