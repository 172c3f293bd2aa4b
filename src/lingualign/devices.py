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
    ``location``: a model folder, a hub id, or a ``.gguf`` file (dequantized on loading).

    ``inference``: the model in eval mode on ``device``, the tokenizer padding on the left (batched
    generation). Otherwise (training, conversion) the weights stay where ``from_pretrained`` puts
    them and the tokenizer as saved, since the trainer pads and places them itself.
    ``kwargs`` go to both ``from_pretrained`` calls (``revision``, ``trust_remote_code``),
    ``model_kwargs`` to the model's alone (``quantization_config``). Safetensors only, unless
    ``allow_pickle``.
    """
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    padding = {"padding_side": "left"} if inference else {}
    weights = {"dtype": getattr(torch, resolve_dtype(dtype, device)), **(model_kwargs or {})}
    if str(location).endswith(".gguf"):
        gguf = Path(location)
        if not gguf.is_file():
            raise LingualignError(f"{gguf}: GGUF file not found")
        try:
            with gguf_parsed_once():
                tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name, **padding)
                model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, **weights)
        except (OSError, ValueError, KeyError) as exc:
            raise LingualignError(f"{gguf}: cannot load the GGUF file: {first_line(exc)}") from None
    else:
        with loading(str(location), allow_pickle):
            tokenizer = AutoTokenizer.from_pretrained(location, **padding, **kwargs)
            model = AutoModelForCausalLM.from_pretrained(
                location, use_safetensors=not allow_pickle, **weights, **kwargs
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
        reason = first_line(exc)
        if "contains custom code" in reason:
            reason = (
                "it ships its own Python code (auto_map), which runs only with trust_remote_code: true in its params"
            )
        raise LingualignError(f"{location}: cannot load the model: {reason}") from None


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


@contextlib.contextmanager
def gguf_parsed_once() -> Iterator[None]:
    """Within the block, each GGUF file is parsed once and gguf's tensor-name map built once.

    transformers (``modeling_gguf_pytorch_utils``) parses the whole file, the tokenizer's
    vocabulary included, for the config, again for the tokenizer and again for the weights, and
    builds the name map afresh for every submodule of the model; both are read-only once built.
    docs/benchmarks.md has the time saved.
    """
    import functools

    import gguf

    saved = gguf.GGUFReader, gguf.get_tensor_name_map
    gguf.GGUFReader = functools.cache(gguf.GGUFReader)
    gguf.get_tensor_name_map = functools.cache(gguf.get_tensor_name_map)
    try:
        yield
    finally:
        gguf.GGUFReader, gguf.get_tensor_name_map = saved
