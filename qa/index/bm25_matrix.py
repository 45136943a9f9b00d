"""bm25s's saved BM25 model, read and scored without importing bm25s.

A question's BM25 scores are the sums of its terms' columns of the term x passage score matrix
that bm25s computes when it indexes and saves as three arrays. Loading the model through bm25s
cost every cold start about 0.3 s in a 20 MB library: importing bm25s (and scipy with it), and
copying its 15 MB of files into a temporary folder, since bm25s reads only a folder. Here the
checked arrays are memory-mapped where they lie and scored as bm25s scores them, to the same
float32 values. bm25s still indexes and saves the model (qa.index.lexical).
"""

from __future__ import annotations

import json

import numpy as np

from qa.index.npy_io import load_npy

# The score formulas whose scores are the matrix's sums alone; "bm25l" and "bm25+" add a
# score for every term a passage lacks, which planqa never builds.
SUMMED_METHODS = frozenset({"lucene", "robertson", "atire"})


class Bm25Matrix:
    """The precomputed BM25 score of every (term, passage) pair that occurs: column ``t`` of
    the matrix is ``data[indptr[t]:indptr[t + 1]]`` at passages ``indices[...]``."""

    def __init__(
        self,
        data: np.ndarray,
        indices: np.ndarray,
        indptr: np.ndarray,
        vocab: dict[str, int],
        passages: int,
    ):
        # a column for every term; bm25s may number "" (an empty passage's term) after them
        columns = len(indptr) - 1
        fits = columns == len(vocab) or (columns == len(vocab) - 1 and vocab.get("") == columns)
        if not fits or len(data) != len(indices):
            raise ValueError(
                f"the BM25 matrix has {columns} columns and {len(data)} scores at "
                f"{len(indices)} places for a vocabulary of {len(vocab)} terms"
            )
        if indptr[0] != 0 or indptr[-1] != len(data) or np.any(np.diff(indptr) < 0):
            raise ValueError("the BM25 matrix's column starts do not cover its scores")
        if len(indices) and (int(indices.min()) < 0 or int(indices.max()) >= passages):
            raise ValueError(f"the BM25 matrix names passages outside its {passages}")
        if sorted(vocab.values()) != list(range(len(vocab))):
            raise ValueError("the BM25 vocabulary does not number its terms 0, 1, 2, ...")
        self.data, self.indices, self.indptr = data, indices, indptr
        self.columns = columns
        self.vocab = vocab
        self.passages = passages

    @classmethod
    def from_bm25(cls, bm25) -> Bm25Matrix:
        """The matrix of a model bm25s has just indexed."""
        if bm25.method not in SUMMED_METHODS:
            raise ValueError(f"BM25 method {bm25.method!r} is not scored by its matrix alone")
        s = bm25.scores
        return cls(s["data"], s["indices"], s["indptr"], bm25.vocab_dict, int(s["num_docs"]))

    @classmethod
    def from_files(cls, params: bytes, vocab: bytes, data, indices, indptr) -> Bm25Matrix:
        """The matrix from bm25s's saved files (the arrays as bytes, or a path to memory-map).
        Raises ValueError for a model this reader does not score as bm25s would."""
        settings = json.loads(params)
        method = settings.get("method")
        if method not in SUMMED_METHODS:
            raise ValueError(f"BM25 method {method!r} is not scored by its matrix alone")
        return cls(
            load_npy(data),
            load_npy(indices),
            load_npy(indptr),
            json.loads(vocab),
            int(settings["num_docs"]),
        )

    def scores(self, terms: list[str]) -> np.ndarray:
        """Every passage's score for the terms (unknown ones add nothing; one given twice
        counts twice), summed in bm25s's order and precision."""
        out = np.zeros(self.passages, dtype=self.data.dtype)
        for term in terms:
            column = self.vocab.get(term, self.columns)
            if column >= self.columns:  # unknown, or "" numbered after the columns
                continue
            start, stop = int(self.indptr[column]), int(self.indptr[column + 1])
            out[self.indices[start:stop]] += self.data[start:stop]  # no passage twice in a column
        return out

