"""Issue 17: declining what a document does not say, for questions in parts and with acronyms.

General rules, each with its ablation row in bench/ablate.py: a typed acronym is held where a
sentence spells it out, and a value answers the part of a two-part question that asks for its
kind. Texts here are made up, not any eval document's.
"""

from __future__ import annotations

import pytest

from qa.answering.abstain import decide
from qa.answering.answer_type import asking_clause, expected_type, has_answer_of_type
from qa.answering.coverage import coverage
from qa.answering.subject import about, subject_of
from qa.config import RetrievalConfig
from qa.query.acronyms import spells_out, typed_acronyms
from qa.types import Hit, Passage, Signals


def test_typed_acronyms_are_three_capitals_or_more():
    assert typed_acronyms("Which GPL versions count?") == {"gpl"}
    assert typed_acronyms("Are SMEs helped?") == {"sme"}
    assert typed_acronyms("Is IT covered in the US?") == frozenset()  # two letters: chance
    assert typed_acronyms("is gpl covered?") == frozenset()  # lowercase: not typed as one
    assert typed_acronyms("Does R&D count?") == frozenset()


def test_a_sentence_spells_an_acronym_out_by_its_initials():
    assert spells_out("either the GNU General Public License, Version 2.0", "gpl")
    assert spells_out("loans for small and micro enterprises", "sme")
    assert not spells_out("General terms. Public License", "gpl")  # a full stop breaks the run
    assert not spells_out("the Mozilla Public License", "gpl")


def test_a_spelled_out_acronym_is_the_subject_and_covers_the_question():
    question = "Which GPL versions are allowed?"
    context = ["Allowed: the GNU General Public License, Version 2.0 or later."]
    subject = subject_of(question, context)
    assert subject.words == ("gpl",) and subject.acronyms == ("gpl",)
    assert about(context[0], subject)
    assert not about("Version 2.0 of the Mozilla Public License.", subject)
    assert coverage(question, context[0]) > coverage(question, context[0], acronyms=False)
    # without the rule "gpl" is no word the context uses: the subject falls to another word
    assert "gpl" not in subject_of(question, context, acronyms=False).words


@pytest.mark.parametrize(
    ("question", "kind", "clause"),
    [
        ("Which versions count, and what must I attach?", "version", "Which versions count"),
        ("What must I attach, and when is it due?", "date", "when is it due?"),
        ("How many days? When is it due?", "date", "When is it due?"),
        ("When and where was it signed?", "date", "When and where was it signed?"),  # one clause
        ("What is the fee and how is it paid?", "quantity", "What is the fee"),
    ],
)
def test_the_asking_clause_is_the_part_that_asks_for_the_kind(question, kind, clause):
    assert asking_clause(question, kind) == clause


def _hit(text: str) -> Hit:
    return Hit(Passage(0, "licence.txt", 0, len(text), "", text), 0.9, 1)


def _decide(question: str, text: str, **config):
    """The decline policy on one passage whose best sentence is close (.7): only the
    answer-type rules can decline."""
    signals = Signals(sentence_top=0.7, term_coverage=1.0)
    return decide(question, [_hit(text)], signals, RetrievalConfig(**config))


def test_a_two_part_question_with_an_acronym_is_answered_from_its_own_part():
    text = (
        '"Secondary Licence" means either the GNU General Public License, Version 2.0, or any '
        "later version. The first contributor must attach the notice in Exhibit A to the code."
    )
    question = (
        "Which GPL versions count as a Secondary Licence, and what must the first contributor "
        "attach before the code is offered under one?"
    )
    assert not _decide(question, text).abstain
    for off in ({"acronyms_spelled": False}, {"value_clause": False}):
        assert _decide(question, text, **off).abstain
    # the rules do not answer for a version the text lacks
    mozilla = text.replace("GNU General Public License", "Mozilla Public License")
    assert _decide(question, mozilla).abstain


@pytest.mark.parametrize(
    "question",
    [
        "Who did the President choose to run the National Service Corps?",
        "Who will the ministry appoint as head of the office?",
        "Who was selected to lead the review?",
        "Who did the committee name as chair?",
    ],
)
def test_choosing_someone_for_a_post_asks_for_a_person(question):
    assert expected_type(question) == "person"


def test_who_did_they_ask_to_do_something_asks_for_no_kind():
    assert expected_type("Who did the plan ask to report each year?") is None


def test_a_function_word_is_never_the_subject():
    from qa.answering.coverage import weighted_terms

    question = "Once a new version comes out, under which version may I pass the program on?"
    context = ["You may pass the Program on under the version You received it under."]
    subject = subject_of(question, context)
    assert not set(subject.words) & {"once", "out", "under"}
    assert not {"once", "out", "under"} & {t.word for t in weighted_terms(question)}


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("Act on this bill by the first of February, if at all possible.", "first of February"),
        ("The year ending the 30th of September, 1869, saw more patents.", "30th of September, 1869"),
        ("It opens on the twenty-first of March 2020.", "twenty-first of March 2020"),
    ],
)
def test_a_day_written_as_an_ordinal_of_a_month_is_a_date(text, date):
    from qa.answering.values import DATE, find_values

    assert [(v.kind, v.text) for v in find_values(text)] == [(DATE, date)]
    assert has_answer_of_type(text, "date")


def test_an_ordinal_of_no_month_is_no_date():
    from qa.answering.values import DATE, find_values

    assert not [v for v in find_values("It is the first of many steps.") if v.kind == DATE]


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("How many billions of dollars would the new veto save?", "sum of money"),
        ("How much money will the fund receive?", "sum of money"),
        ("How much funding will the court receive each year?", "sum of money"),
        ("How many people live in the country?", "quantity"),  # no unit of money
        ("What is the name of the Speaker whom the President salutes?", "person"),
        ("What was the name of the deputy secretary?", "person"),
        ("Which senator spoke first?", "person"),
    ],
)
def test_a_unit_of_money_asks_for_a_sum_and_a_role_for_a_person(question, kind):
    assert expected_type(question) == kind


@pytest.mark.parametrize(
    ("question", "text", "kind", "added"),
    [
        (  # a post, but no person named for it
            "Who did the President choose to run the Service Corps?",
            "We must create a Service Corps to help the poor, as the Peace Corps helps abroad.",
            "person",
            " Mr. Sargent Shriver will run the Service Corps.",
        ),
        (  # a count of something else is no sum of money
            "How many billions of dollars would a line-item veto save?",
            "Give me a line-item veto, as 43 Governors have, and I will cut waste.",
            "sum of money",
            " The line-item veto would save $12 billion a year.",
        ),
    ],
)
def test_declined_without_the_asked_kind_and_answered_with_it(question, text, kind, added):
    decision = _decide(question, text)
    assert decision.abstain and kind in decision.reason
    assert has_answer_of_type(text + added, kind, question)
    assert not _decide(question, text + added).abstain


def test_a_salutation_names_no_person():
    question = "What is the name of the Speaker whom the President salutes?"
    text = "Mr. Speaker, Mr. President, distinguished Members of the Congress: thank you."
    assert _decide(question, text).abstain


def test_a_word_and_its_adjective_share_a_root_short_stems_keep_their_final_i():
    from qa.answering.subject import Subject, stem_word

    assert stem_word("economy") == stem_word("economic") == stem_word("economies")
    assert stem_word("history") == stem_word("historic")
    assert stem_word("policy") != stem_word("police")  # "polici" keeps its "i": too short
    growth = "Tonight we thank you for 37 straight months of economic growth."
    assert about(growth, Subject(("economy",)))
    assert not about(growth, Subject(("policy",)))


def test_a_question_typed_without_accents_is_about_the_accented_word():
    from qa.answering.coverage import coverage
    from qa.answering.subject import Subject, without_accents

    assert without_accents("le café à Zürich") == "le cafe a Zurich"
    sentence = "The café budget of €5,000 was approved by the Zürich office."
    assert coverage("How much was the cafe budget?", sentence) == 1.0
    assert about(sentence, Subject(("zurich",))) and about(sentence, Subject(("café",)))
    assert has_answer_of_type(sentence, "quantity", "How much was the cafe budget?")
