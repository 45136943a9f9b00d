"""Reading a question is one stage: qa.query.reader turns text into a frozen Query."""

from __future__ import annotations

import dataclasses

import pytest

from qa.query.reader import script_language
from qa.types import Reading


@pytest.fixture(scope="module")
def read(plan_assistant):
    return plan_assistant.retriever.read


def test_a_query_is_frozen_and_hashable(read):
    query = read("Does the plan mention pledge loans?")
    with pytest.raises(dataclasses.FrozenInstanceError):
        query.topic = "x"  # type: ignore[misc]
    assert hash(query) == hash(read("Does the plan mention pledge loans?"))


def test_the_frame_is_dropped_and_a_topic_is_a_keyword(read):
    query = read("Does the plan mention pledge loans?")
    assert query.topic == "pledge loans" and query.lookup == "pledge loans"
    assert query.language == "en" and not query.cross_lingual
    assert query.keyword and query.terms == ("pledg", "loan") and query.term_coverage == 1.0
    full = read("How are small enterprises supported in pledge loans?")
    assert not full.keyword and full.topic == full.text


def test_words_read_as_corpus_words_say_why(read):
    acronym = read("How are SMEs supported?")
    assert Reading("SMEs", "small and micro enterprises", "acronym") in acronym.readings
    assert "small and micro enterprises" in acronym.lookup
    typo = read("pledge laons")
    assert typo.readings == (Reading("laons", "loans", "typo"),)
    assert typo.read_as == {"laons": "loans"}


def test_words_the_corpus_lacks_are_expanded_or_named(read):
    merge = read("What happens when firms merge?")
    assert "merger" in dict(merge.expansions)["merge"] and "merger" in merge.expansion_terms
    crypto = read("cryptocurrency")
    assert crypto.keyword and crypto.foreign_words == ("cryptocurrency",)
    assert crypto.expansions == (("cryptocurrency", ()),)


def test_other_scripts_are_read_across_languages(read):
    bridged = read("电子商务")  # one concept whose corpus word stands out: read in English
    assert bridged.language == "zh" and not bridged.cross_lingual
    assert bridged.readings[0].why == "translation" and "e-commerce" in bridged.lookup
    question = read("如何支持小微企业的知识产权质押贷款？")
    assert question.cross_lingual and question.term_source == "dictionary"
    assert question.vector is not None and "loan" in question.terms


@pytest.mark.parametrize(
    "text, language",
    [("", "en"), ("pledge loans", "en"), ("电子商务", "zh"), ("Залог", "other"), ("é ü", "en")],
)
def test_script_language(text, language):
    assert script_language(text) == language
