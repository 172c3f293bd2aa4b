"""``transformers``: batched ``generate`` on CPU or GPU, each batch sorted by length.

A batch shares one sampling setting (``run`` groups requests so) and one random generator,
seeded from its requests: the same batch draws the same samples on every run. Each request is
cut to its own token budget, as vLLM and the HTTP engine do per request.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import Field

from lingualign.engines import ENGINES, Engine, EngineSettings, Generation, Request


class TransformersSettings(EngineSettings):
    device: Literal["auto", "cpu", "cuda"] = "auto"
    dtype: Literal["float32", "bfloat16", "float16"] = "float32"
    trust_remote_code: bool = Field(
        default=False, description="Run the model's own Python code (auto_map); off: refuse it"
    )


@ENGINES.register("transformers", TransformersSettings)
class TransformersEngine(Engine):
    settings: TransformersSettings

    def __init__(self, settings: TransformersSettings, loaded: tuple[Any, Any] | None = None):
        """``loaded``: a (model, tokenizer) the caller already holds, e.g. evaluate's model under test."""
        from lingualign.devices import load_causal_lm

        super().__init__(settings)
        if loaded is None:
            kwargs = {"revision": settings.revision, "trust_remote_code": settings.trust_remote_code}
            loaded = load_causal_lm(settings.model, settings.device, settings.dtype, **kwargs)
        self.model, self.tokenizer = loaded

    @classmethod
    def identity_of(cls, settings: Any) -> dict[str, Any]:
        return super().identity_of(settings) | {"dtype": settings.dtype}

    def render(self, request: Request) -> str:
        if request.messages is None:
            return request.prompt or ""
        messages = list(request.messages)
        if request.continue_final:
            return self.tokenizer.apply_chat_template(messages, tokenize=False, continue_final_message=True)
        return self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)

    def generate(self, requests: Sequence[Request]) -> list[Generation]:
        prompts = [self.render(request) for request in requests]
        results: list[Generation | None] = [None] * len(requests)
        groups: dict[tuple[Any, ...], list[int]] = {}
        for index, request in enumerate(requests):
            key = (request.temperature, request.top_p, request.stop, request.seed, request.messages is None)
            groups.setdefault((*key, request.candidates), []).append(index)
        size = self.settings.batch_size
        for indices in groups.values():
            order = sorted(indices, key=lambda i: -len(prompts[i]))
            for start in range(0, len(order), size):
                batch = order[start : start + size]
                for index, generation in zip(
                    batch, self._generate([requests[i] for i in batch], [prompts[i] for i in batch]), strict=True
                ):
                    results[index] = generation
        return [result for result in results if result is not None]

    def _generate(self, requests: list[Request], prompts: list[str]) -> list[Generation]:
        import torch

        first = requests[0]
        budgets = [request.max_new_tokens for request in requests]
        # A raw prompt gets the tokenizer's special tokens (BOS); a rendered chat already holds them.
        encoded = self.tokenizer(
            prompts, return_tensors="pt", padding=True, add_special_tokens=first.messages is None
        ).to(self.model.device)
        if first.candidates:
            return self._next_token(encoded, first.candidates)
        sampling = first.temperature > 0
        if sampling:
            torch.manual_seed(first.seed or 0)
        stop = {"stop_strings": list(first.stop), "tokenizer": self.tokenizer} if first.stop else {}
        with torch.inference_mode():
            output = self.model.generate(
                **encoded,
                max_new_tokens=max(budgets),
                do_sample=sampling,
                temperature=first.temperature if sampling else None,
                top_p=first.top_p if sampling and first.top_p < 1 else None,
                top_k=0 if sampling else None,  # no top-k cut, as vLLM and the OpenAI API sample
                pad_token_id=self.tokenizer.pad_token_id,
                **stop,
            )
        generations = []
        eos = self.tokenizer.eos_token_id
        for request, budget, tokens in zip(requests, budgets, output[:, encoded["input_ids"].shape[1] :], strict=True):
            tokens = tokens[:budget]
            text = self.tokenizer.decode(tokens, skip_special_tokens=True)
            count = int((tokens != self.tokenizer.pad_token_id).sum())
            stopped = bool((tokens == eos).any()) or any(s in text for s in request.stop)
            generations.append(Generation(text, count >= budget and not stopped, count))
        return generations

    def _next_token(self, encoded: Any, candidates: tuple[str, ...]) -> list[Generation]:
        """Each candidate's probability as the next token; the text is the likeliest candidate.
        A candidate the tokenizer writes as several tokens has no single next-token probability
        and is left out."""
        import torch

        ids = {c: self.tokenizer.encode(c, add_special_tokens=False) for c in candidates}
        single = {c: token[0] for c, token in ids.items() if len(token) == 1}
        with torch.inference_mode():
            logits = self.model(**encoded).logits[:, -1, :].float()
        probabilities = torch.softmax(logits, dim=-1)[:, list(single.values())].tolist()
        generations = []
        for row in probabilities:
            chances = {c: round(p, 8) for c, p in zip(single, row, strict=True)}
            generations.append(Generation(max(chances, key=chances.__getitem__) if chances else "", False, 1, chances))
        return generations
