"""Passages and sentence spans as numpy columns, their text sliced from the documents' text.

A large library has 70k passages and 140k sentences: read as JSON lines, one object each, they
cost a cold start about half a second. As columns they load in milliseconds, and a Passage is
made only when retrieval asks for one (``table[i]``), its text ``document.text[start:end]``,
which is the passage contract by construction.

Files (``.npy`` without pickle, JSON):

    passages.npy    int64 (n, 6): document number, start, end, section number, page (0: none), words
    sections.json   the distinct section paths, numbered in order of first use
    sentences.npy   int64 (m, 3): passage id, start, end (offsets into the passage's document)
"""

from __future__ import annotations

import json
import operator
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import overload

import numpy as np

from qa.index.npy_io import load_npy, npy_bytes
from qa.types import Document, Passage

PASSAGES_FILE = "passages.npy"
SECTIONS_FILE = "sections.json"
SENTENCES_FILE = "sentences.npy"
FILES = (PASSAGES_FILE, SECTIONS_FILE, SENTENCES_FILE)
_DOC, _START, _END, _SECTION, _PAGE, _WORDS = range(6)


@dataclass(frozen=True)
class SentenceSpan:
    passage: int
    start: int
    end: int


class PassageTable(Sequence[Passage]):
    """The passages of an index, as a read-only sequence: ``table[i]`` is passage ``i``."""

    def __init__(self, documents: Sequence[Document], columns: np.ndarray, sections: list[str]):
        if columns.ndim != 2 or columns.shape[1] != 6:
            raise ValueError(f"passage columns have shape {columns.shape}, expected (n, 6)")
        self.documents = documents
        self.columns = columns
        self.sections = sections

    @classmethod
    def from_passages(cls, passages: Sequence[Passage], documents: Sequence[Document]):
        """Columns of passages numbered 0..n-1 whose text is their document's text[start:end]
        (raises ValueError otherwise: such passages could not be sliced back)."""
        if isinstance(passages, PassageTable):
            return passages
        section_number: dict[str, int] = {}
        columns = _rows(passages, documents, section_number, first_id=0)
        return cls(documents, columns, list(section_number))

    def extended(self, documents: Sequence[Document], passages: Sequence[Passage]) -> PassageTable:
        """This table with more documents and their passages (ids continuing from len(self))."""
        every = [*self.documents, *documents]
        section_number = {s: i for i, s in enumerate(self.sections)}
        rows = _rows(passages, every, section_number, first_id=len(self))
        return PassageTable(every, np.vstack([self.columns, rows]), list(section_number))

    def __len__(self) -> int:
        return len(self.columns)

    @overload
    def __getitem__(self, i: int) -> Passage: ...

    @overload
    def __getitem__(self, i: slice) -> list[Passage]: ...

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        i = operator.index(i)  # a numpy integer too; the Passage's id is a Python int
        doc, start, end, section, page, _ = self.columns[i].tolist()
        if i < 0:
            i += len(self)
        document = self.documents[doc]
        text = document.text[start:end]
        return Passage(i, document.source, start, end, self.sections[section], text, page or None)

    def __iter__(self) -> Iterator[Passage]:
        return (self[i] for i in range(len(self)))

    def __eq__(self, other) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]

    @property
    def words(self) -> np.ndarray:
        """Each passage's word count (Passage.words), without slicing its text."""
        return self.columns[:, _WORDS]

    @property
    def document_numbers(self) -> np.ndarray:
        return self.columns[:, _DOC]

    def sources(self) -> list[str]:
        """Each passage's document source, in passage order."""
        names = [d.source for d in self.documents]
        return [names[i] for i in self.columns[:, _DOC].tolist()]

    def files(self) -> dict[str, bytes]:
        sections = json.dumps(self.sections, ensure_ascii=False).encode("utf-8")
        return {PASSAGES_FILE: npy_bytes(self.columns), SECTIONS_FILE: sections}

    @classmethod
    def from_files(cls, documents: Sequence[Document], files: dict) -> PassageTable:
        """Read ``files()`` back; raises ValueError when a row points outside the documents."""
        from qa.index import fast_json

        columns = load_npy(files[PASSAGES_FILE])
        sections = fast_json.loads(files[SECTIONS_FILE])
        table = cls(documents, columns, sections)
        if len(columns):
            lo, hi = columns.min(axis=0), columns.max(axis=0)
            if lo[_DOC] < 0 or hi[_DOC] >= len(documents) or hi[_SECTION] >= len(sections):
                raise ValueError("passage rows name documents or sections the index lacks")
            lengths = np.array([len(d.text) for d in documents], dtype=np.int64)
            ends, starts = columns[:, _END], columns[:, _START]
            if lo[_START] < 0 or lo[_SECTION] < 0 or np.any(ends < starts):
                raise ValueError("passage rows have negative or reversed offsets")
            if np.any(ends > lengths[columns[:, _DOC]]):
                raise ValueError("passage rows end past their document's text")
        return table


def _rows(
    passages: Sequence[Passage],
    documents: Sequence[Document],
    section_number: dict[str, int],
    first_id: int,
) -> np.ndarray:
    """Column rows of passages numbered from ``first_id``; new sections are numbered on."""
    number = {d.source: i for i, d in enumerate(documents)}
    columns = np.zeros((len(passages), 6), dtype=np.int64)
    for i, p in enumerate(passages):
        doc = number.get(p.source)
        if p.id != first_id + i or doc is None or documents[doc].text[p.start : p.end] != p.text:
            raise ValueError(f"passage {p.id} of {p.source} is not its document's text")
        section = section_number.setdefault(p.section, len(section_number))
        columns[i] = (doc, p.start, p.end, section, p.page or 0, p.words)
    return columns


class SentenceTable(Sequence[SentenceSpan]):
    """Sentence spans as columns: ``table[j]`` is sentence ``j``."""

    def __init__(self, columns: np.ndarray):
        if columns.ndim != 2 or columns.shape[1] != 3:
            raise ValueError(f"sentence columns have shape {columns.shape}, expected (m, 3)")
        self.columns = columns

    @classmethod
    def from_spans(cls, spans: Sequence[SentenceSpan]) -> SentenceTable:
        if isinstance(spans, SentenceTable):
            return spans
        flat = [v for s in spans for v in (s.passage, s.start, s.end)]
        return cls(np.array(flat, dtype=np.int64).reshape(len(spans), 3))

    def __len__(self) -> int:
        return len(self.columns)

    def __getitem__(self, j):
        if isinstance(j, slice):
            return [self[k] for k in range(*j.indices(len(self)))]
        return SentenceSpan(*self.columns[operator.index(j)].tolist())

    def __iter__(self) -> Iterator[SentenceSpan]:
        return (SentenceSpan(*row) for row in self.columns.tolist())

    def __eq__(self, other) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]

    @property
    def passage(self) -> np.ndarray:
        """Each sentence's passage id."""
        return self.columns[:, 0]

    def files(self) -> dict[str, bytes]:
        return {SENTENCES_FILE: npy_bytes(self.columns)}

    @classmethod
    def from_files(cls, files: dict, passages: int) -> SentenceTable:
        table = cls(load_npy(files[SENTENCES_FILE]))
        if len(table) and (table.passage.min() < 0 or table.passage.max() >= passages):
            raise ValueError("sentence rows name passages the index lacks")
        return table
