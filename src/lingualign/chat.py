"""``lingualign chat MODEL``: talk to any checkpoint or GGUF file in the terminal, in its own chat template.

Each line on stdin is one customer turn; the reply is printed, and the conversation so far goes
into the next turn, rendered by the model's tokenizer exactly as evaluate and training render
it (the same engine). A ``.gguf`` file (the export stage's) runs through transformers' GGUF
loader, in the tokenizer and chat template the file carries. ``/reset`` starts over, ``/exit``
(or end of input) ends. Replies are greedy unless ``--temperature`` says otherwise;
``--show-prompt`` prints each rendered prompt to stderr, to see what the template makes of the
conversation.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lingualign.evaluate.support import DEFAULT_SYSTEM


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "model",
        type=Path,
        help="A checkpoint folder (models/dpo, ...) or a GGUF file (models/export/dpo/dpo-q8_0.gguf)",
    )
    parser.add_argument("--system", default=DEFAULT_SYSTEM, help="The system prompt ('' for none)")
    parser.add_argument("--max-new-tokens", type=int, default=256)
    parser.add_argument("--temperature", type=float, default=0.0)
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    parser.add_argument("--dtype", default="auto", choices=["auto", "float32", "bfloat16", "float16"])
    parser.add_argument("--show-prompt", action="store_true", help="print each rendered prompt to stderr")


def main(args: argparse.Namespace) -> None:
    from lingualign.devices import load_causal_lm
    from lingualign.engines import Request
    from lingualign.engines.transformers import TransformersEngine, TransformersSettings
    from lingualign.errors import LingualignError

    if args.model.suffix != ".gguf" and not (args.model / "config.json").is_file():
        raise LingualignError(f"{args.model}: not a model folder (no config.json) nor a .gguf file")
    loaded = load_causal_lm(str(args.model), args.device, args.dtype)
    settings = TransformersSettings(
        name="transformers", model=str(args.model), device=args.device, dtype=args.dtype, batch_size=1
    )
    engine = TransformersEngine(settings, loaded)
    opening = [{"role": "system", "content": args.system}] if args.system else []
    history = list(opening)
    interactive = sys.stdin.isatty()
    while True:
        if interactive:
            print("> ", end="", flush=True)
        line = sys.stdin.readline()
        if not line or line.strip() == "/exit":
            break
        if line.strip() == "/reset":
            history = list(opening)
            print("(a new conversation)", flush=True)
            continue
        if not line.strip():
            continue
        history.append({"role": "user", "content": line.strip()})
        request = Request(
            args.max_new_tokens,
            messages=tuple(history),
            temperature=args.temperature,
            seed=0 if args.temperature else None,
        )
        if args.show_prompt:
            print(engine.render(request), file=sys.stderr, flush=True)
        reply = engine.generate([request])[0].text.strip()
        history.append({"role": "assistant", "content": reply})
        print(reply, flush=True)
