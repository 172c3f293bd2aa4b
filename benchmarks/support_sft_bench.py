"""What SFT on the German tickets changes on the support cases, per category, against the base model.

Runs the stages' own functions on the ``support_tickets`` source alone, with params.yaml's sections:
ingest (scrubbed), translate (every row native: no engine), the ratings as scores, the pairs' SFT
set, sft, then the support cases of evaluate for the base model and the fine-tune. Nothing else of
the pipeline runs (no MT-Bench, no judge, no harness), so it takes minutes on the CPU default.
Prints, as JSON, the fine-tune against the base as the report tests it: all cases, per category and
per check, both pass rates with intervals, cases won and lost, and the exact McNemar p.

    python benchmarks/support_sft_bench.py [--work DIR] [--epochs N]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import pyarrow as pa

from lingualign.contracts import NORMALIZED, SFT, TRANSLATED
from lingualign.ingest import IngestSettings, ingest
from lingualign.io import read_parquet, write_parquet
from lingualign.pairs import PairsSettings, build_pairs
from lingualign.report import against_baseline
from lingualign.settings import load_settings, parse_settings, read_params
from lingualign.sft import SFTSettings, train_sft
from lingualign.translate import TranslateSettings, Translator, translate_table

DATASET = "support_tickets"


def sft_set(params: Path, work: Path) -> Path:
    """The SFT rows the pipeline would make from the German tickets alone (no engine runs)."""
    from lingualign.cache import ResultCache

    raw = read_params(params)
    ingest_raw = raw["ingest"] | {"sources": [s for s in raw["ingest"]["sources"] if s["name"] == DATASET]}
    ingest(parse_settings(IngestSettings, ingest_raw, f"{params}: ingest"), work / "normalized.parquet")
    table = read_parquet(work / "normalized.parquet", NORMALIZED, "normalized data")
    translate = load_settings(TranslateSettings, params, ("translate",))
    if set(table.column("language").to_pylist()) != {translate.target_code}:
        raise SystemExit(f"{DATASET}: rows outside {translate.target_code}; this bench runs no translation engine")
    with ResultCache(work / "cache", {}) as chunks, ResultCache(work / "cache", {"texts": 1}) as texts:
        translated, _ = translate_table(table, translate, Translator(None, chunks, texts, translate))
    rows = pa.Table.from_pylist(translated.to_pylist(), TRANSLATED).to_pylist()
    scored = [row | {"score": row["rating"]} for row in rows]  # score.scorer's ratings scorer: the csat
    pairing = build_pairs(scored, load_settings(PairsSettings, params, ("pairs",)))
    write_parquet(work / "sft.parquet", pa.Table.from_pylist(pairing.sft, SFT), SFT)
    return work / "sft.parquet"


def support(checkpoint: str, params: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The support cases as evaluate runs them: through ``evaluate.engine``, for ``checkpoint``."""
    from lingualign.engines import build, for_model
    from lingualign.evaluate import EvaluateSettings
    from lingualign.evaluate.support import read_cases, run_support

    settings = load_settings(EvaluateSettings, params, ("evaluate",))
    engine = build(for_model(settings.engine, checkpoint), f"{params}: evaluate.engine")
    return run_support(engine, read_cases(Path(settings.support.cases)), settings.support)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--params", type=Path, default=Path("params.yaml"))
    parser.add_argument("--work", type=Path, default=None, help="Keep the fine-tune here (default: a temp folder)")
    parser.add_argument("--epochs", type=float, default=None, help="Override sft.trainer.num_train_epochs")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="support-sft-"))
    work.mkdir(parents=True, exist_ok=True)
    sft = load_settings(SFTSettings, args.params, ("sft",))
    if args.epochs is not None:
        sft = sft.model_copy(update={"trainer": sft.trainer | {"num_train_epochs": args.epochs}})
    started = time.perf_counter()
    source = sft_set(args.params, work)
    trained = train_sft(sft, DATASET, source, work / "sft", work / "checkpoints")
    seconds = {"sft_set_and_training": round(time.perf_counter() - started, 1)}
    results = {}
    for name, checkpoint in (("base", sft.base_model), ("sft_support_tickets", str(work / "sft"))):
        started = time.perf_counter()
        results[name] = support(checkpoint, args.params)
        seconds[f"support_{name}"] = round(time.perf_counter() - started, 1)
    (base, base_rows), (tuned, tuned_rows) = results["base"], results["sft_support_tickets"]
    versus = against_baseline({r["id"]: r for r in base_rows}, {r["id"]: r for r in tuned_rows})
    summary = {"sft": {key: trained[key] for key in ("examples", "steps", "train_loss") if key in trained}}
    summary |= {"passed": {"base": base["passed"], "sft": tuned["passed"], "cases": base["cases"]}}
    print(json.dumps(summary | {"against_base": versus, "seconds": seconds}, indent=1))


if __name__ == "__main__":
    main()
