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

    Asked for log-probabilities (a one-token rating, as vLLM serves them), it answers the digit
    and spreads the rest of the probability over the neighbouring ratings.
    """
    import hashlib
    import math

    digest = hashlib.sha256(json.dumps(body.get("messages"), sort_keys=True).encode()).digest()
    score = digest[0] % 10 + 1
    if not body.get("logprobs"):
        return {
            "choices": [
                {"message": {"role": "assistant", "content": f"Rating: [[{score}]]"}, "finish_reason": "stop"}
            ]
        }
    weights = {str(n): 2.0 ** -abs(n - score) for n in range(1, 11)}
    total = sum(weights.values())
    top = [{"token": token, "logprob": math.log(weight / total)} for token, weight in weights.items()]
    top = sorted(top, key=lambda entry: -entry["logprob"])[: int(body.get("top_logprobs") or 1)]
    return {
        "choices": [
            {
                "message": {"role": "assistant", "content": str(score)},
                "logprobs": {"content": [{"token": str(score), "logprob": top[0]["logprob"], "top_logprobs": top}]},
                "finish_reason": "length",
            }
        ]
    }
