"""GGUF files of a checkpoint, written by llama.cpp's own converter and quantizer.

``convert_hf_to_gguf.py`` (pure Python, with the ``gguf`` package) writes F32, F16, BF16 and
Q8_0; the K-quants (Q4_K_M, ...) come from ``llama-quantize``, which is compiled. Both live in
the llama.cpp source that the llama-cpp-python source distribution vendors: ``make setup`` puts
it under ``<venv>/llama.cpp`` and ``make llama-quantize`` builds the quantizer there
(docs/export.md). A GGUF loads back through transformers (dequantized), the way ``lingualign
chat`` and the export's checks run it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from lingualign.errors import LingualignError

# Written by the converter itself, no compiler needed.
CONVERTED = ("f32", "f16", "bf16", "q8_0")
# Made from a converted file by llama-quantize: the name in params -> llama-quantize's.
QUANTIZED = {"q4_k_m": "Q4_K_M", "q4_k_s": "Q4_K_S", "q5_k_m": "Q5_K_M", "q5_k_s": "Q5_K_S", "q6_k": "Q6_K"}
QUANTIZATIONS = (*CONVERTED, *QUANTIZED)
# Where ``make setup`` unpacks llama.cpp; the environment variable points elsewhere.
LLAMA_CPP_ENV = "LINGUALIGN_LLAMA_CPP"


def llama_cpp() -> Path:
    return Path(os.environ.get(LLAMA_CPP_ENV) or Path(sys.prefix) / "llama.cpp")


def quantizer() -> Path | None:
    binary = llama_cpp() / "build" / "bin" / "llama-quantize"
    return binary if binary.is_file() else None


def converter() -> Path:
    """llama.cpp's ``convert_hf_to_gguf.py``. It runs in a process of its own, with the ``gguf``
    package that llama.cpp vendors beside it (newer than a release of the same number)."""
    script = llama_cpp() / "convert_hf_to_gguf.py"
    if not script.is_file():
        raise LingualignError(f"{llama_cpp()}: llama.cpp's converter is not there (run: make setup)")
    return script


def architecture(model: Path, where: str) -> str:
    """The checkpoint's architecture, if the converter knows it; else an error that names ``where``."""
    import ast
    import json

    converter()
    config = json.loads((model / "config.json").read_text(encoding="utf-8"))
    name = (config.get("architectures") or ["(none named in config.json)"])[0]
    # The converter's own table of text models (conversion/__init__.py), read without importing it.
    tree = ast.parse((llama_cpp() / "conversion" / "__init__.py").read_text(encoding="utf-8"))
    known = next(
        ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", "") == "TEXT_MODEL_MAP"
    )
    if name not in known:
        raise LingualignError(f"{where}: llama.cpp's converter does not know the architecture {name}")
    return name


def convert(model: Path, outtype: str, out: Path) -> None:
    """``model`` (a safetensors folder) as one GGUF file of ``outtype`` (one of ``CONVERTED``)."""
    command = [sys.executable, str(converter()), str(model), "--outfile", str(out), "--outtype", outtype]
    run_tool(command, f"{model}: convert_hf_to_gguf.py --outtype {outtype}")


def quantize(source: Path, quantization: str, out: Path) -> None:
    """``source`` (a 16- or 32-bit GGUF) quantized by llama-quantize."""
    binary = quantizer()
    if binary is None:
        raise LingualignError(f"{llama_cpp()}/build/bin/llama-quantize is not built (run: make llama-quantize)")
    run_tool([str(binary), str(source), str(out), QUANTIZED[quantization]], f"{source}: llama-quantize {quantization}")


def run_tool(command: list[str], what: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise LingualignError(f"{what} failed: {last}")
