"""Language identification, offline (py3langid): the one check translation flags and MT-Bench share.

``detect_language`` asks py3langid about one text. ``detect_languages`` gives the same answers
for many texts at once: py3langid walks its byte automaton in a Python loop, one byte at a time,
which bounds a translate run over a large corpus; here the walk runs for all texts in lockstep
(one numpy step per byte position, over every text still that long) and the naive Bayes scores
come from one sparse product. Same model, same automaton, same features (``log1p`` of the
counts); a test holds the two to the same answers.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any


def detect_language(text: str) -> str:
    """The ISO 639-1 code of ``text``'s language, or '' for text without any."""
    import py3langid

    return py3langid.classify(text)[0] if text.strip() else ""


def detect_languages(texts: Sequence[str]) -> list[str]:
    """``detect_language`` of each text, computed for all of them together."""
    import numpy as np
    import scipy.sparse

    model = _model()
    encoded = [model.encode(text) if text.strip() else b"" for text in texts]
    lengths = np.fromiter((len(data) for data in encoded), dtype=np.int64, count=len(encoded))
    order = np.argsort(lengths, kind="stable")
    lengths = lengths[order]
    joined = np.frombuffer(b"".join(encoded[k] for k in order), dtype=np.uint8)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)
    features = np.full(len(joined), -1, dtype=np.int32)
    state = np.zeros(len(texts), dtype=np.int32)
    # Sorted by length, the texts still being read at byte ``position`` are a suffix of the order.
    for position in range(int(lengths[-1]) if len(lengths) else 0):
        first = int(np.searchsorted(lengths, position, side="right"))
        at = starts[first:] + position
        state[first:] = model.nextmove[model.rowbase[state[first:]] + joined[at]]
        features[at] = model.output[state[first:]]
    found = features >= 0
    rows = np.repeat(np.arange(len(texts)), lengths)[found]
    counts = scipy.sparse.csr_matrix(
        (np.ones(int(found.sum()), dtype=np.float32), (rows, features[found])), shape=(len(texts), model.features)
    )
    counts.sum_duplicates()
    counts.data = np.log1p(counts.data)
    scores = np.asarray(counts @ model.ptc) + model.pc
    for keep, alias in model.alias_pairs:  # script variants of one language (srl -> sr)
        scores[:, keep] = np.maximum(scores[:, keep], scores[:, alias])
        scores[:, alias] = -np.inf
    best = scores.argmax(axis=1)
    best[np.diff(counts.indptr) == 0] = 0  # no features: py3langid scores every class alike and takes the first
    languages = [""] * len(texts)
    for rank, index in enumerate(order.tolist()):
        if lengths[rank]:
            languages[index] = model.classes[best[rank]]
    return languages


@functools.cache
def _model() -> Any:
    from lingualign.upstream import py3langid_model

    return py3langid_model()
