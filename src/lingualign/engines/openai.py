"""``openai``: any OpenAI-compatible endpoint (a ``vllm serve`` fleet, ``transformers serve``, a hosted API).

Requests go out concurrently (``concurrency`` at a time); timeouts, dropped connections and
408/409/429/5xx are retried with exponential backoff and jitter. Chat requests go to
``/chat/completions``, raw prompts to ``/completions``. The API key is read from the environment
variable named by ``api_key_env``, never from params, so it cannot reach git, dvc.lock or MLflow.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import random
from collections.abc import Sequence
from typing import Any

from pydantic import Field

from lingualign.engines import ENGINES, Engine, EngineSettings, Generation, Request
from lingualign.errors import LingualignError

RETRY_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504})
TOP_LOGPROBS = 20  # the most the OpenAI API returns


class OpenAISettings(EngineSettings):
    base_url: str = Field(description="e.g. http://localhost:8000/v1 for a `vllm serve` fleet")
    served_model: str | None = Field(default=None, description="The model's name on the server; default: model")
    api_key_env: str = Field(default="OPENAI_API_KEY", description="Environment variable that holds the key")
    concurrency: int = Field(default=8, ge=1)
    timeout_s: float = Field(default=120.0, gt=0)
    max_retries: int = Field(default=4, ge=0)
    backoff_s: float = Field(default=1.0, ge=0)


@ENGINES.register("openai", OpenAISettings)
class OpenAIEngine(Engine):
    settings: OpenAISettings

    @classmethod
    def identity_of(cls, settings: Any) -> dict[str, Any]:
        # What the server serves decides the result; the local folder is only what DVC tracks.
        return {"model": settings.served_model or settings.model, "revision": settings.revision}

    def generate(self, requests: Sequence[Request]) -> list[Generation]:
        return asyncio.run(self._all(requests))

    async def _all(self, requests: Sequence[Request]) -> list[Generation]:
        limit = asyncio.Semaphore(self.settings.concurrency)
        async with http_client(self.settings) as client:

            async def one(request: Request) -> Generation:
                async with limit:
                    return await self._one(client, request)

            return list(await asyncio.gather(*(one(request) for request in requests)))

    def request_body(self, request: Request) -> tuple[str, dict[str, Any]]:
        body: dict[str, Any] = {
            "model": self.settings.served_model or self.settings.model,
            "max_tokens": request.max_new_tokens,
            "temperature": request.temperature,
            "top_p": request.top_p,
        }
        if request.seed is not None:
            body["seed"] = request.seed
        if request.stop:
            body["stop"] = list(request.stop)
        if request.candidates:  # one token and its alternatives' log-probabilities
            chat = request.messages is not None
            body |= (
                {"max_tokens": 1, "logprobs": True, "top_logprobs": TOP_LOGPROBS}
                if chat
                else {"max_tokens": 1, "logprobs": TOP_LOGPROBS}
            )
        if request.messages is None:
            return "/completions", body | {"prompt": request.prompt}
        if request.continue_final:
            # vLLM's extension for continuing a started reply; plain OpenAI servers reject it.
            body |= {"continue_final_message": True, "add_generation_prompt": False}
        return "/chat/completions", body | {"messages": list(request.messages)}

    async def _one(self, client: Any, request: Request) -> Generation:
        path, body = self.request_body(request)
        where = f"{self.settings.base_url}{path}"
        reply = await post_with_retries(client, path, body, self.settings, where)
        chat = request.messages is not None
        try:
            choice = reply["choices"][0]
            text = choice["message"]["content"] if chat else choice["text"]
        except (KeyError, IndexError, TypeError):
            field = "choices[0].message.content" if chat else "choices[0].text"
            raise LingualignError(f"{where}: the reply has no {field}: {json.dumps(reply)[:200]}") from None
        usage = reply.get("usage") if isinstance(reply.get("usage"), dict) else {}
        tokens = int(usage.get("completion_tokens") or 0)
        probabilities = candidate_probabilities(choice, request.candidates, chat, where) if request.candidates else {}
        return Generation(str(text or ""), choice.get("finish_reason") == "length", tokens, probabilities)


def http_client(settings: OpenAISettings) -> Any:
    """An ``httpx.AsyncClient`` for the server; the key comes from the environment."""
    import httpx

    api_key = os.environ.get(settings.api_key_env, "")
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    return httpx.AsyncClient(
        base_url=settings.base_url.rstrip("/"), headers=headers, timeout=httpx.Timeout(settings.timeout_s)
    )


async def post_with_retries(
    client: Any, path: str, body: dict[str, Any], settings: OpenAISettings, where: str
) -> dict[str, Any]:
    """POST ``body``; retry timeouts, dropped connections and 408/409/429/5xx with backoff."""
    import httpx

    for attempt in range(settings.max_retries + 1):
        try:
            response = await client.post(path, json=body)
            if response.status_code not in RETRY_STATUS:
                break
            problem = f"HTTP {response.status_code}"
        except (httpx.TimeoutException, httpx.TransportError) as exc:
            problem = type(exc).__name__
        if attempt == settings.max_retries:
            raise LingualignError(f"{where}: gave up after {attempt + 1} attempts ({problem})")
        # Exponential backoff with jitter, so a fleet of clients does not retry in lockstep.
        await asyncio.sleep(settings.backoff_s * 2**attempt * (0.5 + random.random()))
    if response.status_code != 200:
        raise LingualignError(f"{where}: HTTP {response.status_code}: {response.text[:200]}")
    try:
        return dict(response.json())
    except ValueError:
        raise LingualignError(f"{where}: the reply is not a JSON object: {response.text[:200]!r}") from None


def candidate_probabilities(
    choice: dict[str, Any], candidates: tuple[str, ...], chat: bool, where: str
) -> dict[str, float]:
    """The probability of each candidate among the first token's top alternatives (0 if not among them)."""
    try:
        if chat:
            top = {entry["token"]: entry["logprob"] for entry in choice["logprobs"]["content"][0]["top_logprobs"]}
        else:
            top = dict(choice["logprobs"]["top_logprobs"][0])
    except (KeyError, IndexError, TypeError):
        raise LingualignError(
            f"{where}: the reply has no log-probabilities of its first token: {json.dumps(choice)[:200]}"
        ) from None
    return {candidate: round(math.exp(top[candidate]), 8) if candidate in top else 0.0 for candidate in candidates}
