"""The words a question is read against: the whole library's, or those of the documents it
is asked within.

A question asked within a few documents ("does the plan say ...", `--doc`) is judged as if
those documents were the library: a word only other documents use is a word the chosen ones
never use ("trade secrets" among a thousand licences and speeches is still no word of the
plan), its nearest words are theirs, and the share of the question's terms they hold is theirs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, cached_property

import numpy as np

from qa.index.lexical import LexicalIndex


@dataclass(frozen=True)
class Vocabulary:
    """BM25's terms (stems) the passages hold, and the corpus words (with their MiniLM vectors)
    an unseen question word may be expanded to."""

    stems: frozenset[str]
    words: list[str]
    vectors: np.ndarray | None
    # whether the passages' text says a word where BM25's terms do not show it ("rfc" in
    # "RFC5322", a hyphenated "x-scheme-handler"); None: the library's, judged by its terms
    says: Callable[[str], bool] | None = None

    def unseen(self, word: str, stem: str) -> bool:
        """Whether these passages never use the word (its stem is no term of theirs, nor does
        a word of theirs start with it)."""
        return stem not in self.stems and (self.says is None or not self.says(word))


class Vocabularies:
    """The library's vocabulary and, on demand, that of a set of its passages."""

    def __init__(
        self,
        lexical: LexicalIndex,
        words: list[str],
        vectors: np.ndarray | None,
        passage_text: Callable[[int], str],
    ):
        self.whole = Vocabulary(lexical.vocab, words, vectors)
        self._lexical, self._passage_text = lexical, passage_text

    @cached_property
    def _word_terms(self) -> np.ndarray:
        """Each corpus word's BM25 term id (-1: a word BM25 does not keep, a stopword)."""
        ids = self._lexical.matrix.vocab
        stems = self._lexical.stems(self.whole.words)
        return np.array([ids.get(s, -1) for s in stems], dtype=np.int64)

    def within(self, passage_ids: np.ndarray) -> Vocabulary:
        """The vocabulary of these passages alone (ids into the index's passages)."""
        terms = self._lexical.passage_terms
        held = np.zeros(len(terms.names), dtype=bool)
        held[terms.ids_of(passage_ids)] = True
        names = terms.names
        stems = frozenset(names[t] for t in np.flatnonzero(held).tolist())
        says = self._says(passage_ids)
        vectors = self.whole.vectors
        if vectors is None or not self.whole.words:
            return Vocabulary(stems, self.whole.words, vectors, says)
        word_terms = self._word_terms
        kept = np.flatnonzero((word_terms >= 0) & held[np.maximum(word_terms, 0)])
        words = [self.whole.words[i] for i in kept.tolist()]
        return Vocabulary(stems, words, vectors[kept], says)

    def _says(self, passage_ids: np.ndarray) -> Callable[[str], bool]:
        """Whether a word starts a word of these passages' text (read when first asked)."""
        ids = passage_ids.tolist()

        @cache
        def text() -> str:
            return "\n".join(self._passage_text(i) for i in ids).lower()

        def says(word: str) -> bool:
            return re.search(rf"(?<![^\W_]){re.escape(word.lower())}", text()) is not None

        return says
