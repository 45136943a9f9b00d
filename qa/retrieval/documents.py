"""Document-level support: among many documents, a passage whose document answers the question
as a whole outranks an equally close passage of a document that merely shares its words.

A document's support is the mean of its best ``document_depth`` candidate scores (a document
with fewer candidates counts the missing ones as 0), scaled so the best document has 1; each
candidate gains ``document_weight`` times its document's support. With one document every
candidate gains the same, so its ranking is unchanged.
"""

from __future__ import annotations

import numpy as np


def document_support(fused: np.ndarray, documents: np.ndarray, depth: int) -> np.ndarray:
    """Each candidate's document support in [0, 1]; ``documents``: each candidate's document
    id.

    Example: document_support(np.array([.9, .8, .7]), np.array([0, 0, 1]), 2) -> [1, 1, .41]
    """
    if len(fused) == 0:
        return np.zeros(0)
    order = np.lexsort((-fused, documents))  # by document, best first within each
    docs, scores = documents[order], fused[order]
    first = np.searchsorted(docs, docs, side="left")
    rank = np.arange(len(docs)) - first  # place within its document
    kept = rank < depth
    ids, inverse = np.unique(docs, return_inverse=True)
    totals = np.bincount(inverse[kept], weights=scores[kept], minlength=len(ids)) / depth
    top = totals.max(initial=0.0)
    support = totals / top if top > 0 else np.zeros_like(totals)
    out = np.empty(len(fused))
    out[order] = support[inverse]
    return out
