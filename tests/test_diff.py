"""lingualign diff in a real git + DVC project with a remote: two branches and an experiment
compared case by case from a second clone that has only git, bad revisions in one line."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from helpers import run

GIT = [["git", "config", "user.email", "t@lingualign.invalid"], ["git", "config", "user.name", "t"]]
PER_CASE = {
    "mt_bench": "data/eval/m.parquet",
    "support": "data/eval/replies/m.parquet",
    "preference": "data/eval/pairs/m.parquet",
    "harness": "data/eval/samples/m.parquet",
}


def evaluation(project: Path, passed: int, per_case: bool = True) -> None:
    """Model 'm': ``passed`` of 70 support cases pass; the other figures the same on every side."""
    support = [{"id": f"c{i}", "category": "c", "reply": "r", "failed": [] if i < passed else ["x"]} for i in range(70)]
    tables = {
        "support": support,
        "mt_bench": [{"question_id": q, "turn": t, "rating": float(q % 9 + 1)} for q in range(40) for t in (1, 2)],
        "preference": [{"prompt_id": f"p{i}", "margin": i / 10 - 1, "correct": i > 10} for i in range(20)],
        "harness": [{"task": "mc", "doc_id": d, "metric": "acc", "value": float(d % 3 == 0)} for d in range(30)],
    }
    for part, rows in tables.items():
        path = project / PER_CASE[part]
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pylist(rows), path)
    metrics = {
        "mt_bench": {"average": 5.0, "judge": {"model": "gpt-4", "parameters": None}},
        "support": {"score": passed / 70},
        "preference": {"accuracy": 0.45, "mean_margin": -0.05},
        "harness": {"mc": {"acc": 10 / 30}},
    } | ({"per_case": PER_CASE} if per_case else {})
    (project / "metrics").mkdir(exist_ok=True)
    (project / "metrics" / "eval.json").write_text(json.dumps({"m": metrics}))


def commit(project: Path, message: str) -> None:
    run(["dvc", "add", "-q", "data/eval"], cwd=project)
    run(["git", "add", "-A"], cwd=project)
    run(["git", "commit", "-q", "-m", message], cwd=project)


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clone of a project whose main passes 35 support cases, branch 'better' 60, 'worse' 10
    and 'old' has no per-case results; the data is only on the DVC remote."""
    root = tmp_path_factory.mktemp("diff")
    project, remote = root / "project", root / "remote"
    project.mkdir()
    run(["git", "init", "-q", "-b", "main"], cwd=project)
    for command in [*GIT, ["dvc", "init", "-q"], ["dvc", "remote", "add", "-d", "store", str(remote)]]:
        run(command, cwd=project)
    evaluation(project, 35)
    commit(project, "main")
    for branch, passed, per_case in (("better", 60, True), ("worse", 10, True), ("old", 35, False)):
        run(["git", "checkout", "-q", "-b", branch, "main"], cwd=project)
        evaluation(project, passed, per_case)
        commit(project, branch)
    run(["git", "checkout", "-q", "main"], cwd=project)
    run(["dvc", "push", "-q", "--all-branches"], cwd=project)
    run(["git", "clone", "-q", str(project), str(root / "clone")], cwd=root)
    for branch in ("better", "worse", "old"):
        run(["git", "branch", "-q", branch, f"origin/{branch}"], cwd=root / "clone")
    assert not (root / "clone" / "data" / "eval" / "replies").exists()  # only git: the data is on the remote
    return root / "clone"


def diff(clone: Path, *args: str) -> tuple[int, str, str]:
    result = run(["lingualign", "diff", *args], cwd=clone, check=False)
    return result.returncode, result.stdout, result.stderr


def row(output: str, figure: str) -> list[str]:
    return next(line.split() for line in output.splitlines() if f" {figure} " in f" {line} ")


def test_a_real_gain_is_significant_and_noise_is_not(clone: Path) -> None:
    code, out, err = diff(clone, "main", "better", "--fail-on-regression")
    assert code == 0, err
    support = row(out, "support.score")
    assert support[2:5] == ["0.5000", "0.8571", "+0.3571"] and support[5] == "McNemar" and support[-1] == "better"
    assert float(support[6]) < 0.001 and support[7] == "70"  # 25 cases won, none lost
    unchanged = row(out, "harness.mc.acc")
    assert unchanged[4] == "+0.0000" and unchanged[-2:] == ["not", "significant"]
    assert row(out, "mt_bench.average")[5:7] == ["paired", "bootstrap"]


def test_a_regression_fails_the_gate_and_prints_a_markdown_table(clone: Path) -> None:
    code, out, err = diff(clone, "main", "worse", "--fail-on-regression", "--markdown")
    assert code == 1 and "1 significant regression(s)" in err
    assert out.startswith("| model | figure | main | worse | delta | test | p | n | significant (p < 0.05) |")
    assert "| m | support.score | 0.5000 | 0.1429 | -0.3571 | McNemar |" in out and "| REGRESSION |" in out
    assert diff(clone, "main", "worse")[0] == 0  # without the gate it only reports


def test_bad_revisions_and_a_side_without_per_case_results_are_one_line(clone: Path) -> None:
    code, out, err = diff(clone, "main", "no-such-branch")
    assert code == 2 and err.strip().count("\n") == 0 and out == ""
    assert "'no-such-branch' is not a git revision, branch or DVC experiment of" in err
    code, _, err = diff(clone, "old", "main")
    assert code == 2 and err.strip().count("\n") == 0
    assert "old: model 'm' has no per-case results in its metrics" in err


def test_a_dvc_experiment_is_a_side(clone: Path) -> None:
    evaluation(clone, 10)
    run(["dvc", "add", "-q", "data/eval"], cwd=clone)
    run(["dvc", "exp", "save", "-q", "-n", "fewer-passes"], cwd=clone)
    code, out, err = diff(clone, "main", "fewer-passes", "--fail-on-regression")
    assert code == 1 and row(out, "support.score")[-1] == "REGRESSION", err
