"""Typos read as corpus words: the rules on a tiny vocabulary, then the real plan."""

from __future__ import annotations

from collections import Counter

import pytest

from qa.spelling import SpellingReader, max_edits

COUNTS = Counter({"loans": 3, "loads": 1, "status": 2, "examination": 4, "trademark": 2})
ENGLISH = {"collateral", "lands"}


@pytest.fixture
def reader() -> SpellingReader:
    return SpellingReader(COUNTS, lambda w: w in COUNTS or w in ENGLISH)


def test_max_edits_grows_with_the_word():
    assert [max_edits(w) for w in ("laons", "startups", "examinaton")] == [1, 1, 2]


def test_typos_become_the_closest_commonest_corpus_word(reader):
    assert reader.correction("laons") == "loans"  # a swap is one edit
    assert reader.correction("loams") == "loans"  # loans and loads are both one edit: commoner
    assert reader.correction("examinaton") == "examination"
    assert reader.correction("Trademak") == "trademark"


def test_words_that_are_no_typos_are_left_alone(reader):
    assert reader.correction("collateral") == ""  # English, though the corpus lacks it
    assert reader.correction("lands") == ""
    assert reader.correction("loans") == ""  # a corpus word
    assert reader.correction("lons") == ""  # too short to guess
    assert reader.correction("startups") == ""  # two edits from "status": too far for 8 letters


def test_correct_rewrites_the_question_and_says_what_it_read(reader):
    assert reader.correct("Are pledge laons cheap?") == (
        "Are pledge loans cheap?",
        {"laons": "loans"},
    )
    assert reader.correct("no typos here") == ("no typos here", {})


@pytest.mark.parametrize(
    "question, typo, evidence",
    [
        ("pledge laons", "laons", "pledge loans"),
        ("counterfiet goods", "counterfiet", "counterfeit"),
        ("patent examinaton highway", "examinaton", "patent examination highway"),
    ],
)
def test_typo_questions_on_the_plan_are_answered(plan_assistant, question, typo, evidence):
    ans = plan_assistant.ask(question)
    assert not ans.abstained, ans.signals
    assert typo in ans.signals["read_as"]
    assert any(evidence in c.hit.passage.text.lower() for c in ans.citations)


def test_english_words_the_plan_lacks_are_not_read_as_typos(plan_assistant):
    for question in ["startups", "collateral", "Does the plan mention cryptocurrency?"]:
        assert plan_assistant.ask(question).signals["read_as"] == {}
