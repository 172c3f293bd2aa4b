"""Every script in benchmarks/ runs: each with its smallest arguments, on the tiny model where it
takes one. What the figures are is docs/benchmarks.md's business; here only that the command it
names still works. Scripts that need a project the pipeline has run, a GPU or vLLM's environment
are checked to the point of parsing their arguments (every import they make at module level)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT, tool_env

BENCHMARKS = ROOT / "benchmarks"


def bench(script: str, *args: str, cwd: Path = ROOT, timeout: int = 300) -> str:
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *args],
        cwd=cwd,
        env=tool_env({"PYTHONPATH": str(ROOT / "src")}),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, f"{script} {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def test_cache_bench() -> None:
    assert "lookups" in bench("cache_bench.py", "--entries", "2000", "--segments", "2", "--lookups", "200")


def test_decode_step_bench(tiny_lm: Path) -> None:
    assert "ms/step" in bench("decode_step_bench.py", "--model", str(tiny_lm), "--batches", "1", "--cached", "4")


def test_forward_flops_bench(tiny_lm: Path) -> None:
    assert "GFLOP/s" in bench("forward_flops_bench.py", "--model", str(tiny_lm), "--shapes", "2x8")


def test_translate_stage_bench() -> None:
    assert "cached rerun" in bench("translate_stage_bench.py", "--records", "20", "--scale", "2")


def test_scale_bench_runs_every_data_stage_a_cached_rerun_and_a_kill() -> None:
    printed = bench("scale_bench.py", "300K", "--rerun", "--kill")
    for stage in ("ingest", "translate", "generate", "score", "pairs", "translate cached", "translate resumed"):
        assert f"{stage}:" in printed
    assert "resumed output equals the uninterrupted run's" in printed


@pytest.mark.slow
def test_pipeline_bench_runs_a_stage_cold_and_warm_in_fresh_clones() -> None:
    printed = bench("pipeline_bench.py", "--compare", "ingest")
    assert re.search(r"^ingest +\d+\.\d +\d+\.\d$", printed, re.M)
    assert re.search(r"^total +\d+\.\d +\d+\.\d$", printed, re.M)
    assert re.search(r"^warm saves -?\d+\.\d s \(-?\d+%\) of \d+\.\d s$", printed, re.M)


@pytest.mark.slow
def test_gguf_load_bench() -> None:
    bench("gguf_load_bench.py")


@pytest.mark.parametrize(
    "script",
    [
        "dpo_step_bench.py",  # a project the pipeline has run
        "mtbench_answers_bench.py",
        "translate_bench.py",
        "support_sft_bench.py",
        "gpu_throughput.py",  # a GPU (or, --shape tiny, vLLM's environment)
        "vllm_pipeline_bench.py",  # .venv-vllm
    ],
)
def test_the_other_benchmarks_parse_their_arguments(script: str) -> None:
    assert "usage:" in bench(script, "--help")


def test_every_benchmark_is_smoke_tested_here() -> None:
    """Every script, that is; the plug-ins a script registers (instant_engine.py) run under it."""
    source = Path(__file__).read_text(encoding="utf-8")
    scripts = [path for path in sorted(BENCHMARKS.glob("*.py")) if "__main__" in path.read_text(encoding="utf-8")]
    assert [path.name for path in scripts if f'"{path.name}"' not in source] == []
