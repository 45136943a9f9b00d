from __future__ import annotations

import pytest

from qa.query_frame import topic_of


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("Does the plan mention insurance?", "insurance"),
        ("Does the plan say anything about pledge loans?", "pledge loans"),
        ("What does the plan say about customs?", "customs"),
        ("what does the document propose for universities", "universities"),
        ("Is there anything on space exploration in the plan?", "space exploration"),
        ("Is there anything in the plan about insurance?", "insurance"),
        ("Does the action plan have any measures for universities?", "universities"),
        ("Does it cover SMEs?", "SMEs"),
        ("Does the plan mention AI?", "AI"),
        ("Tell me about pledge loans", "pledge loans"),
        ("What about trademarks?", "trademarks"),
        ("Could you tell me whether the plan talks about universities?", "universities"),
        ("I read that the plan mentions customs. Is that right?", "customs"),
        ("The plan covers insurance, right?", "insurance"),
        ("Can you summarize what the plan says on mediation?", "mediation"),
        (
            "Is it true that the plan supports insurance pilots?",
            "the plan supports insurance pilots",
        ),
        (
            "According to the plan, how are pledge loans supported?",
            "how are pledge loans supported",
        ),
    ],
)
def test_the_frame_around_a_topic_is_dropped(question, topic):
    assert topic_of(question) == topic


@pytest.mark.parametrize(
    "question",
    [
        "How are pledge loans supported?",
        "Does the plan want the business of patent attorneys to grow?",  # "want" asks something
        "Does the plan mention it?",  # nothing left but a pronoun
        "What does it say?",
        "Is the insurance pilot scope correct?",  # "correct" here is not a tag question
        "Is it true?",
        "pledge",
        "",
    ],
)
def test_questions_without_a_frame_are_kept_whole(question):
    assert topic_of(question) == question
