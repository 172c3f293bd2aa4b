"""Any engine spread over a Ray cluster (Ray Data): one actor per worker, each running the
configured engine (vLLM or transformers on its own GPU, or CPU cores), fed whole batches.

Batches keep the composition :func:`lingualign.engines.run` gives them, so every request gets
the generation a single process gives it; finished batches stream back to the stage's process,
which caches them as they arrive (a killed run loses at most the batches in flight).
``ray.address`` joins an existing cluster (``auto``, ``ray://head:10001``) to use many machines;
without it a local cluster starts with the workers this machine has.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from typing import Any

from lingualign.engines import ENGINES, Engine, EngineSettings, Generation, Request, requests_of


class BatchWorker:
    """Runs inside each Ray actor: builds the configured engine once, generates whole batches."""

    def __init__(self, settings: EngineSettings):
        self.engine = ENGINES.get(settings.name)(settings)

    def __call__(self, rows: dict[str, Any]) -> dict[str, list[Any]]:
        batches = requests_of(json.loads(batch) for batch in rows["batch"])
        generations = [json.dumps([g.stored() for g in self.engine.generate(batch)]) for batch in batches]
        return {"index": list(rows["index"]), "generations": generations}


class RayEngine(Engine):
    """The configured engine, with batches spread over ``ray.workers`` Ray actors."""

    def __init__(self, settings: EngineSettings):
        import ray

        super().__init__(settings)
        self.local = ENGINES.get(settings.name)
        if not ray.is_initialized():
            ray.init(address=settings.ray.address, include_dashboard=False, log_to_driver=False)

    def identity(self) -> dict[str, Any]:
        # The same as the wrapped engine's, so a Ray run and a single-process run share the cache.
        return self.local.identity_of(self.settings)

    def generate(self, requests: Sequence[Request]) -> list[Generation]:
        return next(self.generate_batches([requests]))[1]

    def generate_batches(self, batches: Sequence[Sequence[Request]]) -> Iterator[tuple[int, list[Generation]]]:
        import ray

        if not batches:
            return
        items = [
            {"index": index, "batch": json.dumps([asdict(r) for r in batch])} for index, batch in enumerate(batches)
        ]
        workers = self.settings.ray
        mapped = ray.data.from_items(items, override_num_blocks=len(items)).map_batches(
            BatchWorker,
            fn_constructor_args=(self.settings.model_copy(update={"ray": type(workers)()}),),
            concurrency=min(workers.workers, len(items)),
            batch_size=1,
            num_cpus=workers.cpus_per_worker,
            num_gpus=workers.gpus_per_worker,
        )
        for row in mapped.iter_rows():
            yield int(row["index"]), [Generation(**g) for g in json.loads(row["generations"])]
