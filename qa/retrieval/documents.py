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


class DocumentTopics:
    """Each document's topic as the normalised mean of its passages' vectors: among many
    documents, a question about patents is nearer a document about patents than a speech
    that mentions them once. ``documents``: each passage's document number."""

    def __init__(self, vectors: np.ndarray, documents: np.ndarray, n_documents: int):
        self.vectors = vectors
        in_order = bool(np.all(np.diff(documents) >= 0))  # an index stores them so
        self.order = np.arange(len(documents)) if in_order else np.argsort(documents, kind="stable")
        numbers = np.arange(n_documents)
        self.first = np.searchsorted(documents[self.order], numbers, side="left")
        self.stop = np.searchsorted(documents[self.order], numbers, side="right")
        has = self.stop > self.first
        sums = np.zeros((n_documents, vectors.shape[1]), np.float32)
        if len(vectors):
            grouped = vectors if in_order else vectors[self.order]
            sums[has] = np.add.reduceat(grouped, self.first[has], axis=0)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        self.topics = sums / np.where(norms > 0, norms, 1.0)
        self.documents = documents

    def score(self, q: np.ndarray, ids: np.ndarray) -> np.ndarray:
        """The cosine of the query vector to each passage's document topic."""
        return (self.topics @ q)[self.documents[ids]]

    def nearest_passages(self, q: np.ndarray, documents: int, per_document: int) -> np.ndarray:
        """The passages nearest the query within the ``documents`` documents nearest it: a
        paraphrase far down the whole library's list can be near the top of its own document's."""
        out = [np.zeros(0, np.int64)]
        for d in np.argsort(-(self.topics @ q))[:documents].tolist():
            ids = self.order[self.first[d] : self.stop[d]]
            out.append(ids[np.argsort(-(self.vectors[ids] @ q))[:per_document]])
        return np.concatenate(out)
