"""The English path: candidates from MiniLM (FAISS) and BM25, scored by five scorers, fused.

Scorers: the passage's MiniLM cosine mixed with its best sentence's, BM25 over the query's
terms and their expansions, word-pair phrases, token MaxSim, and (a cascade: e5 costs ~10 ms)
multilingual e5 only when MiniLM is unsure.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qa.config import RetrievalConfig
from qa.query.quoted import quoted_phrases
from qa.retrieval.candidates import Candidates, dense_top_ids, top_ids, without
from qa.retrieval.e5_opinion import e5_opinion_on_demand
from qa.retrieval.fusion import Part, fuse, mix
from qa.retrieval.scope import scored_whole, within
from qa.retrieval.scorers import best_per_passage
from qa.types import Query, Signals


@dataclass(frozen=True)
class Scored:
    """What a path hands to the ranking adjustments: fused scores of the candidates, the
    candidate sentences' own scores, which of them hold a keyword query's words, and the
    signals the decline policy reads."""

    candidates: Candidates
    fused: np.ndarray
    sentence_scores: np.ndarray
    literal: np.ndarray
    signals: Signals


def search_english(
    pipeline, query: Query, config: RetrievalConfig, scope: np.ndarray | None = None
) -> Scored:
    """Score an English (or bridged) query: ``pipeline`` is the Retriever holding the scorers;
    ``scope``: the passage ids it may return (qa.retrieval.scope), None for all."""
    p = pipeline
    n = config.candidates
    q, q_tokens = p.encode_query(query.lookup, config)
    bm25_terms = [t for t in query.terms + query.expansion_terms if t in p.lexical.vocab]
    retired = p.index.retired_ids  # rows of removed or changed files: never a candidate
    bm25_all = without(p.lexical.scores(bm25_terms), retired)
    first = [dense_top_ids(p.index.vector_store, p.index.minilm, q, n, retired)]
    if bm25_terms:
        first.append(top_ids(bm25_all, n))
    if config.topic_documents > 0 and p.document_topics is not None:
        first.append(
            p.document_topics.nearest_passages(q, config.topic_documents, config.topic_passages)
        )
    candidates = p.sentence_map.candidates(within(np.concatenate(first), scope))
    s_cos = p.sentence_cosine.score(q, candidates)
    # Cascade: e5 is asked only when MiniLM is unsure; its own top N join the candidates.
    unsure = float(s_cos.max(initial=0.0)) < config.e5_below
    e5_q = None
    if p.e5 is not None and p.index.e5 is not None and config.e5_weight > 0 and unsure:
        e5_q = p.e5.encode_queries([query.lookup])[0]
        if not candidates.complete:
            e5_ids = top_ids(without(p.index.e5 @ e5_q, retired), n)
            more = within(np.concatenate([candidates.ids, e5_ids]), scope)
            candidates = p.sentence_map.candidates(more)
            s_cos = p.sentence_cosine.score(q, candidates)
    sw = config.sentence_weight
    dense = mix(p.passage_cosine.score(q, candidates), best_per_passage(s_cos, candidates), sw)
    bm25 = bm25_all[candidates.ids]
    terms = list(query.terms)
    parts = [
        Part(config.dense_weight, dense),
        Part(config.bm25_weight, bm25),
        Part(config.phrase_weight, p.phrases.score(terms, candidates), normalise=False),
    ]
    if config.heading_weight > 0:
        parts.append(Part(config.heading_weight, p.headings.score(query.lookup, candidates), False))
    quoted = quoted_phrases(query.text) if config.quoted_weight > 0 else ()
    held = p.quoted.score(quoted, candidates)
    if held.any():  # else the part would only scale every score down
        parts.append(Part(config.quoted_weight, held, normalise=False))
    if q_tokens is not None and len(q_tokens):
        parts.append(Part(config.token_weight, p.maxsim.score(q_tokens, candidates)))
    if config.document_topic_weight > 0 and p.document_topics is not None:
        topic = p.document_topics.score(q, candidates.ids)
        parts.append(Part(config.document_topic_weight, topic, normalise=False))
    e5_top = None
    if e5_q is not None:
        e5_sent = best_per_passage(p.e5_sentence_cosine.score(e5_q, candidates), candidates)
        e5_score = mix(p.e5_passage_cosine.score(e5_q, candidates), e5_sent, sw)
        parts.append(Part(config.e5_weight, e5_score))
        e5_top = float(e5_score.max(initial=0.0))
    fused = fuse(parts)
    if e5_q is None and unsure and _e5_opinion_wanted(p, query, config, scope):
        e5_top = e5_opinion_on_demand(p, query.lookup, candidates, fused, config)
    literal = (
        p.literal.score(terms, fused, candidates, config.literal_depth)
        if query.keyword
        else np.zeros(len(candidates.sentences), dtype=bool)
    )
    signals = Signals(
        non_latin=False,
        readings=query.readings,
        keyword_query=query.keyword,
        literal_match=bool(literal.any()),
        foreign_words=query.foreign_words,
        dense_top=float(dense.max(initial=0.0)),
        sentence_top=float(s_cos.max(initial=0.0)),
        bm25_top=float(bm25.max(initial=0.0)),
        term_coverage=query.term_coverage,
        e5_top=e5_top,
        minilm_alone=(p.e5 is None or p.index.e5 is None)
        and not candidates.complete
        and not scored_whole(scope),
    )
    return Scored(candidates, fused, s_cos, literal, signals)


def _e5_opinion_wanted(p, query: Query, config: RetrievalConfig, scope: np.ndarray | None) -> bool:
    """Whether e5 embeds the best candidates for its second opinion: a search within a few
    documents of a library without e5 vectors, where the opinion would be heard (the question's
    words are mostly not the documents' words; qa.answering.abstain)."""
    return (
        config.e5_opinion_passages > 0
        and config.e5_weight > 0
        and p.e5 is not None
        and p.index.e5 is None
        and scored_whole(scope)
        and query.term_coverage < config.lexical_coverage
    )
