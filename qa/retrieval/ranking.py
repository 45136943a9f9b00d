"""Ranking adjustments after fusion: the length prior, bare headings last, neighbours merged,
and which sentences to quote. Pure functions over the candidates' fused scores."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qa.config import RetrievalConfig
from qa.index.store import Index, SentenceSpan
from qa.retrieval.candidates import Candidates
from qa.retrieval.copies import collapse_copies
from qa.retrieval.neighbours import merge_neighbours
from qa.types import Hit


@dataclass(frozen=True)
class ScoredSentence:
    span: SentenceSpan
    text: str
    score: float
    literal: bool = False  # holds every word of a keyword query (the answer quotes these)


def adjusted(
    fused: np.ndarray,
    length: np.ndarray,
    heading: np.ndarray,
    config: RetrievalConfig,
) -> np.ndarray:
    """Fused scores less the length prior, with bare headings last.

    A long passage wins the max-based scores (its best sentence, each query token's best match)
    by having more to pick from: it gives up ``length_penalty`` of the top score per 70 words.
    A bare heading ("(3) Strengthen ... management") is a label, not a statement: it echoes
    many questions, but what it heads is the answer (and the heading path is shown with every
    passage under it).
    """
    ranking = fused - config.length_penalty * fused.max(initial=0.0) * length
    if config.headings_last:
        ranking = np.where(heading, -1.0, ranking)
    return ranking


def ranked_hits(
    ranking: np.ndarray,
    candidates: Candidates,
    index: Index,
    texts: dict[str, str],
    k: int,
    config: RetrievalConfig,
) -> list[Hit]:
    """The top k hits, adjacent passages of one item joined (qa.retrieval.neighbours)."""
    k = max(0, min(k, len(candidates)))
    # k hits need at most k + merge_depth passages: only the top merge_depth are ever joined;
    # with copies counted once, up to k more may be needed to fill the places copies held
    extra = k if config.collapse_copies else 0
    order = np.argsort(-ranking, kind="stable")[: k + max(0, config.merge_depth) + extra]
    position = {int(candidates.ids[p]): int(p) for p in order}
    merged = merge_neighbours(
        candidates.ids[order], index.passages, texts, config.merge_depth, config.merge_max_words
    )
    if config.collapse_copies:
        ranked = collapse_copies(merged)
    else:
        ranked = [(p, parts, ()) for p, parts in merged]
    return [
        Hit(
            passage=p,
            score=float(np.clip(ranking[position[p.id]], 0, 1)),
            rank=r + 1,
            parts=parts,
            also_in=also_in,
        )
        for r, (p, parts, also_in) in enumerate(ranked[:k])
    ]


def quote_sentences(
    hits: list[Hit],
    candidates: Candidates,
    sentence_scores: np.ndarray,
    fused: np.ndarray,
    literal: np.ndarray,
    index: Index,
    answer_passage_weight: float,
) -> list[ScoredSentence]:
    """The sentences of the hit passages, best first, scored for quoting.

    A sentence's own match, steadied by its passage's rank: alone, the sentence score favours
    short item titles that merely echo the question (dev: evidence in the answer .746 -> .885
    for English, .688 -> .875 for Chinese).
    """
    chosen = {i for h in hits for i in h.passage_ids}
    aw = answer_passage_weight
    quote_scores = (1 - aw) * sentence_scores + aw * fused[candidates.owner]
    out = []
    for j, s in enumerate(candidates.sentences.tolist()):
        span = index.sentences[s]
        if span.passage in chosen:
            text = index.sentence_text(span)
            out.append(ScoredSentence(span, text, float(quote_scores[j]), bool(literal[j])))
    out.sort(key=lambda s: -s.score)
    return out
