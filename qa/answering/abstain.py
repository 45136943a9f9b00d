"""The decline policy: is the question covered by the documents? One decision over typed Signals.

Thresholds are calibrated on eval/dev.jsonl (bench/tune.py prints the trade-off); each reason
names the rule that declined, in words a reader understands.
"""

from __future__ import annotations

from dataclasses import dataclass

from qa.answering.answer_type import (
    TypeCheck,
    asking_clause,
    expected_type,
    has_answer_of_type,
    mentions_money,
    money_asked,
)
from qa.answering.coverage import CloseWords, WordVectors
from qa.answering.subject import Subject, subject_of
from qa.config import RetrievalConfig
from qa.retrieval.designated import without_document_name
from qa.types import Hit, Signals


@dataclass(frozen=True)
class Decision:
    """Whether to decline, and why (empty when answering)."""

    abstain: bool
    reason: str = ""


ANSWER = Decision(False)


def decide(
    question: str,
    hits: list[Hit],
    signals: Signals,
    config: RetrievalConfig,
    words: WordVectors | None = None,
) -> Decision:
    """Decline when nothing is close enough, or when the passages lack the kind of answer asked.
    ``words``: single-word vectors, for a question word a value's sentence says in another word
    (qa.answering.coverage.CloseWords)."""
    # A short query is a handful of keywords: one the documents never use, nor any word close
    # to it, is what the question is about ("trade secrets", "drug patents").
    if signals.keyword_query and signals.foreign_words:
        return Decision(
            True,
            f"the documents never use the word {signals.foreign_words[0]!r} or one close to it "
            "(if they cover it under another name, ask with that word)",
        )
    if signals.non_latin:
        top, floor = signals.e5_top or 0.0, config.min_e5_score
        label = "no passage of the documents comes close to the question"
    else:
        floor = sentence_floor(signals, config.min_score, config.min_score_raise_without_e5)
        top = signals.sentence_top
        label = "no sentence of the documents comes close to the question"
    # A keyword query whose words one sentence of a top passage holds is answered, however
    # low the cosine of a lone word ("pledge" .32) may be.
    if top < floor and not signals.literal_match:
        return Decision(True, f"{label} (best match {top:.3f}, an answer needs {floor:.3f})")
    # When MiniLM was unsure, e5 was asked too (the retrieval cascade): a second opinion,
    # heard only when the question's own words are mostly not the documents' words either.
    lexical = signals.term_coverage >= config.lexical_coverage
    if (
        not signals.non_latin
        and signals.e5_top is not None
        and signals.e5_top < config.min_e5_english
        and not lexical
    ):
        return Decision(
            True,
            "neither model finds the question's topic in the documents (multilingual best "
            f"match {signals.e5_top:.3f}, an answer needs {config.min_e5_english:.3f})",
        )
    if config.type_check_depth <= 0:
        return ANSWER
    context = [h.passage.text for h in hits[: config.type_check_depth]]
    wanted = expected_type(question, config.name_questions)
    if wanted:
        parts = config.subject_word_parts
        asked = question
        if config.named_documents:  # "under the CDDL": the document, not what is asked of it
            asked = without_document_name(asked)
        if config.value_clause:
            asked = asking_clause(asked, wanted, config.name_questions)
        spelled = config.acronyms_spelled
        subject = subject_of(asked, context, config.subject_words, parts, spelled)
        if not subject or config.subject_words <= 0:
            subject = None
        check = TypeCheck(
            strict=config.type_kinds_apart,
            examples=config.examples_answer,
            min_coverage=config.value_coverage,
            parts=parts,
            acronyms=spelled,
            counted=config.counted_words,
            close=CloseWords(words, config.close_words)
            if words is not None and config.close_words > 0
            else None,
        )
        if not any(has_answer_of_type(t, wanted, asked, subject, check) for t in context):
            a = "an" if wanted[0] in "aeiou" else "a"
            about = f" about {_describe(subject)}" if subject else ""
            return Decision(
                True, f"the question asks for {a} {wanted}; the closest passages give none{about}"
            )
    money = money_asked(question)
    if money and not any(mentions_money(text) for text in context):
        return Decision(
            True, f"the question is about {money!r}; the closest passages speak of no such money"
        )
    return ANSWER


def sentence_floor(signals: Signals, min_score: float, raise_without_e5: float) -> float:
    """The MiniLM sentence cosine an English answer needs: ``min_score``, raised where e5
    could give no second opinion on a large search. The more sentences a search reads, the
    closer the best of them comes to an unrelated question by chance; e5's second opinion
    declines such questions in a small library, and without it MiniLM's floor has to. A scope
    scored whole (a few documents chosen) is a small library: its floor stays. (The app's
    match line shows the same floor.)"""
    return min_score + raise_without_e5 if signals.minilm_alone else min_score


def _describe(subject: Subject) -> str:
    """The subject in a reason: its words and numbers, quoted ("'releas', '4'")."""
    return ", ".join(repr(t) for t in (*subject.words, *subject.numbers))
