"""pairs: scored responses -> DPO preference pairs (TRL conversational format) and an SFT set.

The FuseChat-3.0 rule: for each prompt, the best response against the worst, taken from the
same source model where the data has several responses of one model, and kept only when the
score gap lies in ``[margin_min, margin_max]`` (both edges inclusive). Datasets that pair
responses themselves (orca's and argilla's chosen/rejected) pass through as they are, or, with
``recheck_labels``, only where the scorer agrees (margin >= ``margin_min``). Ties, single
responses and gaps outside the window are dropped and counted.

Prompts are split into train and test by a hash of ``prompt_id`` (no prompt on both sides; the
same split on every machine and run). The SFT set is the best response of every train prompt;
with ``sft_share`` (FuseChat-3.0: 0.4), train prompts are split again, by another hash, into
those that feed SFT and those that give DPO pairs, so no prompt feeds both. The responses of one
prompt and dataset are grouped: generated samples (dataset ``generated``) pair among themselves.
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
from pydantic import Field, model_validator

from lingualign.contracts import PAIRS, SCORED, SFT
from lingualign.errors import LingualignError
from lingualign.settings import Settings

PARAMS = ("pairs",)
DROP_REASONS = (
    "translation_flag",
    "unscored",
    "incomplete_pair",
    "recheck_failed",
    "single_response",
    "tie",
    "margin_below_window",
    "margin_above_window",
)


class Window(Settings):
    min: float
    max: float


class PairsSettings(Settings):
    margin_min: float = Field(default=0.01, description="Smallest score gap kept (inclusive); FuseChat-3.0: 0.01")
    margin_max: float = Field(default=0.1, description="Largest score gap kept (inclusive); FuseChat-3.0: 0.1")
    windows: dict[str, Window] = Field(
        default_factory=dict, description="Dataset -> its own gap window, where its scorer has another scale"
    )
    same_source_model: bool = Field(
        default=True, description="Pair within one source model where it has several responses to a prompt"
    )
    recheck_labels: bool = Field(
        default=False, description="Keep a dataset's own chosen/rejected pair only if the scorer agrees"
    )
    exclude_flags: list[str] = Field(
        default_factory=list, description="Leave out responses with these translation flags"
    )
    test_share: float = Field(default=0.1, ge=0, lt=1)
    sft_share: float | None = Field(
        default=None, gt=0, lt=1, description="Train prompts that feed SFT alone, the rest DPO alone (FuseChat: 0.4)"
    )
    split_salt: str = Field(default="lingualign", description="Changes which prompts land in test, deterministically")

    @model_validator(mode="after")
    def _window(self) -> PairsSettings:
        if self.margin_min > self.margin_max:
            raise ValueError(f"margin_min ({self.margin_min}) must not exceed margin_max ({self.margin_max})")
        for dataset, window in self.windows.items():
            if window.min > window.max:
                raise ValueError(f"windows.{dataset}: min ({window.min}) must not exceed max ({window.max})")
        return self

    def window(self, dataset: str) -> tuple[float, float]:
        own = self.windows.get(dataset)
        return (own.min, own.max) if own else (self.margin_min, self.margin_max)


@dataclass
class Pairing:
    pairs: list[dict[str, Any]] = field(default_factory=list)
    sft: list[dict[str, Any]] = field(default_factory=list)
    dropped: Counter[str] = field(default_factory=Counter)


def _share(*parts: str) -> float:
    digest = hashlib.sha256("\0".join(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def is_test(prompt_id: str, settings: PairsSettings) -> bool:
    return _share(settings.split_salt, prompt_id) < settings.test_share


def role(prompt_id: str, settings: PairsSettings) -> str:
    """``test``; or, for a train prompt, ``sft`` or ``dpo`` under ``sft_share`` and ``both`` without it."""
    if is_test(prompt_id, settings):
        return "test"
    if settings.sft_share is None:
        return "both"
    return "sft" if _share(settings.split_salt, "sft", prompt_id) < settings.sft_share else "dpo"


def prompt_messages(row: Mapping[str, Any]) -> list[dict[str, str]]:
    system = [{"role": "system", "content": row["system_de"]}] if row["system_de"] else []
    return system + [{"role": "user", "content": row["prompt_de"]}]


def answer(row: Mapping[str, Any]) -> list[dict[str, str]]:
    return [{"role": "assistant", "content": row["response_de"]}]


def make_pair(chosen: Mapping[str, Any], rejected: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "prompt_id": chosen["prompt_id"],
        "dataset": chosen["dataset"],
        "prompt": prompt_messages(chosen),
        "chosen": answer(chosen),
        "rejected": answer(rejected),
        "margin": chosen["score"] - rejected["score"],
        "chosen_score": chosen["score"],
        "rejected_score": rejected["score"],
        "source_model": chosen["source_model"],
    }


def _rank(row: Mapping[str, Any]) -> tuple[float, str]:
    # Equal scores are ordered by response_id, so ties break the same way on every run.
    return (row["score"], row["response_id"])


def build_pairs(rows: Iterable[Mapping[str, Any]], settings: PairsSettings) -> Pairing:
    result = Pairing()
    # A prompt's rows of one dataset are a group: generated samples (dataset "generated") pair
    # among themselves, apart from the responses the dataset brought for the same prompt.
    labelled: dict[tuple[str, str, int], dict[str, Mapping[str, Any]]] = defaultdict(dict)
    unlabelled: dict[tuple[str, str], list[Mapping[str, Any]]] = defaultdict(list)
    by_prompt: dict[tuple[str, str], list[Mapping[str, Any]]] = defaultdict(list)
    excluded = set(settings.exclude_flags)
    for row in rows:
        if excluded.intersection(row["flags"]):
            result.dropped["translation_flag"] += 1
        elif row["score"] is None:
            result.dropped["unscored"] += 1
        else:
            key = (row["dataset"], row["prompt_id"])
            by_prompt[key].append(row)
            if role(row["prompt_id"], settings) == "sft":
                continue  # FuseChat's split: an SFT prompt gives no pair
            if row["label"] is None:
                unlabelled[key].append(row)
            else:
                labelled[(*key, row["source_row"])][row["label"]] = row
    for sides in labelled.values():
        _pass_through(sides, settings, result)
    for responses in unlabelled.values():
        for group in _groups(responses, settings):
            _best_vs_worst(group, settings, result)
    result.sft = [
        _best_response(responses)
        for (_, prompt_id), responses in by_prompt.items()
        if role(prompt_id, settings) in ("sft", "both")
    ]
    return result


def _pass_through(sides: Mapping[str, Mapping[str, Any]], settings: PairsSettings, result: Pairing) -> None:
    if set(sides) != {"chosen", "rejected"}:
        result.dropped["incomplete_pair"] += 1
        return
    pair = make_pair(sides["chosen"], sides["rejected"])
    if settings.recheck_labels and pair["margin"] < settings.window(pair["dataset"])[0]:
        result.dropped["recheck_failed"] += 1
        return
    result.pairs.append(pair)


def _groups(responses: list[Mapping[str, Any]], settings: PairsSettings) -> list[list[Mapping[str, Any]]]:
    if settings.same_source_model:
        by_model: dict[Any, list[Mapping[str, Any]]] = defaultdict(list)
        for row in responses:
            by_model[row["source_model"]].append(row)
        several = [
            group
            for model, group in sorted(by_model.items(), key=lambda item: str(item[0]))
            if model is not None and len(group) > 1
        ]
        if several:
            return several
    return [responses]


def _best_vs_worst(group: list[Mapping[str, Any]], settings: PairsSettings, result: Pairing) -> None:
    if len(group) < 2:
        result.dropped["single_response"] += 1
        return
    ranked = sorted(group, key=_rank)
    worst, best = ranked[0], ranked[-1]
    margin = best["score"] - worst["score"]
    low, high = settings.window(best["dataset"])
    if margin == 0:
        result.dropped["tie"] += 1
    elif margin < low:
        result.dropped["margin_below_window"] += 1
    elif margin > high:
        result.dropped["margin_above_window"] += 1
    else:
        result.pairs.append(make_pair(best, worst))


def _best_response(responses: list[Mapping[str, Any]]) -> dict[str, Any]:
    best = max(responses, key=_rank)
    return {
        "prompt_id": best["prompt_id"],
        "dataset": best["dataset"],
        "messages": prompt_messages(best) + answer(best),
        "score": best["score"],
        "source_model": best["source_model"],
    }


def quartiles(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"min": None, "q1": None, "median": None, "q3": None, "max": None}
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive") if len(values) > 1 else (values[0],) * 3
    return {
        name: round(value, 6)
        for name, value in zip(
            ("min", "q1", "median", "q3", "max"), (min(values), q1, median, q3, max(values)), strict=True
        )
    }


def pairs_metrics(
    pairing: Pairing, train: list[dict[str, Any]], test: list[dict[str, Any]], settings: PairsSettings
) -> dict[str, Any]:
    datasets = sorted({pair["dataset"] for pair in pairing.pairs} | {row["dataset"] for row in pairing.sft})
    split = {}
    if settings.sft_share is not None:  # FuseChat's split: how many prompts went each way
        prompts = {row["prompt_id"] for row in pairing.sft} | {pair["prompt_id"] for pair in pairing.pairs}
        split = {"prompts": dict(sorted(Counter(role(prompt_id, settings) for prompt_id in prompts).items()))}
    return split | {
        "pairs": {
            "train": len(train),
            "test": len(test),
            "datasets": {
                d: {"train": sum(p["dataset"] == d for p in train), "test": sum(p["dataset"] == d for p in test)}
                for d in datasets
            },
        },
        "margin": quartiles([pair["margin"] for pair in pairing.pairs]),
        "dropped": {reason: pairing.dropped[reason] for reason in DROP_REASONS},
        "sft": {
            "rows": len(pairing.sft),
            "datasets": {d: sum(row["dataset"] == d for row in pairing.sft) for d in datasets},
        },
    }


def pairs_stage(
    settings: PairsSettings, source: Path, train_out: Path, test_out: Path, sft_out: Path, plot_out: Path
) -> dict[str, Any]:
    from lingualign.io import atomic_path, read_parquet, write_parquet

    rows = read_parquet(source, SCORED, "scored data").to_pylist()
    pairing = build_pairs(rows, settings)
    pairing.pairs.sort(key=lambda pair: (pair["dataset"], pair["prompt_id"], pair["chosen"][0]["content"]))
    pairing.sft.sort(key=lambda row: (row["dataset"], row["prompt_id"]))
    train = [pair for pair in pairing.pairs if not is_test(pair["prompt_id"], settings)]
    test = [pair for pair in pairing.pairs if is_test(pair["prompt_id"], settings)]
    if not train:
        raise LingualignError(
            f"pairs: no training pairs left from {source} (dropped: {dict(pairing.dropped)}); widen the margin "
            "window or check the scores"
        )
    write_parquet(train_out, pa.Table.from_pylist(train, PAIRS), PAIRS)
    write_parquet(test_out, pa.Table.from_pylist(test, PAIRS), PAIRS)
    write_parquet(sft_out, pa.Table.from_pylist(pairing.sft, SFT), SFT)
    with atomic_path(plot_out) as tmp:
        tmp.write_text("dataset,margin\n" + "".join(f"{p['dataset']},{p['margin']:.6f}\n" for p in pairing.pairs))
    return pairs_metrics(pairing, train, test, settings)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--in", dest="source", type=Path, required=True, help="Scored rows (Parquet)")
    parser.add_argument("--train", type=Path, required=True, help="Training pairs (Parquet)")
    parser.add_argument("--test", type=Path, required=True, help="Held-out pairs (Parquet)")
    parser.add_argument("--sft", type=Path, required=True, help="The SFT set (Parquet)")
    parser.add_argument("--metrics", type=Path, required=True)
    parser.add_argument("--plot", type=Path, required=True, help="Pair margins (CSV) for dvc plots")


def main(args: argparse.Namespace) -> None:
    from lingualign.settings import load_settings
    from lingualign.tracking import run_stage

    settings = load_settings(PairsSettings, args.params, PARAMS)
    run_stage(
        "pairs",
        settings,
        args.metrics,
        lambda: pairs_stage(settings, args.source, args.train, args.test, args.sft, args.plot),
    )
