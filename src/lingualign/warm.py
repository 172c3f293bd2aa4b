"""Warm start: stage commands forked from a process that has already imported the heavy libraries.

DVC starts every stage as a new process, and each one imports torch, transformers, TRL, peft,
MLflow and the rest before doing any work (docs/benchmarks.md measures it). With
``LINGUALIGN_WARM=1`` (``make run`` and ``make repro`` set it) the ``lingualign`` command becomes
a thin client: it hands its arguments, environment, working folder and its stdin, stdout and
stderr (the descriptors themselves, over a Unix socket) to a server that holds those imports,
and the server forks a child that runs the command exactly as the client would have. The child
imports lingualign itself afresh, so an edited stage runs its new code; the server never imports
it. The client forwards SIGINT, SIGTERM and SIGHUP to the child and exits with its status; if
the client dies, the child gets SIGTERM.

The first command finds no server, starts one in the background and runs cold; the next ones
wait for its imports (they would do the same work themselves). The server listens once its
imports are done and exits after ``LINGUALIGN_WARM_IDLE`` seconds (default 60) with nothing to
run. A server serves only clients of the same interpreter, ``PYTHONPATH``,
installed packages and import-time environment (``SERVER_ENV``); any other client starts its own.
Its log, one line per command served, lies beside its socket in ``LINGUALIGN_WARM_DIR``
(default: ``/tmp/lingualign-warm-<uid>``).

This module imports only the standard library: the client must start in milliseconds.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib
import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import sysconfig
import time
import traceback
from pathlib import Path
from typing import Any

# What the stages import before their first useful line; only imported, never run, so the
# fork copies no thread or open file of theirs.
PRELOAD = (
    "numpy",
    "pyarrow.parquet",
    "pandas",
    "pydantic",
    "yaml",
    "httpx",
    "torch",
    "transformers",
    "transformers.modeling_utils",
    "transformers.models.auto.modeling_auto",
    "transformers.models.llama.modeling_llama",
    "transformers.tokenization_utils_fast",
    "transformers.trainer",
    "peft",
    "datasets",
    "trl.trainer.sft_trainer",
    "trl.trainer.dpo_trainer",
    "mlflow",
    "mlflow.store.tracking.sqlalchemy_store",
    "lm_eval.evaluator",
    "lm_eval.models.huggingface",
    "mergekit.merge",
    "gguf",
)
# Variables the libraries read when imported (cache folders, offline switches, thread counts):
# a client whose values differ needs a server of its own.
SERVER_ENV = ("PYTHON", "HF_", "TRANSFORMERS_", "TORCH", "PYTORCH_", "OMP_", "MKL_", "CUDA_", "TOKENIZERS_", "MLFLOW_")
FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
MAX_MESSAGE = 1 << 20
WAIT_S = 120.0  # the longest a command waits for a server's imports before doing them itself


def socket_path() -> Path:
    """The socket of the server that fits this interpreter, path and packages."""
    folder = Path(os.environ.get("LINGUALIGN_WARM_DIR") or f"/tmp/lingualign-warm-{os.getuid()}")
    packages = Path(sysconfig.get_paths()["purelib"])
    identity = {
        "python": sys.executable,
        "packages": packages.stat().st_mtime_ns if packages.is_dir() else 0,  # pip install changes it
        "warm": Path(__file__).stat().st_mtime_ns,
        "env": sorted((k, v) for k, v in os.environ.items() if k.startswith(SERVER_ENV)),
    }
    key = hashlib.sha256(json.dumps(identity).encode()).hexdigest()[:16]
    return folder / f"{key}.sock"


def run(argv: list[str]) -> int | None:
    """Run ``lingualign argv`` in the warm server and return its exit status; ``None`` when no
    server runs (one is started for the next command, and this one runs here). A server still
    importing is waited for: it does what this process would do first."""
    if "RANK" in os.environ:
        return None  # a process of a multi-process launch (torchrun, accelerate): the launcher owns it
    try:
        for fd in (0, 1, 2):
            os.fstat(fd)
    except OSError:
        return None  # a closed stdin, stdout or stderr (a socket would take its number): run here
    path = socket_path()
    client = _connect(path)
    deadline = time.monotonic() + WAIT_S
    while client is None and _starting(path) and time.monotonic() < deadline:
        time.sleep(0.1)
        client = _connect(path)
    if client is None:
        start_server(path)
        return None
    with client:
        request = {"argv": argv, "argv0": sys.argv[0], "cwd": os.getcwd(), "env": dict(os.environ), "path": sys.path}
        socket.send_fds(client, [json.dumps(request).encode() + b"\n"], [0, 1, 2])
        replies = client.makefile("r")
        child = int(replies.readline() or 0)
        if not child:
            return None  # the server is shutting down: run here
        previous = {number: signal.signal(number, lambda n, _: _forward(child, n)) for number in FORWARDED}
        try:
            status = replies.readline()
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)
    if not status:
        print(f"lingualign: the warm server ({path}) went away while running {' '.join(argv)}", file=sys.stderr)
        return 1
    return int(status)


def _forward(child: int, number: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(child, number)


def _connect(path: Path) -> socket.socket | None:
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        client.connect(str(path))
    except OSError:
        client.close()
        return None
    return client


def _starting(path: Path) -> bool:
    """Whether a server holds the lock of ``path`` (it does from its start to its exit)."""
    lock = path.with_suffix(".lock")
    if not lock.exists():
        return False
    with open(lock, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
    return False


def start_server(path: Path) -> None:
    """Start a server for ``path`` in the background."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    subprocess.Popen(
        [sys.executable, "-m", "lingualign.warm", str(path)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # outlives the command that started it, and its Ctrl-C
        close_fds=True,
    )


def serve(path: Path, idle_s: float) -> None:
    """Import ``PRELOAD``, listen on ``path``, fork one child per command; exit when idle."""
    lock = open(path.with_suffix(".lock"), "a")  # noqa: SIM115 -- held for the server's life
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return
    log = open(path.with_suffix(".log"), "a", buffering=1)  # noqa: SIM115
    started = time.perf_counter()
    for name in PRELOAD:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    _note(log, os.getpid(), f"imported in {time.perf_counter() - started:.1f} s")
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen(8)
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    running: dict[int, socket.socket] = {}  # child pid -> its client's connection
    idle_since = time.monotonic()
    try:
        while running or time.monotonic() - idle_since < idle_s:
            for key, _ in selector.select(timeout=0.2):
                if key.fileobj is listener:
                    _accept(listener, selector, running, log)
                else:
                    _client_gone(key.fileobj, selector, running, log)  # type: ignore[arg-type]
            for pid in list(running):
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    connection = running.pop(pid)
                    with contextlib.suppress(KeyError):  # already gone with its client
                        selector.unregister(connection)
                    code = os.waitstatus_to_exitcode(status)
                    _note(log, pid, f"exit {code}")
                    with contextlib.suppress(OSError):  # killed by a signal: the shell's 128 + number
                        connection.sendall(f"{code if code >= 0 else 128 - code}\n".encode())
                    connection.close()
                    idle_since = time.monotonic()
    finally:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        listener.close()


def _note(log: Any, pid: int, what: str) -> None:
    log.write(f"{time.strftime('%FT%T')} pid {pid}: {what}\n")


def _accept(listener: socket.socket, selector: Any, running: dict[int, socket.socket], log: Any) -> None:
    connection, _ = listener.accept()
    connection.settimeout(5.0)
    try:
        message, fds, _, _ = socket.recv_fds(connection, MAX_MESSAGE, 3)
        while message and not message.endswith(b"\n") and len(message) < MAX_MESSAGE:
            message += connection.recv(MAX_MESSAGE) or b"\n"  # a stream may split the request
    except OSError:
        connection.close()
        return
    if len(fds) != 3 or not message.endswith(b"\n"):
        for fd in fds:
            os.close(fd)
        connection.close()
        return
    request = json.loads(message)
    pid = os.fork()
    if pid == 0:
        listener.close()
        for other in running.values():
            other.close()
        os._exit(_child(request, fds, connection))
    for fd in fds:
        os.close(fd)
    _note(log, pid, f"lingualign {' '.join(request['argv'])} in {request['cwd']}")
    connection.sendall(f"{pid}\n".encode())
    connection.setblocking(False)
    selector.register(connection, selectors.EVENT_READ)
    running[pid] = connection


def _client_gone(connection: socket.socket, selector: Any, running: dict[int, socket.socket], log: Any) -> None:
    """The client closed its end (it was killed): stop its child as a signal to it would."""
    with contextlib.suppress(BlockingIOError):
        if connection.recv(1):
            return
    selector.unregister(connection)
    for pid, held in running.items():
        if held is connection:
            _note(log, pid, "its client is gone: SIGTERM")
            _forward(pid, signal.SIGTERM)


def _child(request: dict[str, Any], fds: list[int], connection: socket.socket) -> int:
    """Become the client's process (descriptors, folder, environment, path) and run the command."""
    connection.close()
    os.setsid()
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    for number in FORWARDED:
        signal.signal(number, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.stdin = open(0, closefd=False)  # noqa: SIM115
    sys.stdout = open(1, "w", buffering=1 if os.isatty(1) else -1, closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", buffering=1, closefd=False)  # noqa: SIM115
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.path[:] = request["path"]
    sys.argv = [request["argv0"], *request["argv"]]
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed()  # fresh entropy, as a new process would draw
    for name in [name for name in sys.modules if name == "lingualign" or name.startswith("lingualign.")]:
        del sys.modules[name]  # this module included: the command runs the code as it is now
    code = 1
    try:
        code = importlib.import_module("lingualign.cli").run(request["argv"])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if not isinstance(exc.code, int | None):
            print(exc.code, file=sys.stderr)
    except BaseException:  # noqa: BLE001 -- report it as Python would, then exit with its status
        traceback.print_exc()
    finally:
        import atexit

        atexit._run_exitfuncs()  # MLflow ends its run there, as at a normal exit
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
    return code


if __name__ == "__main__":
    serve(Path(sys.argv[1]), float(os.environ.get("LINGUALIGN_WARM_IDLE", "60")))
