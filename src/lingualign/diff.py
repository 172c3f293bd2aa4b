"""diff: two runs' evaluations, figure by figure, with a paired test over the same cases.

``lingualign diff A B`` reads ``metrics/eval.json`` and the per-case results it names
(``per_case``) at two git revisions, branches or DVC experiments, through DVC (``dvc.api``: a
clone that lacks the data streams it from the remote). For every model in both and every headline
figure it prints the old and the new value, the delta, a paired test over the cases both sides
have (an exact McNemar test for pass/fail figures, a paired bootstrap for means) and whether the
change is significant at ``--alpha``. A significant drop is a regression; ``--fail-on-regression``
makes it exit 1, for a CI gate; ``--markdown`` prints a table for a pull request.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lingualign.errors import LingualignError
from lingualign.report import noise_judge

# figure -> (per-case table, key columns, the case's value): higher is better for every one.
FIGURES = {
    "support.score": ("support", ("id",), lambda row: float(not row["failed"])),
    "preference.accuracy": ("preference", ("prompt_id",), lambda row: float(row["correct"])),
    "preference.mean_margin": ("preference", ("prompt_id",), lambda row: row["margin"]),
    "mt_bench.average": ("mt_bench", ("question_id", "turn"), lambda row: row["rating"]),
}
PARTS = ("mt_bench", "support", "preference", "harness")  # the per-case results evaluate names


@dataclass
class Change:
    model: str
    figure: str
    old: float | None
    new: float | None
    test: str
    p: float | None
    n: int

    @property
    def delta(self) -> float | None:
        return None if self.old is None or self.new is None else self.new - self.old

    def significant(self, alpha: float) -> bool:
        return self.p is not None and self.p < alpha and self.delta is not None and self.delta != 0

    def regression(self, alpha: float) -> bool:
        return self.significant(alpha) and self.delta is not None and self.delta < 0


class Side:
    """One revision's evaluation: its metrics file and the per-case results that file names."""

    def __init__(self, repo: str, rev: str, metrics: str):
        self.repo, self.rev = repo, rev
        try:
            self.metrics = json.loads(self.read(metrics))
        except json.JSONDecodeError as exc:
            raise LingualignError(f"{rev}: {metrics}: not valid JSON: {exc.msg}") from None

    def read(self, path: str) -> bytes:
        import dvc.api
        from dvc.exceptions import DvcException
        from dvc.scm import RevError

        try:
            with dvc.api.open(path, repo=self.repo, rev=self.rev, mode="rb") as handle:
                return handle.read()
        except RevError:
            raise LingualignError(
                f"'{self.rev}' is not a git revision, branch or DVC experiment of {self.repo}"
            ) from None
        except (FileNotFoundError, DvcException) as exc:
            raise LingualignError(f"{self.rev}: cannot read {path}: {exc}") from None

    def cases(self, model: str, part: str) -> list[dict[str, Any]]:
        import pyarrow.parquet as pq

        named = self.metrics[model].get("per_case") or {}
        if part not in named:
            what = f"for {part} " if named else ""
            raise LingualignError(
                f"{self.rev}: model '{model}' has no per-case results {what}in its metrics "
                "(evaluated before they were kept: rerun its evaluate stage there)"
            )
        path = named[part]
        # No thread pool, CPU or I/O (pre_buffer reads through the I/O pool): with one alive at exit, a run
        # could abort after printing ("terminate called without an active exception"); these tables are small.
        return pq.read_table(io.BytesIO(self.read(path)), use_threads=False, pre_buffer=False).to_pylist()


def lookup(metrics: dict[str, Any], figure: str) -> float | None:
    value: Any = metrics
    for key in figure.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    return value if isinstance(value, int | float) else None


def paired(old: dict[tuple, float], new: dict[tuple, float]) -> tuple[str, float | None, int]:
    """(test, p, n) over the cases both sides have: exact McNemar where every value is 0 or 1."""
    from lingualign.stats import mcnemar, paired_bootstrap

    common = sorted(set(old) & set(new), key=str)
    if not common:
        return "no common cases", None, 0
    a, b = [old[key] for key in common], [new[key] for key in common]
    if set(a) | set(b) <= {0.0, 1.0}:
        return "McNemar", mcnemar([x == 1 for x in a], [x == 1 for x in b])["p"], len(common)
    return "paired bootstrap", paired_bootstrap(a, b)["p"], len(common)


def by_key(rows: list[dict[str, Any]], keys: tuple[str, ...], value: Any) -> dict[tuple, float]:
    return {tuple(row[k] for k in keys): value(row) for row in rows if value(row) is not None}


def harness_values(rows: list[dict[str, Any]]) -> dict[str, dict[tuple, float]]:
    """``{harness.<task>.<metric>: {(doc_id,): value}}``."""
    values: dict[str, dict[tuple, float]] = defaultdict(dict)
    for row in rows:
        values[f"harness.{row['task']}.{row['metric']}"][(row["doc_id"],)] = row["value"]
    return values


def compare(old: Side, new: Side) -> tuple[list[Change], list[str]]:
    """Every figure of every model both sides evaluated; and a note per model only one side has."""
    changes, notes = [], []
    models = [m for m in new.metrics if m in old.metrics]
    notes += [f"only in {old.rev}: {m}" for m in old.metrics if m not in new.metrics]
    notes += [f"only in {new.rev}: {m}" for m in new.metrics if m not in old.metrics]
    for model in models:
        tables = {part: (old.cases(model, part), new.cases(model, part)) for part in PARTS}
        tiny = noise_judge(old.metrics[model]) or noise_judge(new.metrics[model])
        tests = {}
        for figure, (part, keys, value) in FIGURES.items():
            tests[figure] = paired(*(by_key(rows, keys, value) for rows in tables[part]))
            if figure.startswith("mt_bench.") and tiny:  # its ratings measure nothing (report.py)
                tests[figure] = ("none: judge under 1B parameters", None, tests[figure][2])
        a, b = (harness_values(rows) for rows in tables["harness"])
        tests |= {figure: paired(a.get(figure, {}), b.get(figure, {})) for figure in sorted(set(a) | set(b))}
        changes += [
            Change(model, figure, lookup(old.metrics[model], figure), lookup(new.metrics[model], figure), *test)
            for figure, test in tests.items()
        ]
    return changes, notes


def number(value: float | None, signed: bool = False) -> str:
    return "–" if value is None else f"{value:+.4f}" if signed else f"{value:.4f}"


def verdict(change: Change, alpha: float) -> str:
    if change.regression(alpha):
        return "REGRESSION"
    return "better" if change.significant(alpha) else "not significant"


def render(changes: list[Change], old: str, new: str, alpha: float, markdown: bool) -> str:
    head = ["model", "figure", old, new, "delta", "test", "p", "n", f"significant (p < {alpha:g})"]
    body = [
        [c.model, c.figure, number(c.old), number(c.new), number(c.delta, True), c.test, number(c.p), str(c.n)]
        + [verdict(c, alpha)]
        for c in changes
    ]
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in body])
    widths = [max(len(row[i]) for row in [head, *body]) for i in range(len(head))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in [head, *body])


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("old", help="Git revision, branch or DVC experiment to compare against (e.g. main)")
    parser.add_argument("new", help="Git revision, branch or DVC experiment to compare (e.g. HEAD)")
    parser.add_argument("--metrics", default="metrics/eval.json", help="The report's metrics, every model's")
    parser.add_argument("--repo", default=".", help="The project (a path or a git URL)")
    parser.add_argument("--alpha", type=float, default=0.05, help="Significance level of the paired tests")
    parser.add_argument("--markdown", action="store_true", help="Print a Markdown table (for a pull request)")
    parser.add_argument("--fail-on-regression", action="store_true", help="Exit 1 if any figure drops significantly")


def main(args: argparse.Namespace) -> None:
    repo = str(Path(args.repo).resolve()) if Path(args.repo).exists() else args.repo
    old, new = Side(repo, args.old, args.metrics), Side(repo, args.new, args.metrics)
    changes, notes = compare(old, new)
    print(render(changes, args.old, args.new, args.alpha, args.markdown))
    for note in notes:
        print(note)
    regressions = [c for c in changes if c.regression(args.alpha)]
    if args.fail_on_regression and regressions:
        print(f"{len(regressions)} significant regression(s)", file=sys.stderr)
        raise SystemExit(1)
