"""Asking within some documents of a library: --doc, Assistant(documents=...), grouped output."""

from __future__ import annotations

import numpy as np
import pytest

from qa.assistant import Assistant
from qa.retrieval import scope as scope_module
from qa.retrieval.scope import UnknownDocumentError, scope_ids, within
from tests.conftest import built_library

SOURCES = ["laws/water.txt", "laws/roads.txt", "notes.md"]
PASSAGES = ["laws/water.txt", "laws/water.txt", "laws/roads.txt", "notes.md"]


def test_names_and_patterns_choose_passages():
    assert scope_ids(None, SOURCES, PASSAGES) is None
    assert scope_ids(["notes.md"], SOURCES, PASSAGES).tolist() == [3]
    assert scope_ids(["laws/*"], SOURCES, PASSAGES).tolist() == [0, 1, 2]
    assert scope_ids(["laws/r*", "notes.md"], SOURCES, PASSAGES).tolist() == [2, 3]


def test_an_unknown_name_lists_the_documents():
    with pytest.raises(UnknownDocumentError, match="no document is named 'law.txt'.*notes.md"):
        scope_ids(["law.txt"], SOURCES, PASSAGES)


def test_a_large_scope_keeps_first_stage_candidates_inside_it(monkeypatch):
    monkeypatch.setattr(scope_module, "SCORE_ALL", 2)
    scope = np.array([1, 2, 3])
    assert within(np.array([0, 3, 7]), scope).tolist() == [3]
    assert within(np.array([0, 7]), scope).tolist() == [1, 2]  # none inside: the scope's first
    assert within(np.array([0, 7]), None).tolist() == [0, 7]


@pytest.fixture
def library(tmp_path, encoder_dir):
    docs = {
        "ports/harbour.md": "# Harbour rules\n\nBoats must dock before sunset. "
        "The harbour master checks every licence.\n",
        "ports/river.md": "# River rules\n\nBarges must dock before dark. "
        "The lock keeper checks every barge licence.\n",
        "farm.txt": "Farming notes\n\nGrow wheat in spring. Store grain in dry barns.\n",
    }
    return built_library(tmp_path, docs, encoder_dir)


def test_search_and_ask_within_documents(library):
    assistant = Assistant.open(library, auto_build=False)
    everywhere = assistant.search("who checks the licence?", k=5)
    assert {h.passage.source for h in everywhere} >= {"ports/harbour.md", "ports/river.md"}
    river = assistant.search("who checks the licence?", k=5, documents=["ports/river.md"])
    assert river and {h.passage.source for h in river} == {"ports/river.md"}
    answer = assistant.ask("who checks the licence?", documents=["ports/river*"])
    assert "lock keeper" in answer.text
    assert {c.hit.passage.source for c in answer.citations} == {"ports/river.md"}
    with pytest.raises(UnknownDocumentError):
        assistant.search("licence", documents=["ports/sea.md"])


def test_qa_search_groups_by_document_and_takes_doc(library):
    from tests.test_cli import run

    env = {"QA_ENCODER_DIR": str(library.encoder_dir)}
    out = run(["search", "who checks the licence?", "-k", "4"], library, **env).stdout
    assert "== ports/harbour.md ==" in out and "== ports/river.md ==" in out
    out = run(["search", "licence", "--doc", "ports/river.md"], library, **env).stdout
    assert "ports/harbour.md" not in out and "ports/river.md:" in out and "==" not in out
    bad = run(["ask", "licence", "--doc", "nope.md"], library, check=False, **env)
    assert bad.returncode == 2 and "no document is named 'nope.md'" in bad.stderr
