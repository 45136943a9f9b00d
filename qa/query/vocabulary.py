"""The words a question is read against: the whole library's, or those of the documents it
is asked within.

A question asked within a few documents ("does the plan say ...", `--doc`) is judged as if
those documents were the library: a word only other documents use is a word the chosen ones
never use ("trade secrets" among a thousand licences and speeches is still no word of the
plan), its nearest words are theirs, and the share of the question's terms they hold is theirs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from qa.index.lexical import TermLists


@dataclass(frozen=True)
class Vocabulary:
    """BM25's terms (stems) the passages hold, and the corpus words (with their MiniLM vectors)
    an unseen question word may be expanded to."""

    stems: frozenset[str]
    words: list[str]
    vectors: np.ndarray | None


class Vocabularies:
    """The library's vocabulary and, on demand, that of a set of its passages."""

    def __init__(
        self,
        passage_terms: TermLists,
        term_ids: dict[str, int],
        words: list[str],
        vectors: np.ndarray | None,
        stems: Callable[[list[str]], list[str]],
    ):
        self.whole = Vocabulary(frozenset(term_ids), words, vectors)
        self._terms, self._term_ids, self._stems = passage_terms, term_ids, stems

    @cached_property
    def _term_names(self) -> np.ndarray:
        names = np.empty(len(self._term_ids), dtype=object)
        for term, number in self._term_ids.items():
            names[number] = term
        return names

    @cached_property
    def _word_terms(self) -> np.ndarray:
        """Each corpus word's BM25 term id (-1: a word BM25 does not keep, a stopword)."""
        ids = self._term_ids
        stems = self._stems(self.whole.words)
        return np.array([ids.get(s, -1) for s in stems], dtype=np.int64)

    def within(self, passage_ids: np.ndarray) -> Vocabulary:
        """The vocabulary of these passages alone (ids into the index's passages)."""
        starts = np.asarray(self._terms.starts)
        first, stop = starts[passage_ids], starts[passage_ids + 1]
        lengths = stop - first
        offsets = np.repeat(first - np.cumsum(lengths) + lengths, lengths)
        held = np.zeros(len(self._term_ids), dtype=bool)
        held[np.asarray(self._terms.ids)[offsets + np.arange(lengths.sum())]] = True
        stems = frozenset(self._term_names[held].tolist())
        vectors = self.whole.vectors
        if vectors is None or not self.whole.words:
            return Vocabulary(stems, self.whole.words, vectors)
        word_terms = self._word_terms
        kept = np.flatnonzero((word_terms >= 0) & held[np.maximum(word_terms, 0)])
        return Vocabulary(stems, [self.whole.words[i] for i in kept.tolist()], vectors[kept])
