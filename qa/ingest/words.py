"""Query expansion through the corpus vocabulary, so BM25 can match paraphrases.

A user writes "oversee", "trade fairs" or "collateral"; the bundled plan says "supervision", "exhibitions"
and "pledge". Every word of the corpus is embedded once at index time; at query time each query
word the corpus never uses is replaced by its nearest corpus words (by MiniLM cosine) for BM25.
"""

from __future__ import annotations

import re
from functools import cache

import numpy as np

_WORD = re.compile(r"[a-z\u00df-\u024f][a-z\u00df-\u024f\-]+")  # Latin letters, accents too
# Question words and fillers that carry no topic (on top of bm25s' English stopwords).
_QUESTION_WORDS = frozenset(
    "what which who whom whose when where why how does did do will would should can could may "
    "might must shall about say says said plan plans anything something there their them they "
    "get got going have has had being been".split()
)


@cache
def stopwords() -> frozenset[str]:
    from qa.ingest.stopword_lists import bm25s_stopwords

    return frozenset(bm25s_stopwords("STOPWORDS_EN")) | _QUESTION_WORDS


def content_words(text: str) -> list[str]:
    """Lowercase topic words of a text, in order.

    Example: content_words("How will the plan oversee agents?") -> ["oversee", "agents"]
    """
    stop = stopwords()
    return [w for w in _WORD.findall(text.lower()) if len(w) > 2 and w not in stop]


def vocabulary(texts: list[str]) -> list[str]:
    """The sorted distinct content words of the corpus."""
    return sorted({w for t in texts for w in content_words(t)})


def nearest_words(
    word_vectors: np.ndarray,
    vocab: list[str],
    vocab_vectors: np.ndarray,
    threshold: float,
    per_word: int,
) -> list[list[str]]:
    """For each word vector, up to ``per_word`` corpus words with cosine >= threshold.

    Example: nearest_words(np.eye(2)[:1], ["a", "b"], np.eye(2), 0.5, 1) -> [["a"]]
    """
    if word_vectors.size == 0 or not vocab:
        return [[] for _ in range(len(word_vectors))]
    sims = word_vectors @ vocab_vectors.T
    out = []
    for row in sims:
        best = np.argsort(-row)[:per_word]
        out.append([vocab[j] for j in best if row[j] >= threshold])
    return out
