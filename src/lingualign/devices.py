"""Where models run: the one place that asks torch about CUDA, and loads a model for inference."""

from __future__ import annotations

import os
from typing import Any


def is_main_process() -> bool:
    """False in the other processes of a multi-process launch (``accelerate launch``,
    ``torchrun``, which set ``RANK``): they train their shard and leave logging and outputs to rank 0."""
    return int(os.environ.get("RANK", "0")) == 0


def cuda_available() -> bool:
    import torch

    return torch.cuda.is_available()


def resolve_device(device: str) -> str:
    """``auto`` becomes ``cuda`` where a GPU is visible, else ``cpu``; anything else stays."""
    if device != "auto":
        return device
    return "cuda" if cuda_available() else "cpu"


def load_causal_lm(location: str | Any, device: str = "cpu", dtype: str = "float32", **kwargs: Any) -> tuple[Any, Any]:
    """A causal LM in eval mode on ``device`` (safetensors only) and its tokenizer, padding on the left."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(location, padding_side="left", **kwargs)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    model = AutoModelForCausalLM.from_pretrained(location, dtype=getattr(torch, dtype), use_safetensors=True, **kwargs)
    return model.to(resolve_device(device)).eval(), tokenizer
