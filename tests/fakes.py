"""A four-passage document and a keyword 'assistant' for evaluation tests (no models)."""

from __future__ import annotations

import re

from qa.types import Answer, Citation, Document, Hit, Passage, Quote

TEXT = (
    "Goals\n\nThe plan runs from 2014 to 2020. Patent quality must improve.\n\n"
    "Funding\n\nThe office funds pilot projects in key regions. Grants go to small firms.\n"
)
DOC = Document("plan.txt", TEXT)


def make_passage(i: int, sentence: str, section: str) -> Passage:
    start = TEXT.index(sentence)
    return Passage(i, "plan.txt", start, start + len(sentence), section, sentence)


PASSAGES = [
    make_passage(0, "The plan runs from 2014 to 2020.", "Goals"),
    make_passage(1, "Patent quality must improve.", "Goals"),
    make_passage(2, "The office funds pilot projects in key regions.", "Funding"),
    make_passage(3, "Grants go to small firms.", "Funding"),
]


def words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def keyword_ask(question: str, k: int, reverse: bool = False) -> Answer:
    """Keyword retrieval; quotes the best passage, abstains when it shares < 2 words.

    ``reverse`` flips the ranking (a worse system, for comparisons).
    """
    q = words(question)
    ranked = sorted(PASSAGES, key=lambda p: (-len(q & words(p.text)), p.id))
    if reverse:
        ranked = ranked[::-1]
    hits = tuple(Hit(p, 1.0 / r, r) for r, p in enumerate(ranked[:k], start=1))
    best = hits[0].passage
    if len(q & words(best.text)) < 2:
        reason = "the question shares fewer than 2 words with every passage"
        return Answer(question, "The document does not say.", True, hits=hits, reason=reason)
    quote = Quote(best.text, best.source, best.start, best.end, 1)
    citation = Citation(1, hits[0], (quote,))
    return Answer(question, f"{best.text} [1]", False, (quote,), (citation,), hits)
