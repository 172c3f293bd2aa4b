"""What SFT, DPO and the reference pass share: TRL's fused LM head scoring only labelled tokens."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import trl.kernels.chunked_logprob
import trl.trainer.utils
from transformers import AutoModelForCausalLM

from lingualign.training import score_labelled_tokens_only


def fused_scores(model_dir: Path, input_ids: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(per-token log-probs, gradient of their sum on the embeddings) through TRL's fused LM head."""
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
    trl.trainer.utils.add_fused_lm_head(model, outputs=("log_probs",))
    out = model(input_ids=input_ids, labels=labels, fused_lm_head=True)
    out.log_probs.sum().backward()
    return out.log_probs.detach(), model.get_input_embeddings().weight.grad


def test_labelled_tokens_scored_alone_give_the_same_log_probs_and_gradients(
    tiny_lm: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # TRL's own switch, whatever an earlier test in this process set; restored afterwards.
    monkeypatch.setattr(trl.trainer.utils, "_use_triton", trl.kernels.chunked_logprob._use_triton)
    cpu = torch.device("cpu")
    torch.manual_seed(1)
    input_ids = torch.randint(10, 400, (3, 12))
    labels = input_ids.clone()
    labels[:, :5] = -100  # the prompt
    labels[0, 9:] = -100  # padding after a shorter row
    assert not trl.trainer.utils._use_triton(cpu), "TRL scores every position on CPU"
    every_position, every_grad = fused_scores(tiny_lm, input_ids, labels)

    score_labelled_tokens_only()
    assert trl.trainer.utils._use_triton(cpu)
    labelled_only, labelled_grad = fused_scores(tiny_lm, input_ids, labels)

    model = AutoModelForCausalLM.from_pretrained(tiny_lm, dtype=torch.float32)
    with torch.no_grad():
        logits = model(input_ids=input_ids).logits[:, :-1].log_softmax(-1)
    targets = labels[:, 1:]
    direct = logits.gather(-1, targets.clamp(min=0).unsqueeze(-1)).squeeze(-1).masked_fill(targets == -100, 0)
    torch.testing.assert_close(labelled_only, direct, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(labelled_only, every_position, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(labelled_grad, every_grad, rtol=1e-5, atol=1e-6)
    assert (labelled_only[targets == -100] == 0).all() and (labelled_only[targets != -100] < 0).all()
