"""Profiles: params overlays, validated before params.yaml is written, and the GPU profile's plan."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from helpers import ROOT, run, stages_run

from lingualign.errors import SettingsError
from lingualign.profiles import apply_profile, overlay


def test_overlay_merges_mappings_replaces_lists_and_drops_nulls() -> None:
    base = {"a": {"keep": 1, "drop": 2, "list": [1, 2]}, "b": 3}
    assert overlay(base, {"a": {"drop": None, "list": [9], "new": 4}}) == {
        "a": {"keep": 1, "list": [9], "new": 4},
        "b": 3,
    }


def test_overlay_replaces_a_plugin_mapping_that_names_another_plugin() -> None:
    base = {"engine": {"name": "transformers", "device": "cpu", "batch_size": 32}}
    assert overlay(base, {"engine": {"batch_size": 8}}) == {
        "engine": {"name": "transformers", "device": "cpu", "batch_size": 8}
    }
    assert overlay(base, {"engine": {"name": "vllm", "batch_size": 1024}}) == {
        "engine": {"name": "vllm", "batch_size": 1024}
    }


def test_a_profile_that_does_not_validate_leaves_params_untouched(tmp_path: Path) -> None:
    params = tmp_path / "params.yaml"
    params.write_text((ROOT / "params.yaml").read_text())
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "broken.yaml").write_text("merge:\n  random_seed: many\ningest:\n  batch_rows: 0\nscoring: {}\n")
    with pytest.raises(
        SettingsError,
        match=r"params.yaml with .*broken.yaml: unknown section 'scoring' .*; "
        r"ingest.batch_rows: Input should be greater than or equal to 1 \(got 0\); "
        r"merge.random_seed: Input should be a valid integer \(got 'many'\)$",
    ):
        apply_profile("broken", params, profiles)
    assert params.read_text() == (ROOT / "params.yaml").read_text()
    with pytest.raises(SettingsError, match=r"profiles/nope.yaml: no such profile \(known: broken\)"):
        apply_profile("nope", params, profiles)


def expected_stages(params: dict) -> set[str]:
    return (
        {f"models@{name}" for name in params["models"]["sources"]}
        | {f"sft@{name}" for name in params["sft"]["datasets"]}
        | {f"evaluate@{name}" for name in params["evaluate"]["models"]}
        | {f"export@{name}" for name in params["export"]["checkpoints"]}
        | {"check", "ingest", "translate", "generate", "score", "pairs", "merge", "reference", "dpo", "report", "cards"}
    )


@pytest.mark.slow
def test_gpu_profile_validates_and_its_dry_run_plans_every_stage(project: Path) -> None:
    before = (project / "params.yaml").read_text()
    run(["lingualign", "profile", "gpu"], cwd=project)
    params = yaml.safe_load((project / "params.yaml").read_text())
    assert params["merge"]["config"]["merge_method"] == "dare_ties" and params["dpo"]["method"] == "qlora"
    assert (
        params["translate"]["engine"]
        == yaml.safe_load((ROOT / "profiles" / "gpu.yaml").read_text())["translate"]["engine"]
    )
    assert all(source.get("revision") for source in params["models"]["sources"].values())
    assert "# One section per stage" in (project / "params.yaml").read_text()  # comments survive the switch
    # --force: plain --dry stops at the first stage whose inputs do not exist yet
    plan = run(["dvc", "repro", "--dry", "--force"], cwd=project).stdout
    planned = set(stages_run(plan))
    assert planned == expected_stages(params)
    run(["git", "checkout", "params.yaml"], cwd=project)
    assert (project / "params.yaml").read_text() == before


def test_the_gpu_profile_file_validates_against_the_shipped_params() -> None:
    run(
        [
            "lingualign",
            "profile",
            "gpu",
            "--check",
            "--params",
            str(ROOT / "params.yaml"),
            "--profiles",
            str(ROOT / "profiles"),
        ],
        cwd=ROOT,
    )
