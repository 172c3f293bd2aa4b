"""Translation backends behind one interface, chosen by name in ``params.yaml: translate.backend``.

Every backend turns a list of single-line English chunks into :class:`Generation` objects, in
order. They share prompt rendering (:class:`PromptSpec`) and the cleanup of raw model output, so
the same chunk gives the same request whichever engine serves it.

- ``transformers``: batched ``generate`` on CPU or GPU, batches sorted by length, greedy by default.
- ``vllm``: offline batch generation through ``vllm.LLM`` (``pip install lingualign[gpu]``).
- ``openai``: any OpenAI-compatible endpoint (``vllm serve``, a hosted API), concurrent, retried.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from lingualign.devices import load_causal_lm
from lingualign.errors import LingualignError


@dataclass(frozen=True)
class Generation:
    text: str
    truncated: bool  # stopped at max_new_tokens rather than at a stop token


@dataclass(frozen=True)
class PromptSpec:
    template: str  # with {source}, {target} and {text}
    chat: bool  # wrap the rendered template in the model's chat template as a user turn
    source_language: str
    target_language: str

    def render(self, text: str) -> str:
        return self.template.format(source=self.source_language, target=self.target_language, text=text)

    def messages(self, text: str) -> list[dict[str, str]]:
        return [{"role": "user", "content": self.render(text)}]


def clean_output(raw: str, spec: PromptSpec) -> str:
    """First non-empty line of the model's answer, without an echoed ``German:`` label.

    Chunks are single lines, so anything after the first line is the model running on
    (ALMA-style prompts continue with a new ``English:`` line).
    """
    for line in raw.strip().splitlines():
        line = line.strip()
        if line:
            label = f"{spec.target_language}:"
            return line[len(label) :].strip() if line.startswith(label) else line
    return ""


def token_budget(chunk: str, settings: Any) -> int:
    """New tokens allowed for one chunk: enough for a faithful translation, few for a loop.

    German needs about 1.3x the tokens of its English source and English runs about 4
    characters a token; ``new_tokens_per_char`` (0.5 by default) leaves room to spare, and short
    chunks stop early instead of running to ``max_new_tokens``.
    """
    return min(settings.max_new_tokens, math.ceil(len(chunk) * settings.new_tokens_per_char) + 8)


class Backend(Protocol):
    def translate(self, chunks: Sequence[str]) -> list[Generation]: ...


BACKENDS: dict[str, Callable[..., Backend]] = {}


def backend(name: str) -> Callable[[Callable[..., Backend]], Callable[..., Backend]]:
    def register(factory: Callable[..., Backend]) -> Callable[..., Backend]:
        BACKENDS[name] = factory
        return factory

    return register


# ---------------------------------------------------------------- transformers


@backend("transformers")
class TransformersBackend:
    def __init__(self, settings: Any, spec: PromptSpec):
        self.settings, self.spec = settings, spec
        kwargs = {"revision": settings.revision, "trust_remote_code": settings.trust_remote_code}
        self.model, self.tokenizer = load_causal_lm(settings.model, settings.device, settings.dtype, **kwargs)
        self.device = self.model.device

    def prompt(self, chunk: str) -> str:
        if self.spec.chat:
            return self.tokenizer.apply_chat_template(self.spec.messages(chunk), tokenize=False, add_generation_prompt=True)
        return self.spec.render(chunk)

    def translate(self, chunks: Sequence[str]) -> list[Generation]:
        import torch

        prompts = [self.prompt(chunk) for chunk in chunks]
        # Longest first: similar lengths share a batch (little padding), and an out-of-memory
        # batch shows up at the start rather than hours in.
        order = sorted(range(len(prompts)), key=lambda i: -len(prompts[i]))
        results: list[Generation | None] = [None] * len(prompts)
        size = self.settings.batch_size
        for start in range(0, len(order), size):
            batch = order[start : start + size]
            budgets = {i: token_budget(chunks[i], self.settings) for i in batch}
            encoded = self.tokenizer([prompts[i] for i in batch], return_tensors="pt", padding=True, add_special_tokens=not self.spec.chat).to(self.device)
            with torch.inference_mode():
                output = self.model.generate(
                    **encoded,
                    max_new_tokens=max(budgets.values()),
                    do_sample=self.settings.temperature > 0,
                    temperature=self.settings.temperature if self.settings.temperature > 0 else None,
                    top_p=None,
                    top_k=None,
                    stop_strings=["\n"],
                    tokenizer=self.tokenizer,
                    pad_token_id=self.tokenizer.pad_token_id,
                )
            new_tokens = output[:, encoded["input_ids"].shape[1] :]
            for index, tokens in zip(batch, new_tokens, strict=True):
                # Cut each chunk to its own budget, as vLLM and the HTTP backend do per request.
                tokens = tokens[: budgets[index]]
                text = self.tokenizer.decode(tokens, skip_special_tokens=True)
                generated = int((tokens != self.tokenizer.pad_token_id).sum())
                truncated = generated >= budgets[index] and "\n" not in text
                results[index] = Generation(clean_output(text, self.spec), truncated)
        return [result for result in results if result is not None]


# ---------------------------------------------------------------- vLLM


@backend("vllm")
class VLLMBackend:
    """Offline batch generation on GPU; vLLM schedules and batches all requests itself."""

    def __init__(self, settings: Any, spec: PromptSpec):
        try:
            from vllm import LLM
        except ImportError:
            raise LingualignError("translate.backend 'vllm' needs vLLM on a CUDA machine: pip install 'lingualign[gpu]'") from None
        self.settings, self.spec = settings, spec
        self.llm = LLM(**vllm_engine_args(settings))

    def translate(self, chunks: Sequence[str]) -> list[Generation]:
        from vllm import SamplingParams

        requests, sampling = vllm_requests(chunks, self.spec, self.settings)
        params = [SamplingParams(**one) for one in sampling]
        outputs = self.llm.chat(requests, params, use_tqdm=False) if self.spec.chat else self.llm.generate(requests, params, use_tqdm=False)
        return vllm_generations(outputs, self.spec)


def vllm_engine_args(settings: Any) -> dict[str, Any]:
    return {
        "model": settings.model,
        "revision": settings.revision,
        "dtype": settings.dtype,
        "seed": settings.seed,
        "trust_remote_code": settings.trust_remote_code,
        "tensor_parallel_size": settings.vllm.tensor_parallel_size,
        "data_parallel_size": settings.vllm.data_parallel_size,
        "gpu_memory_utilization": settings.vllm.gpu_memory_utilization,
        "max_model_len": settings.vllm.max_model_len,
    }


def vllm_requests(chunks: Sequence[str], spec: PromptSpec, settings: Any) -> tuple[list[Any], list[dict[str, Any]]]:
    """The prompts (or chat conversations) and per-request SamplingParams keyword arguments."""
    requests: list[Any] = [spec.messages(chunk) for chunk in chunks] if spec.chat else [spec.render(chunk) for chunk in chunks]
    sampling = [{"temperature": settings.temperature, "max_tokens": token_budget(chunk, settings), "stop": ["\n"], "seed": settings.seed} for chunk in chunks]
    return requests, sampling


def vllm_generations(outputs: Sequence[Any], spec: PromptSpec) -> list[Generation]:
    """Map vLLM ``RequestOutput``s (in request order) to generations."""
    return [Generation(clean_output(o.outputs[0].text, spec), o.outputs[0].finish_reason == "length") for o in outputs]


# ---------------------------------------------------------------- OpenAI-compatible HTTP


@backend("openai")
class OpenAIBackend:
    """Any OpenAI-compatible server: bounded concurrency, retries with backoff, timeouts.

    The API key is read from the environment variable named by ``openai.api_key_env`` and never
    from params, so it cannot end up in git, dvc.lock or MLflow.
    """

    def __init__(self, settings: Any, spec: PromptSpec):
        self.settings, self.spec, self.http = settings, spec, settings.openai
        if not self.http.base_url:
            raise LingualignError("params.yaml: translate.openai.base_url: required for the 'openai' backend")

    def translate(self, chunks: Sequence[str]) -> list[Generation]:
        return asyncio.run(self._translate_all(chunks))

    async def _translate_all(self, chunks: Sequence[str]) -> list[Generation]:
        limit = asyncio.Semaphore(self.http.concurrency)
        async with http_client(self.http) as client:

            async def one(chunk: str) -> Generation:
                async with limit:
                    return await self._request(client, chunk)

            return list(await asyncio.gather(*(one(chunk) for chunk in chunks)))

    def request_body(self, chunk: str) -> tuple[str, dict[str, Any]]:
        common = {"model": self.http.model or self.settings.model, "max_tokens": token_budget(chunk, self.settings), "temperature": self.settings.temperature, "seed": self.settings.seed}
        if self.spec.chat:
            return "/chat/completions", common | {"messages": self.spec.messages(chunk)}
        return "/completions", common | {"prompt": self.spec.render(chunk), "stop": ["\n"]}

    async def _request(self, client: Any, chunk: str) -> Generation:
        path, body = self.request_body(chunk)
        reply = await post_with_retries(client, path, body, self.http, "translate")
        text, finish_reason = completion_text(reply, self.spec.chat, f"translate: {self.http.base_url}{path}")
        return Generation(clean_output(text, self.spec), finish_reason == "length")


RETRY_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504})


def http_client(http: Any) -> Any:
    """An ``httpx.AsyncClient`` for an OpenAI-compatible server; the key comes from the environment."""
    import httpx

    api_key = os.environ.get(http.api_key_env, "")
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    return httpx.AsyncClient(base_url=http.base_url.rstrip("/"), headers=headers, timeout=httpx.Timeout(http.timeout_s))


async def post_with_retries(client: Any, path: str, body: dict[str, Any], http: Any, what: str) -> dict[str, Any]:
    """POST ``body``; retry timeouts, dropped connections and 408/409/429/5xx with backoff."""
    import httpx

    for attempt in range(http.max_retries + 1):
        try:
            response = await client.post(path, json=body)
            if response.status_code not in RETRY_STATUS:
                break
            problem = f"HTTP {response.status_code}"
        except (httpx.TimeoutException, httpx.TransportError) as exc:
            problem = type(exc).__name__
        if attempt == http.max_retries:
            raise LingualignError(f"{what}: {http.base_url}{path}: gave up after {attempt + 1} attempts ({problem})")
        # Exponential backoff with jitter, so a fleet of clients does not retry in lockstep.
        await asyncio.sleep(http.backoff_s * 2**attempt * (0.5 + random.random()))
    if response.status_code != 200:
        raise LingualignError(f"{what}: {http.base_url}{path}: HTTP {response.status_code}: {response.text[:200]}")
    try:
        return dict(response.json())
    except ValueError:
        raise LingualignError(f"{what}: {http.base_url}{path}: the reply is not a JSON object: {response.text[:200]!r}") from None


def completion_text(reply: dict[str, Any], chat: bool, where: str) -> tuple[str, str | None]:
    """The first choice's text and finish reason from a (chat) completion reply, or a clear error."""
    try:
        choice = reply["choices"][0]
        text = choice["message"]["content"] if chat else choice["text"]
    except (KeyError, IndexError, TypeError):
        field = "choices[0].message.content" if chat else "choices[0].text"
        raise LingualignError(f"{where}: the reply has no {field}: {json.dumps(reply)[:200]}") from None
    return str(text or ""), choice.get("finish_reason")
