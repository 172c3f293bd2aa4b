"""lm-evaluation-harness through its Python API, on the model already loaded for MT-Bench.

The GPU profile runs the harness's own German tasks (``arc_de``, ``hellaswag_de``,
``m_mmlu_de``); the offline default runs ``support_mc_de``, a German customer-support
multiple-choice task defined in ``data/eval/tasks`` (``include_path``). The harness's built-in
task index is loaded only when a task is not among the local ones: indexing it takes long.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from lingualign.errors import SettingsError
from lingualign.settings import Settings


class HarnessSettings(Settings):
    tasks: list[str] = Field(default_factory=lambda: ["support_mc_de"], min_length=1)
    include_path: str | None = Field(default="data/eval/tasks", description="Folder of local task YAML files")
    num_fewshot: int | None = Field(default=0, ge=0)
    apply_chat_template: bool = False
    batch_size: int = Field(default=8, ge=1)
    seed: int = 1234
    limit: int | None = Field(default=None, ge=1, description="Documents per task (None: all)")


def task_manager(settings: HarnessSettings, where: str) -> Any:
    from lm_eval.tasks import TaskManager

    if settings.include_path:
        local = TaskManager(include_path=settings.include_path, include_defaults=False)
        if set(settings.tasks) <= set(local.all_tasks):
            return local
    manager = TaskManager(include_path=settings.include_path)
    unknown = sorted(set(settings.tasks) - set(manager.all_tasks))
    if unknown:
        raise SettingsError(f"{where}.tasks: unknown to lm-evaluation-harness: {', '.join(unknown)}")
    return manager


def run_harness(
    model: Any, tokenizer: Any, settings: HarnessSettings, where: str
) -> tuple[dict[str, dict[str, float]], list[dict[str, Any]]]:
    """``{task: {metric: value}}`` with the harness's ``<metric>,<filter>`` keys reduced to the metric,
    and one row per task, document and metric (``task``, ``doc_id``, ``metric``, ``value``).

    ``where`` names the settings in an error (``params.yaml: evaluate.harness``).
    """
    from lm_eval import simple_evaluate
    from lm_eval.models.huggingface import HFLM

    seed = settings.seed
    results = simple_evaluate(
        model=HFLM(pretrained=model, tokenizer=tokenizer, batch_size=settings.batch_size),
        tasks=settings.tasks,
        num_fewshot=settings.num_fewshot,
        apply_chat_template=settings.apply_chat_template,
        limit=settings.limit,
        task_manager=task_manager(settings, where),
        log_samples=True,
        random_seed=seed,
        numpy_random_seed=seed,
        torch_random_seed=seed,
        fewshot_random_seed=seed,
    )
    scores: dict[str, dict[str, float]] = {}
    for task, metrics in results["results"].items():
        scores[task] = {
            key.split(",")[0]: round(float(value), 6)
            for key, value in metrics.items()
            if "," in key and "stderr" not in key and isinstance(value, int | float)
        }
    samples = [
        {"task": task, "doc_id": int(sample["doc_id"]), "metric": metric, "value": float(sample[metric])}
        for task, logged in results["samples"].items()
        for sample in logged
        for metric in sample["metrics"]
        if isinstance(sample.get(metric), int | float)
    ]
    return scores, samples
