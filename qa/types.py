"""The concepts that flow through planqa: Document -> Passage -> Query -> Hit -> Signals -> Answer.

Every offset is a Python ``str`` index into a document's text: the UTF-8 decoded file for
.txt/.md, the converted text (stored with the index) for every other format (PDF, Word,
PowerPoint, spreadsheets, CSV, HTML, e-mails, e-books), so
``document.text[passage.start:passage.end] == passage.text`` always holds.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Document:
    """One source file: its path relative to the corpus folder and its full text.

    ``pages`` (PDFs; a deck's slides) holds the offset in ``text`` where each page starts,
    page 1 first.
    """

    source: str
    text: str
    pages: tuple[int, ...] = ()

    def page_at(self, offset: int) -> int | None:
        """The 1-based page holding text[offset], or None for a document without pages.

        Example: Document("a.pdf", "one\n\ntwo", pages=(0, 5)).page_at(6) -> 2
        """
        if not self.pages:
            return None
        return max(1, bisect.bisect_right(self.pages, offset))


@dataclass(frozen=True)
class Passage:
    """A retrievable span of a document, a few sentences inside one paragraph."""

    id: int
    source: str
    start: int
    end: int
    section: str  # heading path, parts joined by " > "
    text: str
    page: int | None = None  # 1-based page (PDF) or slide (PPTX) where it starts, else None

    @property
    def words(self) -> int:
        return len(self.text.split())


@dataclass(frozen=True)
class Reading:
    """A word of the question read as the corpus's word(s), and why: "SMEs" -> "small and
    micro enterprises" (acronym), "laons" -> "loans" (typo), "电子商务" -> "e-commerce"
    (translation)."""

    word: str
    read_as: str
    why: str  # "acronym" | "typo" | "translation" | "document" (qa.retrieval.designated)


@dataclass(frozen=True)
class Query:
    """A question as read by qa.query.reader: what retrieval looks up, and how it was read.

    ``lookup`` is the text the English retrievers search (the topic, in the corpus's words);
    ``terms`` are its BM25 terms and ``expansion_terms`` the corpus words standing in for
    words the corpus never uses. A cross-lingual query (another script, no English keyword
    found for it) is searched by its multilingual vector instead; its ``terms`` are the corpus
    words its own words stand for (``term_source`` "dictionary" or "nearest").
    """

    text: str  # as asked (stripped)
    language: str  # "en", "zh" (Han characters), "other" (another script), or "fr", "de", ...
    topic: str  # the question without its frame: "does the plan mention X?" -> "X"
    lookup: str  # what the English retrievers search
    readings: tuple[Reading, ...] = ()
    terms: tuple[str, ...] = ()
    # words the corpus never uses -> the corpus words (stemmed) nearest them: ("merge", ("merger",))
    expansions: tuple[tuple[str, tuple[str, ...]], ...] = ()
    expansion_terms: tuple[str, ...] = ()  # what BM25 adds for them (none when expansion is off)
    keyword: bool = False  # a few topic words, judged by whether the corpus has them
    foreign_words: tuple[str, ...] = ()  # topic words the corpus lacks, nor any close word
    term_coverage: float = 0.0  # share of the terms that are corpus words
    cross_lingual: bool = False
    term_source: str = "words"  # "words" | "dictionary" | "nearest" (cross-lingual BM25 terms)
    vector: Any = field(default=None, compare=False, repr=False)  # e5 vector (cross-lingual)

    @property
    def read_as(self) -> dict[str, str]:
        return {r.word: r.read_as for r in self.readings}


@dataclass(frozen=True)
class Hit:
    """A passage returned for a query, with its fused score and 1-based rank.

    ``parts`` lists the index passages it covers when neighbours were merged into one hit
    (see qa.retrieval.neighbours); empty means just ``passage.id``. ``also_in``: the other
    documents whose passage ranked lower with the same text (copies of a licence).
    """

    passage: Passage
    score: float
    rank: int
    parts: tuple[int, ...] = ()
    also_in: tuple[str, ...] = ()  # other documents holding the same text (qa.retrieval.copies)

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
            **({"page": p.page} if p.page is not None else {}),
            **({"also_in": list(self.also_in)} if self.also_in else {}),
        }


def hits_by_document(hits: Sequence[Hit]) -> list[tuple[str, list[Hit]]]:
    """Hits grouped by document, documents in the order of their best hit, hits by rank.

    Example: [h.rank for h in hits_by_document(hits)[0][1]] -> [1, 3] when hits 1 and 3 share
    a document and hit 2 is another's.
    """
    groups: dict[str, list[Hit]] = {}
    for h in sorted(hits, key=lambda h: h.rank):
        groups.setdefault(h.passage.source, []).append(h)
    return list(groups.items())


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
class Signals:
    """What retrieval saw that the decline policy (qa.answering.abstain) decides on.

    Scores are on the scale of their model: ``sentence_top`` is the best MiniLM sentence
    cosine, ``e5_top`` the best multilingual e5 match (None when e5 was not asked).
    """

    non_latin: bool = False  # searched across languages by e5
    readings: tuple[Reading, ...] = ()
    keyword_query: bool = False
    literal_match: bool = False  # a sentence of a top passage holds every keyword
    foreign_words: tuple[str, ...] = ()
    dense_top: float = 0.0
    sentence_top: float = 0.0
    bm25_top: float = 0.0
    term_coverage: float = 0.0
    e5_top: float | None = None
    # MiniLM alone judged a large search: no e5 vectors for every passage (a library above
    # QA_E5_MAX_PASSAGES) and not a scope small enough to score whole; its floor is then raised
    # (qa.answering.abstain.sentence_floor)
    minilm_alone: bool = False

    @property
    def read_as(self) -> dict[str, str]:
        return {r.word: r.read_as for r in self.readings}

    @property
    def words_read_as(self) -> tuple[str, ...]:
        """The corpus words the question's words were read as (acronyms, typos,
        translations): the search view marks them. Not the documents a question names."""
        return tuple(r.read_as for r in self.readings if r.why != "document")

    def to_dict(self) -> dict:
        """JSON for eval rows (what each decline saw); from_dict reads it back."""
        return {
            "non_latin": self.non_latin,
            "read_as": self.read_as,
            "keyword_query": self.keyword_query,
            "literal_match": self.literal_match,
            "foreign_words": list(self.foreign_words),
            "dense_top": self.dense_top,
            "sentence_top": self.sentence_top,
            "bm25_top": self.bm25_top,
            "term_coverage": self.term_coverage,
            "e5_top": self.e5_top,
            "minilm_alone": self.minilm_alone,
        }

    @classmethod
    def from_dict(cls, d: dict) -> Signals:
        """Signals saved by to_dict (unknown keys are ignored; missing ones take defaults)."""
        readings = tuple(Reading(w, r, "") for w, r in (d.get("read_as") or {}).items())
        e5_top = d.get("e5_top")
        return cls(
            non_latin=bool(d.get("non_latin", False)),
            readings=readings,
            keyword_query=bool(d.get("keyword_query", False)),
            literal_match=bool(d.get("literal_match", False)),
            foreign_words=tuple(d.get("foreign_words") or ()),
            dense_top=float(d.get("dense_top", 0.0)),
            sentence_top=float(d.get("sentence_top", 0.0)),
            bm25_top=float(d.get("bm25_top", 0.0)),
            term_coverage=float(d.get("term_coverage", 0.0)),
            e5_top=None if e5_top is None else float(e5_top),
            minilm_alone=bool(d.get("minilm_alone", False)),
        )


@dataclass(frozen=True)
class Generation:
    """What an optional language model did to an answer (qa.answering.generate)."""

    generator: str  # its name, without credentials
    generated: bool  # False: no generated sentence was supported; the extractive answer stands
    dropped_sentences: tuple[str, ...] = ()  # generated sentences the passages do not support


@dataclass(frozen=True)
class Answer:
    """What ``ask`` returns: the answer text with [n] markers, its citations and all hits."""

    question: str
    text: str
    abstained: bool
    quotes: tuple[Quote, ...] = ()
    citations: tuple[Citation, ...] = ()
    hits: tuple[Hit, ...] = ()
    reason: str = ""  # why the documents were judged not to cover the question (declines only)
    signals: Signals = field(default_factory=lambda: Signals())
    generation: Generation | None = None  # set when a language model wrote the answer

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "answer": self.text,
            "abstained": self.abstained,
            "reason": self.reason if self.abstained else "",
            "citations": [c.to_dict() for c in self.citations],
            "passages": [h.to_dict() for h in self.hits],
        }
