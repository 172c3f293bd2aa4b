"""A team on real servers, started on loopback by the tests: an S3-compatible DVC remote
(``rclone serve s3``), an MLflow tracking server, experiments shared through a bare git remote;
params checked before DVC removes any output; DVC driven by ``make`` without an activated
environment."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from helpers import BIN, ROOT, run, stages_run
from servers import S3_KEY, S3_SECRET, free_port, mlflow_server, s3_server

from lingualign.io import file_md5
from lingualign.warm import without_server


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with s3_server(tmp_path_factory.mktemp("s3") / "root") as url:
        yield url


def use_s3_remote(project: Path, endpoint: str, prefix: str, secret: str = S3_SECRET) -> None:
    """The team set-up of docs/operations.md: the remote in .dvc/config, credentials only in
    .dvc/config.local (git-ignored)."""
    run(["dvc", "remote", "remove", "--local", "test"], cwd=project)  # the project fixture's folder remote
    run(["dvc", "remote", "add", "-f", "-d", "team", f"s3://dvc/{prefix}"], cwd=project)
    run(["dvc", "remote", "modify", "team", "endpointurl", endpoint], cwd=project)
    use_credentials(project, secret)


def use_credentials(project: Path, secret: str = S3_SECRET) -> None:
    run(["dvc", "remote", "modify", "--local", "team", "access_key_id", S3_KEY], cwd=project)
    run(["dvc", "remote", "modify", "--local", "team", "secret_access_key", secret], cwd=project)


def only_stages(project: Path, *names: str) -> None:
    """The pipeline cut down to the stages a test runs, and no dvc.lock yet: a project whose every
    stage has run (DVC's checkout, in ``pull`` and ``exp apply``, fails on outputs never built)."""
    pipeline = yaml.safe_load((project / "dvc.yaml").read_text())
    pipeline["stages"] = {name: stage for name, stage in pipeline["stages"].items() if name in names}
    pipeline.pop("plots", None)
    (project / "dvc.yaml").write_text(yaml.safe_dump(pipeline, sort_keys=False))
    (project / "dvc.lock").unlink()
    commit(project, f"only {', '.join(names)}")


def commit(project: Path, message: str) -> None:
    run(["git", "add", "-A"], cwd=project)
    run(["git", "commit", "-q", "-m", message], cwd=project)


def nothing_to_reproduce(project: Path) -> bool:
    """``dvc status`` lists nothing: every output matches the lock."""
    return json.loads(run(["dvc", "status", "--json"], cwd=project).stdout) == {}


def cache_listing(project: Path) -> list[str]:
    cache = project / ".dvc" / "cache"
    return sorted(str(p.relative_to(cache)) for p in cache.rglob("*")) if cache.is_dir() else []


def tiny_translate_params(project: Path, tiny_lm: Path) -> None:
    params = yaml.safe_load((project / "params.yaml").read_text())
    for source, limit in zip(params["ingest"]["sources"], (8, 4, 4, 12), strict=True):
        source["limit"] = limit
    params["models"]["sources"] = {"tiny": {"path": str(tiny_lm)}}
    params["translate"]["max_new_tokens"] = 3
    params["translate"]["engine"].update({"model": "models/sources/tiny", "batch_size": 8})
    (project / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))


def test_check_lists_every_problem_of_every_section_in_one_pass(tmp_path: Path) -> None:
    params = yaml.safe_load((ROOT / "params.yaml").read_text())
    params["translate"]["engine"]["batchsize"] = 8
    params["pairs"]["margin_min"] = "many"
    params["scroe"] = {}
    bad = tmp_path / "params.yaml"
    bad.write_text(yaml.safe_dump(params, sort_keys=False))
    result = run(["lingualign", "check", "--params", str(bad)], cwd=ROOT, check=False)
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    for problem in (
        "unknown section 'scroe'",
        "translate.engine.batchsize: unknown key",
        "pairs.margin_min: Input should be a valid number (got 'many')",
    ):
        assert problem in result.stderr
    good = run(["lingualign", "check", "--profile", "gpu"], cwd=ROOT)
    assert "with profile 'gpu': every section validates" in good.stdout


def test_check_stage_owns_the_whole_params_file_and_every_stage_waits_for_it() -> None:
    from dvc.repo import Repo

    with Repo(str(ROOT)) as repo:
        stages = list(repo.index.stages)
    check = next(stage for stage in stages if stage.name == "check")
    assert [(dep.def_path, dep.params) for dep in check.deps if type(dep).__name__ == "ParamsDependency"] == [
        ("params.yaml", [])
    ]
    waiting = {stage.name for stage in stages if any(dep.def_path == "data/check.json" for dep in stage.deps)}
    assert waiting == {stage.name for stage in stages} - {"check"}


@pytest.mark.slow
def test_a_params_typo_stops_repro_at_check_with_every_output_in_place(project: Path) -> None:
    run(["dvc", "repro", "ingest"], cwd=project)
    kept = {path: file_md5(project / path) for path in ("data/normalized.parquet", "metrics/ingest.json")}
    good = (project / "params.yaml").read_text()
    (project / "params.yaml").write_text(good.replace("batch_rows:", "batchrows:", 1))
    failed = run(["dvc", "repro", "ingest"], cwd=project, check=False)
    assert failed.returncode != 0 and "failed to reproduce 'check'" in failed.stderr
    assert "ingest.batchrows: unknown key" in failed.stderr
    assert {path: file_md5(project / path) for path in kept} == kept  # nothing removed, nothing rewritten
    # Fixed again: the params are as check last validated them, so nothing reruns.
    (project / "params.yaml").write_text(good)
    assert stages_run(run(["dvc", "repro", "ingest"], cwd=project).stdout) == []


def without_venv() -> dict[str, str]:
    """PATH without the project's environment, as in a shell where it was never activated."""
    path = without_server(os.environ)["PATH"]
    return {"PATH": os.pathsep.join(p for p in path.split(os.pathsep) if Path(p).resolve() != BIN.resolve())}


def make(
    project: Path, *args: str, check: bool = True, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    venv = BIN.parent
    # -o: the environment is set up already; do not reinstall it for this copy of the project.
    command = ["make", "--no-print-directory", "-o", f"{venv}/.installed-stamp", f"VENV={venv}", *args]
    environment = {**os.environ, **without_venv(), **(env or {})}
    result = subprocess.run(command, cwd=project, env=environment, capture_output=True, text=True)
    if check and result.returncode:
        raise AssertionError(f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


@pytest.mark.slow
def test_make_targets_run_dvc_without_an_activated_environment(project: Path) -> None:
    bare = subprocess.run(
        [str(BIN / "dvc"), "repro", "ingest"], cwd=project, env={**os.environ, **without_venv()}, capture_output=True
    )
    # bash says "command not found", dash (DVC's shell when $SHELL is unset) says "not found"; both exit 127.
    said = bare.stderr + bare.stdout
    assert bare.returncode != 0 and b"lingualign" in said and b"not found" in said and b"exited with 127" in said
    done = make(project, "repro", "ARGS=ingest")
    assert "Running stage 'ingest'" in done.stdout and (project / "data" / "normalized.parquet").is_file()
    assert "Stage 'ingest' didn't change, skipping" in make(project, "repro", "ARGS=--dry ingest").stdout


@pytest.mark.slow
def test_s3_remote_push_pull_into_a_fresh_clone_and_wrong_credentials(
    project: Path, tiny_lm: Path, s3: str, tmp_path: Path
) -> None:
    only_stages(project, "check", "models", "ingest", "translate")
    tiny_translate_params(project, tiny_lm)
    run(["dvc", "repro", "translate"], cwd=project)
    use_s3_remote(project, s3, "push-pull")
    commit(project, "translated")
    assert "secret" not in (project / ".dvc" / "config").read_text()  # credentials stay out of git
    pushed = run(["dvc", "push", "--run-cache"], cwd=project)
    assert "pushed" in pushed.stdout

    clone = tmp_path / "clone"
    run(["git", "clone", "-q", str(project), str(clone)], cwd=tmp_path)
    use_credentials(clone)
    run(["dvc", "pull", "--run-cache"], cwd=clone)
    assert nothing_to_reproduce(clone)
    for path in ("data/normalized.parquet", "data/translated.parquet", "models/sources/tiny/model.safetensors"):
        assert file_md5(clone / path) == file_md5(project / path)
    journal_free = sorted(p.name for p in (clone / "cache" / "translate").iterdir())
    assert journal_free == sorted(p.name for p in (project / "cache" / "translate").iterdir())
    assert any((clone / ".dvc" / "cache" / "runs").rglob("*")), "the run cache came along"

    wrong = tmp_path / "wrong"
    run(["git", "clone", "-q", str(project), str(wrong)], cwd=tmp_path)
    use_credentials(wrong, secret="not-the-secret")
    started = time.monotonic()
    refused = run(["dvc", "pull"], cwd=wrong, check=False)
    assert refused.returncode != 0 and time.monotonic() - started < 120
    assert "failed to connect to s3 (dvc/push-pull/files/md5) - Forbidden" in refused.stderr
    assert cache_listing(wrong) == [] and not (wrong / "data" / "translated.parquet").exists()
    use_credentials(project, secret="not-the-secret")
    before = cache_listing(project)
    assert run(["dvc", "push", "--run-cache"], cwd=project, check=False).returncode != 0
    assert cache_listing(project) == before


@pytest.mark.slow
def test_wrong_or_missing_s3_credentials_are_one_line_naming_the_remote_and_the_keys(project: Path, s3: str) -> None:
    use_s3_remote(project, s3, "credentials", secret="not-the-secret")
    for args in ("pull", "push"), ("pull", "ARGS=--run-cache"), ("push", "ARGS=--run-cache"):
        refused = make(project, *args, check=False)
        assert refused.returncode != 0 and len(refused.stderr.strip().splitlines()) == 2  # ours, then make's
        line = refused.stderr.splitlines()[0]
        assert line.startswith(f"lingualign remote: error: DVC remote 'team' (s3://dvc/credentials at {s3}): ")
        assert "Forbidden" in line and "check access_key_id and secret_access_key in .dvc/config.local" in line
    (project / ".dvc" / "config.local").unlink()
    missing = make(project, "pull", "ARGS=--run-cache", check=False)
    assert "Unable to locate credentials; check access_key_id and secret_access_key" in missing.stderr
    use_credentials(project)
    assert "reachable with this clone's credentials" in run(["lingualign", "remote"], cwd=project).stdout


@pytest.mark.slow
def test_a_fresh_clone_of_a_later_commit_pulls_clean_and_reproduces_nothing(
    project: Path, s3: str, tmp_path: Path
) -> None:
    """No output depends on the commit that made it: a clone of a later commit checks out exactly
    what dvc.lock records, and ``dvc repro`` there reruns nothing."""
    origin = tmp_path / "origin.git"
    run(["git", "init", "-q", "--bare", "-b", "main", str(origin)], cwd=tmp_path)
    only_stages(project, "check", "ingest")
    use_s3_remote(project, s3, "fresh-clone")
    run(["dvc", "repro", "ingest"], cwd=project)
    commit(project, "ingested")
    (project / "NOTES.md").write_text("A commit that changes nothing DVC tracks.\n")
    commit(project, "notes")
    run(["git", "remote", "add", "origin", str(origin)], cwd=project)
    run(["git", "push", "-q", "origin", "main"], cwd=project)
    run(["dvc", "push"], cwd=project)

    clone = tmp_path / "clone"
    run(["git", "clone", "-q", str(origin), str(clone)], cwd=tmp_path)
    use_credentials(clone)
    run(["dvc", "pull"], cwd=clone)
    assert nothing_to_reproduce(clone)
    assert stages_run(run(["dvc", "repro"], cwd=clone).stdout) == []
    assert run(["git", "status", "--porcelain"], cwd=clone).stdout == ""  # dvc.lock and check.json as committed
    for path in ("data/normalized.parquet", "metrics/ingest.json", "data/check.json"):
        assert file_md5(clone / path) == file_md5(project / path)


@pytest.mark.slow
def test_an_experiment_is_shared_through_git_and_s3_and_applied_without_recomputing(
    project: Path, s3: str, tmp_path: Path
) -> None:
    origin = tmp_path / "origin.git"
    run(["git", "init", "-q", "--bare", "-b", "main", str(origin)], cwd=tmp_path)
    only_stages(project, "check", "ingest")
    use_s3_remote(project, s3, "experiments")
    run(["dvc", "repro", "ingest"], cwd=project)
    commit(project, "baseline")
    run(["git", "remote", "add", "origin", str(origin)], cwd=project)
    run(["git", "push", "-q", "origin", "main"], cwd=project)
    run(["dvc", "push"], cwd=project)
    run(["dvc", "exp", "run", "-n", "narrow", "-S", "ingest.sources.0.limit=20", "ingest"], cwd=project)
    ran = json.loads((project / "metrics" / "ingest.json").read_text())
    assert ran["datasets"]["orca"]["records"] == 20
    narrow_data = file_md5(project / "data" / "normalized.parquet")
    run(["dvc", "exp", "push", "origin", "narrow"], cwd=project)

    laptop = tmp_path / "laptop"
    run(["git", "clone", "-q", str(origin), str(laptop)], cwd=tmp_path)
    use_credentials(laptop)
    run(["dvc", "exp", "pull", "origin", "narrow"], cwd=laptop)
    assert "narrow" in run(["dvc", "exp", "show", "--no-pager", "--csv"], cwd=laptop).stdout
    run(["dvc", "exp", "apply", "narrow"], cwd=laptop)
    run(["dvc", "pull"], cwd=laptop)
    assert json.loads((laptop / "metrics" / "ingest.json").read_text()) == ran
    assert file_md5(laptop / "data" / "normalized.parquet") == narrow_data
    assert nothing_to_reproduce(laptop)
    lineage = run(["lingualign", "lineage", "metrics/ingest.json", "datasets.orca.records"], cwd=laptop).stdout
    assert "datasets.orca.records = 20" in lineage and "(DVC experiment 'narrow')" in lineage


@pytest.mark.slow
def test_two_clones_track_into_one_mlflow_server(project: Path, tmp_path: Path) -> None:
    from mlflow import MlflowClient

    only_stages(project, "check", "ingest")
    second = tmp_path / "second"
    run(["git", "clone", "-q", str(project), str(second)], cwd=tmp_path)
    with mlflow_server(tmp_path / "mlflow") as url:
        env = {"MLFLOW_TRACKING_URI": url}
        run(["dvc", "repro", "ingest"], cwd=project, env=env)
        run(["dvc", "exp", "run", "-n", "wide", "-S", "ingest.sources.0.limit=20", "ingest"], cwd=second, env=env)
        client = MlflowClient(url)
        experiment = client.get_experiment_by_name("lingualign")
        runs = client.search_runs([experiment.experiment_id], filter_string="tags.`lingualign.stage` = 'ingest'")
        assert len(runs) == 2
        parents = {client.get_run(r.data.tags["mlflow.parentRunId"]).info.run_name: r for r in runs}
        assert set(parents) == {f"pipeline@{run(['git', 'rev-parse', 'HEAD'], cwd=project).stdout[:8]}", "wide"}
        wide = parents["wide"]
        assert wide.data.params["sources.0.limit"] == "20" and wide.data.tags["lingualign.dvc_exp_name"] == "wide"
        local = next(r for r in runs if r is not wide)
        for tracked, clone, records in ((wide, second, 20), (local, project, 40)):
            assert tracked.data.metrics["datasets.orca.records"] == records
            commit_there = run(["git", "rev-parse", "HEAD"], cwd=clone).stdout.strip()
            assert tracked.data.tags["lingualign.git_commit"] == commit_there
            stored = client.download_artifacts(tracked.info.run_id, "params.json", str(tmp_path / tracked.info.run_id))
            assert json.loads(Path(stored).read_text())["sources"][0]["limit"] == records
        lineage = run(["lingualign", "lineage", "metrics/ingest.json", "datasets.orca.records"], cwd=project, env=env)
        assert f"MLflow run {local.info.run_id}" in lineage.stdout

    down = {"MLFLOW_TRACKING_URI": f"http://127.0.0.1:{free_port()}"}
    kept = file_md5(project / "data" / "normalized.parquet")
    started = time.monotonic()
    refused = make(project, "repro", "ARGS=-f ingest", check=False, env=down)
    assert refused.returncode != 0 and time.monotonic() - started < 60
    assert "the tracking server does not answer" in refused.stderr
    assert file_md5(project / "data" / "normalized.parquet") == kept  # stopped before DVC removed anything
    ingest = ["lingualign", "ingest", "--out", str(tmp_path / "n.parquet"), "--metrics", str(tmp_path / "m.json")]
    direct = run(ingest, cwd=project, env=down, check=False)
    assert direct.returncode == 2 and "the tracking server does not answer" in direct.stderr
    assert not (tmp_path / "n.parquet").exists()  # it stops before any work, not after


def team_walkthrough() -> list[str]:
    """The bash blocks of docs/operations.md's team walk-through, in order."""
    text = (ROOT / "docs" / "operations.md").read_text()
    section = text.split("## A team on real servers", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.*?)```", section, flags=re.DOTALL)


@pytest.mark.slow
def test_the_team_walkthrough_of_the_docs_runs_as_written(project: Path, tmp_path: Path) -> None:
    """docs/operations.md's own code blocks in one shell, on the pipeline cut to check and ingest:
    only the ports, the experiment's param, the metric looked up and ``make setup`` are swapped."""
    only_stages(project, "check", "ingest")
    run(["dvc", "remote", "remove", "--local", "test"], cwd=project)  # the project fixture's folder remote
    (project / ".venv").symlink_to(BIN.parent)
    home = tmp_path / "home"
    home.mkdir()
    swaps = {
        "9000": str(free_port()),
        "5000": str(free_port()),
        "dpo.trainer.beta=0.3": "ingest.sources.0.limit=20",
        "metrics/eval.json dpo.mt_bench.average": "metrics/ingest.json datasets.orca.records",
        "&& make setup": f"&& ln -s {BIN.parent} .venv",  # the environment is installed already
    }
    script = "\n".join(team_walkthrough())
    for old, new in swaps.items():
        assert old in script
        script = script.replace(old, new)
    make_without_reinstalling = 'make() { command make --no-print-directory -o .venv/.installed-stamp "$@"; }'
    env = {**os.environ, **without_venv(), "HOME": str(home)}
    env.update({f"GIT_{who}_{what}": "t" for who in ("AUTHOR", "COMMITTER") for what in ("NAME", "EMAIL")})
    env.pop("MLFLOW_TRACKING_URI")
    log = tmp_path / "walkthrough.log"
    with log.open("w") as out:
        shell = subprocess.Popen(
            ["bash", "-c", f"set -e\n{make_without_reinstalling}\n{script}"],
            cwd=project,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # the servers it starts in the background share its process group
        )
        try:
            shell.wait(timeout=900)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(shell.pid, signal.SIGTERM)
    output = log.read_text()
    assert shell.returncode == 0, output[-4000:]
    failed = [line for line in output.splitlines() if line.startswith(("ERROR", "make: ***"))]
    assert not failed, failed  # a command before `&&` fails without stopping `set -e`
    assert "Data and pipelines are up to date." in output  # the laptop's dvc status
    assert "beta03" in output and "datasets.orca.records = 20" in output
    assert "(DVC experiment 'beta03')" in output
