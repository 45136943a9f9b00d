"""The evaluation model: one question of an eval set, and where its evidence sits in the corpus."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EvalItem:
    """One evaluation question, normalised from whichever format and aliases the file used."""

    id: str
    question: str
    reference: str | None
    evidence: tuple[str, ...]
    answerable: bool
    kind: str
    tags: tuple[str, ...]
    line: int  # JSONL line / CSV or XLSX row (header is row 1) / JSON list index + 1
    file: str = ""  # kept so later problems (evidence not found) can still name the file
    # another system's output, when the file carries it (the "answers" reading)
    response: str | None = None
    retrieved: tuple = ()  # qa.evaluation.schema.Context, in the system's rank order
    abstained: bool | None = None  # as the file says (planqa's rows.csv); else read from phrases
    has_output: bool = False
    # asked within these documents (names or patterns, as `qa ask --doc` takes); () = all
    documents: tuple[str, ...] = ()


@dataclass(frozen=True)
class Span:
    """Where an evidence string sits in the corpus: exact offsets into ``Document.text``."""

    source: str
    start: int
    end: int
    text: str
    # which evidence string of its row it places: a string found in several documents (a clause
    # two licences share) has a span in each, and finding any of them finds that evidence
    # (None: a string of its own)
    evidence: int | None = None
