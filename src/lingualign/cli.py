"""``lingualign <command>``: the one entry point that dvc.yaml runs.

Only the module of the command that runs is imported (its parser included), so ``--help`` is
instant and a stage never pays for, or depends on, another stage's code.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from lingualign.errors import LingualignError

# command -> (module, help). The pipeline's stages first, then the commands that operate it.
COMMANDS = {
    "ingest": ("ingest", "Normalize raw English preference data into one long Parquet file."),
    "models": ("models", "Fetch or convert a model source into a safetensors folder under models/."),
    "translate": ("translate", "Translate prompts and responses, chunk by chunk, through a cached engine."),
    "generate": ("generate", "Sample responses to the translated prompts from each source model (FuseChat-3.0)."),
    "score": ("score", "Score every response: a reward model, the dataset's own ratings or an LLM judge."),
    "pairs": ("pairs", "Build best-vs-worst preference pairs in a margin window, a train/test split and an SFT set."),
    "sft": ("sft", "Fine-tune a source model on one dataset's SFT set with TRL."),
    "merge": ("merge", "Merge fine-tunes with mergekit (seeded, normalize explicit, vocabularies checked)."),
    "reference": ("reference", "Compute the reference model's log-probs of the training pairs once (a DVC output)."),
    "dpo": ("dpo", "Preference-tune the merged model with TRL's DPOTrainer on stored reference log-probs."),
    "evaluate": (
        "evaluate",
        "Evaluate one model: German MT-Bench with an LLM judge, lm-evaluation-harness, held-out preference.",
    ),
    "report": ("report", "Put every model's evaluation side by side: metrics/eval.json, plots and an HTML report."),
    "export": (
        "export",
        "Export a checkpoint as GGUF files, an Ollama Modelfile and a LoRA adapter, each checked against it.",
    ),
    "cards": ("cards", "Write a model card for every exported checkpoint: header, params, evaluation, lineage."),
    "chat": ("chat", "Talk to a checkpoint in the terminal, in its own chat template (one line per turn)."),
    "check": ("check", "Validate every section of params.yaml (and a profile overlay) in one pass, all errors listed."),
    "remote": ("remote", "Check that the DVC remote takes this clone's credentials (make push and make pull run it)."),
    "profile": ("profiles", "Switch params.yaml to a profile (profiles/<name>.yaml), validated before it is written."),
    "diff": (
        "diff",
        "Compare two revisions' evaluations figure by figure, with a paired test over the same cases.",
    ),
    "lineage": (
        "lineage",
        "Print where a metric came from: stage, command, git commit, params and input hashes, MLflow run.",
    ),
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The top-level parser; with ``command``, that command's own arguments too (its module imported)."""
    parser = argparse.ArgumentParser(prog="lingualign", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module, help_text) in COMMANDS.items():
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(module=f"lingualign.{module}")
        if name == command:
            sub.add_argument("--params", type=Path, default=Path("params.yaml"))
            importlib.import_module(f"lingualign.{module}").add_arguments(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    command = next((arg for arg in argv if not arg.startswith("-")), None)
    args = build_parser(command if command in COMMANDS else None).parse_args(argv)
    try:
        importlib.import_module(args.module).main(args)
    except LingualignError as exc:
        report(f"lingualign {args.command}: error: {exc}")
        return exc.exit_code
    except OSError as exc:
        # A full disk or a read-only folder met outside the atomic writers (a trainer's
        # checkpoint, mergekit's shards): still one line that names the file, never a traceback.
        where = f"{exc.filename}: " if exc.filename else ""
        report(f"lingualign {args.command}: error: {where}{exc.strerror or exc}")
        return LingualignError.exit_code
    except KeyboardInterrupt:
        report(f"lingualign {args.command}: interrupted")
        return 130
    return 0


def report(message: str) -> None:
    """``message`` on a line of its own, after closing any progress bar the error cut short."""
    if "tqdm" in sys.modules:
        from lingualign.upstream import tqdm_close_open_bars

        tqdm_close_open_bars()
    print(message, file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
