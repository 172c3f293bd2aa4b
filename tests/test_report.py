"""The report stage: metrics/eval.json keyed by model, the category plot table, and the HTML page in Chromium."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import run

from lingualign.mtbench import CATEGORIES
from lingualign.report import COLORS

MODELS = {"smollm2": "models/sources/s", "merged": "models/merged", "dpo": "models/dpo"}


def model_metrics(offset: float) -> dict[str, Any]:
    categories = {c: round(3 + offset + i * 0.5, 3) for i, c in enumerate(CATEGORIES)}
    categories["coding"] = None  # every rating of a category can be unparseable
    return {
        "mt_bench": {
            "first_turn": 4 + offset,
            "second_turn": 3 + offset,
            "categories": categories,
            "average": 3.5 + offset,
            "parse_rate": 0.75,
            "judgements": 16,
            "unparseable": 4,
            "not_german": 0,
        },
        "harness": {"support_mc_de": {"acc": 0.25 + offset / 10, "acc_norm": 0.3}},
        "preference": {"accuracy": 0.5 + offset / 10, "mean_margin": offset, "pairs": 11},
        "support": {
            "cases": 4,
            "passed": 2,
            "score": 0.5,
            "categories": {"json": 0.25 * offset, "refusal": 1.0},
            "checks": {"json": 0.5, "regex": 0.5},
        },
    }


def write_replies(folder: Path, name: str, passes: list[bool], category_of: Any = lambda i: "json") -> None:
    """Support replies of ``len(passes)`` cases: case i ran the json and formal_address checks and failed
    json where ``passes[i]`` is false."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from lingualign.evaluate.support import REPLIES

    rows = [
        {
            "id": f"c{i}",
            "category": category_of(i),
            "reply": "…",
            "failed": [] if ok else ["json"],
            "checked": ["json", "formal_address"],
        }
        for i, ok in enumerate(passes)
    ]
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows, schema=REPLIES), folder / f"{name}.parquet")


REPORT = ["--evals", "metrics/eval", "--plot", "metrics/plot.csv", "--support-plot", "metrics/support.csv"]
REPORT += ["--html", "metrics/report.html", "--replies", "data/eval/replies"]


@pytest.fixture
def report_dir(tmp_path: Path) -> Path:
    (tmp_path / "metrics" / "eval").mkdir(parents=True)
    for offset, name in enumerate(MODELS):
        (tmp_path / "metrics" / "eval" / f"{name}.json").write_text(json.dumps(model_metrics(offset)))
        write_replies(tmp_path / "data" / "eval" / "replies", name, [True, False, True, False])
    (tmp_path / "params.yaml").write_text(yaml.safe_dump({"evaluate": {"models": MODELS}}))
    curves = tmp_path / "metrics" / "curves.csv"
    curves.write_text("step,loss,rewards/accuracies\n1,0.69,0.5\n2,0.5,0.75\n3,0.3,1.0\n")
    run(["lingualign", "report", *REPORT, "--curves", str(curves), "--out", "metrics/eval.json"], cwd=tmp_path)
    return tmp_path


def test_report_puts_every_model_side_by_side(report_dir: Path) -> None:
    results = json.loads((report_dir / "metrics" / "eval.json").read_text())
    assert set(results) == set(MODELS)
    assert results["dpo"] == model_metrics(2)
    with open(report_dir / "metrics" / "plot.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(MODELS) * len(CATEGORIES)
    assert {"model": "merged", "category": "writing", "score": "4.0"} in rows
    assert {"model": "merged", "category": "coding", "score": ""} in rows
    with open(report_dir / "metrics" / "support.csv") as handle:
        support = list(csv.DictReader(handle))
    assert len(support) == len(MODELS) * 2 and {"model": "dpo", "category": "json", "score": "0.5"} in support
    page = (report_dir / "metrics" / "report.html").read_text()
    assert "<th>support score</th>" in page and "<th>support refusal</th>" in page
    assert "German support cases by category" in page


def test_a_missing_model_evaluation_is_named(report_dir: Path) -> None:
    (report_dir / "metrics" / "eval" / "merged.json").unlink()
    command = ["lingualign", "report", *REPORT, "--curves", "none.csv", "--out", "metrics/eval2.json"]
    result = run(command, cwd=report_dir, check=False)
    assert result.returncode == 2
    assert "metrics/eval/merged.json: no evaluation of model 'merged' (run: dvc repro evaluate@merged)" in result.stderr
    assert not (report_dir / "metrics" / "eval2.json").exists()


def chromium() -> str | None:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None and os.environ.get("LINGUALIGN_REQUIRE_CHROMIUM"):
        pytest.fail("Chromium is required here (LINGUALIGN_REQUIRE_CHROMIUM): apt-get install chromium")
    return found


def headless(browser: str, page: Path, *args: str) -> subprocess.CompletedProcess[str]:
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
    ]
    profile = page.parent / "chromium-profile"
    return subprocess.run(
        [browser, *flags, f"--user-data-dir={profile}", *args, page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def test_html_report_renders_its_table_and_plots_in_headless_chromium(report_dir: Path) -> None:
    from PIL import Image

    browser = chromium()
    if browser is None:
        pytest.skip("Chromium not installed (make test installs it where apt-get can)")
    page = report_dir / "metrics" / "report.html"
    dom = headless(browser, page, "--dump-dom").stdout
    assert dom.count("<tr>") == 1 + len(MODELS)  # header row and one row per model
    assert "<th>dpo</th>" in dom and "MT-Bench average" in dom and "support_mc_de acc_norm" in dom
    assert "<th>support score</th>" in dom and 'aria-label="support cases"' in dom  # the support chart
    support_chart = dom[dom.index('aria-label="support cases"') :]
    assert support_chart[: support_chart.index("</svg>")].count('class="bar"') == 6  # 2 categories x 3 models
    shot = report_dir / "shot.png"
    headless(browser, page, f"--screenshot={shot}", "--window-size=1000,1700")
    image = Image.open(shot).convert("RGB")
    colors = {color for _, color in image.getcolors(maxcolors=1 << 20)}

    def rgb(hex_color: str) -> tuple[int, int, int]:
        return tuple(int(hex_color[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]

    # One bar colour per model (the category bars) and the curve colours were painted.
    assert all(rgb(COLORS[i]) in colors for i in range(len(MODELS)))
    painted = sum(count for count, color in image.getcolors(maxcolors=1 << 20) if color == rgb(COLORS[0]))
    assert painted > 500


def test_the_report_draws_intervals_and_hides_a_tiny_judges_scores(tmp_path: Path) -> None:
    from lingualign.report import render_html

    results = {}
    for offset, name in enumerate(MODELS):
        metrics = model_metrics(offset)
        metrics["intervals"] = {
            "support.score": {"value": 0.5, "low": 0.38, "high": 0.62, "n": 70},
            "mt_bench.average": {"value": 3.5 + offset, "low": 3.0 + offset, "high": 4.0 + offset, "n": 160},
        }
        # The CPU default judges with a 135M model; a GPU run with a large one.
        parameters = 134_515_008 if name == "smollm2" else 70_000_000_000
        metrics["mt_bench"]["judge"] = {"model": "models/sources/judge", "parameters": parameters}
        results[name] = metrics
    page = render_html(results, [])
    chart = page[page.index('aria-label="headline figures with 95% intervals"') :]
    chart = chart[: chart.index("</svg>")]
    # support.score for three models, mt_bench.average for the two with a real judge.
    assert chart.count('class="interval"') == 5 and "0.500 [0.380, 0.620] n=70" in chart
    assert "MT-Bench of smollm2: judged by models/sources/judge (135M parameters)" in page
    assert "measure nothing" in page and "MT-Bench of merged" not in page
    smollm2_row = page[page.index("<th>smollm2</th>") : page.index("<th>merged</th>")]
    assert "3.500" not in smollm2_row and smollm2_row.count(">n/m</td>") == 4 + len(CATEGORIES)
    assert "<td>4.500</td>" in page  # merged's MT-Bench average is shown


def test_each_model_is_tested_against_the_baseline_case_by_case(report_dir: Path) -> None:
    """Eight cases: the baseline passes c0-c1, the fine-tune c0-c7 (six won, none lost: exact
    McNemar p = 2 / 2**6); by category, the four 'formal' cases hold four of the six."""
    replies = report_dir / "data" / "eval" / "replies"
    category = lambda i: "formal" if i % 2 else "json"  # noqa: E731
    write_replies(replies, "smollm2", [True, True] + [False] * 6, category)
    write_replies(replies, "dpo", [True] * 8, category)
    write_replies(replies, "merged", [True, True] + [False] * 6, category)
    (report_dir / "params.yaml").write_text(yaml.safe_dump({"evaluate": {"models": MODELS, "baseline": "smollm2"}}))
    run(["lingualign", "report", *REPORT, "--curves", "none.csv", "--out", "metrics/eval.json"], cwd=report_dir)
    results = json.loads((report_dir / "metrics" / "eval.json").read_text())
    assert "vs_baseline" not in results["smollm2"]
    versus = results["dpo"]["vs_baseline"]
    assert versus["baseline"] == "smollm2"
    every = versus["support"]["all"]
    assert (every["won"], every["lost"], every["n"], every["p"], every["delta"]) == (6, 0, 8, 0.03125, 0.75)
    assert every["baseline"]["value"] == 0.25 and every["model"] == {"value": 1.0, "low": 1.0, "high": 1.0, "n": 8}
    formal = versus["support"]["categories"]["formal"]
    assert (formal["won"], formal["lost"], formal["n"], formal["p"]) == (3, 0, 4, 0.25)
    assert versus["support"]["checks"]["formal_address"]["won"] == 0  # no case failed it
    assert versus["support"]["checks"]["json"]["won"] == 6
    assert results["merged"]["vs_baseline"]["support"]["all"]["p"] == 1.0
    page = (report_dir / "metrics" / "report.html").read_text()
    assert "<h3>dpo against smollm2</h3>" in page and "<td>6/0</td><td>0.0312</td><td>8</td>" in page


def test_replies_without_the_checks_they_ran_are_named(report_dir: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    old = report_dir / "data" / "eval" / "replies" / "dpo.parquet"
    pq.write_table(pa.table({"id": ["c0"], "category": ["json"], "reply": ["x"], "failed": [[]]}), old)
    (report_dir / "params.yaml").write_text(yaml.safe_dump({"evaluate": {"models": MODELS, "baseline": "smollm2"}}))
    command = ["lingualign", "report", *REPORT, "--curves", "none.csv", "--out", "metrics/eval2.json"]
    result = run(command, cwd=report_dir, check=False)
    assert result.returncode == 2
    assert "data/eval/replies/dpo.parquet: field 'checked': missing" in result.stderr
    assert not (report_dir / "metrics" / "eval2.json").exists()
