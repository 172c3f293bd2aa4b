"""What SFT and DPO share: the fine-tuning method (full, LoRA, 4-bit QLoRA), optimizer
schedule settings, and the one way a trained model is saved (adapters merged into full
safetensors weights, the tokenizer with its chat template beside them)."""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from lingualign.devices import cuda_available, loading, resolve_device
from lingualign.errors import LingualignError
from lingualign.settings import Settings


class LoraSettings(Settings):
    r: int = Field(default=16, ge=1)
    alpha: int = Field(default=32, ge=1)
    dropout: float = Field(default=0.05, ge=0, lt=1)
    target_modules: list[str] = Field(default_factory=lambda: ["q_proj", "v_proj"])


class TrainingSettings(Settings):
    method: Literal["full", "lora", "qlora"] = Field(default="full", description="qlora: 4-bit base weights through bitsandbytes (CUDA only)")
    lora: LoraSettings = Field(default_factory=LoraSettings)
    learning_rate: float = Field(default=2e-5, gt=0)
    optimizer: str = Field(default="adamw_torch", description="A transformers optimizer name: adamw_torch, paged_adamw_32bit (QLoRA), sgd, ...")
    lr_scheduler: str = "cosine"
    warmup_ratio: float = Field(default=0.1, ge=0, lt=1)
    epochs: float = Field(default=1.0, gt=0)
    max_steps: int = Field(default=-1, description="Stop after this many steps (-1: run all epochs)")
    batch_size: int = Field(default=4, ge=1)
    gradient_accumulation_steps: int = Field(default=1, ge=1)
    max_length: int = Field(default=512, ge=16)
    seed: int = 42
    device: Literal["auto", "cpu", "cuda"] = "auto"
    save_steps: int = Field(default=50, ge=1, description="Checkpoint every this many steps (resume point)")

    def trainer_arguments(self, output_dir: Path) -> dict[str, Any]:
        """Keyword arguments shared by SFTConfig and DPOConfig (TRL 1.x / transformers 5 names)."""
        cpu = resolve_device(self.device) == "cpu"
        return {
            "output_dir": str(output_dir),
            "learning_rate": self.learning_rate,
            "optim": self.optimizer,
            "lr_scheduler_type": self.lr_scheduler,
            "warmup_steps": self.warmup_ratio,  # transformers 5: a value below 1 is a ratio of all steps
            "num_train_epochs": self.epochs,
            "max_steps": self.max_steps,
            "per_device_train_batch_size": self.batch_size,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
            "max_length": self.max_length,
            "seed": self.seed,
            "data_seed": self.seed,
            "use_cpu": cpu,
            "bf16": not cpu,
            "gradient_checkpointing": not cpu,
            "save_strategy": "steps",
            "save_steps": self.save_steps,
            "logging_steps": 1,
            "report_to": ["mlflow"],  # into the stage's open MLflow run
            "dataloader_num_workers": 0,
        }

    def peft_config(self) -> Any:
        if self.method == "full":
            return None
        from peft import LoraConfig

        return LoraConfig(r=self.lora.r, lora_alpha=self.lora.alpha, lora_dropout=self.lora.dropout, target_modules=self.lora.target_modules, task_type="CAUSAL_LM")

    def model_kwargs(self) -> dict[str, Any]:
        if self.method != "qlora":
            return {}
        if not cuda_available():
            raise LingualignError("method 'qlora' loads 4-bit weights through bitsandbytes and needs a CUDA GPU: use 'lora' or 'full' on CPU")
        import torch
        from transformers import BitsAndBytesConfig

        return {"quantization_config": BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_compute_dtype=torch.bfloat16, bnb_4bit_use_double_quant=True)}


def load_for_training(path: str, settings: TrainingSettings) -> tuple[Any, Any]:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    dtype = torch.float32 if settings.trainer_arguments(Path("."))["use_cpu"] else torch.bfloat16
    with loading(path):
        tokenizer = AutoTokenizer.from_pretrained(path)
        if tokenizer.chat_template is None:
            raise LingualignError(f"{path}: the tokenizer has no chat template; set models.chat_template in params.yaml")
        model = AutoModelForCausalLM.from_pretrained(path, dtype=dtype, use_safetensors=True, **settings.model_kwargs())
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return model, tokenizer


def run_training(trainer: Any, tokenizer: Any, work: Path, out: Path, base: str, fingerprint: str) -> dict[str, Any]:
    """Train (resuming a checkpoint of this exact configuration), then save the merged model.

    In a multi-process run (``accelerate launch``, ``torchrun``) every process trains its shard
    of each batch; the main process alone touches the checkpoint folder first and saves.
    Returns the steps, the run's mean training loss and, under ``run``, the step it resumed from.
    """
    with trainer.accelerator.main_process_first():
        resume = resume_point(work, fingerprint)
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
    steps = {int(path.name.removeprefix("checkpoint-")): path for path in work.glob("checkpoint-*") if path.name.removeprefix("checkpoint-").isdigit()}
    checkpoints = [steps[step] for step in sorted(steps, reverse=True)]
    for checkpoint in checkpoints:
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
        digest.update((content_hash(part) if isinstance(part, Path) else json.dumps(part, sort_keys=True, default=str)).encode())
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

    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    with tempfile.TemporaryDirectory() as adapter:
        model.save_pretrained(adapter)
        full = AutoModelForCausalLM.from_pretrained(base, dtype=torch.bfloat16, use_safetensors=True)
        return PeftModel.from_pretrained(full, adapter)
