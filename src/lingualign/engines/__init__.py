"""Engines: the one layer that turns requests into generations, for every stage that generates.

translate (chunks), evaluate (MT-Bench answers, the judge) and any later generating stage build
:class:`Request` objects and hand them to the engine that params name:

- ``transformers``: batched ``generate`` on CPU or GPU, each batch sorted by length;
- ``vllm``: offline batch generation on GPU (``pip install 'lingualign[gpu]'``);
- ``openai``: any OpenAI-compatible endpoint (a ``vllm serve`` fleet, a hosted API).

Each engine is one module of this package, registered with the settings class it owns
(``engine: {name: transformers, model: ..., batch_size: 32}``); adding one is one file.
:func:`run` adds what every stage needs around an engine: a fixed partition of the requests into
batches, a content-addressed cache written batch by batch (a killed run resumes where it stopped
and ends as an uninterrupted one), progress with throughput, and Ray when ``ray.workers`` is set.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from lingualign.registry import Plugin, PluginSettings, Registry
from lingualign.settings import Settings

Message = dict[str, str]


@dataclass(frozen=True)
class Request:
    """One generation: a chat conversation or a raw prompt, its sampling settings and token budget."""

    max_new_tokens: int
    messages: tuple[Message, ...] | None = None
    prompt: str | None = None
    temperature: float = 0.0
    top_p: float = 1.0
    seed: int | None = None
    stop: tuple[str, ...] = ()
    continue_final: bool = False  # the last message is the start of the reply: continue it
    # Instead of generating: the probability of each candidate as the next token (an expected
    # rating, as G-Eval weighs a judge's rating tokens by their probabilities).
    candidates: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if (self.messages is None) == (self.prompt is None):
            raise ValueError("a request has either messages or a prompt")

    @property
    def text(self) -> str:
        """What the model is asked, for ordering by length. Computed once per request."""
        try:
            return self.__dict__["_text"]
        except KeyError:
            text = self.prompt if self.prompt is not None else "\0".join(m["content"] for m in self.messages or ())
            object.__setattr__(self, "_text", text)
            return text

    def key(self) -> str:
        """The request's identity: the fields set away from their defaults, so that a field added
        later leaves every cached request's key as it was. Computed once per request."""
        try:
            return self.__dict__["_key"]
        except KeyError:
            given = {name: getattr(self, name) for name, default in _DEFAULTS.items() if getattr(self, name) != default}
            key = _KEY_ENCODER.encode(given)
            object.__setattr__(self, "_key", key)  # frozen: the key is kept beside the fields, not among them
            return key


_DEFAULTS = {f.name: f.default for f in fields(Request)}
# json.dumps(given, sort_keys=True, ensure_ascii=False), without building an encoder per request
_KEY_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False)


@dataclass(frozen=True)
class Generation:
    text: str
    truncated: bool  # stopped at max_new_tokens rather than at a stop token or string
    tokens: int = 0  # new tokens, where the engine reports them
    probabilities: dict[str, float] = field(default_factory=dict)  # per candidate, for a request that has them
    cached: bool = field(default=False, compare=False)  # read from the cache by this run, not generated

    def stored(self) -> dict[str, Any]:
        """What the cache keeps of it (and what crosses a process boundary)."""
        return {
            "text": self.text,
            "truncated": self.truncated,
            "tokens": self.tokens,
            "probabilities": self.probabilities,
        }


class RaySettings(Settings):
    workers: int = Field(
        default=0, ge=0, description="Ray actors running batches in parallel; 0: in the stage's process"
    )
    address: str | None = Field(
        default=None, description="null: start a local Ray cluster; 'auto' or 'ray://head:10001': join one"
    )
    cpus_per_worker: float = Field(default=1.0, ge=0)
    gpus_per_worker: float = Field(
        default=0.0, ge=0, description="1 (or tensor_parallel_size) per worker on a GPU cluster"
    )


class EngineSettings(PluginSettings):
    model: str = Field(description="Model folder (models/sources/...) or hub id; what DVC tracks as the stage's model")
    revision: str | None = Field(default=None, description="Commit sha or tag, for hub models")
    batch_size: int = Field(default=16, ge=1, description="Requests per batch: one generate call, one cache write")
    ray: RaySettings = Field(default_factory=RaySettings)


class Engine(Plugin):
    """What every engine provides; ``generate`` is the one method an engine must write."""

    settings: EngineSettings

    def generate(self, requests: Sequence[Request]) -> list[Generation]:
        raise NotImplementedError

    @classmethod
    def identity_of(cls, settings: Any) -> dict[str, Any]:
        """What decides a generation besides the request (model and weights); never batching or transport."""
        from lingualign.tracking import dvc_hash

        return {"model": settings.model, "revision": settings.revision, "weights": dvc_hash(settings.model)}

    def identity(self) -> dict[str, Any]:
        return self.identity_of(self.settings)

    def generate_batches(self, batches: Sequence[Sequence[Request]]) -> Iterator[tuple[int, list[Generation]]]:
        """(index, generations) for every batch, in the order they finish."""
        for index, batch in enumerate(batches):
            yield index, self.generate(batch)


ENGINES: Registry[type[Engine]] = Registry("engine", __name__, EngineSettings)
EngineField = ENGINES.field()
# What ``model`` holds in the settings of an engine that serves several models (evaluate's model
# under test, export's files) until :func:`for_model` names one.
EACH_MODEL = "<each model>"


def _without_model(raw: Any) -> Any:
    if isinstance(raw, str):
        raw = {"name": raw}
    if isinstance(raw, dict):
        if "model" in raw:
            raise ValueError("model: each model comes from the stage's own list; leave it out here")
        raw = raw | {"model": EACH_MODEL}
    return ENGINES.validate(raw)


# An engine named without its model, for a stage that runs it on each of its models in turn.
EngineForEachModelField = Annotated[EngineSettings, BeforeValidator(_without_model)]


def for_model(settings: EngineSettings, model: str) -> EngineSettings:
    return settings.model_copy(update={"model": model})


def build(settings: EngineSettings, where: str = "engine") -> Engine:
    """The engine ``settings`` name, loaded on its first batch: a run that finds everything in
    its cache never loads a model. ``where`` is the params key that holds ``settings``
    (``params.yaml: translate.engine``): an engine that cannot start says so in one line under it."""
    return Lazy(settings, where)


class Lazy(Engine):
    def __init__(self, settings: EngineSettings, where: str = "engine"):
        super().__init__(settings)
        self.where = where
        self._engine: Engine | None = None
        self._kind = ENGINES.get(settings.name)  # an unknown name fails here, not at the first batch

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = self._start()
        return self._engine

    def _start(self) -> Engine:
        from lingualign.errors import LingualignError

        try:
            if self.settings.ray.workers:
                from lingualign.engines.ray import RayEngine

                return RayEngine(self.settings)
            return self._kind(self.settings)
        except LingualignError as exc:
            raise LingualignError(f"{self.where}: {exc}") from None
        except Exception as exc:  # the library's own failure (vLLM's engine core, a CUDA error): one line
            text = str(exc).strip().splitlines()
            raise LingualignError(
                f"{self.where}: engine '{self.settings.name}' could not load {self.settings.model}: "
                f"{text[0] if text else type(exc).__name__}"
            ) from None

    def identity(self) -> dict[str, Any]:
        return self._kind.identity_of(self.settings)

    def generate(self, requests: Sequence[Request]) -> list[Generation]:
        return self.engine.generate(requests)

    def generate_batches(self, batches: Sequence[Sequence[Request]]) -> Iterator[tuple[int, list[Generation]]]:
        return self.engine.generate_batches(batches) if batches else iter(())


@dataclass
class RunStats:
    """What :func:`run` did: the basis of a stage's throughput metrics."""

    requests: int = 0
    cache_hits: int = 0
    generated: int = 0
    new_tokens: int = 0
    seconds: float = 0.0

    def add(self, other: RunStats) -> None:
        for name in ("requests", "cache_hits", "generated", "new_tokens", "seconds"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _sampling(request: Request) -> tuple[Any, ...]:
    seed = (request.seed is None, request.seed or 0)
    return (request.stop, *seed, request.continue_final, request.candidates)


def _batches(requests: dict[str, Request], size: int) -> list[list[str]]:
    """Only requests with the same seed, stop strings and mode share a batch (temperature and
    top-p are each request's own: MT-Bench's categories differ in them, and splitting by them
    would decode three small batches where one fits); within those, longest first (little
    padding, and an out-of-memory batch shows at the start rather than hours in)."""
    groups: dict[tuple[Any, ...], list[str]] = {}
    for key in sorted(requests, key=lambda k: (_sampling(requests[k]), -len(requests[k].text), requests[k].text, k)):
        groups.setdefault(_sampling(requests[key]), []).append(key)
    return [keys[i : i + size] for keys in groups.values() for i in range(0, len(keys), size)]


def run(
    engine: Engine,
    requests: Sequence[Request],
    cache: Any = None,
    desc: str = "generate",
    stats: RunStats | None = None,
) -> list[Generation]:
    """Generations for ``requests`` (in order), each unique request generated once.

    The batches are a fixed partition of *all* unique requests, cached or not, so a batch holds
    the same requests whether or not an earlier run was interrupted, and every generation is the
    one an uninterrupted run makes. Each finished batch goes to ``cache`` before the next starts.
    """
    from tqdm import tqdm

    stats = stats if stats is not None else RunStats()
    unique = {request.key(): request for request in requests}
    found = {
        key: Generation(**(value | {"cached": True}))
        for key, value in (cache.lookup(list(unique)) if cache else {}).items()
    }
    todo = [
        batch
        for batch in ([k for k in keys if k not in found] for keys in _batches(unique, engine.settings.batch_size))
        if batch
    ]
    stats.requests += len(unique)
    stats.cache_hits += len(found)
    started = time.perf_counter()
    with tqdm(
        total=sum(map(len, todo)), desc=desc, unit="req", file=sys.stderr, mininterval=2.0, disable=not todo
    ) as progress:
        for index, generations in engine.generate_batches([[unique[key] for key in batch] for batch in todo]):
            batch = todo[index]
            check_candidates(engine, [unique[key] for key in batch], generations)
            if cache:
                cache.store(batch, [g.stored() for g in generations])
            found.update(zip(batch, generations, strict=True))
            stats.generated += len(batch)
            stats.new_tokens += sum(g.tokens for g in generations)
            elapsed = time.perf_counter() - started
            progress.set_postfix_str(f"{stats.new_tokens / elapsed:.0f} tok/s" if elapsed else "", refresh=False)
            progress.update(len(batch))
    stats.seconds += time.perf_counter() - started
    return [found[request.key()] for request in requests]


def check_candidates(engine: Engine, requests: Sequence[Request], generations: Sequence[Generation]) -> None:
    """An engine must answer a request with candidates with their probabilities (those it can score
    as one token; the transformers engine leaves out a candidate its tokenizer splits): one that
    ignores them would leave a judge's expected ratings empty, every score silently missing."""
    from lingualign.errors import LingualignError

    for request, generation in zip(requests, generations, strict=True):
        given = set(generation.probabilities)
        if request.candidates and (not given or not given <= set(request.candidates)):
            raise LingualignError(
                f"engine '{engine.settings.name}' answered a request with candidates "
                f"({', '.join(request.candidates)}) without their probabilities (Generation.probabilities; "
                "docs/extending.md)"
            )


def requests_of(batches: Iterable[Sequence[dict[str, Any]]]) -> list[list[Request]]:
    """Requests back from their ``asdict`` form (what crosses a process boundary)."""
    return [
        [
            Request(
                **(
                    r
                    | {
                        "messages": tuple(r["messages"]) if r["messages"] else None,
                        "stop": tuple(r["stop"]),
                        "candidates": tuple(r["candidates"]),
                    }
                )
            )
            for r in batch
        ]
        for batch in batches
    ]
