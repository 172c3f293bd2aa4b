"""Held-out preference: does a model give the chosen answer a higher mean per-token log-likelihood?

Measured once, by evaluate, for every model of the run on the same test pairs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lingualign.contracts import read_pairs

BATCH = 8  # conversations scored per forward pass


def heldout_preference(model: Any, tokenizer: Any, pairs: Path) -> tuple[dict[str, float], list[dict[str, Any]]]:
    """Share of pairs whose chosen answer has the higher mean per-token log-likelihood, and the mean
    gap; and one row per pair (its ``prompt_id``, both log-likelihoods, the margin, whether it won)."""
    dataset = read_pairs(pairs)
    conversations = [(row["prompt"], row[side]) for row in dataset for side in ("chosen", "rejected")]
    means = mean_logprobs(model, tokenizer, conversations)
    rows = [
        {"prompt_id": row["prompt_id"], "chosen": chosen, "rejected": rejected, "margin": chosen - rejected}
        | {"correct": chosen > rejected}
        for row, chosen, rejected in zip(dataset, means[::2], means[1::2], strict=True)
    ]
    gaps = [row["margin"] for row in rows]
    wins = sum(row["correct"] for row in rows)
    summary = {"accuracy": round(wins / len(gaps), 6), "mean_margin": round(sum(gaps) / len(gaps), 6)}
    return summary | {"pairs": len(gaps)}, rows


def mean_logprobs(model: Any, tokenizer: Any, conversations: list[tuple[list[dict], list[dict]]]) -> list[float]:
    """Mean log-probability per answer token of each (prompt, answer), the prompt rendered with the
    chat template; conversations of similar length share a forward pass (right padding)."""
    import torch

    encoded = []
    for prompt, answer in conversations:
        start = len(tokenizer.apply_chat_template(prompt, add_generation_prompt=True, tokenize=True, return_dict=False))
        encoded.append((tokenizer.apply_chat_template(prompt + answer, tokenize=True, return_dict=False), start))
    means = [float("-inf")] * len(encoded)
    order = sorted(range(len(encoded)), key=lambda i: -len(encoded[i][0]))
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    for begin in range(0, len(order), BATCH):
        batch = order[begin : begin + BATCH]
        lengths = [len(encoded[i][0]) for i in batch]
        width = max(lengths)
        rows = [encoded[i][0] + [pad] * (width - n) for i, n in zip(batch, lengths, strict=True)]
        ids = torch.tensor(rows, device=model.device)
        mask = torch.tensor([[1] * n + [0] * (width - n) for n in lengths], device=model.device)
        # Logits from the batch's first answer position on: the vocabulary-wide projection of
        # prompt tokens would never be read.
        first = min(encoded[i][1] for i in batch) - 1
        with torch.inference_mode():
            logits = model(input_ids=ids, attention_mask=mask, logits_to_keep=width - first).logits[:, :-1].float()
        logprobs = torch.log_softmax(logits, dim=-1).gather(2, ids[:, first + 1 :, None])[..., 0]
        for row, index in enumerate(batch):
            tokens, start = encoded[index]
            answer = logprobs[row, start - 1 - first : len(tokens) - 1 - first]
            if len(answer):
                means[index] = float(answer.mean())
    return means
