"""pairs: the FuseChat-3.0 rule on hand-made groups, pass-through, the split and the SFT set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from lingualign.contracts import SCORED
from lingualign.errors import SettingsError
from lingualign.pairs import PairsSettings, build_pairs, is_test, pairs_stage
from lingualign.settings import parse_settings


def row(
    prompt_id: str,
    response: str,
    score: float | None,
    model: str | None = None,
    label: str | None = None,
    source_row: int = 1,
    flags: list[str] | None = None,
    dataset: str = "uf",
) -> dict[str, Any]:
    return {
        "prompt_id": prompt_id,
        "dataset": dataset,
        "source_row": source_row,
        "system": "",
        "prompt": f"Q {prompt_id}",
        "response_id": f"{prompt_id}-{response}",
        "response": response,
        "source_model": model,
        "rating": score,
        "fine_grained_rating": None,
        "label": label,
        "system_de": "",
        "prompt_de": f"F {prompt_id}",
        "response_de": f"{response} (de)",
        "flags": flags or [],
        "score": score,
        "scorer": "test",
    }


def window(low: float, high: float, **extra: Any) -> PairsSettings:
    return parse_settings(PairsSettings, {"margin_min": low, "margin_max": high} | extra, "pairs")


def kept_margins(rows: list[dict[str, Any]], settings: PairsSettings) -> list[float]:
    return [pair["margin"] for pair in build_pairs(rows, settings).pairs]


@pytest.mark.parametrize(
    ("worst", "best", "kept", "reason"),
    [
        (1.0, 1.5, True, None),  # margin == margin_min: inclusive
        (1.0, 3.0, True, None),  # margin == margin_max: inclusive
        (1.0, 1.25, False, "margin_below_window"),
        (1.0, 3.25, False, "margin_above_window"),
        (2.0, 2.0, False, "tie"),
    ],
)
def test_window_edges_are_inclusive(worst: float, best: float, kept: bool, reason: str | None) -> None:
    pairing = build_pairs([row("p", "a", worst, "m1"), row("p", "b", best, "m2")], window(0.5, 2.0))
    assert len(pairing.pairs) == int(kept)
    if reason:
        assert pairing.dropped[reason] == 1


def test_best_against_worst_in_conversational_format() -> None:
    rows = [row("p", "mid", 2.0, "m1"), row("p", "top", 3.0, "m2"), row("p", "low", 1.0, "m3")]
    (pair,) = build_pairs(rows, window(0.0, 10.0)).pairs
    assert pair["chosen"] == [{"role": "assistant", "content": "top (de)"}]
    assert pair["rejected"] == [{"role": "assistant", "content": "low (de)"}]
    assert pair["prompt"] == [{"role": "user", "content": "F p"}]
    assert (pair["margin"], pair["chosen_score"], pair["rejected_score"], pair["source_model"]) == (2.0, 3.0, 1.0, "m2")


def test_same_source_model_where_the_data_has_several() -> None:
    rows = [row("p", "a1", 1.0, "a"), row("p", "a2", 1.4, "a"), row("p", "b1", 5.0, "b")]
    assert kept_margins(rows, window(0.0, 10.0)) == pytest.approx([0.4])
    assert kept_margins(rows, window(0.0, 10.0, same_source_model=False)) == pytest.approx([4.0])
    # One response per model (UltraFeedback): pairs across models.
    assert kept_margins([row("q", "a", 1.0, "a"), row("q", "b", 2.0, "b")], window(0.0, 10.0)) == [1.0]


def test_single_responses_and_unscored_rows_are_counted() -> None:
    pairing = build_pairs(
        [row("p", "only", 3.0, "m"), row("q", "x", None, "m"), row("q", "y", 1.0, "m")], window(0.0, 10.0)
    )
    assert pairing.pairs == [] and pairing.dropped["single_response"] == 2 and pairing.dropped["unscored"] == 1


def test_labelled_pairs_pass_through_and_can_be_rechecked() -> None:
    rows = [
        row("o1", "good", 1.0, label="chosen", source_row=1, dataset="orca"),
        row("o1", "bad", 0.0, label="rejected", source_row=1, dataset="orca"),
        row("o2", "good", 0.2, label="chosen", source_row=2, dataset="orca"),
        row("o2", "bad", 0.9, label="rejected", source_row=2, dataset="orca"),
        row("o3", "good", 1.0, label="chosen", source_row=3, dataset="orca", flags=["empty"]),
        row("o3", "bad", 0.0, label="rejected", source_row=3, dataset="orca"),
    ]
    settings = window(0.01, 0.1, exclude_flags=["empty"])
    pairing = build_pairs(rows, settings)
    assert sorted(p["margin"] for p in pairing.pairs) == pytest.approx([-0.7, 1.0])  # outside the window, yet kept
    assert pairing.dropped["translation_flag"] == 1 and pairing.dropped["incomplete_pair"] == 1
    rechecked = build_pairs(rows, settings.model_copy(update={"recheck_labels": True}))
    assert [p["prompt_id"] for p in rechecked.pairs] == ["o1"] and rechecked.dropped["recheck_failed"] == 1


def test_split_is_by_prompt_deterministic_and_near_the_share() -> None:
    settings = window(0.0, 10.0, test_share=0.2)
    ids = [f"{i:016x}" for i in range(2000)]
    test = [prompt_id for prompt_id in ids if is_test(prompt_id, settings)]
    assert 0.17 < len(test) / len(ids) < 0.23
    # Pinned: the same ids land in test on every machine and run (sha256, not Python's hash()).
    assert test[:3] == ["0000000000000002", "0000000000000004", "0000000000000005"]


def test_stage_writes_disjoint_splits_and_sft_from_train_only(tmp_path: Path) -> None:
    rows = [r for i in range(60) for r in (row(f"p{i}", "a", 1.0, "m1"), row(f"p{i}", "b", 2.0 + i % 3, "m2"))]
    pq.write_table(pa.Table.from_pylist(rows, SCORED), tmp_path / "scored.parquet")
    settings = window(0.5, 5.0, test_share=0.25)
    paths = [tmp_path / name for name in ("train.parquet", "test.parquet", "sft.parquet", "margins.csv")]
    metrics = pairs_stage(settings, tmp_path / "scored.parquet", *paths)
    train, test, sft = (pq.read_table(p).to_pylist() for p in paths[:3])
    train_ids, test_ids = {p["prompt_id"] for p in train}, {p["prompt_id"] for p in test}
    assert train_ids and test_ids and not train_ids & test_ids and len(train) + len(test) == 60
    assert {r["prompt_id"] for r in sft} == train_ids and all(r["messages"][-1]["content"] == "b (de)" for r in sft)
    assert metrics["pairs"]["train"] == len(train) and metrics["margin"] == {
        "min": 1.0,
        "q1": 1.0,
        "median": 2.0,
        "q3": 3.0,
        "max": 3.0,
    }
    assert paths[3].read_text().splitlines()[0] == "dataset,margin" and len(paths[3].read_text().splitlines()) == 61
    before = [p.read_bytes() for p in paths]
    pairs_stage(settings, tmp_path / "scored.parquet", *paths)
    assert [p.read_bytes() for p in paths] == before


def test_window_must_be_ordered() -> None:
    with pytest.raises(SettingsError, match=r"margin_min \(0.5\) must not exceed margin_max \(0.1\)"):
        window(0.5, 0.1)


def test_sft_share_keeps_sft_and_dpo_prompts_disjoint_and_the_test_split_apart(tmp_path: Path) -> None:
    rows = [r for i in range(200) for r in (row(f"p{i}", "a", 1.0, "m1"), row(f"p{i}", "b", 2.0, "m2"))]
    pq.write_table(pa.Table.from_pylist(rows, SCORED), tmp_path / "scored.parquet")
    paths = [tmp_path / name for name in ("train.parquet", "test.parquet", "sft.parquet", "margins.csv")]
    metrics = pairs_stage(window(0.5, 5.0, test_share=0.2, sft_share=0.4), tmp_path / "scored.parquet", *paths)
    train, test, sft = ({r["prompt_id"] for r in pq.read_table(p).to_pylist()} for p in paths[:3])
    assert train and test and sft and not (train & sft) and not (test & (train | sft))
    assert len(train | test | sft) == 200
    assert metrics["prompts"] == {"dpo": len(train), "sft": len(sft), "test": len(test)}
    assert 0.3 < len(sft) / (len(sft) + len(train)) < 0.5  # about sft_share of the train prompts
    without = pairs_stage(window(0.5, 5.0, test_share=0.2), tmp_path / "scored.parquet", *paths)
    assert "prompts" not in without and {r["prompt_id"] for r in pq.read_table(paths[0]).to_pylist()} == train | sft


def test_generated_samples_pair_among_themselves_beside_the_datasets_own_responses() -> None:
    own = [row("p", "a", 1.0, "m1", dataset="uf"), row("p", "b", 4.0, "m2", dataset="uf")]
    generated = [row("p", f"s{k}", score, "smol", dataset="generated") for k, score in enumerate((2.0, 3.5, 2.5))]
    pairing = build_pairs(own + generated, window(0.5, 5.0))
    by_dataset = {pair["dataset"]: pair for pair in pairing.pairs}
    assert set(by_dataset) == {"uf", "generated"}
    assert (by_dataset["generated"]["chosen"][0]["content"], by_dataset["generated"]["rejected"][0]["content"]) == (
        "s1 (de)",
        "s0 (de)",
    )
    assert by_dataset["generated"]["source_model"] == "smol" and by_dataset["uf"]["margin"] == 3.0
    assert {(r["dataset"], r["messages"][-1]["content"]) for r in pairing.sft} == {
        ("uf", "b (de)"),
        ("generated", "s1 (de)"),
    }


def test_a_dataset_can_have_its_own_gap_window() -> None:
    rows = [row("p", "a", 4.40, "smol", dataset="generated"), row("p", "b", 4.45, "smol", dataset="generated")]
    rows += [row("q", "a", 1.0, "m", dataset="uf"), row("q", "b", 1.05, "m", dataset="uf")]
    settings = window(0.5, 10.0, windows={"generated": {"min": 0.01, "max": 1.0}})
    pairing = build_pairs(rows, settings)
    assert [pair["dataset"] for pair in pairing.pairs] == ["generated"] and pairing.dropped["margin_below_window"] == 1
    with pytest.raises(SettingsError, match=r"windows.generated: min \(1.0\) must not exceed max \(0.1\)"):
        window(0.5, 10.0, windows={"generated": {"min": 1.0, "max": 0.1}})


def test_rows_regrouped_on_disk_pair_as_in_memory(tmp_path: Path) -> None:
    """More rows than ``batch_rows``: buckets by prompt id spilled to disk give the same pairs, SFT rows,
    plot and metrics as one batch in memory."""
    rows = [
        r
        for i in range(120)
        for r in (
            row(f"{i * 7919 % 4096:04x}", "a", 1.0 + i % 4, "m1", dataset="uf" if i % 3 else "generated"),
            row(f"{i * 7919 % 4096:04x}", "b", 2.0, "m1", dataset="uf" if i % 3 else "generated"),
            row(f"o{i}", "good", 1.0, label="chosen", source_row=i, dataset="orca"),
            row(f"o{i}", "bad", 0.0, label="rejected", source_row=i, dataset="orca"),
        )
    ]
    pq.write_table(pa.Table.from_pylist(rows, SCORED), tmp_path / "scored.parquet")
    found = []
    for batch_rows in (10_000, 7):
        paths = [
            tmp_path / f"{batch_rows}-{name}" for name in ("train.parquet", "test.parquet", "sft.parquet", "m.csv")
        ]
        settings = window(0.5, 5.0, test_share=0.2, sft_share=0.4, batch_rows=batch_rows)
        metrics = pairs_stage(settings, tmp_path / "scored.parquet", *paths)
        found.append((metrics, [pq.read_table(p).to_pylist() for p in paths[:3]], paths[3].read_text()))
        assert not list(tmp_path.glob(".pairs-*"))  # the spill folder is gone
    assert found[0] == found[1]
    assert found[0][0]["pairs"]["train"] > 0 and found[0][0]["sft"]["rows"] > 0
