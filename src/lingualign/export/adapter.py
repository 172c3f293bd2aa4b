"""A LoRA adapter of a fine-tune's delta against its base, by ``mergekit-extract-lora``, that peft loads.

Each changed linear layer's delta is cut to ``max_rank`` by SVD; layers the fine-tune left as
they were (the embeddings and norms of a LoRA fine-tune) are left out, so the adapter holds the
delta alone. How well it stands for the model is measured, not assumed: the relative error of
base + adapter's logits against the model's on the support prompts.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from pathlib import Path

from lingualign.errors import LingualignError


def unchanged_modules(model: Path, base: Path) -> list[str]:
    """The modules whose every tensor is the same in ``model`` and ``base`` (safetensors folders)."""
    from safetensors import safe_open

    def tensors(folder: Path) -> dict[str, Path]:
        return {
            name: path
            for path in sorted(folder.glob("*.safetensors"))
            for name in safe_open(path, "pt").keys()  # noqa: SIM118 - safe_open has no __iter__
        }

    mine, theirs = tensors(model), tensors(base)
    changed, same = set(), set()
    for name, path in mine.items():
        module = name.rsplit(".", 1)[0]
        if name not in theirs:
            changed.add(module)
            continue
        with safe_open(path, "pt") as left, safe_open(theirs[name], "pt") as right:
            equal = left.get_tensor(name).equal(right.get_tensor(name))
        (same if equal else changed).add(module)
    unchanged = same - changed
    config = json.loads((model / "config.json").read_text(encoding="utf-8"))
    if config.get("tie_word_embeddings") and "model.embed_tokens" in unchanged:
        unchanged.add("lm_head")  # the same tensor, saved once
    return sorted(unchanged)


def extract(model: Path, base: Path, out: Path, max_rank: int, base_name: str) -> None:
    """The adapter in ``out``; its config names the base as ``base_name`` (the path params give)."""
    from mergekit.scripts.extract_lora import main

    excluded = [arg for name in unchanged_modules(model, base) for arg in ("-e", f"^{re.escape(name)}$")]
    # Absolute paths: mergekit asks the hub about a relative path with one slash (docs/stages.md).
    args = ["--model", str(model.resolve()), "--base-model", str(base.resolve()), "--out-path", str(out)]
    try:
        main.main([*args, "--max-rank", str(max_rank), *excluded], standalone_mode=False)
    except (ValueError, RuntimeError) as exc:
        raise LingualignError(f"{model}: mergekit-extract-lora failed: {exc}") from None
    config_path = out / "adapter_config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["base_model_name_or_path"] = base_name
    # mergekit lists the modules from a set, whose order changes from process to process (string
    # hashing is salted); sorted, the same adapter is the same file, and its DVC hash repeats.
    for key in ("target_modules", "modules_to_save"):
        if isinstance(config.get(key), list):
            config[key] = sorted(config[key])
    config_path.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    # mergekit's card records this machine's paths and command line; the model card describes the adapter.
    (out / "README.md").unlink(missing_ok=True)


def logit_error(model: Path, base: Path, adapter: Path, prompts: Sequence[str], device: str = "auto") -> float:
    """``||logits(base + adapter) - logits(model)|| / ||logits(model)||`` at every position of ``prompts``,
    in float32 (a 16-bit dtype's rounding would hide the adapter's own error)."""
    import torch
    from peft import PeftModel

    from lingualign.devices import load_causal_lm

    reference, tokenizer = load_causal_lm(str(model), device, "float32")
    adapted = PeftModel.from_pretrained(load_causal_lm(str(base), device, "float32")[0], str(adapter)).eval()
    difference = total = 0.0
    with torch.inference_mode():
        for prompt in prompts:
            ids = tokenizer(prompt, return_tensors="pt", add_special_tokens=False)["input_ids"].to(reference.device)
            expected, got = reference(input_ids=ids).logits, adapted(input_ids=ids).logits
            difference += float((got - expected).pow(2).sum())
            total += float(expected.pow(2).sum())
    return math.sqrt(difference / total)
