"""MLflow tracking: one run per stage, nested under one parent run per pipeline execution.

DVC starts every stage as its own process, so the parent run is found again by a key rather
than held open: the git commit, the params.yaml hash and the DVC experiment name. Stages of
one ``dvc repro`` (or ``dvc exp run``) share them and land under one parent; set
``LINGUALIGN_PARENT_RUN_ID`` to group runs under a parent of your own.

The store defaults to a SQLite file at the project root (absolute URI), also for queued and
``--temp`` experiments, which DVC runs in copies under ``.dvc/tmp/exps/``; ``MLFLOW_TRACKING_URI``
points at a tracking server instead. A DVC experiment's name is its pipeline run's name. Metrics
JSON in ``metrics/`` stays the source of truth for ``dvc metrics diff``; MLflow holds the same
numbers plus the lineage tags.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import posixpath
import re
import subprocess
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

PIPELINE_KEY_TAG = "lingualign.pipeline_key"
STAGE_TAG = "lingualign.stage"
OUTPUT_TAG_PREFIX = "lingualign.output."  # + metrics path -> md5 of what the run wrote there
EXPERIMENT = "lingualign"


def project_root() -> Path:
    """The workspace a stage runs in (its params.yaml, dvc.lock): DVC starts every stage there,
    in a temporary copy for queued and ``--temp`` experiments."""
    return Path(os.environ.get("LINGUALIGN_ROOT") or Path.cwd()).resolve()


def store_root() -> Path:
    """Where the MLflow store lives: the project itself. For experiments DVC points ``DVC_ROOT``
    at the project, not at the temporary copy it deletes when the experiment ends."""
    return Path(os.environ.get("LINGUALIGN_ROOT") or os.environ.get("DVC_ROOT") or Path.cwd()).resolve()


def tracking_uri() -> str:
    return os.environ.get("MLFLOW_TRACKING_URI") or f"sqlite:///{store_root() / 'mlflow.db'}"


PROBE_TIMEOUT_S = 10.0


def require_tracking_server(uri: str) -> None:
    """Fail at once, in one line, when a tracking server does not answer: before a stage does any
    work (MLflow's own client would retry for minutes, then fail after the work was done)."""
    import httpx

    from lingualign.errors import LingualignError

    if not uri.startswith(("http://", "https://")):
        return
    try:
        status = httpx.get(f"{uri.rstrip('/')}/health", timeout=PROBE_TIMEOUT_S).status_code
    except httpx.HTTPError as exc:
        problem = type(exc).__name__
    else:
        if status == 200:
            return
        problem = f"HTTP {status} from /health"
    raise LingualignError(
        f"MLFLOW_TRACKING_URI={uri}: the tracking server does not answer ({problem}); start it, "
        "or unset MLFLOW_TRACKING_URI to track into the project's mlflow.db"
    )


_REFUSED = re.compile(r"[^\w.\- :/]")  # MLflow's key rule (mlflow/utils/validation.py)
MAX_KEY = 250


def mlflow_key(key: str) -> str:
    """``key`` as MLflow takes it: a character it refuses escaped by its code (``<`` -> ``_3c_``),
    slashes escaped where they would make a path MLflow rewrites, at most 250 characters."""
    safe = _REFUSED.sub(lambda match: f"_{ord(match.group()):x}_", key)
    if posixpath.normpath(safe) != safe:
        safe = safe.replace("/", "_2f_")
    if len(safe) > MAX_KEY:
        safe = f"{safe[: MAX_KEY - 33]}.{hashlib.md5(safe.encode()).hexdigest()}"
    return safe


def flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"a": {"b": 1}, "c": [2]}`` -> ``{"a.b": 1, "c.0": 2}``: MLflow keys are flat."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{name}."))
        elif isinstance(value, list | tuple) and value:
            flat.update(flatten(dict(enumerate(value)), f"{name}."))  # type: ignore[arg-type]
        else:
            flat[name] = value
    return flat


def is_main_process() -> bool:
    """False in the other processes of a multi-process launch (``accelerate launch``,
    ``torchrun``, which set ``RANK``): they train their shard and leave logging and outputs to rank 0."""
    return int(os.environ.get("RANK", "0")) == 0


def git_commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True)
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def content_hash(path: Path) -> str:
    """DVC's hash of a file or a folder (``<md5>.dir``), as ``dvc.lock`` records it, so a user
    can look a run's inputs up there (and in the DVC cache); ``missing`` where there is none."""
    from lingualign.io import file_md5

    if path.is_file():
        return file_md5(path)
    if path.is_dir():
        from dvc_data.hashfile.hash_info import HashInfo
        from dvc_data.hashfile.meta import Meta
        from dvc_data.hashfile.tree import Tree

        tree = Tree()
        for child in sorted(p for p in path.rglob("*") if p.is_file()):
            tree.add(child.relative_to(path).parts, Meta(size=child.stat().st_size), HashInfo("md5", file_md5(child)))
        tree.digest()
        return str(tree.hash_info.value)
    return "missing"


CODE = "src/"  # deps under it are the project's code, which the commit tag names


def stage_inputs(stage: str) -> list[Path]:
    """What ``stage`` reads: its deps in dvc.yaml, resolved as DVC resolves them (``foreach``,
    ``${...}``), less the project's code; none outside a DVC project or for a stage it lacks."""
    from lingualign.upstream import dvc_stage_definition

    definition = dvc_stage_definition(project_root(), stage) or {}
    deps = [next(iter(dep)) if isinstance(dep, Mapping) else dep for dep in definition.get("deps", [])]
    return [Path(dep) for dep in deps if not dep.startswith(CODE)]


def lineage_tags(stage: str) -> dict[str, str]:
    """Commit, DVC experiment, params hash and the hash of every input of ``stage`` (dvc.yaml's deps)."""
    tags = {
        "lingualign.git_commit": git_commit(),
        "lingualign.dvc_exp_name": os.environ.get("DVC_EXP_NAME", ""),
    }
    params = project_root() / "params.yaml"
    tags["lingualign.params_md5"] = content_hash(params)
    for path in stage_inputs(stage):
        tags[f"lingualign.input.{path.as_posix()}"] = content_hash(project_root() / path)
    return tags


def recorded_stages(lock: Path) -> dict[str, Any]:
    """The stages ``dvc.lock`` records ({} without one), parsed once per version of the file."""
    if not lock.is_file():
        return {}
    return _parsed_lock(lock, lock.stat().st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _parsed_lock(lock: Path, mtime_ns: int) -> dict[str, Any]:
    import yaml

    # The C loader: a team's dvc.lock runs to thousands of lines and engines ask for it per stage.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return (yaml.load(lock.read_text(encoding="utf-8"), Loader=loader) or {}).get("stages", {})


def dvc_hash(path: Path) -> str:
    """The hash DVC recorded for an output in ``dvc.lock`` (what ``dvc pull`` fetches), or ``untracked``."""
    lock = project_root() / "dvc.lock"
    if not lock.is_file():
        return "untracked"
    wanted = Path(path).as_posix().rstrip("/")
    for stage in recorded_stages(lock).values():
        for out in stage.get("outs", []):
            if out["path"].rstrip("/") == wanted:
                return str(out.get("md5") or out.get("hash") or "untracked")
    return "untracked"


class StageRun:
    """The handle a stage logs through while its MLflow run is open."""

    def __init__(self, mlflow: Any):
        self._mlflow = mlflow

    def log_metrics(self, metrics: Mapping[str, Any]) -> None:
        numeric = {
            mlflow_key(key): float(value)
            for key, value in flatten(metrics).items()
            if isinstance(value, int | float) and not isinstance(value, bool)
        }
        self._mlflow.log_metrics(numeric)

    def log_artifact(self, path: str | os.PathLike[str]) -> None:
        self._mlflow.log_artifact(str(path))

    def tag_output(self, path: str | os.PathLike[str]) -> None:
        """Tag the run with the md5 of a file it wrote: ``lingualign lineage`` finds it by that."""
        from lingualign.io import file_md5

        self._mlflow.set_tag(mlflow_key(f"{OUTPUT_TAG_PREFIX}{Path(path).as_posix()}"), file_md5(path))


# MLflow's own retry settings, where the environment leaves them unset: a tracking server that
# stops answering costs one bounded wait (docs/operations.md), not MLflow's default minutes per call.
MLFLOW_WAIT = {
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "5",
    "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "2",
    "MLFLOW_HTTP_REQUEST_TIMEOUT": "10",
    "MLFLOW_ASYNC_LOGGING_BUFFERING_SECONDS": "5",  # trainer logs go in one batch per interval, not per step
}


@contextlib.contextmanager
def stage_run(stage: str, params: Mapping[str, Any], tags: Mapping[str, str] | None = None) -> Iterator[StageRun]:
    """Open the stage's MLflow run under the pipeline's parent run; log params and lineage.
    ``stage`` is the stage's name in dvc.yaml (``sft@orca``): its deps there are the inputs hashed.

    A server that stops answering while the stage runs (after MLflow's bounded retries) ends the
    stage with one line; the run it could not close is closed as failed by the next stage that
    reaches the server.
    """
    import mlflow

    from lingualign.errors import LingualignError

    uri = tracking_uri()
    require_tracking_server(uri)
    for key, value in MLFLOW_WAIT.items():
        os.environ.setdefault(key, value)
    retries = os.environ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"]
    mlflow.set_tracking_uri(uri)
    lost = TrackingLost()
    async_log = logging.getLogger("mlflow.utils.async_logging.async_logging_queue")
    async_log.addFilter(lost)
    try:
        close_abandoned_runs(mlflow.MlflowClient(), uri)
        experiment = _experiment(mlflow, os.environ.get("MLFLOW_EXPERIMENT_NAME", EXPERIMENT))
        lineage = lineage_tags(stage)
        parent = _parent_run_id(mlflow, experiment.experiment_id, lineage)
        all_tags = {mlflow_key(key): value for key, value in {**lineage, **(tags or {}), STAGE_TAG: stage}.items()}
        with closed_run(mlflow, uri, run_name=stage, parent_run_id=parent, tags=all_tags):
            # Params as flat keys to filter and compare by, and whole (user-written keys as they are).
            mlflow.log_params({mlflow_key(key): _param_value(v) for key, v in flatten(params).items()})
            mlflow.log_dict(dict(params), "params.json")
            yield StageRun(mlflow)
    except mlflow.exceptions.MlflowException as exc:
        if not unreachable(exc):
            raise
        raise LingualignError(
            f"MLFLOW_TRACKING_URI={uri}: the tracking server stopped answering during stage '{stage}' "
            f"(MLflow retried {retries} times); its outputs are not "
            "recorded: run it again once the server answers (its MLflow run is then closed as failed)"
        ) from None
    finally:
        async_log.removeFilter(lost)


class TrackingLost(logging.Filter):
    """The trainer logs asynchronously: MLflow's logging thread reports each batch it could not
    send (after the bounded retries) in a line of its own. The first such line stands for all: from
    then on every MLflow call fails at once (the stage then ends in one line) and later ones are
    dropped."""

    def __init__(self) -> None:
        super().__init__()
        self.seen = False

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "Failed to log run data" not in message or "Max retries exceeded" not in message:
            return True  # not the server gone: a batch it refused is reported as MLflow reports it
        first, self.seen = not self.seen, True
        os.environ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] = "0"
        return first


@contextlib.contextmanager
def closed_run(mlflow: Any, uri: str, **start: Any) -> Iterator[Any]:
    """``mlflow.start_run(**start)``, closed whatever happens: finished, failed, or, where the server
    no longer answers, noted for a later stage to close (``abandon``)."""
    run = mlflow.start_run(**start)
    try:
        yield run
    except BaseException as exc:
        if unreachable(exc):
            abandon(mlflow, uri, run.info.run_id)
        else:
            mlflow.end_run("FAILED")
        raise
    try:
        mlflow.end_run()
    except mlflow.exceptions.MlflowException as exc:
        if unreachable(exc):
            abandon(mlflow, uri, run.info.run_id)
        raise


@contextlib.contextmanager
def child_run(name: str) -> Iterator[None]:
    """A child of the stage's MLflow run, ``<stage>/<name>``, for a library's own logging
    (transformers' callback under ``report_to: [mlflow]`` logs into the active run).

    In the stage's own run the callback's params collide with the stage's: it logs the model
    config, whose ``dtype`` (the weights') differs from the stage's ``dtype`` param (the
    precision asked for), and MLflow rejects the whole batch of 100 params that holds it.
    """
    import mlflow

    active = mlflow.active_run()
    if active is None:  # no stage run (a library call, another process of a launch): nothing to nest in
        yield
        return
    # The stage's lineage tags (commit, DVC experiment, params and input hashes) go with it, so a
    # search by experiment finds the trainer's run too.
    stage_tags = mlflow.get_run(active.info.run_id).data.tags
    tags = {key: value for key, value in stage_tags.items() if key.startswith("lingualign.")}
    with closed_run(mlflow, tracking_uri(), run_name=f"{active.info.run_name}/{name}", nested=True, tags=tags):
        yield


def unreachable(exc: BaseException) -> bool:
    """Whether MLflow failed to reach its server (not a request the server refused)."""
    import requests

    return isinstance(exc.__context__, requests.RequestException) or "Max retries exceeded" in str(exc)


def _abandoned_folder(uri: str) -> Path:
    import tempfile

    return Path(tempfile.gettempdir()) / f"lingualign-abandoned-runs-{hashlib.md5(uri.encode()).hexdigest()[:12]}"


def abandon(mlflow: Any, uri: str, run_id: str) -> None:
    """Note a run the server could not be told to close, for a later stage to close; from here on
    every MLflow call of this process fails at once instead of waiting again."""
    os.environ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] = "0"
    folder = _abandoned_folder(uri)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / run_id).touch()
    active = mlflow.active_run()
    if active is not None and active.info.run_id == run_id:
        with contextlib.suppress(mlflow.exceptions.MlflowException):
            mlflow.end_run("FAILED")  # takes it off this process's run stack; the server call fails


def close_abandoned_runs(client: Any, uri: str) -> None:
    """Close as failed the runs earlier stages on this machine could not close (``abandon``)."""
    from mlflow.exceptions import MlflowException

    folder = _abandoned_folder(uri)
    for note in sorted(folder.glob("*")) if folder.is_dir() else []:
        try:
            if client.get_run(note.name).info.status == "RUNNING":
                client.set_terminated(note.name, "FAILED")
        except MlflowException as exc:
            if unreachable(exc):
                raise
            # deleted meanwhile, or a store that never had it: nothing left to close
        note.unlink()


def run_stage(
    stage: str,
    settings: Any,
    metrics_path: Path,
    work: Callable[[], dict[str, Any]],
    tags: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The shape of every stage's ``main``: open its MLflow run, do the work, write and log metrics.

    The other processes of a multi-process launch only do the work.
    """
    from lingualign.io import write_json

    if not is_main_process():
        return work()

    with stage_run(stage, settings.model_dump(mode="json", by_alias=True, exclude_none=True), tags) as run:
        metrics = work()
        write_json(metrics_path, metrics)
        run.log_metrics(metrics)
        run.tag_output(metrics_path)
    return metrics


def _experiment(mlflow: Any, name: str) -> Any:
    """The experiment, created where the default store keeps its artifacts: beside mlflow.db in the
    project, not in the working folder of whichever stage came first (a temporary experiment's
    copy, which DVC deletes)."""
    if mlflow.get_experiment_by_name(name) is None and not os.environ.get("MLFLOW_TRACKING_URI"):
        with contextlib.suppress(mlflow.exceptions.MlflowException):  # created meanwhile by another process
            mlflow.create_experiment(name, artifact_location=(store_root() / "mlruns").as_uri())
    return mlflow.set_experiment(name)


def _param_value(value: Any) -> str:
    return "" if value is None or value == [] or value == {} else str(value)


def _parent_run_id(mlflow: Any, experiment_id: str, tags: dict[str, str]) -> str:
    explicit = os.environ.get("LINGUALIGN_PARENT_RUN_ID")
    if explicit:
        return explicit
    exp_name = tags["lingualign.dvc_exp_name"]
    key_source = f"{tags['lingualign.git_commit']}\0{tags['lingualign.params_md5']}\0{exp_name}"
    key = hashlib.sha256(key_source.encode()).hexdigest()[:16]
    client = mlflow.MlflowClient()
    found = client.search_runs([experiment_id], filter_string=f"tags.`{PIPELINE_KEY_TAG}` = '{key}'", max_results=1)
    if found:
        return found[0].info.run_id
    name = exp_name or f"pipeline@{tags['lingualign.git_commit'][:8]}"
    parent = client.create_run(
        experiment_id,
        run_name=name,
        tags={
            PIPELINE_KEY_TAG: key,
            "lingualign.git_commit": tags["lingualign.git_commit"],
            "lingualign.dvc_exp_name": exp_name,
            "lingualign.params_md5": tags["lingualign.params_md5"],
        },
    )
    client.set_terminated(parent.info.run_id)
    return parent.info.run_id
