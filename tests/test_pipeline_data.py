"""The data stages through DVC on a tiny model: ingest -> translate -> generate -> score -> pairs."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from helpers import run, stages_run, tiny_data_params, write_params

pytestmark = pytest.mark.slow  # whole DVC pipelines (make test-fast leaves them out)


def test_margin_window_change_reruns_only_pairs(project: Path, tiny_lm: Path, judge_url: str) -> None:
    params = tiny_data_params(project, tiny_lm, judge_url)
    write_params(project, params)

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
    assert stages_run(run(["dvc", "repro", "pairs"], cwd=project).stdout) == []  # nothing changed: nothing runs

    params["pairs"]["margin_min"] = 1.0
    write_params(project, params)
    status = json.loads(run(["dvc", "status", "--json"], cwd=project).stdout)
    # Stages downstream of pairs (never built here) show up too; nothing upstream does.
    assert "pairs" in status and not {"ingest", "translate", "generate", "score"} & set(status)
    assert stages_run(run(["dvc", "repro", "pairs"], cwd=project).stdout) == [
        "check",
        "pairs",
    ]  # check: the params file changed
    plots = json.loads(run(["dvc", "plots", "show", "--json"], cwd=project).stdout)
    assert "pair_margins" in json.dumps(plots)
