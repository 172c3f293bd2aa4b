"""The whole pipeline through DVC on tiny models: a beta change reruns dpo alone, on stored reference log-probs."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from conftest import run
from test_pipeline_data import stages_run


def test_beta_change_reruns_only_dpo(project: Path, tiny_lm: Path) -> None:
    params = yaml.safe_load((project / "params.yaml").read_text())
    for source, limit in zip(params["ingest"]["sources"], (8, 4, 4, 12), strict=True):
        source["limit"] = limit
    params["translate"].update({"model": str(tiny_lm), "max_new_tokens": 4, "batch_size": 8})
    params["sft"]["base_model"] = str(tiny_lm)
    params["sft"]["training"].update({"max_steps": 2, "max_length": 64})
    params["merge"]["config"]["base_model"] = str(tiny_lm)
    params["dpo"]["training"].update({"max_steps": 2, "max_length": 64})
    (project / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))

    first = stages_run(run(["dvc", "repro", "dpo"], cwd=project).stdout)
    assert first == ["ingest", "translate", "score", "pairs", "sft@orca", "sft@support_tickets", "merge", "reference", "dpo"]
    metrics = json.loads((project / "metrics" / "dpo.json").read_text())
    assert metrics["steps"] == 2 and set(metrics["heldout"]) == {"merged", "dpo"}
    curves = (project / "metrics" / "plots" / "dpo_curves.csv").read_text().splitlines()
    assert curves[0] == "step,loss,rewards/accuracies,rewards/margins,rewards/chosen,rewards/rejected" and len(curves) == 3

    params["dpo"]["beta"] = 0.3
    (project / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    assert stages_run(run(["dvc", "repro", "dpo"], cwd=project).stdout) == ["dpo"]
