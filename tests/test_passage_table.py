"""Passages and sentence spans stored as columns (qa.index.passage_table): a round trip gives the
same Passages, their text is the document's text[start:end], and rows pointing outside the
documents are refused."""

from __future__ import annotations

import json

import numpy as np
import pytest

from qa.index.passage_table import (
    PASSAGES_FILE,
    PassageTable,
    SentenceSpan,
    SentenceTable,
    npy_bytes,
)
from qa.ingest.chunking import chunk_corpus
from qa.types import Document, Passage
from tests.conftest import TINY_DOCS

DOCS = [Document(name, text) for name, text in TINY_DOCS.items()] + [
    Document("c.pdf", "Title\n\nFirst page text.\n\nSecond page text here.", pages=(0, 25))
]


def test_round_trip_gives_the_same_passages():
    passages = chunk_corpus(DOCS)
    table = PassageTable.from_passages(passages, DOCS)
    back = PassageTable.from_files(DOCS, table.files())
    assert list(back) == passages and back == passages
    assert back[-1] == passages[-1] and back[1:3] == passages[1:3]
    assert back.words.tolist() == [p.words for p in passages]
    assert back.sources() == [p.source for p in passages]
    p = back[np.int64(2)]  # ids stay Python ints (they go to JSON)
    assert type(p.id) is int and json.dumps(p.id) == "2"
    assert all(
        DOCS[d].text[p.start : p.end] == p.text
        for d, p in zip(back.document_numbers, back, strict=True)
    )
    assert any(p.page == 2 for p in back)


def test_passages_that_are_not_their_documents_text_are_refused():
    with pytest.raises(ValueError, match="not its document's text"):
        PassageTable.from_passages([Passage(0, "alpha.txt", 0, 5, "", "Fxxxx")], DOCS)
    with pytest.raises(ValueError, match="not its document's text"):
        PassageTable.from_passages([Passage(3, "alpha.txt", 0, 7, "", "Farming")], DOCS)


@pytest.mark.parametrize(
    "row, message",
    [
        ((9, 0, 5, 0, 0, 1), "documents or sections"),
        ((0, 0, 5, 4, 0, 1), "documents or sections"),
        ((0, 5, 2, 0, 0, 1), "negative or reversed"),
        ((0, 0, 10_000, 0, 0, 1), "past their document"),
    ],
)
def test_rows_outside_the_documents_are_refused(row, message):
    files = {PASSAGES_FILE: npy_bytes(np.array([row], np.int64)), "sections.json": b'[""]'}
    with pytest.raises(ValueError, match=message):
        PassageTable.from_files(DOCS, files)


def test_sentence_spans_round_trip_and_name_existing_passages():
    spans = [SentenceSpan(0, 0, 5), SentenceSpan(1, 7, 9)]
    table = SentenceTable.from_spans(spans)
    back = SentenceTable.from_files(table.files(), passages=2)
    assert list(back) == spans and back[np.int64(1)] == spans[1]
    assert back.passage.tolist() == [0, 1]
    with pytest.raises(ValueError, match="passages the index lacks"):
        SentenceTable.from_files(table.files(), passages=1)
