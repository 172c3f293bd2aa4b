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
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import count, groupby
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
    batch_rows: int = Field(
        default=2_000, ge=1, description="Rows paired in memory at a time; more are regrouped on disk: bounds memory"
    )

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


class Spill:
    """Arrow tables kept in the order added: in memory up to ``limit`` rows, all of them in an Arrow file
    at ``path`` beyond that, so a stage can regroup more rows than it holds."""

    def __init__(self, path: Path, schema: pa.Schema, limit: int):
        self.path, self.schema, self.limit = path, schema, limit
        self.held: list[pa.Table] = []
        self.rows = 0
        self.writer: pa.ipc.RecordBatchStreamWriter | None = None

    def add(self, table: pa.Table) -> None:
        self.rows += table.num_rows
        if self.writer is None and self.rows <= self.limit:
            self.held.append(table)
            return
        if self.writer is None:
            self.writer = pa.ipc.new_stream(self.path, self.schema)
            for held in self.held:
                self.writer.write_table(held)
            self.held = []
        self.writer.write_table(table)

    def tables(self) -> Iterator[pa.Table]:
        """What was added, in order, a piece at a time."""
        if self.writer is not None:
            self.writer.close()  # a no-op when already closed: the file can be read again
            # Read, not memory-mapped (what a path gets): mapped pages count as the process's memory, so
            # reading a spill back would grow the stage's RSS by the spill's size.
            with pa.OSFile(str(self.path)) as file, pa.ipc.open_stream(file) as reader:
                for batch in reader:
                    yield pa.Table.from_batches([batch])
        yield from self.held

    def table(self) -> pa.Table:
        return pa.concat_tables(list(self.tables())) if self.rows else self.schema.empty_table()


def prompt_buckets(source: Path, settings: PairsSettings, folder: Path) -> list[Spill]:
    """The scored rows in buckets by the first characters of ``prompt_id``, in the prompt ids' order:
    a prompt's rows all land in one bucket, in their order in the file. A file of at most ``batch_rows``
    rows is one bucket in memory; a bigger one is regrouped on disk (:func:`split_by_prefix`)."""
    import pyarrow.parquet as pq

    from lingualign.io import read_parquet_batches

    rows = pq.ParquetFile(source).metadata.num_rows if source.exists() else 0
    tables = read_parquet_batches(source, SCORED, "scored data", settings.batch_rows)
    if rows > settings.batch_rows:
        return split_by_prefix(tables, 0, settings.batch_rows, folder, count())
    bucket = Spill(folder / "bucket.arrow", SCORED, rows)
    for table in tables:
        bucket.add(table)
    return [bucket]


def split_by_prefix(
    tables: Iterable[pa.Table], start: int, limit: int, folder: Path, names: Iterator[int]
) -> list[Spill]:
    """Buckets of at most ``limit`` rows (unless one prompt has more) by the characters of ``prompt_id``
    from ``start`` on, one character a pass: a bucket still too big is split again by the next. With
    hash-like ids (what ingest writes) a pass cuts each batch into at most 16 pieces, so the pieces
    written stay long however big the data; cutting every batch into its final buckets at once would
    write pieces of a row or two, as many as batches times buckets."""
    import pyarrow.compute as pc

    from lingualign.io import rebatched

    buckets: dict[str, Spill] = {}
    for table in tables:
        prefixes = pc.utf8_slice_codeunits(table.column("prompt_id"), start, start + 1)
        order = pc.sort_indices(prefixes)  # stable: a bucket keeps the rows' order
        table, prefixes = table.take(order), prefixes.take(order).to_pylist()
        offset = 0
        for prefix, group in groupby(prefixes):
            rows = sum(1 for _ in group)
            if prefix not in buckets:
                buckets[prefix] = Spill(folder / f"bucket-{next(names)}.arrow", SCORED, 0)
            buckets[prefix].add(table.slice(offset, rows))
            offset += rows
    found = []
    for prefix in sorted(buckets):
        bucket = buckets[prefix]
        if bucket.rows <= limit or not prefix:  # no prefix: the ids ended here, all one prompt's
            found.append(bucket)
            continue
        found.extend(split_by_prefix(rebatched(bucket.tables(), limit), start + 1, limit, folder, names))
        bucket.path.unlink()
    return found


@dataclass
class Counts:
    """What the metrics count, added up bucket by bucket."""

    dropped: Counter[str] = field(default_factory=Counter)
    roles: Counter[str] = field(default_factory=Counter)  # prompts per role, under sft_share
    train: Counter[str] = field(default_factory=Counter)
    test: Counter[str] = field(default_factory=Counter)
    sft: Counter[str] = field(default_factory=Counter)
    margins: array[float] = field(default_factory=lambda: array("d"))

    def metrics(self, settings: PairsSettings) -> dict[str, Any]:
        datasets = sorted(set(self.train) | set(self.test) | set(self.sft))
        split = {"prompts": dict(sorted(self.roles.items()))} if settings.sft_share is not None else {}
        return split | {
            "pairs": {
                "train": self.train.total(),
                "test": self.test.total(),
                "datasets": {d: {"train": self.train[d], "test": self.test[d]} for d in datasets},
            },
            "margin": quartiles(list(self.margins)),
            "dropped": {reason: self.dropped[reason] for reason in DROP_REASONS},
            "sft": {"rows": self.sft.total(), "datasets": {d: self.sft[d] for d in datasets}},
        }


def pair_buckets(buckets: list[Spill], settings: PairsSettings, folder: Path, counts: Counts) -> tuple[dict, dict]:
    """Pairs and SFT rows of every bucket, sorted, gathered per dataset in the outputs' order:
    ({dataset: pairs}, {dataset: sft rows}), each a :class:`Spill`."""
    pairs: dict[str, Spill] = {}
    sft: dict[str, Spill] = {}
    held = settings.batch_rows if len(buckets) == 1 else 0  # rows that were spilled stay on disk
    from lingualign.io import release_memory

    for bucket in buckets:
        release_memory()
        pairing = build_pairs(bucket.table().to_pylist(), settings)
        counts.dropped.update(pairing.dropped)
        if settings.sft_share is not None:  # FuseChat's split: how many prompts went each way
            prompts = {row["prompt_id"] for row in pairing.sft} | {pair["prompt_id"] for pair in pairing.pairs}
            counts.roles.update(role(prompt_id, settings) for prompt_id in prompts)
        pairing.pairs.sort(key=lambda pair: (pair["dataset"], pair["prompt_id"], pair["chosen"][0]["content"]))
        pairing.sft.sort(key=lambda row: (row["dataset"], row["prompt_id"]))
        for name, rows, schema, spills in (("pairs", pairing.pairs, PAIRS, pairs), ("sft", pairing.sft, SFT, sft)):
            for dataset, group in groupby(rows, key=lambda row: row["dataset"]):
                if dataset not in spills:
                    spills[dataset] = Spill(folder / f"{name}-{len(spills)}.arrow", schema, held)
                spills[dataset].add(pa.Table.from_pylist(list(group), schema))
    return pairs, sft


def pairs_stage(
    settings: PairsSettings, source: Path, train_out: Path, test_out: Path, sft_out: Path, plot_out: Path
) -> dict[str, Any]:
    """Pair the scored rows ``batch_rows`` at a time: rows are regrouped by prompt on disk where they
    do not fit, so memory follows the batch, not the data."""
    import tempfile

    from lingualign.io import atomic_path, parquet_sink

    counts = Counts()
    train_out.parent.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix=".pairs-", dir=train_out.parent) as spill,
        parquet_sink(train_out, PAIRS) as train,
        parquet_sink(test_out, PAIRS) as test,
        parquet_sink(sft_out, SFT) as sft,
        atomic_path(plot_out) as plot_tmp,
        open(plot_tmp, "w") as plot,
    ):
        pairs, best = pair_buckets(prompt_buckets(source, settings, Path(spill)), settings, Path(spill), counts)
        plot.write("dataset,margin\n")
        for dataset in sorted(pairs):
            for table in pairs[dataset].tables():
                held_out = [is_test(prompt_id, settings) for prompt_id in table.column("prompt_id").to_pylist()]
                train.add(table.filter(pa.array([not held for held in held_out])), settings.batch_rows)
                test.add(table.filter(pa.array(held_out)), settings.batch_rows)
                counts.test[dataset] += sum(held_out)
                counts.train[dataset] += len(held_out) - sum(held_out)
                margins = table.column("margin").to_pylist()
                counts.margins.extend(margins)
                plot.write("".join(f"{dataset},{margin:.6f}\n" for margin in margins))
        for dataset in sorted(best):
            for table in best[dataset].tables():
                sft.add(table, settings.batch_rows)
                counts.sft[dataset] += table.num_rows
        if not counts.train.total():
            raise LingualignError(
                f"pairs: no training pairs left from {source} (dropped: {dict(counts.dropped)}); widen the margin "
                "window or check the scores"
            )
        for sink, schema in ((train, PAIRS), (test, PAIRS), (sft, SFT)):
            sink.add(schema.empty_table(), settings.batch_rows)  # an output without rows keeps its schema
    return counts.metrics(settings)


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
