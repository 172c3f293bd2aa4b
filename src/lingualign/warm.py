"""``lingualign-warm COMMAND [ARG ...]``: run COMMAND (``dvc repro``, a test run) with every
``lingualign`` it starts forked from one process that has already imported the heavy libraries.

DVC starts each stage as a new process, and each one imports torch, transformers, TRL, peft,
MLflow and the rest before its first useful line (docs/benchmarks.md measures what that costs).
This wrapper starts a server that does those imports once, puts a ``lingualign`` of its own first
on COMMAND's ``PATH``, and stops the server when COMMAND ends. That ``lingualign`` hands its
arguments, folder, environment and its stdin, stdout and stderr (the descriptors themselves, over
a Unix socket) to the server, which forks a child that runs ``lingualign.cli.main`` as the real
command would; it forwards SIGINT, SIGTERM and SIGHUP to the child and exits with its status.

A command that the server cannot run as a fresh process would runs as one: when the server is
gone, when its environment differs in a variable that the libraries read as they are imported
(``IMPORT_TIME_ENV``), or in a process of a multi-process launch (torchrun, accelerate). The
server imports no module of lingualign's but this one, so each command runs the code on disk.
``cli.py`` knows nothing of this module.

Only the standard library is imported here: the client starts in milliseconds.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple, TextIO

# What the stages import before their first useful line; imported only, never run, so the fork
# copies no thread or open file of theirs.
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
# Prefixes of the variables that libraries read when imported (cache folders, offline switches,
# thread counts, the import path): a command whose values differ from the server's runs cold.
IMPORT_TIME_ENV = ("PYTHON", "HF_", "TRANSFORMERS_", "TORCH", "PYTORCH_", "OMP_", "MKL_", "CUDA_", "TOKENIZERS_")
SOCKET_ENV = "LINGUALIGN_WARM_SOCKET"
SERVER_ENV = "LINGUALIGN_WARM_SERVER"  # the server's pid: a command waits for it only while it lives
FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
MAX_MESSAGE = 1 << 20
WAIT_S = 300.0  # the longest a command waits for the server's imports before doing them itself


class Command(NamedTuple):
    """A command the server took: what its client sent, and the client's three descriptors."""

    argv: list[str]
    cwd: str
    env: dict[str, str]
    fds: list[int]


def main(argv: list[str] | None = None) -> int:
    """``lingualign-warm COMMAND ...``: COMMAND's exit status. Under a running server (a
    ``lingualign-warm`` inside another one's COMMAND), COMMAND simply runs under that one."""
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.split("\n\n")[0], file=sys.stdout if argv else sys.stderr)
        return 0 if argv else 2
    server = contextlib.nullcontext(_shim_first(os.environ)) if _server_alive(os.environ) else warm_server(os.environ)
    with server as env:
        command = subprocess.Popen(argv, env=env)
        # Ctrl-C reaches COMMAND from the terminal; this process waits for it to end, as a shell does.
        handlers = {signal.SIGINT: lambda *_: None} | {
            number: lambda n, _: command.send_signal(n) for number in (signal.SIGTERM, signal.SIGHUP)
        }
        with _signal_handlers(handlers):
            return _shell_status(command.wait())


@contextlib.contextmanager
def _signal_handlers(handlers: Mapping[int, Any]) -> Iterator[None]:
    """``handlers`` (signal number -> handler) while the block runs, the previous ones after it."""
    previous = {number: signal.signal(number, handler) for number, handler in handlers.items()}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _shell_status(code: int) -> int:
    """A process's exit status as a shell reports it: 128 + the signal's number for a killed one."""
    return code if code >= 0 else 128 - code


@contextlib.contextmanager
def warm_server(env: Mapping[str, str]) -> Iterator[dict[str, str]]:
    """Start a server with ``env``; yield ``env`` with the server's ``lingualign`` first on PATH.
    The server stops when the block ends, once the commands it is running have ended; its log,
    one line per command, is ``log_path`` of the yielded environment until then."""
    with tempfile.TemporaryDirectory(prefix="lingualign-warm-") as folder:
        path = Path(folder, "server.sock")
        shim = _shim(path)
        shim.parent.mkdir()
        shim.write_text(f"#!/bin/sh\nexec '{sys.executable}' -P -m lingualign.warm client \"$@\"\n")
        shim.chmod(0o755)
        served = _shim_first({**env, SOCKET_ENV: str(path)})
        with open(log_path(served), "a") as log:
            server = subprocess.Popen(
                [sys.executable, "-P", "-m", "lingualign.warm", "serve", str(path)],
                stdin=subprocess.PIPE,
                stdout=log,
                stderr=log,
                env=served,
                start_new_session=True,  # Ctrl-C goes to the commands, which forward it to their children
            )
        served[SERVER_ENV] = str(server.pid)
        try:
            yield served
        finally:
            if not path.exists():
                server.terminate()  # still importing, so running nothing
            if server.stdin:
                server.stdin.close()  # end of input: the server stops once its commands have ended
            server.wait()


def _shim(socket_path: Path) -> Path:
    """The ``lingualign`` that runs its command in the server listening on ``socket_path``."""
    return socket_path.parent / "bin" / "lingualign"


def _path_without_shim(env: Mapping[str, str]) -> str:
    shim = str(_shim(Path(env[SOCKET_ENV])).parent)
    return os.pathsep.join(entry for entry in env.get("PATH", "").split(os.pathsep) if entry != shim)


def _shim_first(env: Mapping[str, str]) -> dict[str, str]:
    """``env`` with its server's ``lingualign`` first on PATH (a ``make`` inside a command may have
    put another folder before it)."""
    return {**env, "PATH": f"{_shim(Path(env[SOCKET_ENV])).parent}{os.pathsep}{_path_without_shim(env)}"}


def without_server(env: Mapping[str, str]) -> dict[str, str]:
    """``env`` without a server's ``lingualign`` and variables: every command in it runs cold."""
    if SOCKET_ENV not in env:
        return dict(env)
    kept = {name: value for name, value in env.items() if name not in (SOCKET_ENV, SERVER_ENV)}
    return kept | {"PATH": _path_without_shim(env)}


def log_path(env: Mapping[str, str]) -> Path:
    """The log of the server that ``env`` names: one line per command, warm or cold and why."""
    return Path(env[SOCKET_ENV]).with_suffix(".log")


def _server_alive(env: Mapping[str, str]) -> bool:
    if SOCKET_ENV not in env or SERVER_ENV not in env:
        return False
    try:
        os.kill(int(env[SERVER_ENV]), 0)
    except (OSError, ValueError):
        return False
    return True


def client(argv: list[str]) -> int:
    """The ``lingualign`` of a server's ``PATH``: run ``argv`` in the server, or here when it cannot."""
    status = _run_in_server(argv)
    if status is None:
        os.execv(sys.executable, [sys.executable, "-P", "-m", "lingualign.cli", *argv])
    return status


def _run_in_server(argv: list[str]) -> int | None:
    if "RANK" in os.environ or not _server_alive(os.environ):
        return None
    try:
        for fd in (0, 1, 2):
            os.fstat(fd)
    except OSError:
        return None  # a closed stdin, stdout or stderr (a received descriptor would take its number)
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    deadline = time.monotonic() + WAIT_S
    while True:
        try:
            connection.connect(os.environ[SOCKET_ENV])
            break
        except FileNotFoundError:  # the socket appears once the server's imports are done
            if time.monotonic() > deadline or not _server_alive(os.environ):
                connection.close()
                return None
            time.sleep(0.05)
        except OSError:  # refused: the server has stopped taking commands
            connection.close()
            return None
    with connection:
        request = {"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ)}
        socket.send_fds(connection, [json.dumps(request).encode() + b"\n"], [0, 1, 2])
        replies = connection.makefile("r")
        child = int(replies.readline() or 0)
        if not child:
            return None  # the server runs it cold, or is stopping
        with _signal_handlers({number: lambda n, _: _signal_group(child, n) for number in FORWARDED}):
            status = replies.readline()
    if not status:
        print(f"lingualign: the warm server went away while running {' '.join(argv)}", file=sys.stderr)
        return 1
    return int(status)


def _signal_group(child: int, number: int) -> None:
    """Signal the child's process group, as a terminal signals a command and what it started."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child, number)


def serve(path: Path, log: TextIO) -> Command | None:
    """Import ``PRELOAD``, listen on ``path`` and fork a child per command until stdin ends.
    Returns ``None`` in the server when it stops, and the child's command in each child."""
    started = time.perf_counter()
    before = dict(os.environ)
    for name in PRELOAD:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    # Some libraries set variables as they are imported (torch's inductor cache folder). A command
    # may hold one as it was before the imports or as they set it (a command started by a process
    # that has done them): a fresh process runs the same with either. A child whose command has
    # none gets the value that the imports set.
    after = dict(os.environ)
    set_by_imports = {name: value for name, value in after.items() if before.get(name) != value}
    accepted = (before, after)
    took = time.perf_counter() - started
    _note(log, os.getpid(), f"imported in {took:.1f} s; they set {json.dumps(set_by_imports, sort_keys=True)}")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen(8)
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    selector.register(sys.stdin, selectors.EVENT_READ)
    running: dict[int, socket.socket] = {}  # child pid -> its client's connection
    stopping = False
    while running or not stopping:
        for key, _ in selector.select(timeout=0.1):
            if key.fileobj is listener:
                command = _accept(listener, running, selector, accepted, log)
                if command is not None:  # in the child
                    return command._replace(env=set_by_imports | command.env)
            elif key.fileobj is sys.stdin:
                if not os.read(sys.stdin.fileno(), 4096):
                    stopping = True
                    selector.unregister(sys.stdin)
                    selector.unregister(listener)
                    listener.close()  # its socket stays: a late command is refused, not kept waiting
            else:
                _client_gone(key.fileobj, running, selector, log)  # type: ignore[arg-type]
        for pid in list(running):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                connection = running.pop(pid)
                with contextlib.suppress(KeyError):  # already gone with its client
                    selector.unregister(connection)
                code = os.waitstatus_to_exitcode(status)
                _note(log, pid, f"exit {code}")
                with contextlib.suppress(OSError):
                    connection.sendall(f"{_shell_status(code)}\n".encode())
                connection.close()
    return None


def _note(log: TextIO, pid: int, what: str) -> None:
    log.write(f"{time.strftime('%FT%T')} pid {pid}: {what}\n")
    log.flush()


def _accept(
    listener: socket.socket,
    running: dict[int, socket.socket],
    selector: selectors.BaseSelector,
    accepted: tuple[dict[str, str], ...],
    log: TextIO,
) -> Command | None:
    connection, _ = listener.accept()
    connection.settimeout(5.0)
    try:
        message, fds, _, _ = socket.recv_fds(connection, MAX_MESSAGE, 3)
        while message and not message.endswith(b"\n") and len(message) < MAX_MESSAGE:
            message += connection.recv(MAX_MESSAGE) or b"\n"  # a stream may split the request
    except OSError:
        connection.close()
        return None
    request = json.loads(message) if len(fds) == 3 and message.endswith(b"\n") else None
    differs = _import_time_env_differences(accepted, request["env"]) if request else []
    if request is None or differs:
        for fd in fds:
            os.close(fd)
        if request:
            _note(log, 0, f"cold: lingualign {' '.join(request['argv'])} ({', '.join(differs)} differ)")
        with contextlib.suppress(OSError):
            connection.sendall(b"0\n")
        connection.close()
        return None
    pid = os.fork()
    if pid == 0:
        listener.close()
        selector.close()
        for other in running.values():
            other.close()
        connection.close()
        return Command(request["argv"], request["cwd"], request["env"], fds)
    for fd in fds:
        os.close(fd)
    _note(log, pid, f"lingualign {' '.join(request['argv'])} in {request['cwd']}")
    connection.sendall(f"{pid}\n".encode())
    connection.setblocking(False)
    selector.register(connection, selectors.EVENT_READ)
    running[pid] = connection
    return None


def _import_time_env_differences(accepted: tuple[dict[str, str], ...], env: dict[str, str]) -> list[str]:
    """The variables read at import whose value in ``env`` is none of the ``accepted`` environments'."""
    names = {name for name in {*env}.union(*accepted) if name.startswith(IMPORT_TIME_ENV)}
    return sorted(name for name in names if all(server.get(name) != env.get(name) for server in accepted))


def _client_gone(
    connection: socket.socket, running: dict[int, socket.socket], selector: selectors.BaseSelector, log: TextIO
) -> None:
    """The client closed its end (it was killed): stop its child as a signal to it would."""
    with contextlib.suppress(BlockingIOError):
        if connection.recv(1):
            return
    selector.unregister(connection)
    for pid, held in running.items():
        if held is connection:
            _note(log, pid, "its client is gone: SIGTERM")
            _signal_group(pid, signal.SIGTERM)


def run_command(command: Command) -> int:
    """In a forked child: become the client's process (descriptors, folder, environment, signals)
    and run ``lingualign`` as it would have. Returning ends the child as any Python process ends,
    exit handlers included (MLflow ends its run there)."""
    os.setsid()  # its own process group, which the client signals
    for target, fd in enumerate(command.fds):
        os.dup2(fd, target)
        os.close(fd)
    for number in FORWARDED:
        signal.signal(number, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.stdout.reconfigure(line_buffering=os.isatty(1))  # type: ignore[attr-defined]
    os.chdir(command.cwd)
    os.environ.clear()
    os.environ.update(command.env)
    sys.argv = ["lingualign", *command.argv]
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed()  # fresh entropy, as a new process draws
    from lingualign import cli

    return cli.main(command.argv)


def _serve_main(path: str) -> int:
    status = [1]
    # Registered before the imports, so it runs after every exit handler they register.
    atexit.register(_end_child_without_teardown, os.getpid(), status)
    with open(Path(path).with_suffix(".log"), "a") as log:
        command = serve(Path(path), log)
    if command is None:
        return 0
    status[0] = _exit_status(command)
    return status[0]


def _exit_status(command: Command) -> int:
    """Run ``command``; its exit status, and what Python prints, as a fresh process would end."""
    try:
        return run_command(command)
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or 0
        print(exc.code, file=sys.stderr)
        return 1
    except BaseException as exc:  # noqa: BLE001 -- reported as Python reports it, then the same status
        sys.excepthook(type(exc), exc, exc.__traceback__)
        return 130 if isinstance(exc, KeyboardInterrupt) else 1


def _end_child_without_teardown(server: int, status: list[int]) -> None:
    """In a child, once every exit handler and thread is done: end it without the interpreter's
    teardown, which in a forked process copies every page it touches (docs/benchmarks.md)."""
    if os.getpid() != server:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        os._exit(status[0])


if __name__ == "__main__":
    # How warm_server starts its server and its ``lingualign``: ``python -m lingualign.warm ROLE ...``.
    role, *arguments = sys.argv[1:]
    sys.exit(_serve_main(*arguments) if role == "serve" else client(arguments))
