"""Where models run: the one place that asks torch about CUDA."""

from __future__ import annotations


def cuda_available() -> bool:
    import torch

    return torch.cuda.is_available()


def resolve_device(device: str) -> str:
    """``auto`` becomes ``cuda`` where a GPU is visible, else ``cpu``; anything else stays."""
    if device != "auto":
        return device
    return "cuda" if cuda_available() else "cpu"
