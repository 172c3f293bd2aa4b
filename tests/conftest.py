"""Shared fixtures: a throwaway copy of the project as a git + DVC repo, and CLI runners."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def run(cmd: list[str], cwd: Path, check: bool = True, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run a command with the project's virtualenv first on PATH, as the Makefile does."""
    full_env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", **(env or {})}
    result = subprocess.run(cmd, cwd=cwd, env=full_env, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def copy_project(dest: Path) -> Path:
    """Copy the working tree (tracked and untracked-not-ignored files) into a fresh git repo."""
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode().split("\0")
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
