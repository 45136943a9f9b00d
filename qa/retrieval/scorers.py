"""Scorers: each one scores the candidate passages (or their sentences) in one way.

Each is a small unit with one method, ``score``, over an index's arrays, so each can be tested
alone on a fake index. Where the candidates are every passage, a scorer takes the
whole-corpus path (one product over all rows), which gives the same figures as before
candidates existed.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from qa.index.lexical import LexicalIndex
from qa.index.ranges import concatenated_ranges
from qa.index.token_vectors import maxsim, widened
from qa.ingest.chunking import SECTION_SEP
from qa.query.quoted import normalised
from qa.retrieval.candidates import Candidates


def best_per_passage(sentence_scores: np.ndarray, candidates: Candidates) -> np.ndarray:
    """Each candidate passage's best sentence score (-1 for a passage without sentences).

    Example: with owner [0, 0, 1], best_per_passage([.2, .5, .1], c) -> [.5, .1]
    """
    best = np.full(len(candidates), -1.0)
    np.maximum.at(best, candidates.owner, sentence_scores)
    return best


class SentenceCosine:
    """Cosine of the query vector with each candidate sentence's vector."""

    def __init__(self, vectors: np.ndarray):
        self.vectors = vectors

    def score(self, q: np.ndarray, candidates: Candidates) -> np.ndarray:
        if candidates.complete:
            return self.vectors @ q
        return self.vectors[candidates.sentences] @ q


class PassageCosine:
    """Cosine of the query vector with each candidate passage's vector (FAISS inner product
    over unit vectors when the index has one)."""

    def __init__(self, vectors: np.ndarray, faiss_index=None):
        self.vectors = vectors
        self.faiss_index = faiss_index

    def score(self, q: np.ndarray, candidates: Candidates) -> np.ndarray:
        if not candidates.complete:
            return self.vectors[candidates.ids] @ q
        if self.faiss_index is None:
            return self.vectors @ q
        n = len(self.vectors)
        scores, ids = self.faiss_index.search(np.ascontiguousarray(q[None, :], np.float32), n)
        out = np.zeros(n, dtype=np.float64)
        valid = ids[0] >= 0  # -1 ids when k > N are skipped
        out[ids[0][valid]] = scores[0][valid]
        return out


class Bm25Scorer:
    """BM25 over stemmed terms (terms the corpus lacks are ignored)."""

    def __init__(self, lexical: LexicalIndex):
        self.lexical = lexical

    def score(self, terms: list[str], candidates: Candidates) -> np.ndarray:
        return self.lexical.scores(terms)[candidates.ids]


class PhraseScorer:
    """Share of the query's consecutive term pairs found in each passage, so exact names
    ("patent examination highway") win over passages that only share the single words."""

    def __init__(self, passage_terms: list[list[str]]):
        self.passage_terms = passage_terms
        self._bigrams: dict[int, set] = {}  # made when a passage is first a candidate

    def bigrams(self, i: int) -> set:
        if i not in self._bigrams:
            w = self.passage_terms[i]
            self._bigrams[i] = set(zip(w, w[1:], strict=False))
        return self._bigrams[i]

    def score(self, terms: list[str], candidates: Candidates) -> np.ndarray:
        pairs = set(zip(terms, terms[1:], strict=False))
        if not pairs:
            return np.zeros(len(candidates))
        return np.array(
            [len(pairs & self.bigrams(i)) / len(pairs) for i in candidates.ids.tolist()],
            dtype=np.float64,
        )


# "this format", "these terms", "the present agreement": the document the question is asked of
_THIS_DOCUMENT = re.compile(r"\b(?:this|these|the present)\s+[\w-]+", re.I)


class HeadingScorer:
    """1 for a passage whose own heading the question names in full ("What goes in the
    Disclaimer field?" and "6.5. Disclaimer"; "Applications/Emulators"), else 0. A name that
    heads a section is often missing from its text ("this field is used for ..."), and a
    passage that merely mentions the name elsewhere wins on the words. The document itself is no
    such heading: neither its title (the first part of a path) nor what the question calls it
    ("How many packages use this format?" is not about the section "6.1. Format")."""

    def __init__(self, section_numbers: np.ndarray, sections: list[str], tokenize):
        self.section_numbers = np.asarray(section_numbers, dtype=np.int64)
        self.sections = sections
        self.tokenize = tokenize
        self._terms: dict[int, frozenset[str]] = {}

    def heading_terms(self, number: int) -> frozenset[str]:
        """The stemmed word terms of the section's last heading; none for a top-level path."""
        if number not in self._terms:
            parts = self.sections[number].split(SECTION_SEP) if self.sections[number] else []
            words = self.tokenize([parts[-1]])[0] if len(parts) > 1 else []
            self._terms[number] = frozenset(w for w in words if w.isalpha())
        return self._terms[number]

    def score(self, question: str, candidates: Candidates) -> np.ndarray:
        asked = set(self.tokenize([_THIS_DOCUMENT.sub(" ", question)])[0])
        out = np.zeros(len(candidates))
        if not asked:
            return out
        for j, number in enumerate(self.section_numbers[candidates.ids].tolist()):
            heading = self.heading_terms(number)
            out[j] = float(bool(heading) and heading <= asked)
        return out


class MaxSimScorer:
    """Token-level MaxSim (qa.index.token_vectors): each query token's best passage token."""

    def __init__(self, tokens: np.ndarray, starts: np.ndarray):
        # stored in half precision; a memory-mapped (large) file stays on disk and only the
        # candidates' rows are read and widened, a small one is widened once here
        if not isinstance(tokens, np.memmap):
            tokens = np.asarray(tokens, dtype=np.float32)
        self.tokens = tokens
        self.starts = np.asarray(starts, dtype=np.int64)
        self.stops = np.append(self.starts[1:], len(tokens)).astype(np.int64)

    def score(self, q_tokens: np.ndarray, candidates: Candidates) -> np.ndarray:
        if candidates.complete:
            return maxsim(q_tokens, np.asarray(self.tokens, np.float32), self.starts)
        if len(candidates) == 0:
            return np.zeros(0)
        first, stop = self.starts[candidates.ids], self.stops[candidates.ids]
        rows = concatenated_ranges(first, stop)
        sizes = stop - first
        chosen = widened(self.tokens[rows])
        return maxsim(q_tokens, chosen, (np.cumsum(sizes) - sizes).astype(np.int64))


class QuotedPhrases:
    """The share of the question's quoted phrases (qa.query.quoted) a candidate passage holds,
    in any case and however its lines are wrapped."""

    def __init__(self, passage_text: Callable[[int], str]):
        self.passage_text = passage_text

    def score(self, phrases: tuple[str, ...], candidates: Candidates) -> np.ndarray:
        if not phrases:
            return np.zeros(len(candidates))
        texts = [normalised(self.passage_text(i)) for i in candidates.ids.tolist()]
        return np.array([sum(p in t for p in phrases) / len(phrases) for t in texts])


class LiteralSentences:
    """The candidate sentences holding every term of a keyword query ("pledge", "customs
    inspection"), when one of them is in the best ``depth`` passages (else none): then the
    words asked for are in the corpus, however low the cosine of a lone word.

    ``sentence_terms``: each sentence's BM25 terms, or what tokenizes sentences by id; then a
    sentence is tokenized when it is first a candidate (a large library's 100k sentences are
    not tokenized at start)."""

    def __init__(self, sentence_terms: list[set[str]] | Callable[[list[int]], list[set[str]]]):
        self._tokenize = sentence_terms if callable(sentence_terms) else None
        self._terms: dict[int, set[str]] = (
            {} if callable(sentence_terms) else dict(enumerate(sentence_terms))
        )

    def terms(self, ids: list[int]) -> list[set[str]]:
        new = [j for j in dict.fromkeys(ids) if j not in self._terms]
        if new and self._tokenize is not None:
            self._terms.update(zip(new, self._tokenize(new), strict=True))
        return [self._terms[j] for j in ids]

    def score(
        self, terms: list[str], fused: np.ndarray, candidates: Candidates, depth: int
    ) -> np.ndarray:
        wanted = set(terms)
        holds = np.array(
            [wanted <= t for t in self.terms(candidates.sentences.tolist())], dtype=bool
        )
        best = np.argsort(-fused, kind="stable")[:depth]
        return holds if holds[np.isin(candidates.owner, best)].any() else np.zeros_like(holds)
