"""A question that names a kind of document ("does the plan ...") asks within documents of
that kind (qa.retrieval.designated)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from qa.assistant import Assistant
from qa.retrieval.designated import DocumentKinds, calls_itself, document_kinds, named_kind
from qa.types import Document, Reading, Signals
from tests.conftest import built_library


@pytest.mark.parametrize(
    "question, kind, words",
    [
        ("What does the plan say about pledge loans?", "plan", "the plan"),
        ("Which standards does the plan want to establish?", "plan", "the plan"),
        ("Is the plan tough on fakes?", "plan", "the plan"),
        ("What will the plan's pilots do?", "plan", "the plan"),
        ("How many contributors must approve a change to the License?", "licence", "the License"),
        ("How many people live here, according to the speech?", "speech", "the speech"),
        ("Does this agreement end?", "agreement", "this agreement"),
        ("计划里有关于地理标志的内容吗？", "plan", "计划"),
        ("该计划提出了什么？", "plan", "计划"),
    ],
)
def test_a_question_names_the_kind_of_document_it_reads(question, kind, words):
    assert named_kind(question) == (kind, words)


@pytest.mark.parametrize(
    "question",
    [
        "Can the licensor take the licence back later?",  # the licence as a thing handled
        "Which plan will be drawn up?",
        "Who checks the harbour licence?",
        "政府计划对小企业提供什么？",  # 计划 the verb: "the government plans to ..."
        "How are small enterprises supported in pledge loans?",
    ],
)
def test_a_kind_the_text_talks_about_names_no_document(question):
    assert named_kind(question) is None


def test_a_documents_kind_comes_from_its_title_opening_lines_or_file_name():
    assert document_kinds(Document("a.txt", "Apache License\nVersion 2.0\n\n1. Terms.")) == {
        "licence"
    }
    assert document_kinds(
        Document("sotu_1941.txt", "State of the Union Address, 1941\n\nWe meet.")
    ) == {"speech"}
    assert "plan" in document_kinds(Document("ip_action_plan_2014.txt", "How to build it\n\nGo."))
    assert document_kinds(Document("notes.txt", "Notes\n\nThe plan and the licence.")) == set()
    # a text that names its kind throughout is of that kind, whatever its title
    licence_text = "Attribution\n\n" + "The Licensed Material is under this Public License. " * 20
    assert calls_itself(licence_text, "licence") and not calls_itself(licence_text, "plan")


def test_the_documents_of_a_kind_unless_all_or_none_are():
    kinds = DocumentKinds(
        [
            Document("city_plan.txt", "City Plan\n\nBuild parks."),
            Document("speech.txt", "Annual Message\n\nWe will build parks."),
        ]
    )
    named = kinds.designated("What does the plan say about parks?")
    assert named is not None and named.sources == ("city_plan.txt",)
    assert named.note() == "the document city_plan.txt"
    assert kinds.designated("Does the licence cover parks?") is None  # no licence among them
    every = DocumentKinds([Document("a_plan.txt", "A\n\nx."), Document("b_plan.txt", "B\n\ny.")])
    assert every.designated("What does the plan say?") is None  # all are plans


def test_the_titles_are_read_only_when_a_question_names_a_kind_or_a_name():
    # a library's thousands of titles cost most questions nothing: they name no kind
    kinds = DocumentKinds(
        [Document("city_plan.txt", "City Plan\n\nx."), Document("s.txt", "S\n\ny.")]
    )
    assert kinds.designated("How are small firms helped with loans?") is None
    assert "kinds" not in vars(kinds)
    assert kinds.designated("What does the plan say about loans?") is not None
    assert kinds.kinds["city_plan.txt"] == {"plan"}


@pytest.fixture
def plan_and_speech(tmp_path, encoder_dir):
    docs = {
        "harbour_plan.txt": "Harbour Development Plan\n\nBuild a second pier for cargo ships. "
        "Dredge the channel every spring.\n",
        "annual_message.txt": "Annual Message to the Council\n\nOur harbour needs a second pier "
        "for cargo ships, and the pier tax will pay for it.\n",
    }
    return built_library(tmp_path, docs, encoder_dir)


def test_a_question_about_the_plan_is_answered_from_the_plan(plan_and_speech):
    assistant = Assistant.open(plan_and_speech, auto_build=False)
    question = "What does the plan say about a second pier for cargo ships?"
    retrieval = assistant.retrieve(question, k=5)
    assert {h.passage.source for h in retrieval.hits} == {"harbour_plan.txt"}
    assert retrieval.signals.read_as == {"the plan": "the document harbour_plan.txt"}
    # without the rule, the speech that shares the words is searched too
    settings = replace(
        plan_and_speech,
        retrieval=replace(plan_and_speech.retrieval, designated_documents=False),
    )
    everywhere = Assistant.open(settings, auto_build=False).retrieve(question, k=5)
    assert "annual_message.txt" in {h.passage.source for h in everywhere.hits}
    assert not everywhere.signals.read_as
    # a scope the user chose wins
    chosen = assistant.retrieve(question, k=5, documents=["annual_message.txt"])
    assert {h.passage.source for h in chosen.hits} == {"annual_message.txt"}
    # the plan does not say what the tax is: declined, not answered from the speech
    assert assistant.ask("What does the plan say about the pier tax?").abstained


def test_the_search_view_marks_words_read_for_the_question_not_the_documents_named():
    signals = Signals(
        readings=(
            Reading("SMEs", "small enterprises", "acronym"),
            Reading("the plan", "the document harbour_plan.txt", "document"),
        )
    )
    assert signals.words_read_as == ("small enterprises",)
    assert signals.read_as["the plan"] == "the document harbour_plan.txt"  # the note says it


def test_a_kind_held_by_more_documents_than_a_user_may_name_is_searched(tmp_path, encoder_dir):
    """A library can hold hundreds of licences: "the licence" asks within all of them, beyond
    the 50 names or patterns a user may give with --doc (qa.retrieval.scope.MAX_PATTERNS)."""
    from qa.retrieval.scope import MAX_PATTERNS

    count = MAX_PATTERNS + 5
    docs = {
        f"licences/licence_{i:03d}.txt": f"Harbour Licence {i}\n\nThis License lets holder {i} "
        f"moor boat number {i} at berth {i} of the harbour for one season.\n"
        for i in range(count)
    }
    docs["harbour_plan.txt"] = "Harbour Plan\n\nBoats moor at berth 7 of the harbour all year.\n"
    assistant = Assistant.open(built_library(tmp_path, docs, encoder_dir), auto_build=False)
    retrieval = assistant.retrieve("Under the licence, where may boat number 7 moor?", k=5)
    assert retrieval.hits
    assert all(h.passage.source.startswith("licences/") for h in retrieval.hits)
    assert retrieval.signals.read_as["the licence"].startswith(f"the {count} documents")
    # the one plan among them is still found by its kind
    plan = assistant.retrieve("According to the plan, where may boat number 7 moor?", k=5)
    assert {h.passage.source for h in plan.hits} == {"harbour_plan.txt"}
