"""The openai backend against real local servers; the vllm backend's request building and output mapping."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from servers import ScriptedServer, transformers_serve
from test_translate import normalized, orca_records

from lingualign.errors import LingualignError
from lingualign.settings import parse_settings
from lingualign.translate import TranslateSettings, translate_stage
from lingualign.translate.backends import OpenAIBackend, PromptSpec, vllm_engine_args, vllm_generations, vllm_requests

SPEC = PromptSpec("Translate this from {source} to {target}:\n{source}: {text}\n{target}:", False, "English", "German")


@pytest.fixture(scope="module")
def served_tiny_lm(tiny_lm: Path) -> Iterator[str]:
    with transformers_serve(tiny_lm) as url:
        yield url


@pytest.mark.parametrize("chat", [False, True], ids=["completions", "chat"])
def test_openai_backend_against_a_real_server(tmp_path: Path, tiny_lm: Path, served_tiny_lm: str, chat: bool) -> None:
    settings = parse_settings(
        TranslateSettings,
        {"backend": "openai", "model": str(tiny_lm), "chat": chat, "max_new_tokens": 5, "batch_size": 8, "max_chunk_chars": 60, "openai": {"base_url": served_tiny_lm, "concurrency": 3}},
        "translate",
    )
    source = normalized(tmp_path, orca_records(4))
    metrics = translate_stage(settings, source, tmp_path / "t.parquet", tmp_path / "cache", None)
    rows = pq.read_table(tmp_path / "t.parquet").to_pylist()
    assert metrics["run"]["translated_chunks"] == metrics["chunks"] > 0
    assert all("\n" not in r["prompt_de"] and r["prompt_de"] != r["prompt"] for r in rows)
    again = translate_stage(settings, source, tmp_path / "t2.parquet", tmp_path / "cache", None)
    assert again["run"]["cache_hits"] == metrics["chunks"]


def openai_backend(url: str, **http: Any) -> OpenAIBackend:
    settings = parse_settings(TranslateSettings, {"backend": "openai", "model": "m", "openai": {"base_url": url, "backoff_s": 0.01} | http}, "translate")
    return OpenAIBackend(settings, settings.prompt_spec())


def test_retries_server_errors_with_backoff_and_sends_key_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINGUALIGN_TEST_KEY", "sk-test-123")
    server = ScriptedServer([(503, 0.0), (429, 0.0)])
    try:
        result = openai_backend(server.url, api_key_env="LINGUALIGN_TEST_KEY", max_retries=3).translate(["Hello world"])
    finally:
        server.close()
    assert [g.text for g in result] == ["Hallo Welt"]
    assert len(server.requests) == 3
    assert {r["auth"] for r in server.requests} == {"Bearer sk-test-123"}
    assert server.requests[0]["path"] == "/v1/completions" and server.requests[0]["body"]["prompt"] == SPEC.render("Hello world")


def test_gives_up_after_retries_with_a_clear_error() -> None:
    server = ScriptedServer([(503, 0.0)] * 5)
    try:
        with pytest.raises(LingualignError, match=r"/completions: gave up after 3 attempts \(HTTP 503\)"):
            openai_backend(server.url, max_retries=2).translate(["Hello"])
    finally:
        server.close()


def test_timeouts_are_retried_then_reported() -> None:
    server = ScriptedServer([(200, 1.5), (200, 1.5)])
    try:
        with pytest.raises(LingualignError, match=r"gave up after 2 attempts \(ReadTimeout\)"):
            openai_backend(server.url, max_retries=1, timeout_s=0.3).translate(["Hello"])
    finally:
        server.close()


def test_client_errors_are_not_retried() -> None:
    server = ScriptedServer([(401, 0.0)])
    try:
        with pytest.raises(LingualignError, match="HTTP 401"):
            openai_backend(server.url, max_retries=3).translate(["Hello"])
    finally:
        server.close()
    assert len(server.requests) == 1


def test_concurrency_is_bounded() -> None:
    server = ScriptedServer([(200, 0.2)] * 12)
    active, peak = [0], [0]
    lock = threading.Lock()
    original = server.server.RequestHandlerClass.do_POST

    def counting(handler: Any) -> None:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        try:
            original(handler)
        finally:
            with lock:
                active[0] -= 1

    server.server.RequestHandlerClass.do_POST = counting  # type: ignore[method-assign]
    try:
        openai_backend(server.url, concurrency=3).translate([f"Hello {i}" for i in range(12)])
    finally:
        server.close()
    assert peak[0] == 3


# ---------------------------------------------------------------- vLLM (no GPU here)


@dataclass
class CompletionOutput:  # the fields of vllm.outputs.CompletionOutput that the backend reads
    text: str
    finish_reason: str


@dataclass
class RequestOutput:
    outputs: list[CompletionOutput]


def vllm_settings(**overrides: Any) -> TranslateSettings:
    raw = {"backend": "vllm", "model": "haoranxu/ALMA-13B", "revision": "abc123", "dtype": "bfloat16", "max_new_tokens": 512, "vllm": {"tensor_parallel_size": 2, "data_parallel_size": 4}} | overrides
    return parse_settings(TranslateSettings, raw, "translate")


def test_vllm_requests_for_completion_and_chat_prompts() -> None:
    settings = vllm_settings()
    prompts, sampling = vllm_requests(["Hello.", "Bye." * 400], settings.prompt_spec(), settings)
    assert prompts[0] == "Translate this from English to German:\nEnglish: Hello.\nGerman:"
    # A short chunk gets a small budget (0.5 tokens per character + 8), a long one the cap.
    assert sampling == [{"temperature": 0.0, "max_tokens": 11, "stop": ["\n"], "seed": 0}, {"temperature": 0.0, "max_tokens": 512, "stop": ["\n"], "seed": 0}]
    chat = vllm_settings(chat=True, template="Translate into {target}: {text}")
    conversations, _ = vllm_requests(["Hello."], chat.prompt_spec(), chat)
    assert conversations == [[{"role": "user", "content": "Translate into German: Hello."}]]
    assert vllm_engine_args(settings) | {} == {
        "model": "haoranxu/ALMA-13B", "revision": "abc123", "dtype": "bfloat16", "seed": 0, "trust_remote_code": False,
        "tensor_parallel_size": 2, "data_parallel_size": 4, "gpu_memory_utilization": 0.9, "max_model_len": None,
    }


def test_vllm_outputs_map_in_order_with_truncation() -> None:
    outputs = [RequestOutput([CompletionOutput(" Hallo.", "stop")]), RequestOutput([CompletionOutput(" German: Tschüss und bis", "length")])]
    generations = vllm_generations(outputs, SPEC)
    assert [(g.text, g.truncated) for g in generations] == [("Hallo.", False), ("Tschüss und bis", True)]


def test_vllm_backend_says_how_to_install_it() -> None:
    pytest.importorskip("torch")
    from lingualign.translate.backends import VLLMBackend

    if __import__("importlib").util.find_spec("vllm") is not None:
        pytest.skip("vLLM is installed here")
    with pytest.raises(LingualignError, match=r"pip install 'lingualign\[gpu\]'"):
        VLLMBackend(vllm_settings(), SPEC)
