"""Where models run: the one place that asks torch about CUDA, and loads a model for inference."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lingualign.errors import LingualignError

PICKLE_WEIGHTS = ("*.bin", "*.pt", "*.pth", "*.ckpt")


def cuda_available() -> bool:
    import torch

    return torch.cuda.is_available()


def resolve_device(device: str) -> str:
    """``auto`` becomes ``cuda`` where a GPU is visible, else ``cpu``; anything else stays."""
    if device != "auto":
        return device
    return "cuda" if cuda_available() else "cpu"


def native_bf16(device: str) -> bool:
    """Whether ``device`` computes in bfloat16 natively: a CUDA GPU that says so, or a CPU with
    AVX512-BF16 or AMX (emulated bfloat16 elsewhere is slower than float32)."""
    import torch

    if resolve_device(device) == "cuda":
        return bool(torch.cuda.is_bf16_supported())
    return any(
        getattr(torch.cpu, probe, lambda: False)() for probe in ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    )


def resolve_dtype(dtype: str, device: str) -> str:
    """``auto`` becomes ``bfloat16`` where ``device`` runs it natively, else ``float32``."""
    if dtype != "auto":
        return dtype
    return "bfloat16" if native_bf16(device) else "float32"


def load_causal_lm(
    location: str | Any,
    device: str = "cpu",
    dtype: str = "float32",
    *,
    inference: bool = True,
    allow_pickle: bool = False,
    model_kwargs: dict[str, Any] | None = None,
    **kwargs: Any,
) -> tuple[Any, Any]:
    """The one loader of a causal LM and its tokenizer: every engine, stage and command calls it.

    ``inference``: the model in eval mode on ``device``, the tokenizer padding on the left (batched
    generation). Otherwise (training, conversion) the weights stay where ``from_pretrained`` puts
    them and the tokenizer as saved, since the trainer pads and places them itself.
    ``kwargs`` go to both ``from_pretrained`` calls (``revision``, ``trust_remote_code``),
    ``model_kwargs`` to the model's alone (``quantization_config``). Safetensors only, unless
    ``allow_pickle``.
    """
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    with loading(str(location), allow_pickle):
        tokenizer = AutoTokenizer.from_pretrained(location, **({"padding_side": "left"} if inference else {}), **kwargs)
        model = AutoModelForCausalLM.from_pretrained(
            location,
            dtype=getattr(torch, resolve_dtype(dtype, device)),
            use_safetensors=not allow_pickle,
            **kwargs,
            **(model_kwargs or {}),
        )
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    if not inference:
        return model, tokenizer
    return model.to(resolve_device(device)).eval(), tokenizer


def is_local(location: str) -> bool:
    """A folder on disk, as opposed to a hub id (``org/name``)."""
    path = Path(location)
    return (
        path.is_absolute()
        or location.startswith(".")
        or location.count("/") != 1
        or path.exists()
        or Path(path.parts[0]).is_dir()
    )


def check_model_folder(location: str, allow_pickle: bool = False) -> None:
    """Fail clearly on a local model folder that transformers would reject with a traceback."""
    if not is_local(location):
        return
    folder = Path(location)
    if not folder.is_dir():
        raise LingualignError(f"{location}: model folder not found")
    names = {p.name for p in folder.iterdir()}
    if "config.json" not in names:
        raise LingualignError(f"{location}: not a model folder: config.json is missing")
    if not any(folder.glob("*.safetensors")):
        pickled = sorted(p.name for pattern in PICKLE_WEIGHTS for p in folder.glob(pattern))
        if not pickled:
            raise LingualignError(f"{location}: no weights (*.safetensors) in the folder")
        if not allow_pickle:
            raise LingualignError(
                f"{location}: only pickle weights ({', '.join(pickled)}), which can run code when loaded; "
                "convert them to safetensors (the models stage does, with models.allow_pickle: true)"
            )
    if not {"tokenizer.json", "tokenizer_config.json"} & names:
        raise LingualignError(f"{location}: no tokenizer (tokenizer.json or tokenizer_config.json) in the folder")


@contextlib.contextmanager
def loading(location: str, allow_pickle: bool = False) -> Iterator[None]:
    """Check ``location`` first, and turn what transformers raises on a broken model into one clear line."""
    check_model_folder(str(location), allow_pickle)
    try:
        yield
    except (OSError, ValueError) as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if "contains custom code" in first_line:
            first_line = (
                "it ships its own Python code (auto_map), which runs only with trust_remote_code: true in its params"
            )
        raise LingualignError(f"{location}: cannot load the model: {first_line}") from None
