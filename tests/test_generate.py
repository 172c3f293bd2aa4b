"""generate: N samples per prompt from each source model, distinct seeds, cached; identical samples
dropped; the rows join the translated layout that score and pairs read."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from helpers import ScriptedEngine, generate_settings, translated

from lingualign.contracts import TRANSLATED
from lingualign.generate import generate_stage
from lingualign.io import write_parquet


def test_every_source_samples_every_prompt_once_per_seed_and_identical_samples_are_dropped(tmp_path: Path) -> None:
    metrics = generate_stage(
        generate_settings(), translated(tmp_path, 3), tmp_path / "generated.parquet", tmp_path / "cache"
    )
    rows = pq.read_table(tmp_path / "generated.parquet").to_pylist()
    # Prompt uf1 ("SAME") gets one answer whatever the seed: dropped for both sources.
    assert Counter((r["source_model"], r["prompt_id"]) for r in rows) == {
        (source, prompt): 3 for source in ("alpha", "beta") for prompt in ("uf0", "uf2")
    }
    assert {r["dataset"] for r in rows} == {"generated"} and all(r["response"] == r["response_de"] for r in rows)
    assert sorted(r["response"] for r in rows if r["source_model"] == "alpha" and r["prompt_id"] == "uf0") == [
        "alpha: Frage 0? (13)", "alpha: Frage 0? (21)", "alpha: Frage 0? (42)",
    ]  # fmt: skip
    assert len({r["response_id"] for r in rows}) == len(rows)
    assert metrics["prompts"] == 3 and metrics["samples"] == 12
    assert metrics["sources"]["alpha"] == {
        "dtype": None,
        "samples": 6,
        "mean_chars": 20.0,
        "identical_prompts_dropped": 1,
    }
    assert metrics["run"]["sampled"] == 18 and metrics["run"]["cache_hits"] == 0


def test_a_system_prompt_from_params_replaces_the_prompts_own(tmp_path: Path) -> None:
    generate_stage(
        generate_settings(system_prompt="Du bist ein Support-Agent."),
        translated(tmp_path, 2),
        tmp_path / "g.parquet",
        tmp_path / "c",
    )
    assert {r["system_de"] for r in pq.read_table(tmp_path / "g.parquet").to_pylist()} == {"Du bist ein Support-Agent."}


def test_a_killed_run_resumes_draws_no_sample_twice_and_added_prompts_draw_only_their_own(tmp_path: Path) -> None:
    source, cache = translated(tmp_path, 4), tmp_path / "cache"
    generate_stage(generate_settings(), source, tmp_path / "clean.parquet", tmp_path / "clean-cache")
    ScriptedEngine.calls.clear()
    dying = generate_settings(
        sources={"alpha": {"name": "scripted", "model": "alpha", "batch_size": 2, "dies_after": 3}}
    )
    with pytest.raises(KeyboardInterrupt):
        generate_stage(dying, source, tmp_path / "killed.parquet", cache)
    assert not (tmp_path / "killed.parquet").exists() and ScriptedEngine.calls["requests"] == 6
    resumed = generate_stage(generate_settings(), source, tmp_path / "killed.parquet", cache)
    assert resumed["run"]["cache_hits"] == 6 and resumed["run"]["sampled"] == 2 * 12 - 6
    assert pq.read_table(tmp_path / "killed.parquet").equals(pq.read_table(tmp_path / "clean.parquet"))
    grown = generate_stage(generate_settings(), translated(tmp_path, 5), tmp_path / "grown.parquet", cache)
    assert grown["run"]["sampled"] == 2 * 3  # the new prompt, once per seed per source


def test_prompts_per_dataset_takes_the_first_prompts_of_each_chosen_dataset(tmp_path: Path) -> None:
    one = translated(tmp_path, 3, "uf")
    other = translated(tmp_path, 3, "orca")
    both = tmp_path / "both.parquet"
    write_parquet(both, pa.concat_tables([pq.read_table(one), pq.read_table(other)]), TRANSLATED)
    generate_stage(
        generate_settings(prompts_per_dataset=1, datasets=["orca"]), both, tmp_path / "g.parquet", tmp_path / "c"
    )
    assert {r["prompt_id"] for r in pq.read_table(tmp_path / "g.parquet").to_pylist()} == {"orca0"}


def test_seeds_must_be_distinct_and_sources_named() -> None:
    from lingualign.errors import SettingsError

    with pytest.raises(SettingsError, match=r"generate: seeds must be distinct"):
        generate_settings(seeds=[13, 13])
    with pytest.raises(SettingsError, match=r"generate.sources.alpha.name: unknown engine"):
        generate_settings(sources={"alpha": {"name": "nope", "model": "m"}})


def test_a_real_model_samples_differ_by_seed_and_repeat_by_seed(tmp_path: Path, tiny_lm: Path) -> None:
    engine = {"name": "transformers", "model": str(tiny_lm), "device": "cpu", "batch_size": 4}
    real = generate_settings(sources={"tiny": engine}, seeds=[13, 21], max_new_tokens=6)
    source = translated(tmp_path, 2)
    generate_stage(real, source, tmp_path / "a.parquet", tmp_path / "cache-a")
    generate_stage(real, source, tmp_path / "b.parquet", tmp_path / "cache-b")
    first = pq.read_table(tmp_path / "a.parquet").to_pylist()
    assert pq.read_table(tmp_path / "b.parquet").equals(pq.read_table(tmp_path / "a.parquet"))
    by_prompt = {}
    for row in first:
        by_prompt.setdefault(row["prompt_id"], []).append(row["response"])
    assert by_prompt and all(len(set(samples)) == 2 for samples in by_prompt.values())


def test_a_table_read_a_few_rows_at_a_time_samples_as_in_one_batch(tmp_path: Path) -> None:
    # Another dataset's rows first: the first batches hold no prompt to sample.
    source = tmp_path / "mixed.parquet"
    parts = [pq.read_table(translated(tmp_path, 4, "orca")), pq.read_table(translated(tmp_path, 9))]
    write_parquet(source, pa.concat_tables(parts), TRANSLATED)
    whole = generate_stage(generate_settings(), source, tmp_path / "whole.parquet", tmp_path / "c1")
    pieces = generate_stage(generate_settings(batch_rows=3), source, tmp_path / "pieces.parquet", tmp_path / "c2")
    assert {**whole, "run": None} == {**pieces, "run": None}  # run: time and throughput
    assert pq.read_table(tmp_path / "whole.parquet").equals(pq.read_table(tmp_path / "pieces.parquet"))
