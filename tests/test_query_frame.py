from __future__ import annotations

import pytest

from qa.query.frame import chinese_topic, topic_of


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
        # people checking a claim: hedges before, "true?" after, adverbs inside
        ("I heard the plan covers blockchain. True?", "blockchain"),
        ("Someone told me the plan talks about trade secrets. Does it?", "trade secrets"),
        ("Am I right that the plan mentions patent boxes?", "patent boxes"),
        ("Is it correct that the plan mentions customs?", "customs"),
        ("I was told the plan covers insurance, right?", "insurance"),
        ("The plan mentions insurance. True or not?", "insurance"),
        ("Does the plan really mention pledge loans?", "pledge loans"),
        ("Does the plan ever mention mediation?", "mediation"),
        ("Where does the plan talk about exhibitions?", "exhibitions"),
        ("I heard that pledge loans are supported", "pledge loans are supported"),
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
        "I read the plan.",  # a hedge with nothing after it
        "Is the plan true or not?",
        "Where does the plan go next?",  # "where" without a mention verb
        "pledge",
        "",
    ],
)
def test_questions_without_a_frame_are_kept_whole(question):
    assert topic_of(question) == question


@pytest.mark.parametrize(
    "question, topic",
    [
        ("计划是否提到知识产权保险？", "知识产权保险"),
        ("这个计划提到了专利审查高速路吗？", "专利审查高速路"),
        ("计划里有关于地理标志的内容吗？", "地理标志"),
        ("区块链，计划提到了吗？", "区块链"),
        ("计划中涉及展会吗？", "展会"),
        ("电子商务", "电子商务"),
        ("计划如何支持小微企业的知识产权质押贷款？", "计划如何支持小微企业的知识产权质押贷款？"),
        ("计划提到保险么", "保险"),
        # what the plan says about a topic is still a question: kept whole
        ("计划提到的专利质押是什么？", "计划提到的专利质押是什么？"),
        ("这个文件里说到了什么", "这个文件里说到了什么"),
        ("计划提到哪些城市？", "计划提到哪些城市？"),
        ("计划提到了多少项措施？", "计划提到了多少项措施？"),
    ],
)
def test_chinese_frames_around_a_topic_are_dropped(question, topic):
    assert chinese_topic(question) == topic
