"""Compose an extractive answer: the documents' own sentences, verbatim, each with its [n] citation.

Pure functions over a Retrieval. Sentences are chosen by their relevance to the question, then put
back in source order; citation numbers follow the order in which passages are first quoted.
"""

from __future__ import annotations

from qa.answering.abstain import decide
from qa.answering.coverage import WordVectors
from qa.config import AnswerConfig, RetrievalConfig
from qa.ingest.chunking import BULLET, heading_level, is_item_title
from qa.retrieval.ranking import ScoredSentence
from qa.retrieval.retriever import Retrieval
from qa.types import Answer, Citation, Quote

DECLINE_TEXT = (
    "The documents do not seem to cover this. The closest passages they have are listed below; "
    "check them before relying on the documents for this question."
)


def select_sentences(sentences: list[ScoredSentence], config: AnswerConfig) -> list[ScoredSentence]:
    """The best sentence and those scoring within ``relative_cut`` of it, at most max_sentences.

    A bare heading ("2. Main actions") is a label, not a statement, so it is never quoted. An
    item's title ("——Strengthen intellectual property review.") is a label too, and the section
    path shown with each citation names it already: it is quoted only when nothing else is
    (dev2, `qa eval`: evidence in the answer .793 -> .832; it took a place in 90 of 207 answers).
    """
    sentences = [s for s in sentences if heading_level(s.text) is None]
    # A keyword query ("pledge") is answered by the sentences that use its words.
    sentences = [s for s in sentences if s.literal] or sentences
    sentences = [s for s in sentences if not is_item_title(s.text)] or sentences
    if not sentences:
        return []
    best = sentences[0].score
    chosen = [s for s in sentences if s.score >= best * config.relative_cut][: config.max_sentences]
    return sorted(chosen, key=lambda s: (s.span.passage, s.span.start))


def strip_bullet(text: str, start: int) -> tuple[str, int]:
    """Drop the leading ``——`` of a bullet item so the quote reads as a sentence (still verbatim)."""
    if text.startswith(BULLET):
        return text[len(BULLET) :], start + len(BULLET)
    return text, start


def compose(
    question: str,
    retrieval: Retrieval,
    answer_config: AnswerConfig | None = None,
    retrieval_config: RetrievalConfig | None = None,
    words: WordVectors | None = None,
) -> Answer:
    """Build the Answer for a question from what retrieval found (``words``: single-word
    vectors for the decline policy, qa.answering.abstain.decide)."""
    answer_config = answer_config or AnswerConfig()
    retrieval_config = retrieval_config or RetrievalConfig()
    hits = tuple(retrieval.hits)
    decision = decide(question, retrieval.hits, retrieval.signals, retrieval_config, words)
    if decision.abstain or not hits:
        return Answer(
            question=question,
            text=DECLINE_TEXT,
            abstained=True,
            hits=hits,
            reason=decision.reason or "no passages",
            signals=retrieval.signals,
        )
    by_id = {i: h for h in hits for i in h.passage_ids}
    numbers: dict[int, int] = {}
    quotes: list[Quote] = []
    for s in select_sentences(retrieval.sentences, answer_config):
        n = numbers.setdefault(by_id[s.span.passage].passage.id, len(numbers) + 1)
        text, start = strip_bullet(s.text, s.span.start)
        source = by_id[s.span.passage].passage.source
        quotes.append(
            Quote(text=text, source=source, start=start, end=s.span.end, citation=n, score=s.score)
        )
    citations = tuple(
        Citation(n=n, hit=by_id[pid], quotes=tuple(q for q in quotes if q.citation == n))
        for pid, n in sorted(numbers.items(), key=lambda item: item[1])
    )
    # a hard-wrapped document's line breaks and indents are layout: the answer reads as prose,
    # its quotes keep the verbatim text and offsets
    text = " ".join(f"{' '.join(q.text.split())} [{q.citation}]" for q in quotes)
    return Answer(
        question=question,
        text=text,
        abstained=False,
        quotes=tuple(quotes),
        citations=citations,
        hits=hits,
        signals=retrieval.signals,
    )
