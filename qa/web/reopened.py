"""Votes on a reopened conversation: its saved answers get the chat state a live answer has
(question, quoted reference, cited passage texts, the passages a thumbs-down may pick), so a
thumbs up or down on them is recorded like any other.

The saved turns come back from the browser's storage, so they are checked against the index
being served: every saved passage must still be a span of passages of its document, with the
same section, and every quote the exact text at its offsets. An answer that fails (its
document was replaced or removed since) is not votable, and the vote says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from qa.assistant import Assistant
from qa.errors import QAError
from qa.types import Hit, Passage
from qa.web.conversations import Conversation, SavedSource, Turn
from qa.web.markdown import passage_choice


class ChangedAnswerError(QAError):
    """A saved answer's passages are no longer in the served index."""


CHANGED = (
    "this saved answer cannot be voted on: its document has changed or left the corpus since "
    "it was saved, so its passages are not in the index any more. Ask the question again and "
    "vote on the new answer"
)


@dataclass(frozen=True)
class Spans:
    """The served index's passages per document, and the documents' texts."""

    passages: dict[str, list[Passage]]
    texts: dict[str, str]

    @classmethod
    def of(cls, assistant: Assistant) -> Spans:
        passages: dict[str, list[Passage]] = {}
        for p in assistant.passages:
            passages.setdefault(p.source, []).append(p)
        return cls(passages, {d.source: d.text for d in assistant.documents})

    def text(self, s: SavedSource) -> str | None:
        """The saved passage's text in the served corpus; None unless it is still a run of
        whole passages of its document (neighbours merge into one), one of them in its
        section."""
        inside = [p for p in self.passages.get(s.source, ()) if s.start <= p.start < s.end]
        if not inside or inside[0].start != s.start or max(p.end for p in inside) != s.end:
            return None
        if all(p.section != s.section for p in inside):
            return None
        return self.texts[s.source][s.start : s.end]


def vote_state(turn: Turn, spans: Spans) -> dict | None:
    """The chat state of one saved answer (the shape qa.web.handlers keeps for a live one),
    or None when it no longer matches the index."""
    texts = [spans.text(s) for s in turn.sources]
    if any(t is None for t in texts):
        return None
    by_n = {s.n: s for s in turn.sources}
    for q in turn.quotes:
        s = by_n.get(q.n)
        if s is None or not s.start <= q.start <= q.end <= s.end:
            return None
        if spans.texts[s.source][q.start : q.end] != q.text:
            return None
    passages = [
        Passage(0, s.source, s.start, s.end, s.section, text, s.page)
        for s, text in zip(turn.sources, texts, strict=True)
    ]
    return {
        "question": turn.question,
        "query": turn.searched,
        "abstained": turn.abstained,
        "reference": " ".join(q.text for q in turn.quotes),
        "cited": [] if turn.abstained else [p.text for p in passages],
        "choices": [
            passage_choice(f"[{s.n}]", Hit(p, 0.0, s.n))
            for s, p in zip(turn.sources, passages, strict=True)
        ],
        "texts": [p.text for p in passages],
    }


def saved_answers(conversation: Conversation) -> dict[str, Turn]:
    """A reopened conversation's answers, keyed like a live chat's turns: by the index of the
    answer's message in the chatbot (question, answer, question, answer, ...)."""
    return {str(2 * i + 1): turn for i, turn in enumerate(conversation.turns)}


def vote_turn(turn: Turn, assistant: Assistant) -> dict:
    """The chat state of a saved answer, checked against the served index at vote time (the
    corpus may have changed since it was reopened); a QAError saying why when it cannot be
    voted on."""
    state = vote_state(turn, Spans.of(assistant))
    if state is None:
        raise ChangedAnswerError(CHANGED)
    return state
