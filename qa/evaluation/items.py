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


@dataclass(frozen=True)
class Span:
    """Where an evidence string sits in the corpus: exact offsets into ``Document.text``."""

    source: str
    start: int
    end: int
    text: str
