"""The cross-lingual path: a question in another script, searched by its e5 vector.

e5 matches the question to English sentences across languages; the MiniLM vectors of the best
few sentences then act as an English query (pseudo-feedback), which sharpens the ranking
(dev Chinese questions: hit@W150 0.625 -> 0.875); BM25 over the corpus words the question's
words stand for (qa.query.reader) joins when there are any. Across languages the passage
vectors rank better than the best sentence, hence a low cross_sentence_weight.
"""

from __future__ import annotations

import numpy as np

from qa.config import RetrievalConfig
from qa.retrieval.candidates import dense_top_ids, top_ids
from qa.retrieval.english import Scored
from qa.retrieval.fusion import Part, fuse, mix
from qa.retrieval.scope import within
from qa.retrieval.scorers import best_per_passage
from qa.types import Query, Signals


def search_cross_lingual(
    pipeline, query: Query, config: RetrievalConfig, scope: np.ndarray | None = None
) -> Scored:
    """Score a cross-lingual query: ``pipeline`` is the Retriever holding the scorers;
    ``scope``: the passage ids it may return (qa.retrieval.scope), None for all."""
    p = pipeline
    n = config.candidates
    q = query.vector
    everything = p.sentence_map.all()
    e5_sentences = p.e5_sentence_cosine.score(q, everything)  # first stage: every sentence
    e5_pass = p.e5_passage_cosine.score(q, everything)
    e5_sent = best_per_passage(e5_sentences, everything)
    xw = config.cross_sentence_weight
    e5_rank = mix(e5_pass, e5_sent, xw)
    best = np.argsort(-e5_sentences)[: config.feedback_sentences]
    english = p.index.minilm_sentences[best].mean(axis=0)
    english /= np.linalg.norm(english) or 1.0
    weight = {"dictionary": config.dictionary_weight, "nearest": config.cross_lexical_weight}
    lexical_weight = weight.get(query.term_source, 0.0)
    first = [top_ids(e5_rank, n), dense_top_ids(p.index.vector_store, p.index.minilm, english, n)]
    lexical_all = p.lexical.scores(list(query.terms)) if query.terms else None
    if lexical_all is not None:
        first.append(top_ids(lexical_all, n))
    candidates = p.sentence_map.candidates(within(np.concatenate(first), scope))
    ids = candidates.ids
    own = p.passage_cosine.score(english, candidates)
    dense = mix(own, best_per_passage(p.sentence_cosine.score(english, candidates), candidates), xw)
    w = config.feedback_weight
    parts = [Part(1 - w, e5_rank[ids]), Part(w, dense)]
    if lexical_all is not None:
        parts.append(Part(lexical_weight, lexical_all[ids]))
    fused = fuse(parts)
    e5_score = mix(e5_pass, e5_sent, 0.5)  # the decline policy's threshold keeps this scale
    signals = Signals(
        non_latin=True,
        readings=query.readings,  # "计划" read as the plan: the answer says so
        keyword_query=query.keyword,
        foreign_words=query.foreign_words,
        e5_top=float(e5_score[ids].max(initial=0.0)),
    )
    literal = np.zeros(len(candidates.sentences), dtype=bool)
    sentence_scores = e5_sentences[candidates.sentences]
    return Scored(candidates, fused, sentence_scores, literal, signals)
