"""``transformers``: batched ``generate`` on CPU or GPU, each batch sorted by length.

A batch shares its stop strings and one random generator, seeded from its requests (``run``
groups requests so): the same batch draws the same samples on every run. Temperature, top-p and
the token budget are each request's own, as vLLM and the HTTP engine take them per request.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import Field

from lingualign.engines import ENGINES, Engine, EngineSettings, Generation, Request


class TransformersSettings(EngineSettings):
    device: Literal["auto", "cpu", "cuda"] = "auto"
    dtype: Literal["auto", "float32", "bfloat16", "float16"] = Field(
        default="auto", description="auto: bfloat16 where the device runs it natively, else float32"
    )
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
        self._stops: dict[tuple[str, ...], set[int]] = {}

    @classmethod
    def identity_of(cls, settings: Any) -> dict[str, Any]:
        from lingualign.devices import resolve_dtype

        return super().identity_of(settings) | {"dtype": resolve_dtype(settings.dtype, settings.device)}

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
            key = (request.stop, request.seed, request.messages is None)
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
        # A raw prompt gets the tokenizer's special tokens (BOS); a rendered chat already holds them.
        ids = self.tokenizer(prompts, add_special_tokens=first.messages is None)["input_ids"]
        with torch.inference_mode():
            logits, cache, attention = self._prefill(ids)
            if first.candidates:
                return self._candidates(logits, first.candidates)
            return self._decode(logits, cache, attention, requests)

    def _prefill(self, ids: list[list[int]]) -> tuple[Any, Any, Any]:
        """The last position's logits, the key-value cache and the attention mask of a batch of prompts.

        The tokens every prompt starts with (a chat template's system turn, an instruction) are
        computed once and shared: the rows' own tokens follow them, left-padded among themselves,
        with positions that go on from the shared ones.
        """
        import torch
        from transformers import DynamicCache

        device = self.model.device
        shared = 0
        shortest = min(len(row) for row in ids) if len(ids) > 1 else 0  # one prompt alone has nothing to share
        while shared < shortest - 1 and all(row[shared] == ids[0][shared] for row in ids):
            shared += 1
        cache = DynamicCache()
        if shared:
            prefix = torch.tensor([ids[0][:shared]], device=device)
            self.model(input_ids=prefix, past_key_values=cache, use_cache=True, logits_to_keep=1)
            cache.batch_repeat_interleave(len(ids))
        rest = [row[shared:] for row in ids]
        width = max(len(row) for row in rest)
        pad = self.tokenizer.pad_token_id
        inputs = torch.tensor([[pad] * (width - len(row)) + row for row in rest], device=device)
        own = torch.tensor([[0] * (width - len(row)) + [1] * len(row) for row in rest], device=device)
        attention = torch.cat([own.new_ones((len(ids), shared)), own], dim=-1)
        positions = (shared + own.cumsum(-1) - 1).clamp(min=0)
        # logits_to_keep: only the last position's logits, not a (rows x tokens x vocabulary) tensor.
        logits = self.model(
            input_ids=inputs,
            attention_mask=attention,
            position_ids=positions,
            past_key_values=cache,
            use_cache=True,
            logits_to_keep=1,
        ).logits[:, -1, :]
        return logits, cache, attention

    def _decode(self, logits: Any, cache: Any, attention: Any, requests: list[Request]) -> list[Generation]:
        """Greedy or sampled decoding of one batch that drops each row from the batch (and from
        the key-value cache) once it has stopped: at an end-of-sequence token, at a stop string,
        or at its own token budget. A static batch would go on computing every finished row
        until the longest one ends."""
        import torch

        first = requests[0]
        temperatures = torch.tensor([request.temperature for request in requests])
        top_ps = torch.tensor([request.top_p for request in requests])
        if (temperatures > 0).any():
            torch.manual_seed(first.seed or 0)
        budgets = [request.max_new_tokens for request in requests]
        ends, stops = self._end_tokens(), self._stop_tokens(first.stop)
        long_stops = [stop for stop in first.stop if len(stop) > 1]  # may span tokens: checked on the text
        tokens: list[list[int]] = [[] for _ in requests]
        stopped = [False] * len(requests)
        active = list(range(len(requests)))
        while True:
            rows_now = torch.tensor(active)
            picked = self._pick(logits, temperatures[rows_now], top_ps[rows_now]).tolist()
            keep = []
            for row, (index, token) in enumerate(zip(active, picked, strict=True)):
                if token in ends:
                    stopped[index] = True
                    continue
                tokens[index].append(token)
                if token in stops or (
                    long_stops and any(s in self.tokenizer.decode(tokens[index][-8:]) for s in long_stops)
                ):
                    stopped[index] = True
                elif len(tokens[index]) < budgets[index]:
                    keep.append(row)
            if not keep:
                break
            if len(keep) < len(active):
                rows = torch.tensor(keep, device=attention.device)
                cache.batch_select_indices(rows)
                attention = attention[rows]
            active = [active[row] for row in keep]
            attention = torch.cat([attention, attention.new_ones((len(keep), 1))], dim=-1)
            logits = self.model(
                input_ids=torch.tensor([[picked[row]] for row in keep], device=attention.device),
                attention_mask=attention,
                position_ids=attention.sum(-1, keepdim=True) - 1,
                past_key_values=cache,
                use_cache=True,
            ).logits[:, -1, :]
        return [
            Generation(self.tokenizer.decode(new, skip_special_tokens=True), not done and len(new) >= budget, len(new))
            for new, done, budget in zip(tokens, stopped, budgets, strict=True)
        ]

    def _candidates(self, logits: Any, candidates: tuple[str, ...]) -> list[Generation]:
        """Each candidate's probability as the next token; the text is the likeliest candidate.
        A candidate the tokenizer writes as several tokens has no single next-token probability
        and is left out."""
        import torch

        ids = {c: self.tokenizer.encode(c, add_special_tokens=False) for c in candidates}
        single = {c: token[0] for c, token in ids.items() if len(token) == 1}
        probabilities = torch.softmax(logits.float(), dim=-1)[:, list(single.values())].tolist()
        generations = []
        for row in probabilities:
            chances = {c: round(p, 8) for c, p in zip(single, row, strict=True)}
            generations.append(Generation(max(chances, key=chances.__getitem__) if chances else "", False, 1, chances))
        return generations

    @staticmethod
    def _pick(logits: Any, temperatures: Any, top_ps: Any) -> Any:
        """The next token of each row: the likeliest where the row's temperature is 0, else drawn
        at its temperature within its top-p nucleus (no top-k cut, as vLLM and the OpenAI API sample)."""
        import torch

        picked = logits.argmax(-1)
        rows = (temperatures > 0).nonzero()[:, 0]
        if not len(rows):
            return picked
        probabilities = torch.softmax(logits[rows].float() / temperatures[rows, None], dim=-1)
        nucleus = top_ps[rows, None]
        if (nucleus < 1).any():
            ordered, order = probabilities.sort(dim=-1, descending=True)
            outside = ordered.cumsum(-1) - ordered > nucleus  # past the nucleus, the first token always kept
            ordered[outside] = 0
            probabilities = torch.zeros_like(probabilities).scatter(-1, order, ordered)
        picked[rows] = torch.multinomial(probabilities, 1)[:, 0]
        return picked

    def _end_tokens(self) -> set[int]:
        ends = self.model.generation_config.eos_token_id
        ends = ends if isinstance(ends, list) else [ends]
        return {token for token in (*ends, self.tokenizer.eos_token_id) if token is not None}

    def _stop_tokens(self, stops: tuple[str, ...]) -> set[int]:
        """The tokens whose text contains a stop string, found once per set of stop strings."""
        if not stops:
            return set()
        if stops not in self._stops:
            vocabulary = range(len(self.tokenizer))
            self._stops[stops] = {t for t in vocabulary if any(s in self.tokenizer.decode([t]) for s in stops)}
        return self._stops[stops]
