"""e5's second opinion on an English question asked within a few documents of a library that
keeps no e5 vectors (above QA_E5_MAX_PASSAGES).

Over a small library e5 scores every candidate when MiniLM is unsure, and a question neither
model finds close is declined (qa.answering.abstain). A question asked within a few documents
("does the plan ...?") is judged as that small library would judge it: e5 embeds the best few
candidates and their sentences when asked, and its best match is the one the small library's
index would have given for them.
"""

from __future__ import annotations

import numpy as np

from qa.config import RetrievalConfig
from qa.retrieval.candidates import Candidates
from qa.retrieval.fusion import mix


def e5_opinion_on_demand(
    pipeline, lookup: str, candidates: Candidates, fused: np.ndarray, config: RetrievalConfig
) -> float:
    """e5's best match (passage mixed with its best sentence, as over a small library) among
    the ``config.e5_opinion_passages`` best candidates by ``fused``."""
    p = pipeline
    best = np.argsort(-fused, kind="stable")[: config.e5_opinion_passages]
    if not len(best):
        return 0.0
    q = p.e5.encode_queries([lookup])[0]
    own = p.e5_on_demand.vectors(candidates.ids[best]) @ q
    rank = np.full(len(candidates), -1, dtype=np.int64)
    rank[best] = np.arange(len(best))
    held = rank[candidates.owner] >= 0
    sentences = candidates.sentences[held].tolist()
    texts = [p.index.sentence_text(p.index.sentences[j]) for j in sentences]
    best_sentence = np.full(len(best), -1.0)
    if texts:
        np.maximum.at(best_sentence, rank[candidates.owner[held]], p.e5.encode_passages(texts) @ q)
    return float(mix(own, best_sentence, config.sentence_weight).max(initial=0.0))
