"""Held-out preference: does a model give the chosen answer a higher mean per-token log-likelihood?

Measured once, by evaluate, for every model of the run on the same test pairs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lingualign.contracts import read_pairs


def heldout_preference(model: Any, tokenizer: Any, pairs: Path) -> dict[str, float]:
    """Share of pairs whose chosen answer has the higher mean per-token log-likelihood, and the mean gap."""
    dataset = read_pairs(pairs)
    wins, gaps = 0, []
    for row in dataset:
        chosen, rejected = (mean_logprob(model, tokenizer, row["prompt"], row[side]) for side in ("chosen", "rejected"))
        wins += chosen > rejected
        gaps.append(chosen - rejected)
    return {"accuracy": round(wins / len(gaps), 6), "mean_margin": round(sum(gaps) / len(gaps), 6), "pairs": len(gaps)}


def mean_logprob(model: Any, tokenizer: Any, prompt: list[dict[str, str]], answer: list[dict[str, str]]) -> float:
    """Mean log-probability per answer token, the prompt rendered with the chat template."""
    import torch

    prompt_ids = tokenizer.apply_chat_template(prompt, add_generation_prompt=True, tokenize=True, return_dict=False)
    full_ids = tokenizer.apply_chat_template(prompt + answer, tokenize=True, return_dict=False)
    ids = torch.tensor([full_ids], device=model.device)
    with torch.inference_mode():
        logits = model(ids).logits[0, :-1].float()
    logprobs = torch.log_softmax(logits, dim=-1).gather(1, ids[0, 1:, None])[:, 0]
    answer_logprobs = logprobs[len(prompt_ids) - 1 :]
    return float(answer_logprobs.mean()) if len(answer_logprobs) else float("-inf")
