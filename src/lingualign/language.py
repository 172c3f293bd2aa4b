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

SLICE_BYTES = 4 << 20  # text walked at once by detect_languages: some 30x that in working memory


def detect_language(text: str) -> str:
    """The ISO 639-1 code of ``text``'s language, or '' for text without any."""
    import py3langid

    return py3langid.classify(text)[0] if text.strip() else ""


def detect_languages(texts: Sequence[str]) -> list[str]:
    """``detect_language`` of each text, computed for all of them together, ``SLICE_BYTES`` of text at a
    time (shortest first): the walk's arrays take several bytes per byte of text, so memory stays the
    same however many texts come."""
    import numpy as np

    if not texts:
        return []  # without loading the model: a rerun that finds every text cached judges none
    model = _model()
    encoded = [model.encode(text) if text.strip() else b"" for text in texts]
    lengths = np.fromiter((len(data) for data in encoded), dtype=np.int64, count=len(encoded))
    order = np.argsort(lengths, kind="stable")
    lengths = lengths[order]
    ends = np.cumsum(lengths)
    languages = [""] * len(texts)
    first = 0
    while first < len(texts):
        last = max(first + 1, int(np.searchsorted(ends, ends[first] - lengths[first] + SLICE_BYTES, side="right")))
        best = _best_classes(model, [encoded[k] for k in order[first:last]], lengths[first:last])
        for rank, index in enumerate(order[first:last].tolist()):
            if lengths[first + rank]:
                languages[index] = model.classes[best[rank]]
        first = last
    return languages


def _best_classes(model: Any, encoded: list[bytes], lengths: Any) -> Any:
    """py3langid's best class for each of ``encoded`` (sorted by ``lengths``, ascending)."""
    import numpy as np
    import scipy.sparse

    joined = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)
    features = np.full(len(joined), -1, dtype=np.int32)
    state = np.zeros(len(encoded), dtype=np.int32)
    # Sorted by length, the texts still being read at byte ``position`` are a suffix of the order.
    for position in range(int(lengths[-1]) if len(lengths) else 0):
        first = int(np.searchsorted(lengths, position, side="right"))
        at = starts[first:] + position
        state[first:] = model.nextmove[model.rowbase[state[first:]] + joined[at]]
        features[at] = model.output[state[first:]]
    found = features >= 0
    rows = np.repeat(np.arange(len(encoded)), lengths)[found]
    counts = scipy.sparse.csr_matrix(
        (np.ones(int(found.sum()), dtype=np.float32), (rows, features[found])), shape=(len(encoded), model.features)
    )
    counts.sum_duplicates()
    counts.data = np.log1p(counts.data)
    scores = np.asarray(counts @ model.ptc) + model.pc
    for keep, alias in model.alias_pairs:  # script variants of one language (srl -> sr)
        scores[:, keep] = np.maximum(scores[:, keep], scores[:, alias])
        scores[:, alias] = -np.inf
    best = scores.argmax(axis=1)
    best[np.diff(counts.indptr) == 0] = 0  # no features: py3langid scores every class alike and takes the first
    return best


@functools.cache
def _model() -> Any:
    from lingualign.upstream import py3langid_model

    return py3langid_model()
