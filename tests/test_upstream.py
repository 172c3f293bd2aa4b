"""Each private library API that upstream.py uses still does what upstream.py relies on.

An upgrade that moves or changes one fails here; the version test fails on any upgrade of those
libraries, as a prompt to read upstream.py again and move ``WRITTEN_FOR``.
"""

from __future__ import annotations

import importlib.metadata
import inspect
from pathlib import Path

import pytest
import torch
import trl.kernels.chunked_logprob
import trl.trainer.utils
from datasets import Dataset
from helpers import ROOT
from transformers import AutoModelForCausalLM

from lingualign import upstream
from lingualign.errors import LingualignError


def test_the_installed_libraries_are_the_versions_upstream_was_written_for() -> None:
    here = {name: version for name, version in upstream.WRITTEN_FOR.items() if name not in upstream.ONLY_IN_VLLM_ENV}
    installed = {name: importlib.metadata.version(name) for name in here}
    assert installed == here, "an upgrade: check each use in upstream.py, then update WRITTEN_FOR"


def fused_scores(model_dir: Path, input_ids: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(per-token log-probs, gradient of their sum on the embeddings) through TRL's fused LM head."""
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
    trl.trainer.utils.add_fused_lm_head(model, outputs=("log_probs",))
    out = model(input_ids=input_ids, labels=labels, fused_lm_head=True)
    out.log_probs.sum().backward()
    return out.log_probs.detach(), model.get_input_embeddings().weight.grad


def test_trl_scores_labelled_tokens_alone_with_the_same_log_probs_and_gradients(
    tiny_lm: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # TRL's own switch, whatever an earlier test in this process set; restored afterwards.
    monkeypatch.setattr(trl.trainer.utils, "_use_triton", trl.kernels.chunked_logprob._use_triton)
    cpu = torch.device("cpu")
    torch.manual_seed(1)
    input_ids = torch.randint(10, 400, (3, 12))
    labels = input_ids.clone()
    labels[:, :5] = -100  # the prompt
    labels[0, 9:] = -100  # padding after a shorter row
    assert not trl.trainer.utils._use_triton(cpu), "TRL scores every position on CPU"
    every_position, every_grad = fused_scores(tiny_lm, input_ids, labels)

    upstream.trl_score_labelled_tokens_only()
    assert trl.trainer.utils._use_triton(cpu)
    labelled_only, labelled_grad = fused_scores(tiny_lm, input_ids, labels)

    model = AutoModelForCausalLM.from_pretrained(tiny_lm, dtype=torch.float32)
    with torch.no_grad():
        logits = model(input_ids=input_ids).logits[:, :-1].log_softmax(-1)
    targets = labels[:, 1:]
    direct = logits.gather(-1, targets.clamp(min=0).unsqueeze(-1)).squeeze(-1).masked_fill(targets == -100, 0)
    torch.testing.assert_close(labelled_only, direct, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(labelled_only, every_position, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(labelled_grad, every_grad, rtol=1e-5, atol=1e-6)
    assert (labelled_only[targets == -100] == 0).all() and (labelled_only[targets != -100] < 0).all()


def test_trl_dpo_trainer_keeps_reference_log_probs_the_dataset_holds(tiny_lm: Path, tmp_path: Path) -> None:
    from transformers import AutoTokenizer
    from trl import DPOConfig, DPOTrainer

    assert list(inspect.signature(DPOTrainer._precompute_ref_logps).parameters) == [
        "self",
        "dataset",
        "name",
        "batch_size",
    ]
    columns = ("ref_chosen_logps", "ref_rejected_logps")
    rows = {
        "prompt": [[{"role": "user", "content": f"Frage {i}?"}] for i in range(2)],
        "chosen": [[{"role": "assistant", "content": "Ja."}]] * 2,
        "rejected": [[{"role": "assistant", "content": "Nein."}]] * 2,
    }
    stored = {columns[0]: [-1.5, -2.5], columns[1]: [-3.5, -4.5]}
    config = DPOConfig(
        output_dir=str(tmp_path), precompute_ref_log_probs=True, use_cpu=True, report_to=[], max_length=256
    )
    trainer_class = upstream.trl_stored_reference_dpo_trainer(columns)
    model, tokenizer = AutoModelForCausalLM.from_pretrained(tiny_lm), AutoTokenizer.from_pretrained(tiny_lm)
    kept = trainer_class(
        model=model, args=config, train_dataset=Dataset.from_dict(rows | stored), processing_class=tokenizer
    )
    assert {name: list(kept.train_dataset[name]) for name in columns} == stored
    computed = trainer_class(
        model=model, args=config, train_dataset=Dataset.from_dict(rows), processing_class=tokenizer
    )
    assert all(value < 0 and value not in stored[name] for name in columns for value in computed.train_dataset[name])


def test_py3langid_model_is_the_one_its_classifier_runs() -> None:
    import py3langid
    import py3langid.langid

    from lingualign.language import detect_languages

    identifier = py3langid.langid._get_identifier()
    model = upstream.py3langid_model()
    assert model.classes == identifier.nb_classes and model.features == identifier.nb_ptc.shape[0]
    assert model.encode("Grüße") == "Grüße".encode()
    assert all(keep < len(model.classes) and alias < len(model.classes) for keep, alias in model.alias_pairs)
    texts = ["Guten Tag, wo ist mein Paket?", "Where is my parcel?", "Où est mon colis ?", "Gdje je moj paket?"]
    assert detect_languages(texts) == [py3langid.classify(text)[0] for text in texts]


def test_tqdm_lists_its_open_bars_and_closing_them_empties_the_list() -> None:
    from tqdm import tqdm

    bar = tqdm(total=3, disable=False, file=open("/dev/null", "w"))  # noqa: SIM115 -- closed by the bar
    assert bar in tqdm._instances
    upstream.tqdm_close_open_bars()
    assert bar not in tqdm._instances


def test_dvc_resolves_every_stage_as_its_own_repo_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dvc.repo import Repo

    with Repo(str(ROOT)) as repo:
        expected = {
            stage.name: [dep.def_path for dep in stage.deps if type(dep).__name__ != "ParamsDependency"]
            for stage in repo.index.stages
        }
    resolved = {name: upstream.dvc_stage_definition(ROOT, name) for name in expected}
    assert {
        name: [next(iter(d)) if isinstance(d, dict) else d for d in stage["deps"]] for name, stage in resolved.items()
    } == expected
    assert upstream.dvc_stage_definition(ROOT, "no-such-stage") is None
    (tmp_path / "dvc.yaml").write_text((ROOT / "dvc.yaml").read_text())
    (tmp_path / "params.yaml").write_text("translate: {}\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(LingualignError, match=r"dvc.yaml: .*Could not find 'translate.engine.model'"):
        upstream.dvc_stage_definition(tmp_path, "translate")
