"""report: every model's evaluation side by side: metrics/eval.json, a plot table and one HTML page.

``metrics/eval.json`` is keyed by model in the order of ``evaluate.models``, so
``dvc metrics show`` prints the comparison table and ``dvc metrics diff main <branch>`` the change
of every model, benchmark and MT-Bench category. The HTML page is one self-contained file
(inline SVG, no scripts, nothing fetched), to open from disk or attach to a review.
"""

from __future__ import annotations

import argparse
import csv
import html
import json
from pathlib import Path
from typing import Any

from pydantic import Field

from lingualign.errors import InputError
from lingualign.io import atomic_path
from lingualign.mtbench import CATEGORIES
from lingualign.settings import Settings

PARAMS = ("evaluate.models", "evaluate.baseline")


class ReportSettings(Settings):
    models: dict[str, str] = Field(min_length=1, description="The evaluated models, in the order the report shows them")
    baseline: str | None = Field(default=None, description="The model every other one is tested against")


# MT-Bench asks a GPT-4-class judge; a judge below a billion parameters (the CPU default's 135M
# model) rates answers without reading them, so its scores are shown as what they are: nothing.
MIN_JUDGE_PARAMETERS = 1_000_000_000

COLORS = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac")


def collect(models: list[str], folder: Path) -> dict[str, Any]:
    results = {}
    for name in models:
        path = folder / f"{name}.json"
        try:
            results[name] = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputError(
                path, None, None, f"no evaluation of model '{name}' (run: dvc repro evaluate@{name})", "missing_file"
            ) from None
        except json.JSONDecodeError as exc:
            raise InputError(path, exc.lineno, None, f"not valid JSON: {exc.msg}", "malformed_json") from None
    return results


def read_replies(folder: Path, name: str) -> dict[str, dict[str, Any]]:
    """One model's support replies (evaluate's per-case table) by case id."""
    import pyarrow.parquet as pq

    path = folder / f"{name}.parquet"
    if not path.is_file():
        raise InputError(
            path, None, None, f"no support replies of model '{name}' (run: dvc repro evaluate@{name})", "missing_file"
        )
    table = pq.read_table(path)
    if "checked" not in table.column_names:
        raise InputError(
            path, None, "checked", "missing: written before evaluate kept it; rerun evaluate@" + name, "schema"
        )
    return {row["id"]: row for row in table.to_pylist()}


def against_baseline(baseline: dict[str, dict[str, Any]], model: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The model's support results beside the baseline's over the cases both answered: all cases,
    each category and each check, with both pass rates' bootstrap intervals and an exact McNemar test."""
    from lingualign.stats import interval, mcnemar

    common = [case for case in baseline if case in model]
    categories: dict[str, list[str]] = {}
    checks: dict[str, list[str]] = {}
    for case in common:
        categories.setdefault(baseline[case]["category"], []).append(case)
        for check in baseline[case]["checked"]:
            checks.setdefault(check, []).append(case)

    def passed(rows: dict[str, dict[str, Any]], cases: list[str], check: str | None) -> list[bool]:
        return [not rows[c]["failed"] if check is None else check not in rows[c]["failed"] for c in cases]

    def compared(cases: list[str], check: str | None = None) -> dict[str, Any]:
        old, new = passed(baseline, cases, check), passed(model, cases, check)
        test = mcnemar(old, new)
        return {
            "baseline": interval(old),
            "model": interval(new),
            "delta": round((sum(new) - sum(old)) / len(cases), 6),
            "won": test["won"],
            "lost": test["lost"],
            "p": test["p"],
            "n": len(cases),
        }

    return {
        "all": compared(common),
        "categories": {name: compared(cases) for name, cases in sorted(categories.items())},
        "checks": {name: compared(cases, name) for name, cases in sorted(checks.items())},
    }


def noise_judge(metrics: dict[str, Any]) -> dict[str, Any] | None:
    """The MT-Bench judge of one model's evaluation where it is too small for its ratings to mean anything."""
    judge = metrics.get("mt_bench", {}).get("judge") or {}
    parameters = judge.get("parameters")
    return judge if parameters is not None and parameters < MIN_JUDGE_PARAMETERS else None


def category_rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"model": model, "category": category, "score": r["mt_bench"]["categories"][category]}
        for model, r in results.items()
        for category in CATEGORIES
    ]


def judged_rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    """The MT-Bench plot's rows for the page: none of a model whose judge's ratings mean nothing."""
    return [row for row in category_rows(results) if not noise_judge(results[row["model"]])]


def support_categories(results: dict[str, Any]) -> list[str]:
    """The support case categories any model was graded on, in name order."""
    return sorted({category for r in results.values() for category in r.get("support", {}).get("categories", {})})


def support_rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"model": model, "category": category, "score": r.get("support", {}).get("categories", {}).get(category)}
        for model, r in results.items()
        for category in support_categories(results)
    ]


def write_plot(path: Path, rows: list[dict[str, Any]]) -> None:
    with atomic_path(path) as tmp, open(tmp, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["model", "category", "score"])
        writer.writeheader()
        writer.writerows({**row, "score": "" if row["score"] is None else row["score"]} for row in rows)


def read_curves(path: Path | None) -> list[dict[str, float]]:
    if path is None or not path.is_file():
        return []
    with open(path, encoding="utf-8") as handle:
        return [{k: float(v) for k, v in row.items() if v not in ("", None)} for row in csv.DictReader(handle)]


# ---------------------------------------------------------------- HTML


def table_columns(results: dict[str, Any]) -> list[tuple[str, tuple[str, ...]]]:
    """(heading, path into one model's metrics) for every column of the comparison table."""
    columns = [
        (f"MT-Bench {key.replace('_', ' ')}", ("mt_bench", key))
        for key in ("first_turn", "second_turn", "average", "parse_rate")
    ]
    columns += [(f"MT-Bench {c}", ("mt_bench", "categories", c)) for c in CATEGORIES]
    columns += [("support score", ("support", "score"))]
    columns += [(f"support {c}", ("support", "categories", c)) for c in support_categories(results)]
    harness = dict.fromkeys(
        (task, metric) for r in results.values() for task, metrics in r.get("harness", {}).items() for metric in metrics
    )
    columns += [(f"{task} {metric}", ("harness", task, metric)) for task, metric in harness]
    columns += [
        ("preference accuracy", ("preference", "accuracy")),
        ("preference margin", ("preference", "mean_margin")),
    ]
    return columns


def lookup(data: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def cell(value: Any) -> str:
    return "–" if value is None else f"{value:.3f}" if isinstance(value, float) else html.escape(str(value))


def bars_svg(rows: list[dict[str, Any]], top: float, label: str) -> str:
    """Grouped bars from plot rows (model, category, score): one group per category, one bar per model, 0-top."""
    models = list(dict.fromkeys(row["model"] for row in rows))
    categories = list(dict.fromkeys(row["category"] for row in rows))
    scores = {(row["model"], row["category"]): row["score"] for row in rows}
    width, height, left, bottom = 760, 260, 30, 40
    group = (width - left) / max(len(categories), 1)
    bar = (group - 12) / max(len(models), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + 30}" role="img" '
        f'aria-label="{html.escape(label)}">'
    ]
    for tick in range(6):
        value = top * tick / 5
        y = height - bottom - tick * (height - bottom - 10) / 5
        parts.append(
            f'<line x1="{left}" x2="{width}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/><text x="{left - 6}" '
            f'y="{y + 4:.1f}" font-size="10" text-anchor="end">{value:g}</text>'
        )
    for g, category in enumerate(categories):
        x0 = left + g * group + 6
        for m, model in enumerate(models):
            score = scores[model, category]
            if score is None:
                continue
            h = score * (height - bottom - 10) / top
            title = f"<title>{html.escape(model)} {category}: {score:.2f}</title>"
            parts.append(
                f'<rect class="bar" x="{x0 + m * bar:.1f}" y="{height - bottom - h:.1f}" width="{bar - 1:.1f}" '
                f'height="{h:.1f}" fill="{COLORS[m % len(COLORS)]}">{title}</rect>'
            )
        parts.append(
            f'<text x="{x0 + group / 2 - 6:.1f}" y="{height - bottom + 16}" font-size="11" '
            f'text-anchor="middle">{html.escape(category)}</text>'
        )
    parts.append(legend(models, height + 10))
    return "".join(parts) + "</svg>"


def legend(names: list[str], y: int) -> str:
    return "".join(
        f'<rect x="{30 + i * 130}" y="{y}" width="12" height="12" fill="{COLORS[i % len(COLORS)]}"/><text '
        f'x="{46 + i * 130}" y="{y + 10}" font-size="11">{html.escape(name)}</text>'
        for i, name in enumerate(names)
    )


def curves_svg(curves: list[dict[str, float]]) -> str:
    """DPO training curves: one polyline per logged value against the step."""
    names = [k for k in curves[0] if k != "step"] if curves else []
    width, height, left = 760, 240, 40
    steps = [row["step"] for row in curves]
    values = [row[n] for row in curves for n in names if n in row]
    if not steps or not values:
        return "<p>No DPO training curves in this run.</p>"
    low, high = min(values), max(values)
    span, step_span = (high - low) or 1.0, (max(steps) - min(steps)) or 1.0

    def point(step: float, value: float) -> str:
        x = left + (step - min(steps)) / step_span * (width - left - 10)
        return f"{x:.1f},{10 + (high - value) / span * (height - 30):.1f}"

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + 30}" role="img" '
        'aria-label="DPO training curves">'
    ]
    parts.append(
        f'<text x="4" y="14" font-size="10">{high:.2f}</text><text x="4" y="{height - 20}" '
        f'font-size="10">{low:.2f}</text>'
    )
    for i, name in enumerate(names):
        points = " ".join(point(row["step"], row[name]) for row in curves if name in row)
        parts.append(
            f'<polyline class="curve" fill="none" stroke-width="2" stroke="{COLORS[i % len(COLORS)]}" '
            f'points="{points}"/>'
        )
    parts.append(legend(names, height + 8))
    return "".join(parts) + "</svg>"


def interval_rows(results: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(figure, model, {value, low, high, n}) for every headline figure with an interval; MT-Bench's
    only where its judge can judge."""
    rows = [
        (figure, model, ci)
        for model, r in results.items()
        for figure, ci in r.get("intervals", {}).items()
        if ci.get("n") and not (figure.startswith("mt_bench.") and noise_judge(r))
    ]
    figures = list(dict.fromkeys(figure for figure, _, _ in rows))
    return sorted(rows, key=lambda row: figures.index(row[0]))


def intervals_svg(results: dict[str, Any]) -> str:
    """Each headline figure per model as a dot on its 95% bootstrap interval, with n; one scale per figure."""
    rows = interval_rows(results)
    if not rows:
        return "<p>No intervals in these evaluations (evaluated before per-case results were kept).</p>"
    models = list(results)
    width, left, right, line = 760, 250, 200, 18
    figures = list(dict.fromkeys(figure for figure, _, _ in rows))
    height = (len(rows) + len(figures)) * line + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
        'aria-label="headline figures with 95% intervals">'
    ]
    y = 0
    for figure in figures:
        mine = [(model, ci) for f, model, ci in rows if f == figure]
        low = min(ci["low"] for _, ci in mine)
        high = max(ci["high"] for _, ci in mine)
        span = (high - low) or 1.0

        def x(value: float, low: float = low, span: float = span) -> float:
            return left + (value - low) / span * (width - left - right)

        y += line
        parts.append(f'<text x="4" y="{y + 4}" font-size="12" font-weight="bold">{html.escape(figure)}</text>')
        for model, ci in mine:
            y += line
            color = COLORS[models.index(model) % len(COLORS)]
            parts.append(
                f'<text x="16" y="{y + 4}" font-size="11">{html.escape(model)}</text>'
                f'<line class="interval" x1="{x(ci["low"]):.1f}" x2="{x(ci["high"]):.1f}" y1="{y}" y2="{y}" '
                f'stroke="{color}" stroke-width="3"/><circle cx="{x(ci["value"]):.1f}" cy="{y}" r="4" fill="{color}"/>'
                f'<text x="{width - right + 10}" y="{y + 4}" font-size="11">{ci["value"]:.3f} '
                f"[{ci['low']:.3f}, {ci['high']:.3f}] n={ci['n']}</text>"
            )
    return "".join(parts) + "</svg>"


def judge_notes(results: dict[str, Any]) -> str:
    """One line per model whose MT-Bench judge is too small: its scores are not shown."""
    notes = []
    for model, r in results.items():
        judge = noise_judge(r)
        if judge:
            notes.append(
                f'<p class="noise">MT-Bench of {html.escape(model)}: judged by {html.escape(str(judge["model"]))} '
                f"({judge['parameters'] / 1e6:.0f}M parameters). A judge this small does not read the answers it "
                "rates; its scores measure nothing and are not shown. Use a GPT-4-class judge "
                "(docs/evaluation.md).</p>"
            )
    return "\n".join(notes)


def baseline_section(results: dict[str, Any]) -> str:
    """Per model, a table of its support pass rates against the baseline's, case by case."""
    parts = []
    for model, r in results.items():
        versus = r.get("vs_baseline")
        if not versus:
            continue
        rows = [("all cases", versus["support"]["all"])]
        rows += [(f"category {name}", row) for name, row in versus["support"]["categories"].items()]
        rows += [(f"check {name}", row) for name, row in versus["support"]["checks"].items()]

        def rate(ci: dict[str, Any]) -> str:
            return f"{ci['value']:.3f} [{ci['low']:.3f}, {ci['high']:.3f}]"

        body = "".join(
            f"<tr><th>{html.escape(label)}</th><td>{rate(row['baseline'])}</td><td>{rate(row['model'])}</td>"
            f"<td>{row['delta']:+.3f}</td><td>{row['won']}/{row['lost']}</td><td>{row['p']:.4f}</td>"
            f"<td>{row['n']}</td></tr>"
            for label, row in rows
        )
        parts.append(
            f"<h3>{html.escape(model)} against {html.escape(versus['baseline'])}</h3>"
            f'<table class="baseline"><thead><tr><th>support cases</th><th>{html.escape(versus["baseline"])}</th>'
            f"<th>{html.escape(model)}</th><th>delta</th><th>won/lost</th><th>p (exact McNemar)</th><th>n</th></tr>"
            f"</thead><tbody>{body}</tbody></table>"
        )
    if not parts:
        return ""
    return (
        "<h2>Each model against the baseline, case by case</h2>\n<p>Pass rates with 95% bootstrap intervals; "
        "won/lost: cases only the model / only the baseline passes; p: exact McNemar test over those.</p>\n"
        + "\n".join(parts)
    )


def render_html(results: dict[str, Any], curves: list[dict[str, float]]) -> str:
    support = support_rows(results)
    support_section = (
        f"<h2>German support cases by category (share passed)</h2>\n{bars_svg(support, 1.0, 'support cases')}"
        if support
        else ""
    )
    columns = table_columns(results)
    head = "".join(f"<th>{html.escape(title)}</th>" for title, _ in columns)

    def shown(r: dict[str, Any], path: tuple[str, ...]) -> str:
        if path[0] == "mt_bench" and noise_judge(r):
            return '<td class="noise" title="judge too small: measures nothing">n/m</td>'
        return f"<td>{cell(lookup(r, path))}</td>"

    body = "".join(
        f"<tr><th>{html.escape(model)}</th>{''.join(shown(r, path) for _, path in columns)}</tr>"
        for model, r in results.items()
    )
    judged = judged_rows(results)
    mtbench_section = (
        bars_svg(judged, 10.0, "MT-Bench score per category and model")
        if judged
        else "<p>No model has an MT-Bench judge large enough to mean anything.</p>"
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>lingualign evaluation</title>
<style>
body {{ font-family: sans-serif; margin: 24px; color: #222; }}
table {{ border-collapse: collapse; font-size: 13px; }}
th, td {{ border: 1px solid #ccc; padding: 4px 8px; text-align: right; }}
thead th {{ background: #f3f3f3; }} tbody th {{ text-align: left; }}
.scroll {{ overflow-x: auto; }}
.noise {{ color: #999; }}
table.baseline {{ margin-bottom: 12px; }}
</style></head>
<body>
<h1>lingualign evaluation</h1>
<h2>Models side by side</h2>
{judge_notes(results)}
<div class="scroll"><table id="eval"><thead><tr><th>model</th>{head}</tr></thead><tbody>{body}</tbody></table></div>
<h2>Headline figures with 95% bootstrap intervals</h2>
<p>Seeded bootstrap over the cases (n each); intervals that overlap this much are no evidence of a
difference: compare two runs with <code>lingualign diff</code>.</p>
{intervals_svg(results)}
{baseline_section(results)}
<h2>German MT-Bench by category</h2>
{mtbench_section}
{support_section}
<h2>DPO training curves</h2>
{curves_svg(curves)}
</body></html>
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--evals", type=Path, required=True, help="Folder of per-model evaluation JSON")
    parser.add_argument("--curves", type=Path, required=True, help="DPO training curves (CSV)")
    parser.add_argument("--out", type=Path, required=True, help="Every model side by side (JSON metrics)")
    parser.add_argument("--plot", type=Path, required=True, help="MT-Bench per category and model (CSV) for dvc plots")
    parser.add_argument("--support-plot", type=Path, required=True, help="Support cases per category and model (CSV)")
    parser.add_argument("--html", type=Path, required=True, help="The report page")
    parser.add_argument("--replies", type=Path, required=True, help="Folder of per-model support replies (Parquet)")


def main(args: argparse.Namespace) -> None:
    from lingualign.settings import load_settings
    from lingualign.tracking import run_stage

    settings = load_settings(ReportSettings, args.params, PARAMS)

    def work() -> dict[str, Any]:
        results = collect(list(settings.models), args.evals)
        if settings.baseline is not None:
            baseline = read_replies(args.replies, settings.baseline)
            for name in [m for m in settings.models if m != settings.baseline]:
                versus = against_baseline(baseline, read_replies(args.replies, name))
                results[name]["vs_baseline"] = {"baseline": settings.baseline, "support": versus}
        write_plot(args.plot, category_rows(results))
        write_plot(args.support_plot, support_rows(results))
        with atomic_path(args.html) as tmp:
            tmp.write_text(render_html(results, read_curves(args.curves)), encoding="utf-8")
        return results

    run_stage("report", settings, args.out, work)
