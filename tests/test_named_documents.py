"""A question that names one document by its name ("the Apache License", "under the CDDL",
"Roosevelt's speech") asks within the documents of that kind whose title or file name holds the
name; the name frames the question, so an answer need not repeat it
(qa.retrieval.designated)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from qa.assistant import Assistant
from qa.retrieval.designated import DocumentKinds, document_name, without_document_name
from qa.types import Document
from tests.conftest import built_library


@pytest.mark.parametrize(
    "question, name, kind",
    [
        ("Under the Mozilla Public License, may I sell copies?", ("mozilla", "public"), "licence"),
        ("What does the Eclipse licence say about warranty?", ("eclipse",), "licence"),
        ("What did Roosevelt's speech say about taxes?", ("roosevelt",), "speech"),
        ("In the CDDL, how long do I have to cure a breach?", ("cddl",), None),
        ("What does the plan say about pledge loans?", (), None),  # a kind, no name
        ("Which plan will be drawn up?", (), None),
        ("License terms of Apache?", (), None),  # no name before the kind
        ("Which countries will China sign new IP agreements with?", (), None),  # not one
    ],
)
def test_the_name_a_question_gives_its_document(question, name, kind):
    assert document_name(question) == (name, kind)


def test_the_name_frames_the_question():
    assert without_document_name("Which courts hear disputes under the CDDL?") == (
        "Which courts hear disputes under the ?"
    )
    unchanged = "What does the plan say about pledge loans?"
    assert without_document_name(unchanged) == unchanged


LICENCES = [
    Document("harbour_public_license.txt", "Harbour Public License\n\nBoats pay fees."),
    Document("dock_licence.txt", "Dock Licence\n\nDocks pay fees."),
    Document("city_plan.txt", "City Plan\n\nBuild parks."),
]


def test_the_documents_a_name_names():
    kinds = DocumentKinds(LICENCES)
    named = kinds.designated("Under the Harbour Public License, who pays fees?")
    assert named is not None and named.sources == ("harbour_public_license.txt",)
    assert named.words == "the Harbour Public License"  # the answer's "Read ... as ..." note
    kind = kinds.designated("Does the licence say who pays fees?")  # the kind: both licences
    assert kind is not None and set(kind.sources) == {
        "harbour_public_license.txt",
        "dock_licence.txt",
    }
    assert kinds.designated("Does the Rainbow License say who pays fees?") is None  # no such one
    assert kinds.designated("Under the Harbour Public License, who pays?", by_name=False) is None


@pytest.fixture
def two_licences(tmp_path, encoder_dir):
    docs = {
        "harbour_licence.txt": "Harbour Licence\n\nThe Harbour Licence covers every boat in the "
        "harbour.\n\nA boat that breaks these terms must put it right within 30 days, or its "
        "berth is taken away.\n",
        "dock_licence.txt": "Dock Licence\n\nThe Dock Licence covers every boat at the dock.\n\n"
        "A boat that breaks these terms must put it right within 10 days, or its berth is "
        "taken away.\n",
    }
    return built_library(tmp_path, docs, encoder_dir)


def test_a_question_naming_one_licence_is_answered_from_it(two_licences):
    assistant = Assistant.open(two_licences, auto_build=False)
    question = "Under the Dock Licence, how long does a boat have to put a breach right?"
    answer = assistant.ask(question)
    assert {h.passage.source for h in answer.hits} == {"dock_licence.txt"}
    assert not answer.abstained  # "10 days" answers, though its sentence does not say "Dock"
    off = replace(two_licences, retrieval=replace(two_licences.retrieval, named_documents=False))
    everywhere = Assistant.open(off, auto_build=False).ask(question)
    assert "harbour_licence.txt" in {h.passage.source for h in everywhere.hits}
