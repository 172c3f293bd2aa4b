"""The whole pipeline through DVC on tiny models, evaluation included.

A beta change on a branch reruns dpo, its evaluation and the report alone (reference log-probs
come from the DVC output), and ``dvc metrics diff`` / ``dvc plots diff`` compare the branches
per model and MT-Bench category.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml
from helpers import MODELS, PipelineRun, card_numbers, run, stages_run, write_params
from huggingface_hub import ModelCard

from lingualign.evaluate.support import read_cases
from lingualign.mtbench import CATEGORIES

pytestmark = pytest.mark.slow  # whole DVC pipelines (make test-fast leaves them out)


def test_pipeline_evaluates_every_model_and_a_beta_branch_diffs_per_model_and_category(
    tiny_pipeline: PipelineRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "repo"
    shutil.copytree(tiny_pipeline.project, project, symlinks=True)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    first = tiny_pipeline.stages
    assert first[0] == "check" and sorted(first[1:3]) == ["ingest", "models@tiny"]
    order = ["translate", "generate", "score", "pairs", "sft@orca", "sft@support_tickets", "merge", "reference", "dpo"]
    assert first[3:12] == order
    exports = ["export@dpo", "export@merged"]
    assert sorted(first[12:-1]) == sorted([*(f"evaluate@{m}" for m in MODELS), *exports, "report"])
    assert first[-1] == "cards"
    assert all(first.index(f"evaluate@{name.split('@')[1]}") < first.index(name) for name in exports)
    # The FuseChat path: samples of the one source model, judged, paired within that model.
    generated = json.loads((project / "metrics" / "generate.json").read_text())
    translated = pq.read_table(project / "data" / "translated.parquet", columns=["dataset", "prompt_id"]).to_pylist()
    ultrafeedback = {row["prompt_id"] for row in translated if row["dataset"] == "ultrafeedback"}
    assert generated["prompts"] == min(4, len(ultrafeedback)) > 0  # prompts_per_dataset: 4
    assert generated["sources"]["smollm2"]["samples"] > 0
    splits = ("train", "test")
    pairs = [p for split in splits for p in pq.read_table(project / "data" / "pairs" / f"{split}.parquet").to_pylist()]
    assert any(p["dataset"] == "generated" and p["source_model"] == "smollm2" for p in pairs)
    counted = json.loads((project / "metrics" / "pairs.json").read_text())["pairs"]["datasets"]["generated"]
    assert counted["train"] + counted["test"] == sum(p["dataset"] == "generated" for p in pairs)
    dpo = json.loads((project / "metrics" / "dpo.json").read_text())
    assert dpo["steps"] == 2 and "heldout" not in dpo  # evaluate measures held-out preference, for every model
    curves = (project / "metrics" / "plots" / "dpo_curves.csv").read_text().splitlines()
    assert (
        curves[0] == "step,loss,rewards/accuracies,rewards/margins,rewards/chosen,rewards/rejected" and len(curves) == 3
    )
    evaluation = json.loads((project / "metrics" / "eval.json").read_text())
    assert set(evaluation) == set(MODELS)
    cases = len(read_cases(project / "data" / "eval" / "support"))
    for name, metrics in evaluation.items():
        tested = {"vs_baseline"} if name != MODELS[0] else set()  # evaluate.baseline: the base model
        assert (
            set(metrics)
            == {
                "engine",
                "dtype",
                "mt_bench",
                "support",
                "harness",
                "preference",
                "intervals",
                "per_case",
            }
            | tested
        )
        if tested:
            assert metrics["vs_baseline"]["support"]["all"]["n"] == len(read_cases(project / "data/eval/support"))
        assert metrics["engine"] == "transformers"  # evaluate.engine answered
        assert all((project / path).is_file() for path in metrics["per_case"].values())
        assert metrics["intervals"]["support.score"]["n"] == metrics["support"]["cases"]
        assert metrics["support"]["cases"] == cases and 0 <= metrics["support"]["score"] <= 1
        assert set(metrics["mt_bench"]["categories"]) == set(CATEGORIES)
        assert metrics["mt_bench"]["judgements"] + metrics["mt_bench"]["not_german"] == 16  # 8 questions, 2 turns
    questions = (project / "data" / "mtbench_de.jsonl").read_text().splitlines()
    assert len(questions) == 8 and {json.loads(q)["category"] for q in questions} == set(CATEGORIES)
    page = (project / "metrics" / "report.html").read_text()
    table = page[page.index('<table id="eval">') :]
    assert table[: table.index("</table>")].count("<tr>") == 1 + len(MODELS)
    assert page.count("against base</h3>") == len(MODELS) - 1  # each model against the baseline
    for name in ("sft_orca", "sft_support_tickets", "merged", "dpo"):  # every exported checkpoint, not the base
        card = ModelCard.load(project / "models" / "cards" / name / "README.md")
        assert card.data.language == ["de"] and card.data.license == "apache-2.0"
        numbers, metrics = card_numbers(card.text), evaluation[name]
        expected = {
            "MT-Bench average": metrics["mt_bench"]["average"],
            "support cases passed": metrics["support"]["score"],
            "held-out preference accuracy": metrics["preference"]["accuracy"],
        }
        expected |= {f"support {c}": v for c, v in metrics["support"]["categories"].items()}
        assert {k: numbers.get(k) for k, v in expected.items() if v is not None} == {
            k: round(v, 4) for k, v in expected.items() if v is not None
        }
    assert not (project / "models" / "cards" / "smollm2").exists()
    for name in ("dpo", "merged"):  # exported, and listed on its card
        exported = json.loads((project / "metrics" / "export" / f"{name}.json").read_text())
        assert set(exported["gguf"]) == {"f16", "q8_0"} and (project / exported["folder"] / "Modelfile").is_file()
        assert "## Exported files" in ModelCard.load(project / "models" / "cards" / name / "README.md").text

    run(["git", "checkout", "-q", "-b", "beta"], cwd=project)
    params = yaml.safe_load((project / "params.yaml").read_text())
    params["dpo"]["trainer"]["beta"] = 0.3
    write_params(project, params)
    assert sorted(stages_run(run(["dvc", "repro"], cwd=project).stdout)) == [
        "cards", "check", "dpo", "evaluate@dpo", "export@dpo", "report"
    ]  # fmt: skip
    run(["git", "add", "-A"], cwd=project)
    run(["git", "commit", "-q", "-m", "beta 0.3"], cwd=project)

    diff = json.loads(run(["dvc", "metrics", "diff", "main", "beta", "--json"], cwd=project).stdout)
    changed = diff["metrics/eval.json"]
    assert changed and all(key.startswith("dpo.") for key in changed)  # only the DPO model moved
    assert "dpo.preference.mean_margin" in changed
    everything = json.loads(run(["dvc", "metrics", "diff", "main", "beta", "--all", "--json"], cwd=project).stdout)[
        "metrics/eval.json"
    ]
    # dvc leaves out null values: a category with no parsed judgement (a tiny judge rarely writes [[x]])
    rated = {
        f"{m}.mt_bench.categories.{c}"
        for m, metrics in evaluation.items()
        for c, value in metrics["mt_bench"]["categories"].items()
        if value is not None
    }
    assert rated and rated <= set(everything)
    assert {f"{m}.mt_bench.average" for m in MODELS} <= set(everything)
    support = {f"{m}.support.categories.{c}" for m in MODELS for c in evaluation[m]["support"]["categories"]}
    assert len(support) >= 9 * len(MODELS) and support <= set(everything)  # per category, diffable

    # Case by case: the same replies of every model but the DPO one; no paired test can call that a change.
    compared = run(["lingualign", "diff", "main", "beta"], cwd=project).stdout.splitlines()
    rows = [line.split() for line in compared[1:]]
    assert {row[0] for row in rows} == set(MODELS) and all(row[-1] != "REGRESSION" for row in rows if row[0] != "dpo")
    assert all(row[4] in ("+0.0000", "-0.0000", "–") for row in rows if row[0] != "dpo")

    plots = json.loads(run(["dvc", "plots", "diff", "main", "beta", "--json"], cwd=project).stdout)
    for plot in ("mtbench_categories", "support_categories"):
        bars = plots["data"][plot][0]["content"]["data"]["values"]
        assert {row["rev"] for row in bars} == {"main", "beta"} and {row["model"] for row in bars} == set(MODELS)
