"""The BM25 score of every (term, passage) pair, computed over whole arrays.

bm25s counts each passage's terms in a Python loop. Adding one file to a library changes every
score (the idf and the mean passage length move), so the model is computed again over all
passages: in the 1,000x library (67,803 passages) bm25s took 4.7 s of the 6.8 s an added file's
`qa index` spent on BM25. Here the same formulas (bm25s's "lucene" method) run as a few sorts
and vector operations in the precision bm25s computes them in, so the scores are the same
float32 values (tests/test_lexical.py holds them to bm25s's own). bm25s still holds the model
and saves it: this class only replaces its ``build_index_from_ids``, the step bm25s's
documentation says may be overridden.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np


@dataclass(frozen=True)
class FlatTermIds:
    """Every passage's term ids in one array: passage i's are ``ids[starts[i]:starts[i + 1]]``."""

    ids: np.ndarray
    starts: np.ndarray

    def __len__(self) -> int:
        return len(self.starts) - 1


def lucene_scores(
    terms: FlatTermIds, columns: int, k1: float, b: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(data, indices, indptr): the passage x term score matrix in CSC form, as bm25s builds it
    (column ``t`` holds term t's scores at its passages, in passage order).

    Example: two passages [0, 0, 1] and [1] over 2 columns give column 0 one score (passage 0)
    and column 1 two (passages 0 and 1).
    """
    lengths = np.diff(terms.starts).astype(np.int64)
    passages = len(lengths)
    owner = np.repeat(np.arange(passages, dtype=np.int64), lengths)
    keys = (terms.ids.astype(np.int64) << 32) | owner  # by term, then passage
    pairs, tf = np.unique(keys, return_counts=True)
    term, passage = pairs >> 32, pairs & 0xFFFFFFFF
    df = np.bincount(term, minlength=columns)
    # bm25s takes math.log of each document frequency in Python: so here, once per distinct df
    distinct, where = np.unique(df[term], return_inverse=True)
    idf = np.array(
        [math.log(1 + (passages - d + 0.5) / (d + 0.5)) for d in distinct.tolist()], np.float32
    )[where]
    # bm25s adds a float64 scalar to a float32 array: float64 in numpy 2, float32 before
    work = np.result_type(np.float64(1.0), np.ones(1, np.float32))
    mean_length = lengths.mean() if passages else 0.0
    norm = np.zeros(passages, work)
    if mean_length > 0:  # else no passage has a term, and no score is computed
        norm = (k1 * ((1 - b) + b * lengths / mean_length)).astype(work)
    counts = tf.astype(np.float32).astype(work)
    data = (idf.astype(work) * (counts / (norm[passage] + counts))).astype(np.float32)
    indptr = np.zeros(columns + 1, np.int64)
    np.cumsum(np.bincount(term, minlength=columns), out=indptr[1:])
    return data, passage.astype(np.int32), indptr


@cache
def _model_class():
    import bm25s

    class ArrayBM25(bm25s.BM25):
        """bm25s's model, its matrix computed by ``lucene_scores`` from FlatTermIds."""

        def build_index_from_ids(self, unique_token_ids, corpus_token_ids, **_):
            if self.method != "lucene" or self.idf_method != "lucene":
                raise ValueError("ArrayBM25 computes bm25s's 'lucene' method only")
            self.nonoccurrence_array = None  # as bm25s sets it for methods without one
            data, indices, indptr = lucene_scores(
                corpus_token_ids, len(unique_token_ids), self.k1, self.b
            )
            return {
                "data": data.astype(self.dtype),
                "indices": indices.astype(self.int_dtype),
                "indptr": indptr,
                "num_docs": len(corpus_token_ids),
            }

    return ArrayBM25


def indexed_model(terms: FlatTermIds, vocab: dict[str, int]):
    """A bm25s model of the passages' term ids (bm25s adds "", the term of an empty passage, to
    ``vocab`` itself when it lacks it, as its own ``index`` does)."""
    import bm25s

    model = _model_class()()
    model.index(bm25s.tokenization.Tokenized(ids=terms, vocab=vocab), show_progress=False)
    return model
