"""The concepts that flow through planqa: Document -> Passage -> Hit -> Answer.

Every offset is a Python ``str`` index into the UTF-8 decoded text of the source file, so
``document.text[passage.start:passage.end] == passage.text`` always holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Document:
    """One source file: its path relative to the corpus folder and its full text."""

    source: str
    text: str


@dataclass(frozen=True)
class Passage:
    """A retrievable span of a document, a few sentences inside one paragraph."""

    id: int
    source: str
    start: int
    end: int
    section: str  # heading path, parts joined by " > "
    text: str

    @property
    def words(self) -> int:
        return len(self.text.split())


@dataclass(frozen=True)
class Hit:
    """A passage returned for a query, with its fused score and 1-based rank.

    ``parts`` lists the index passages it covers when neighbours were merged into one hit
    (see qa.retrieval.neighbours); empty means just ``passage.id``.
    """

    passage: Passage
    score: float
    rank: int
    parts: tuple[int, ...] = ()

    @property
    def passage_ids(self) -> tuple[int, ...]:
        return self.parts or (self.passage.id,)

    def to_dict(self) -> dict:
        """The passage contract printed by ``--json``: stable keys, documented in README."""
        p = self.passage
        return {
            "rank": self.rank,
            "score": round(float(self.score), 6),
            "source": p.source,
            "start": p.start,
            "end": p.end,
            "section": p.section,
            "text": p.text,
            "id": p.id,
        }


@dataclass(frozen=True)
class Quote:
    """A verbatim sentence of the answer, located in the source and in its cited passage."""

    text: str
    source: str
    start: int
    end: int
    citation: int  # the [n] it carries, 1-based
    score: float = 0.0


@dataclass(frozen=True)
class Citation:
    """A numbered reference shown under an answer: one passage and the quotes taken from it."""

    n: int
    hit: Hit
    quotes: tuple[Quote, ...] = ()

    def to_dict(self) -> dict:
        d = {"n": self.n, **self.hit.to_dict()}
        d["quotes"] = [{"text": q.text, "start": q.start, "end": q.end} for q in self.quotes]
        return d


@dataclass(frozen=True)
class Answer:
    """What ``ask`` returns: the answer text with [n] markers, its citations and all hits."""

    question: str
    text: str
    abstained: bool
    quotes: tuple[Quote, ...] = ()
    citations: tuple[Citation, ...] = ()
    hits: tuple[Hit, ...] = ()
    reason: str = ""  # why the plan was judged not to cover the question (declines only)
    signals: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "answer": self.text,
            "abstained": self.abstained,
            "reason": self.reason if self.abstained else "",
            "citations": [c.to_dict() for c in self.citations],
            "passages": [h.to_dict() for h in self.hits],
        }
