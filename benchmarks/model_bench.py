"""Model-stage memory and speed, side by side in one run, each side in its own child process.

    python benchmarks/model_bench.py [--steps 6] [--method lora]

1. Peak RSS of merging four SmolLM2-135M models (a base and three perturbed copies) through
   mergekit (``linear``, lazy tensor loading) against loading all four into memory with
   transformers and averaging their state dicts. Target: mergekit at most half. Both sides
   read the same files, once as single-file checkpoints and once sharded the way hub
   checkpoints are (``--shard-mb``, about a third of the model per shard, as Mistral-7B's
   three 5 GB files; mergekit keeps one input shard per model mapped and writes
   ``merge.out_shard_size`` parameters at a time).
2. DPO step time and peak RSS with stored reference log-probs (this project's ``reference``
   stage + trainer) against TRL computing them on the fly every step.
Needs ``models/sources/smollm2-135m-instruct`` (``dvc repro models@smollm2-135m-instruct``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

SOURCE = Path("models/sources/smollm2-135m-instruct")

MAKE_COPIES = """
import shutil, sys, torch
from pathlib import Path
from transformers import AutoModelForCausalLM
source, out, shard = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
for seed in (0, 1, 2, 3):  # 0: the source itself, in the same layout
    model = AutoModelForCausalLM.from_pretrained(source)
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters() if seed else ():
            p.add_(torch.randn(p.shape, generator=generator) * 1e-3)
    model.save_pretrained(out / f"ft{seed}", max_shard_size=shard)
    for extra in source.iterdir():
        if "token" in extra.name or extra.suffix == ".jinja":
            shutil.copy(extra, out / f"ft{seed}" / extra.name)
"""

MERGEKIT = """
import sys
from pathlib import Path
from lingualign.merge import MergeSettings, merge
models, out, out_shard_size = sys.argv[1:5], Path(sys.argv[5]), sys.argv[6]
config = {"merge_method": "linear", "dtype": "float32"}
config["models"] = [{"model": m, "parameters": {"weight": 0.25}} for m in models]
merge(MergeSettings(config=config, random_seed=0, normalize=True, out_shard_size=out_shard_size), out)
"""

NAIVE = """
import sys, torch
from transformers import AutoModelForCausalLM
models = [AutoModelForCausalLM.from_pretrained(path) for path in sys.argv[1:5]]
states = [m.state_dict() for m in models]
merged = {name: sum(state[name] for state in states) / len(states) for name in states[0]}
models[0].load_state_dict(merged)
models[0].save_pretrained(sys.argv[5])
"""

DPO = """
import json, sys, time, tempfile
from pathlib import Path
from transformers import TrainerCallback
from lingualign.contracts import read_pairs
from lingualign.dpo import DPOSettings, _trainer_class, training_dataset
from lingualign.training import load_for_training
from trl import DPOConfig, DPOTrainer
mode, model_dir, pairs, reference, steps, method = sys.argv[1:7]

class Timer(TrainerCallback):
    times = []
    def on_step_begin(self, *a, **k): self.start = time.perf_counter()
    def on_step_end(self, *a, **k): self.times.append(time.perf_counter() - self.start)

trainer = {"max_steps": int(steps), "per_device_train_batch_size": 4, "max_length": 256, "save_steps": 1000}
settings = DPOSettings.model_validate({"model": model_dir, "method": method, "device": "cpu", "trainer": trainer})
model, tokenizer = load_for_training(model_dir, settings)
with tempfile.TemporaryDirectory() as work:
    stored = mode == "stored"
    config = settings.trainer_config(DPOConfig, Path(work), "dpo", report_to=[], precompute_ref_log_probs=stored)
    timer = Timer()
    trainer_class = _trainer_class() if mode == "stored" else DPOTrainer
    dataset = training_dataset(Path(pairs), Path(reference)) if mode == "stored" else read_pairs(Path(pairs))
    peft = settings.peft_config("dpo")
    trainer = trainer_class(
        model=model, args=config, train_dataset=dataset, processing_class=tokenizer, peft_config=peft, callbacks=[timer]
    )
    trainer.train()
print(json.dumps({"step_s": sum(timer.times[1:]) / max(1, len(timer.times) - 1)}))
"""


# Peak RSS counts the pages of memory-mapped input files (safetensors are read through mmap),
# which the kernel can drop at any time; peak anonymous memory is what the process itself holds.
# A thread samples RssAnon from /proc every 5 ms, since the kernel keeps no peak of it.
SAMPLER = """
import threading, time
PEAK_ANON = [0]
def _sample():
    while True:
        for line in open('/proc/self/status'):
            if line.startswith('RssAnon:'):
                PEAK_ANON[0] = max(PEAK_ANON[0], int(line.split()[1]))
        time.sleep(0.005)
threading.Thread(target=_sample, daemon=True).start()
"""
REPORT = """
import resource, sys
print('PEAK', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, PEAK_ANON[0], file=sys.stderr)
"""


def child(code: str, *args: str) -> tuple[str, float, float]:
    """Run ``code`` in a fresh interpreter; return its stdout, peak RSS and peak anonymous memory (MB)."""
    result = subprocess.run([sys.executable, "-c", SAMPLER + code + REPORT, *args], capture_output=True, text=True)
    if result.returncode:
        sys.exit(result.stderr[-3000:])
    peak = next(line for line in result.stderr.splitlines() if line.startswith("PEAK")).split()
    return result.stdout, int(peak[1]) / 1024, int(peak[2]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--method", default="lora", choices=["lora", "full"])
    parser.add_argument("--pairs", default="data/pairs/train.parquet")
    parser.add_argument("--reference", default="data/reference_logps.parquet")
    parser.add_argument(
        "--shard-mb", type=int, default=180, help="Shard size of the sharded layout (about a third of the model)"
    )
    parser.add_argument(
        "--out-shard-size", default="45M", help="merge.out_shard_size for the sharded layout (parameters)"
    )
    parser.add_argument("--skip-dpo", action="store_true")
    args = parser.parse_args()
    if not SOURCE.is_dir():
        sys.exit(f"{SOURCE} is missing: run `dvc repro models@smollm2-135m-instruct` first")
    print("merge of four SmolLM2-135M models (float32, 538 MB of weights each)")
    layouts = (
        ("single-file checkpoints", "100GB", "5B"),
        (f"{args.shard_mb} MB shards, out_shard_size {args.out_shard_size}", f"{args.shard_mb}MB", args.out_shard_size),
    )
    for layout, shard, out_shard_size in layouts:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            child(MAKE_COPIES, str(SOURCE), str(folder), shard)  # the source and three perturbed copies
            models = [str(folder / f"ft{seed}") for seed in (0, 1, 2, 3)]
            _, mergekit_mb, mergekit_anon = child(MERGEKIT, *models, str(folder / "merged-mergekit"), out_shard_size)
            _, naive_mb, naive_anon = child(NAIVE, *models, str(folder / "merged-naive"))
        print(f" {layout}:")
        print(
            f"  mergekit (lazy loading):       peak RSS {mergekit_mb:8,.0f} MB   peak anonymous "
            f"{mergekit_anon:8,.0f} MB"
        )
        print(f"  all four loaded, averaged:     peak RSS {naive_mb:8,.0f} MB   peak anonymous {naive_anon:8,.0f} MB")
        print(
            f"  ratio (target <= 0.5):         peak RSS {mergekit_mb / naive_mb:.2f}           peak anonymous "
            f"{mergekit_anon / naive_anon:.2f}"
        )
    if args.skip_dpo:
        return
    if not Path(args.reference).exists():
        sys.exit(f"{args.reference} is missing: run `dvc repro reference` first")
    stored_out, stored_mb, _ = child(
        DPO, "stored", "models/merged", args.pairs, args.reference, str(args.steps), args.method
    )
    live_out, live_mb, _ = child(
        DPO, "on_the_fly", "models/merged", args.pairs, args.reference, str(args.steps), args.method
    )
    stored_s, live_s = (
        json.loads(stored_out.splitlines()[-1])["step_s"],
        json.loads(live_out.splitlines()[-1])["step_s"],
    )
    print(f"DPO on models/merged, {args.method}, batch 4, max_length 256, mean of steps 2..{args.steps}")
    print(f"  stored reference log-probs:    {stored_s:6.2f} s/step   peak RSS {stored_mb:8,.0f} MB")
    print(f"  reference computed every step: {live_s:6.2f} s/step   peak RSS {live_mb:8,.0f} MB")
    print(f"  speed-up: {live_s / stored_s:.2f}x   memory ratio: {stored_mb / live_mb:.2f}")


if __name__ == "__main__":
    main()
