"""The engine layer: the runner's fixed batches and cache, the transformers engine on a tiny model,
the openai engine against real local servers (real vLLM: tests/test_vllm.py)."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from servers import COMPLETION, ScriptedServer, transformers_serve

from lingualign.cache import ResultCache
from lingualign.engines import ENGINES, Engine, EngineSettings, Generation, Request, RunStats, build, run
from lingualign.engines.openai import OpenAIEngine
from lingualign.errors import LingualignError, SettingsError
from lingualign.settings import parse_settings
from lingualign.translate import TranslateSettings


def engine(raw: dict[str, Any]) -> Engine:
    """The engine itself, loaded now (``build`` defers loading to the first batch)."""
    return ENGINES.build(ENGINES.validate(raw))


def test_build_loads_the_model_only_when_a_batch_needs_it(tmp_path: Path) -> None:
    lazy = build(ENGINES.validate({"name": "transformers", "model": str(tmp_path / "no-model-here")}))
    assert lazy.identity()["model"] == str(tmp_path / "no-model-here")
    assert run(lazy, []) == []  # nothing to generate: the missing model is never loaded
    with pytest.raises(LingualignError, match="model folder not found"):
        lazy.generate([Request(2, prompt="Hallo")])


class Recording(Engine):
    """Records the batches it is given; answers with the request's text reversed."""

    def __init__(self, settings: EngineSettings):
        super().__init__(settings)
        self.batches: list[list[str]] = []

    def generate(self, requests: Sequence[Request]) -> list[Generation]:
        self.batches.append([r.text for r in requests])
        return [Generation(r.text[::-1], False, len(r.text)) for r in requests]


def recording(batch_size: int) -> Recording:
    return Recording(EngineSettings(name="recording", model="none", batch_size=batch_size))


def test_run_partitions_all_requests_the_same_way_whatever_the_cache_holds(tmp_path: Path) -> None:
    requests = [Request(4, prompt=text) for text in ("aaaa", "b", "cc", "ddd", "b", "eeeee", "ff")]
    cache = ResultCache(tmp_path / "cache", {"engine": "recording"})
    first = recording(2)
    stats = RunStats()
    generations = run(first, requests[:4], cache, stats=stats)
    assert [g.text for g in generations] == ["aaaa", "b", "cc", "ddd"]
    assert first.batches == [["aaaa", "ddd"], ["cc", "b"]]  # longest first, fixed pairs
    assert (stats.requests, stats.cache_hits, stats.generated, stats.new_tokens) == (4, 0, 4, 10)
    second = recording(2)
    generations = run(second, requests, cache, stats=stats)
    # The new requests go in the batches the whole set partitions into, minus what is cached;
    # duplicates are generated once.
    assert second.batches == [["eeeee"], ["ff"]]
    assert [g.cached for g in generations] == [True, True, True, True, True, False, False]
    assert generations[1] == generations[4] == Generation("b", False, 1)


class Candidates(Recording):
    """Answers with the probabilities it is set to give."""

    given: dict[str, float] = {}

    def generate(self, requests: Sequence[Request]) -> list[Generation]:
        return [Generation("1", False, 1, self.given) for _ in requests]


@pytest.mark.parametrize("given", [{}, {"1": 0.5, "one": 0.5}])
def test_an_engine_that_ignores_candidates_is_an_error_not_empty_scores(given: dict[str, float]) -> None:
    engine = Candidates(EngineSettings(name="candidates", model="none"))
    engine.given = given
    request = Request(1, prompt="Rate it: ", candidates=("1", "2", "10"))
    with pytest.raises(LingualignError, match=r"engine 'candidates' answered a request with candidates \(1, 2, 10\)"):
        run(engine, [request])
    engine.given = {"1": 0.25, "2": 0.5}  # "10" left out: two tokens for this engine's tokenizer
    assert run(engine, [request])[0].probabilities == {"1": 0.25, "2": 0.5}


def test_requests_share_a_batch_only_with_the_same_seed_and_stop_strings() -> None:
    rec = recording(8)
    run(
        rec,
        [
            Request(4, prompt="a"),
            Request(4, prompt="b", temperature=0.7, seed=1),
            Request(4, prompt="c", temperature=0.1, top_p=0.9),  # its own temperature, in a's batch
            Request(4, prompt="d", temperature=0.7, seed=2),
            Request(4, prompt="e", stop=("\n",)),
        ],
    )
    assert sorted(rec.batches) == [["a", "c"], ["b"], ["d"], ["e"]]


@pytest.fixture(scope="module")
def tiny_engine(tiny_lm: Path) -> Engine:
    return engine({"name": "transformers", "model": str(tiny_lm), "device": "cpu", "batch_size": 4})


def test_transformers_engine_cuts_each_request_to_its_budget_and_stops_at_stop_strings(tiny_engine: Engine) -> None:
    requests = [Request(budget, prompt="Hello there, friend") for budget in (1, 5, 9)]
    generations = tiny_engine.generate(requests)
    assert [g.tokens for g in generations] == [1, 5, 9] and all(g.truncated for g in generations)
    stopped = tiny_engine.generate([Request(40, prompt="Hello there, friend", stop=(" ",))])[0]
    assert not stopped.truncated and " " in stopped.text and stopped.tokens < 40


def test_transformers_engine_seeds_sampling_so_the_same_batch_samples_the_same(tiny_engine: Engine) -> None:
    messages = ({"role": "user", "content": "Erzähl mir etwas."},)
    batch = [Request(12, messages=messages, temperature=1.0, seed=seed) for seed in (13, 13)]
    first, again = tiny_engine.generate(batch), tiny_engine.generate(batch)
    assert first == again
    other = tiny_engine.generate([Request(12, messages=messages, temperature=1.0, seed=21)] * 2)
    assert other != first


def test_each_row_of_a_batch_decodes_at_its_own_temperature(tiny_engine: Engine) -> None:
    messages = ({"role": "user", "content": "Erzähl mir etwas."},)
    greedy, sampled = Request(12, messages=messages, seed=13), Request(12, messages=messages, temperature=1.0, seed=13)
    nucleus = Request(12, messages=messages, temperature=1.0, top_p=1e-6, seed=13)  # one token: the likeliest
    mixed = tiny_engine.generate([greedy, sampled, greedy, nucleus])
    assert tiny_engine.generate([greedy, sampled, greedy, nucleus]) == mixed  # seeded: the same draws
    assert mixed[0] == mixed[2] == mixed[3] != mixed[1]  # only the row sampled at temperature 1 draws


def test_continuing_a_started_reply_renders_the_prompt_plus_the_prefix(tiny_engine: Engine) -> None:
    messages = [{"role": "system", "content": "Judge."}, {"role": "user", "content": "Rate it."}]
    started = Request(4, messages=(*messages, {"role": "assistant", "content": "Rating: [["}), continue_final=True)
    plain = tiny_engine.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    assert tiny_engine.render(started) == plain + "Rating: [["


def test_engine_settings_name_the_key_and_the_known_engines() -> None:
    with pytest.raises(SettingsError, match=r"translate.engine.name: unknown engine 'vlm' \(known: ") as caught:
        parse_settings(TranslateSettings, {"engine": {"name": "vlm", "model": "m"}}, "translate")
    assert {"openai", "transformers", "vllm"} <= set(str(caught.value).split("(known: ")[1].rstrip(")").split(", "))
    with pytest.raises(SettingsError, match=r"translate.engine.batchsize: unknown key"):
        parse_settings(
            TranslateSettings, {"engine": {"name": "transformers", "model": "m", "batchsize": 2}}, "translate"
        )
    with pytest.raises(SettingsError, match=r"translate.engine.base_url: Field required"):
        parse_settings(TranslateSettings, {"engine": {"name": "openai", "model": "m"}}, "translate")


# ---------------------------------------------------------------- openai


@pytest.fixture(scope="module")
def served_tiny_lm(tiny_lm: Path) -> Iterator[str]:
    with transformers_serve(tiny_lm) as url:
        yield url


@pytest.mark.parametrize("chat", [False, True], ids=["completions", "chat"])
def test_openai_engine_against_a_real_server(tiny_lm: Path, served_tiny_lm: str, chat: bool) -> None:
    http = engine({"name": "openai", "model": str(tiny_lm), "base_url": served_tiny_lm, "concurrency": 3})
    kind = (
        {"messages": ({"role": "user", "content": "Translate: Hello world"},)}
        if chat
        else {"prompt": "Translate: Hello world"}
    )
    generations = http.generate([Request(5, **kind), Request(3, **kind)])
    assert all(g.text for g in generations)
    assert generations[1].tokens <= 3


def openai_engine(url: str, **settings: Any) -> OpenAIEngine:
    return engine({"name": "openai", "model": "m", "base_url": url, "backoff_s": 0.01} | settings)  # type: ignore[return-value]


HELLO = [Request(11, prompt="Translate this from English to German:\nEnglish: Hello world\nGerman:", stop=("\n",))]


def test_retries_server_errors_with_backoff_and_sends_key_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINGUALIGN_TEST_KEY", "sk-test-123")
    server = ScriptedServer([(503, 0.0), (429, 0.0)])
    try:
        result = openai_engine(server.url, api_key_env="LINGUALIGN_TEST_KEY", max_retries=3).generate(HELLO)
    finally:
        server.close()
    assert [g.text for g in result] == [" Hallo Welt\n"]
    assert len(server.requests) == 3
    assert {r["auth"] for r in server.requests} == {"Bearer sk-test-123"}
    body = server.requests[0]["body"]
    assert server.requests[0]["path"] == "/v1/completions" and body["prompt"] == HELLO[0].prompt
    assert (body["max_tokens"], body["stop"], body["model"]) == (11, ["\n"], "m")


def test_gives_up_after_retries_with_a_clear_error() -> None:
    server = ScriptedServer([(503, 0.0)] * 5)
    try:
        with pytest.raises(LingualignError, match=r"/completions: gave up after 3 attempts \(HTTP 503\)"):
            openai_engine(server.url, max_retries=2).generate(HELLO)
    finally:
        server.close()


def test_timeouts_are_retried_then_reported() -> None:
    server = ScriptedServer([(200, 1.5), (200, 1.5)])
    try:
        with pytest.raises(LingualignError, match=r"gave up after 2 attempts \(ReadTimeout\)"):
            openai_engine(server.url, max_retries=1, timeout_s=0.3).generate(HELLO)
    finally:
        server.close()


def test_client_errors_are_not_retried() -> None:
    server = ScriptedServer([(401, 0.0)])
    try:
        with pytest.raises(LingualignError, match="HTTP 401"):
            openai_engine(server.url, max_retries=3).generate(HELLO)
    finally:
        server.close()
    assert len(server.requests) == 1


def test_concurrency_is_bounded() -> None:
    """Requests in flight at once, as the server sees them: from the handler's start to the moment it
    builds its answer. That window ends before the client can have its response, so a client's next
    request cannot overlap the one it follows (counting until the handler returned did, under load)."""
    active, peak = [0], [0]
    lock = threading.Lock()

    def answered(body: dict[str, Any]) -> dict[str, Any]:
        with lock:
            active[0] -= 1
        return COMPLETION

    server = ScriptedServer([(200, 0.2)] * 12, respond=answered)
    original = server.server.RequestHandlerClass.do_POST

    def counting(handler: Any) -> None:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        original(handler)

    server.server.RequestHandlerClass.do_POST = counting  # type: ignore[method-assign]
    try:
        openai_engine(server.url, concurrency=3).generate([Request(4, prompt=f"Hello {i}") for i in range(12)])
    finally:
        server.close()
    assert peak[0] == 3


# ---------------------------------------------------------------- vLLM missing (tests/test_vllm.py runs it)


def test_vllm_engine_says_how_to_install_it() -> None:
    if __import__("importlib").util.find_spec("vllm") is not None:
        pytest.skip("vLLM is installed here")
    with pytest.raises(LingualignError, match=r"^translate.engine: engine 'vllm' needs vLLM: `make vllm-env`"):
        build(ENGINES.validate({"name": "vllm", "model": "m"}), "translate.engine").generate([Request(2, prompt="x")])


def test_a_cuda_setting_on_a_cpu_machine_stops_with_one_line_under_the_params_key(tiny_lm: Path) -> None:
    if __import__("torch").cuda.is_available():
        pytest.skip("a CUDA GPU is visible here")
    settings = ENGINES.validate({"name": "transformers", "model": str(tiny_lm), "device": "cuda"})
    with pytest.raises(LingualignError) as caught:
        build(settings, "evaluate.engine").generate([Request(2, prompt="x")])
    message = str(caught.value)
    assert message.startswith(f"evaluate.engine: engine 'transformers' could not load {tiny_lm}: ")
    assert "CUDA" in message and "\n" not in message


# ---------------------------------------------------------------- candidates: next-token probabilities


def test_transformers_engine_gives_each_single_token_candidates_probability(tiny_engine: Engine) -> None:
    messages = ({"role": "user", "content": "Rate it."}, {"role": "assistant", "content": "Rating: [["})
    (generation,) = tiny_engine.generate(
        [Request(4, messages=messages, continue_final=True, candidates=("1", "5", "10"))]
    )
    assert set(generation.probabilities) == {"1", "5"}  # "10" is two tokens for this tokenizer
    assert all(0 < p < 1 for p in generation.probabilities.values()) and generation.text in {"1", "5"}
    again = tiny_engine.generate([Request(4, messages=messages, continue_final=True, candidates=("1", "5", "10"))] * 3)
    assert all(g.probabilities == generation.probabilities for g in again)  # batching changes nothing


def test_openai_engine_reads_candidates_from_the_first_tokens_top_logprobs() -> None:
    import math

    top = [
        {"token": "7", "logprob": math.log(0.5)},
        {"token": "8", "logprob": math.log(0.25)},
        {"token": "x", "logprob": -3.0},
    ]
    reply = {
        "choices": [
            {
                "message": {"content": "7"},
                "finish_reason": "length",
                "logprobs": {"content": [{"token": "7", "top_logprobs": top}]},
            }
        ]
    }
    server = ScriptedServer(respond=lambda body: reply)
    try:
        (generation,) = openai_engine(server.url).generate(
            [Request(4, messages=({"role": "user", "content": "Rate"},), candidates=("7", "8", "9"))]
        )
    finally:
        server.close()
    assert generation.probabilities == {"7": 0.5, "8": 0.25, "9": 0.0}
    body = server.requests[0]["body"]
    assert (body["max_tokens"], body["logprobs"], body["top_logprobs"]) == (1, True, 20)


def test_a_batch_decodes_each_row_as_it_would_alone(tiny_engine: Engine) -> None:
    # Rows share the chat template's prefix (computed once), differ in length and budget, and
    # leave the batch as they stop: each still gets what it gets alone.
    texts = ["Hallo", "Wo ist mein Paket, bitte?", "Ich möchte mein Abo kündigen, und zwar sofort.", "Danke"]
    requests = [
        Request(3 + i, messages=({"role": "user", "content": text},), stop=(" ",)) for i, text in enumerate(texts)
    ]
    alone = [tiny_engine.generate([request])[0] for request in requests]
    assert tiny_engine.generate(requests) == alone
