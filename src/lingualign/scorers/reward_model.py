"""``reward_model``: any ``AutoModelForSequenceClassification`` reward model (ArmoRM, Skywork-Reward, ...).

The conversation (system, user prompt, assistant response) goes through the model's chat template,
batched with left padding, longest first; scores are cached by (model, revision, conversation), so
a rerun after adding rows scores only the new ones.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from lingualign.cache import ResultCache
from lingualign.devices import loading, resolve_device, resolve_dtype
from lingualign.errors import LingualignError
from lingualign.registry import PluginSettings
from lingualign.scorers import SCORERS, Scorer, conversations


class RewardModelSettings(PluginSettings):
    model: str = Field(description="Model folder (models/sources/...) or hub id")
    revision: str | None = None
    trust_remote_code: bool = False
    device: Literal["auto", "cpu", "cuda"] = "auto"
    dtype: Literal["auto", "float32", "bfloat16", "float16"] = Field(
        default="auto", description="auto: bfloat16 where the device runs it natively, else float32"
    )
    batch_size: int = Field(default=8, ge=1)
    max_length: int = Field(default=2048, ge=16, description="Longer conversations are cut from the left")


@SCORERS.register("reward_model", RewardModelSettings)
class RewardModelScorer(Scorer):
    def __init__(self, settings: RewardModelSettings):
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        super().__init__(settings)
        self.identity = f"reward_model:{settings.model}@{settings.revision or 'local'}"
        kwargs = {"revision": settings.revision, "trust_remote_code": settings.trust_remote_code}
        with loading(settings.model):
            self.tokenizer = AutoTokenizer.from_pretrained(
                settings.model, padding_side="left", truncation_side="left", **kwargs
            )
        if self.tokenizer.chat_template is None:
            raise LingualignError(
                f"{settings.model}: the reward model has no chat template to render conversations with"
            )
        if self.tokenizer.pad_token is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.device = resolve_device(settings.device)
        with loading(settings.model):
            model = AutoModelForSequenceClassification.from_pretrained(
                settings.model,
                dtype=getattr(torch, resolve_dtype(settings.dtype, settings.device)),
                use_safetensors=True,
                **kwargs,
            )
        self.model = model.to(self.device).eval()
        if self.model.config.pad_token_id is None:
            self.model.config.pad_token_id = self.tokenizer.pad_token_id
        self.run = {"cache_hits": 0, "scored": 0}

    def score(self, columns: dict[str, list[Any]], text: str, cache_dir: Path) -> list[float | None]:
        from tqdm import tqdm

        rendered = [self.tokenizer.apply_chat_template(turns, tokenize=False) for turns in conversations(columns, text)]
        unique = list(dict.fromkeys(rendered))
        identity = {"scorer": self.identity, "max_length": self.settings.max_length}
        with ResultCache(cache_dir, identity) as cache:
            found = {key: value["score"] for key, value in cache.lookup(unique).items()}
            todo = sorted((r for r in unique if r not in found), key=len, reverse=True)
            self.run["cache_hits"] += len(unique) - len(todo)
            size = self.settings.batch_size
            with tqdm(
                total=len(todo), desc="score", unit="resp", file=sys.stderr, mininterval=2.0, disable=not todo
            ) as progress:
                for start in range(0, len(todo), size):
                    batch = todo[start : start + size]
                    scores = self.score_batch(batch)
                    cache.store(batch, ({"score": s} for s in scores))
                    found.update(zip(batch, scores, strict=True))
                    self.run["scored"] += len(batch)
                    progress.update(len(batch))
        return [found[r] for r in rendered]

    def score_batch(self, rendered: Sequence[str]) -> list[float]:
        import torch

        # The template already holds the special tokens; adding them again would change scores.
        encoded = self.tokenizer(
            list(rendered),
            return_tensors="pt",
            padding=True,
            truncation=True,
            max_length=self.settings.max_length,
            add_special_tokens=False,
        )
        with torch.inference_mode():
            output = self.model(**encoded.to(self.device))
        # ArmoRM-style models return a preference ``score``; plain classifiers one logit per row.
        values = output.score if getattr(output, "score", None) is not None else output.logits[:, 0]
        return [float(v) for v in values.float().reshape(-1).cpu()]
