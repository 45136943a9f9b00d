"""First stage: the passages worth scoring, as the union of each first-stage retriever's top N.

Later scorers (best sentence, phrases, MaxSim, ...) score these candidates only, so a question
costs the same whether the corpus holds 40 passages or 50,000. With N at least the number of
passages every passage is a candidate and the figures are those of scoring everything.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qa.index.ranges import concatenated_ranges


@dataclass(frozen=True)
class Candidates:
    """Passage ids (ascending), their sentences (ascending) and each sentence's passage, as a
    position in ``ids``. ``complete``: every passage of the index is a candidate."""

    ids: np.ndarray
    sentences: np.ndarray
    owner: np.ndarray
    complete: bool

    def __len__(self) -> int:
        return len(self.ids)


class SentenceMap:
    """Which sentences belong to which passage (sentences are stored in passage order)."""

    def __init__(self, sentence_passage: np.ndarray, n_passages: int):
        self.n_passages = n_passages
        self.n_sentences = len(sentence_passage)
        order = np.arange(n_passages)
        self.first = np.searchsorted(sentence_passage, order, side="left")
        self.stop = np.searchsorted(sentence_passage, order, side="right")
        # every passage: built once, as most questions on a small corpus score them all
        self._all = Candidates(
            order.astype(np.int64),
            np.arange(self.n_sentences, dtype=np.int64),
            np.repeat(order, self.stop - self.first),
            True,
        )

    def candidates(self, ids: np.ndarray) -> Candidates:
        """The candidates for passage ids (any order, repeats allowed)."""
        ids = np.unique(np.asarray(ids, dtype=np.int64))
        if len(ids) == self.n_passages:
            return self._all
        counts = self.stop[ids] - self.first[ids]
        sentences = concatenated_ranges(self.first[ids], self.stop[ids])
        owner = np.repeat(np.arange(len(ids)), counts)
        return Candidates(ids, sentences, owner, False)

    def all(self) -> Candidates:
        return self._all


def top_ids(scores: np.ndarray, n: int) -> np.ndarray:
    """Ids of the ``n`` highest scores, in no particular order (all of them when n >= size).

    Example: sorted(top_ids(np.array([0.1, 0.9, 0.5]), 2).tolist()) == [1, 2]
    """
    if n <= 0:
        return np.zeros(0, np.int64)
    if n >= len(scores):
        return np.arange(len(scores), dtype=np.int64)
    return np.argpartition(-scores, n - 1)[:n].astype(np.int64)


def dense_top_ids(
    store, vectors: np.ndarray, q: np.ndarray, n: int, exclude: np.ndarray | None = None
) -> np.ndarray:
    """The ``n`` passages nearest the query vector: the index's vector store (FAISS, Qdrant;
    see qa.index.vector_store) searches, or numpy over ``vectors`` without a store.
    ``exclude``: passage ids never returned (retired rows, qa.index.retire)."""
    excluding = exclude is not None and len(exclude) > 0
    if n >= len(vectors):
        every = np.arange(len(vectors), dtype=np.int64)
        return np.setdiff1d(every, exclude) if excluding else every
    if store is None:
        return top_ids(without(vectors @ q, exclude), n)
    _, ids = store.search(np.ascontiguousarray(q[None, :], dtype=np.float32), n, exclude)
    return ids[0][ids[0] >= 0].astype(np.int64)


def without(scores: np.ndarray, exclude: np.ndarray | None) -> np.ndarray:
    """``scores`` (a fresh array, changed in place) with the excluded ids at -inf, so no top-N
    takes them.

    Example: without(np.array([.5, .9]), np.array([1])).tolist() == [.5, -inf]
    """
    if exclude is not None and len(exclude):
        scores[exclude] = -np.inf
    return scores
