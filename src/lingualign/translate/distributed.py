"""Translation spread over a Ray cluster through Ray Data: one actor per worker, each running
the configured backend (transformers or vLLM on its own GPU, or CPU cores), fed whole batches.

Batches keep the composition the in-process run gives them, so every chunk gets the same
generation; finished batches stream back to the stage process, which writes them to the cache
as they arrive (a killed run loses at most the batches in flight). ``translate.ray.address``
joins an existing cluster (``auto``, ``ray://head:10001``) to use many machines; without it a
local cluster is started with the workers this machine has.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict
from typing import Any

from pydantic import Field

from lingualign.settings import Settings
from lingualign.translate.backends import BACKENDS, Generation


class RaySettings(Settings):
    workers: int = Field(default=0, ge=0, description="Ray actors translating batches in parallel; 0: translate in the stage process")
    address: str | None = Field(default=None, description="null: start a local Ray cluster; 'auto' or 'ray://head:10001': join one")
    cpus_per_worker: float = Field(default=1.0, ge=0)
    gpus_per_worker: float = Field(default=0.0, ge=0, description="1 (or tensor_parallel_size) per worker on a GPU cluster")


class BatchTranslator:
    """Runs inside each Ray actor: builds the configured backend once, translates whole batches."""

    def __init__(self, settings: Any):
        self.backend = BACKENDS[settings.backend](settings, settings.prompt_spec())

    def __call__(self, rows: dict[str, Any]) -> dict[str, list[str]]:
        batches = [json.loads(batch) for batch in rows["batch"]]
        return {"batch": list(rows["batch"]), "generations": [json.dumps([asdict(g) for g in self.backend.translate(batch)]) for batch in batches]}


class RayBackend:
    """The backend interface, with batches spread over Ray actors (``translate.ray.workers``)."""

    def __init__(self, settings: Any):
        import ray

        self.settings = settings
        if not ray.is_initialized():
            ray.init(address=settings.ray.address, include_dashboard=False, log_to_driver=False)

    def translate(self, chunks: Sequence[str]) -> list[Generation]:
        return next(self.translate_batches([list(chunks)]))[1]

    def translate_batches(self, batches: Iterable[list[str]]) -> Iterator[tuple[list[str], list[Generation]]]:
        """(batch, generations) for every batch, in the order they finish."""
        import ray

        items = [{"batch": json.dumps(batch)} for batch in batches]
        if not items:
            return
        ray_settings = self.settings.ray
        mapped = ray.data.from_items(items, override_num_blocks=len(items)).map_batches(
            BatchTranslator,
            fn_constructor_args=(self.settings,),
            concurrency=min(ray_settings.workers, len(items)),
            batch_size=1,
            num_cpus=ray_settings.cpus_per_worker,
            num_gpus=ray_settings.gpus_per_worker,
        )
        for row in mapped.iter_rows():
            yield json.loads(row["batch"]), [Generation(**g) for g in json.loads(row["generations"])]
