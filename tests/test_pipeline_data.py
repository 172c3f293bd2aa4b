"""The data stages through DVC on a tiny model: ingest -> translate -> generate -> score -> pairs."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml
from helpers import run, stages_run

pytestmark = pytest.mark.slow  # whole DVC pipelines (make test-fast leaves them out)


def test_margin_window_change_reruns_only_pairs(project: Path, tiny_lm: Path, judge_url: str) -> None:
    params = yaml.safe_load((project / "params.yaml").read_text())
    for source, limit in zip(params["ingest"]["sources"], (8, 4, 4, 12), strict=True):
        source["limit"] = limit
    params["translate"]["max_new_tokens"] = 4
    params["translate"]["engine"].update({"model": str(tiny_lm), "batch_size": 8})
    params["generate"]["sources"]["smollm2"].update({"model": str(tiny_lm), "batch_size": 4})
    params["generate"]["max_new_tokens"] = 6
    judge = {"name": "openai", "model": str(tiny_lm), "base_url": judge_url, "served_model": "judge"}
    params["score"]["scorer"]["scorers"][1].update({"engine": judge, "reply_prefix": ""})
    (project / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))

    first = run(["dvc", "repro", "pairs"], cwd=project)
    # score also depends on models/sources (the reward model, when one is configured); DVC may
    # build that source anywhere before score.
    ran = stages_run(first.stdout)
    assert ran[0] == "check"  # every params section validated before any stage runs
    assert [stage for stage in ran[1:] if stage != "models@smollm2-135m-instruct"] == [
        "ingest",
        "translate",
        "generate",
        "score",
        "pairs",
    ]
    assert ran.index("models@smollm2-135m-instruct") < ran.index("score")
    train = pq.read_table(project / "data" / "pairs" / "train.parquet").to_pylist()
    assert train and train[0]["prompt"][-1]["role"] == "user" and train[0]["chosen"][0]["role"] == "assistant"
    metrics = json.loads((project / "metrics" / "pairs.json").read_text())
    assert metrics["pairs"]["train"] == len(train)
    assert stages_run(run(["dvc", "repro", "pairs"], cwd=project).stdout) == ["check"]  # check runs on every repro

    params["pairs"]["margin_min"] = 1.0
    (project / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    status = json.loads(run(["dvc", "status", "--json"], cwd=project).stdout)
    # Stages downstream of pairs (never built here) show up too; nothing upstream does.
    assert "pairs" in status and not {"ingest", "translate", "generate", "score"} & set(status)
    assert stages_run(run(["dvc", "repro", "pairs"], cwd=project).stdout) == [
        "check",
        "pairs",
    ]  # check: the params file changed
    plots = json.loads(run(["dvc", "plots", "show", "--json"], cwd=project).stdout)
    assert "pair_margins" in json.dumps(plots)
