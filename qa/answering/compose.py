"""Compose an extractive answer: the plan's own sentences, verbatim, each with its [n] citation.

Pure functions over a Retrieval. Sentences are chosen by their relevance to the question, then put
back in source order; citation numbers follow the order in which passages are first quoted.
"""

from __future__ import annotations

from qa.answering.answer_type import expected_type, has_answer_of_type, mentions_money, money_asked
from qa.config import AnswerConfig, RetrievalConfig
from qa.ingest.chunking import BULLET, heading_level, is_item_title
from qa.retrieval.retriever import Retrieval, ScoredSentence
from qa.types import Answer, Citation, Quote

DECLINE_TEXT = (
    "The plan does not seem to cover this. The closest passages it has are listed below; "
    "check them before relying on the plan for this question."
)


def should_abstain(
    question: str, retrieval: Retrieval, config: RetrievalConfig
) -> tuple[bool, str]:
    """Decline when nothing is close enough, or when the passages lack the kind of answer asked.

    Thresholds are calibrated on eval/dev.jsonl (bench/tune.py prints the trade-off).
    """
    signals = retrieval.signals
    # A short query is a handful of keywords: one the plan never uses, nor any word close to
    # it, is what the question is about ("trade secrets", "drug patents").
    foreign = signals.get("foreign_words") or []
    if signals.get("keyword_query") and foreign:
        return True, (
            f"the plan never uses the word {foreign[0]!r} or one close to it (if the plan covers "
            "it under another name, ask with that word)"
        )
    if signals.get("non_latin"):
        top, floor = signals.get("e5_top", 0.0), config.min_e5_score
        label = "no passage of the plan comes close to the question"
    else:
        top, floor = signals.get("sentence_top", 0.0), config.min_score
        label = "no sentence of the plan comes close to the question"
    # A keyword query whose words one sentence of a top passage holds is answered, however
    # low the cosine of a lone word ("pledge" .32) may be.
    if top < floor and not signals.get("literal_match"):
        return True, f"{label} (best match {top:.3f}, an answer needs {floor:.3f})"
    # When MiniLM was unsure, e5 was asked too (the retrieval cascade): a second opinion,
    # heard only when the question's own words are mostly not the plan's words either.
    e5_top = signals.get("e5_top")
    lexical = signals.get("term_coverage", 0.0) >= config.lexical_coverage
    if (
        not signals.get("non_latin")
        and e5_top is not None
        and e5_top < config.min_e5_english
        and not lexical
    ):
        return True, (
            "neither model finds the question's topic in the plan (multilingual best match "
            f"{e5_top:.3f}, an answer needs {config.min_e5_english:.3f})"
        )
    if config.type_check_depth <= 0:
        return False, ""
    context = [h.passage.text for h in retrieval.hits[: config.type_check_depth]]
    wanted = expected_type(question)
    if wanted and not any(has_answer_of_type(text, wanted, question) for text in context):
        a = "an" if wanted[0] in "aeiou" else "a"
        return True, f"the question asks for {a} {wanted}; the closest passages give none"
    money = money_asked(question)
    if money and not any(mentions_money(text) for text in context):
        return True, f"the question is about {money!r}; the closest passages speak of no such money"
    return False, ""


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
) -> Answer:
    """Build the Answer for a question from what retrieval found."""
    answer_config = answer_config or AnswerConfig()
    retrieval_config = retrieval_config or RetrievalConfig()
    hits = tuple(retrieval.hits)
    abstain, reason = should_abstain(question, retrieval, retrieval_config)
    if abstain or not hits:
        return Answer(
            question=question,
            text=DECLINE_TEXT,
            abstained=True,
            hits=hits,
            reason=reason or "no passages",
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
    text = " ".join(f"{q.text} [{q.citation}]" for q in quotes)
    return Answer(
        question=question,
        text=text,
        abstained=False,
        quotes=tuple(quotes),
        citations=citations,
        hits=hits,
        signals=retrieval.signals,
    )
