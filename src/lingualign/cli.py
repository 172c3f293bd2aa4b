"""``lingualign <stage>``: the one entry point that dvc.yaml runs.

Stage modules are imported only when their subcommand runs, so ``--help`` is instant and a
stage never pays for another stage's heavy imports.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from lingualign.errors import LingualignError

STAGES = {
    "ingest": "Normalize raw English preference data into one long Parquet file.",
    "models": "Fetch or convert a model source into a safetensors folder under models/.",
    "translate": "Translate prompts and responses, chunk by chunk, through a cached backend.",
    "score": "Score every response with a reward model or the dataset's own ratings.",
    "pairs": "Build best-vs-worst preference pairs in a margin window, a train/test split and an SFT set.",
    "sft": "Fine-tune a source model on one dataset's SFT set with TRL.",
    "merge": "Merge fine-tunes with mergekit (seeded, normalize explicit, vocabularies checked).",
    "reference": "Compute the reference model's log-probs of the training pairs once (a DVC output).",
    "dpo": "Preference-tune the merged model with TRL's DPOTrainer on stored reference log-probs.",
    "evaluate": "Evaluate one model: German MT-Bench with an LLM judge, lm-evaluation-harness, held-out preference.",
    "report": "Put every model's evaluation side by side: metrics/eval.json, plots and an HTML report.",
}
# Commands that operate the pipeline rather than run a stage of it: name -> (module, help).
TOOLS = {
    "profile": ("profiles", "Switch params.yaml to a profile (profiles/<name>.yaml), validated before it is written."),
    "lineage": ("lineage", "Print where a metric came from: stage, command, git commit, params and input hashes, MLflow run."),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lingualign", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="stage", required=True, metavar="STAGE")
    commands_and_modules = {stage: (stage, help_text) for stage, help_text in STAGES.items()} | TOOLS
    for command, (module, help_text) in commands_and_modules.items():
        sub = commands.add_parser(command, help=help_text, description=help_text)
        sub.add_argument("--params", type=Path, default=Path("params.yaml"))
        sub.set_defaults(module=f"lingualign.{module}")
        # Each command declares its own arguments; importing it here is cheap (heavy imports are lazy).
        importlib.import_module(f"lingualign.{module}").add_arguments(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        importlib.import_module(args.module).main(args)
    except LingualignError as exc:
        print(f"lingualign {args.stage}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:
        # A full disk or a read-only folder met outside the atomic writers (a trainer's
        # checkpoint, mergekit's shards): still one line that names the file, never a traceback.
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"lingualign {args.stage}: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return LingualignError.exit_code
    except KeyboardInterrupt:
        print(f"lingualign {args.stage}: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
