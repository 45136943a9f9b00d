"""Follow-up rewriting: pure word rules, tested on the questions people actually type."""

from __future__ import annotations

import pytest

from qa.query.followup import base_question, is_followup, rewrite_followup, topic_words

PLEDGE = "How are small enterprises supported in pledge loans?"


@pytest.mark.parametrize(
    "question",
    [
        "and for trademarks?",
        "And what about copyright?",
        "What about universities?",
        "how about trademarks",
        "Also, what about patents?",
        "How is it funded?",
        "Who funds it?",
        "What role do they play?",
        "When will this happen?",
        "What measures does it include?",
        "Why?",
        "for universities?",
    ],
)
def test_followups_are_recognised(question):
    assert is_followup(question)


@pytest.mark.parametrize(
    "question",
    [
        PLEDGE,
        "What does it say about trademarks?",  # "it" is the plan; the topic is named
        "trademark review",
        "Patent pools?",
        "Android patents?",  # starts with "and" but is not "and ..."
        "What support do small enterprises get?",
        "知识产权质押融资如何支持小微企业？",
        "",
        "   ",
        "?",
    ],
)
def test_standalone_questions_are_left_alone(question):
    assert not is_followup(question)


def test_rewrite_combines_with_previous_question():
    assert rewrite_followup("and for trademarks?", [PLEDGE]) == f"{PLEDGE} and for trademarks?"


def test_rewrite_without_history_or_for_standalone_question_is_identity():
    assert rewrite_followup("  and for trademarks? ", []) == "and for trademarks?"
    assert rewrite_followup("Patent pools?", [PLEDGE]) == "Patent pools?"


def test_chain_of_followups_keeps_the_original_topic_not_every_earlier_followup():
    history = [PLEDGE, "and for trademarks?"]
    assert base_question(history) == PLEDGE
    assert rewrite_followup("and for copyright?", history) == f"{PLEDGE} and for copyright?"


def test_base_is_the_most_recent_standalone_question():
    history = ["What is patent navigation?", PLEDGE, "what about universities?"]
    assert base_question(history) == PLEDGE


def test_no_standalone_question_in_history_leaves_question_alone():
    assert rewrite_followup("and for trademarks?", ["why?", "and that?"]) == "and for trademarks?"


def test_rewrite_never_exceeds_max_chars():
    long_question = "patents " * 200
    assert rewrite_followup("and for trademarks?", [long_question], max_chars=100) == (
        "and for trademarks?"
    )
    combined = rewrite_followup("and for trademarks?", [PLEDGE], max_chars=2000)
    assert len(combined) <= 2000


def test_topic_words_skip_generic_and_inflected_words():
    assert topic_words("How is it funded?") == []
    assert topic_words("and for trademarks?") == ["trademarks"]
