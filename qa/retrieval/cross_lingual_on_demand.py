"""The cross-lingual path of a large library, whose index holds no e5 vectors.

Embedding every passage with e5 costs about five times MiniLM (49 min per 65k passages on 2
cores), so above ``Settings.e5_max_passages`` the index keeps none (manifest ``e5_scope``
"candidates"). A question in another script then finds its candidates in English: BM25 over the
dictionary's English words for it (qa.query.chinese_dictionary) and MiniLM over those words;
e5 embeds the best ``RetrievalConfig.e5_on_demand`` of them now (kept for later questions; all
of each by default, or its first ``e5_on_demand_words`` words, its title and opening, since e5's
time grows with what it reads) and ranks them against the question, and the MiniLM vectors of
the passages e5 ranks first become the English query that picks the sentences to quote
(pseudo-feedback, as in qa.retrieval.cross_lingual).
"""

from __future__ import annotations

import re
from collections import OrderedDict

import numpy as np

from qa.config import RetrievalConfig
from qa.index.store import embed_text
from qa.retrieval.candidates import dense_top_ids, top_ids, without
from qa.retrieval.english import Scored
from qa.retrieval.fusion import Part, fuse
from qa.retrieval.scope import within
from qa.retrieval.scorers import best_per_passage
from qa.types import Passage, Query, Signals

_WORD = re.compile(r"\S+")


def opening(text: str, words: int) -> str:
    """The text up to the end of its ``words``-th word (all of it when ``words`` is 0).

    Example: opening("Article 1. Scope of\nthe rules", 3) == "Article 1. Scope"
    """
    if words <= 0:
        return text
    for n, match in enumerate(_WORD.finditer(text), start=1):
        if n == words:
            return text[: match.end()]
    return text


class E5OnDemand:
    """e5 vectors of passages embedded when a question needs them, the most recent kept;
    each from the passage's first ``words`` words (0: all of it)."""

    def __init__(self, e5, passages: list[Passage], keep: int = 20_000, words: int = 0):
        self._e5, self._passages, self._keep, self.words = e5, passages, keep, words
        self._vectors: OrderedDict[int, np.ndarray] = OrderedDict()

    def vectors(self, ids: np.ndarray, words: int | None = None) -> np.ndarray:
        if words is not None and words != self.words:
            self.words = words  # vectors of another opening length are no longer comparable
            self._vectors.clear()
        new = [int(i) for i in ids if int(i) not in self._vectors]
        if new:
            texts = [opening(embed_text(self._passages[i]), self.words) for i in new]
            for i, v in zip(new, self._e5.encode_passages(texts), strict=True):
                self._vectors[i] = v
        for i in ids:
            self._vectors.move_to_end(int(i))
        while len(self._vectors) > self._keep:
            self._vectors.popitem(last=False)
        rows = [self._vectors[int(i)] for i in ids]
        return np.vstack(rows) if rows else np.zeros((0, self._e5.dim), np.float32)


def search_cross_lingual_on_demand(
    pipeline, query: Query, config: RetrievalConfig, scope: np.ndarray | None = None
) -> Scored:
    """Score a cross-lingual query over an index without e5 vectors: ``pipeline`` is the
    Retriever (its ``e5_on_demand`` embeds the passages); ``scope`` as in search_english."""
    p = pipeline
    n = config.candidates
    retired = p.index.retired_ids  # rows of removed or changed files: never a candidate
    lexical_all = without(p.lexical.scores(list(query.terms)), retired) if query.terms else None
    words = p.minilm.encode_queries([" ".join(query.terms) or query.topic])[0]
    first = [dense_top_ids(p.index.vector_store, p.index.minilm, words, n, retired)]
    if lexical_all is not None:
        first.append(top_ids(lexical_all, n))
    broad = p.sentence_map.candidates(within(np.concatenate(first), scope))
    guess = [Part(1.0, p.passage_cosine.score(words, broad))]
    if lexical_all is not None:
        guess.append(Part(config.dictionary_weight, lexical_all[broad.ids]))
    best = broad.ids[np.argsort(-fuse(guess), kind="stable")[: config.e5_on_demand]]
    candidates = p.sentence_map.candidates(best)
    ids = candidates.ids
    e5_score = p.e5_on_demand.vectors(ids, config.e5_on_demand_words) @ query.vector
    leaders = ids[np.argsort(-e5_score)[: config.feedback_sentences]]
    english = p.index.minilm[leaders].mean(axis=0)
    english /= np.linalg.norm(english) or 1.0
    sentence_scores = p.sentence_cosine.score(english, candidates)
    dense = best_per_passage(sentence_scores, candidates)
    w = config.feedback_weight
    parts = [Part(1 - w, e5_score), Part(w, dense)]
    if lexical_all is not None:
        parts.append(Part(config.dictionary_weight, lexical_all[ids]))
    signals = Signals(
        non_latin=True,
        readings=query.readings,  # "计划" read as the plan: the answer says so
        keyword_query=query.keyword,
        foreign_words=query.foreign_words,
        e5_top=float(e5_score.max(initial=0.0)),
    )
    literal = np.zeros(len(candidates.sentences), dtype=bool)
    return Scored(candidates, fuse(parts), sentence_scores, literal, signals)
