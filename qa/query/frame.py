"""Strip the frame around a question's topic: "Does the plan mention insurance?" -> "insurance".

People ask about the document itself ("does the plan mention X?", "what does the plan say about X?",
"is there anything on X?"). The frame carries no topic, yet in a short question it outweighs the
topic in a sentence embedding: MiniLM matched "Does the plan mention insurance?" to the bundled plan's
title line (cosine .37) better than to its insurance sentences (.20), so the question was declined.
Retrieval therefore looks up the topic alone. Pure functions, no model.
"""

from __future__ import annotations

import re

from qa.ingest.words import stopwords

_DOC = r"(?:(?:(?:the|this)\s+)?(?:action\s+)?(?:plan|document|text|strategy)|it|this)"
_ABOUT = r"(?:about|on|regarding|concerning|for|of|re)"
_MENTION = "|".join(
    [
        r"mentions?",
        rf"says?\s+(?:anything|something|much|a\s+lot)?\s*{_ABOUT}",
        r"talks?\s+about",
        r"covers?",
        r"discuss(?:es)?",
        r"address(?:es)?",
        r"includes?",
        r"deals?\s+with",
        r"touch(?:es)?\s+(?:on|upon)",
        r"refers?\s+to",
        r"contains?",
        r"speaks?\s+(?:to|about|of)",
        rf"ha(?:s|ve)\s+anything\s+{_ABOUT}",
        rf"have\s+(?:any\s+)?(?:provisions?|measures?)\s+{_ABOUT}",
    ]
)
_ADVERB = r"(?:(?:really|actually|even|also|ever|anywhere)\s+)?"  # "does the plan really mention X"
_THERE_IS = (
    r"anything|something|any\s+mention|mention|any\s+(?:provisions?|measures?|section|part)"
    r"|provisions?|measures?|a\s+(?:section|part)"
)
_LEADING = [
    # does the plan mention X / will the plan cover X
    rf"(?:does|do|did|will|would|can|could|is|are)\s+{_DOC}\s+{_ADVERB}(?:{_MENTION})",
    # where does the plan talk about X
    rf"where\s+(?:does|do|did)\s+{_DOC}\s+{_ADVERB}(?:{_MENTION})",
    # what does the plan say about X
    rf"what\s+(?:does|do|did|will)\s+{_DOC}\s+"
    rf"(?:say|state|propose|mention|have\s+to\s+say|contain)(?:\s+{_ABOUT})?",
    # is there anything on X (in the plan)
    rf"(?:is|are)\s+there\s+(?:{_THERE_IS})(?:\s+in\s+{_DOC})?\s+{_ABOUT}",
    # tell me about X / what about X
    rf"(?:please\s+)?(?:tell\s+me|show\s+me|explain|describe|summari[sz]e)(?:\s+{_ABOUT})?"
    rf"(?:\s+what\s+{_DOC}\s+says?\s+{_ABOUT})?",
    r"(?:what|how)\s+about",
]
# Politeness and hedges around a question: "could you tell me whether ...", "is it true that ...".
_POLITE_RE = re.compile(
    r"^\s*(?:(?:could|can|would|will)\s+you\s+(?:please\s+)?(?:tell\s+me|let\s+me\s+know|"
    r"check|confirm|say|explain|describe|summari[sz]e)(?:\s+(?:whether|if))?|please|i\s+(?:want|would\s+like|wish)\s+to\s+know"
    r"(?:\s+(?:whether|if))?|i\s+(?:read|heard|saw|was\s+told)(?:\s+somewhere)?(?:\s+that)?"
    r"|(?:someone|somebody|people|a\s+colleague)\s+(?:told|tells|said\s+to)\s+me(?:\s+that)?"
    r"|is\s+it\s+(?:true|correct|right)\s+that|am\s+i\s+right\s+(?:that|in\s+thinking\s+that)"
    rf"|(?:according\s+to|in)\s+{_DOC}\s*,)[\s,:]+",
    re.I,
)
_TAG_RE = re.compile(
    r"(?:[.,;!?]?\s*\bis\s+that\s+(?:right|true|correct|so)|,\s*(?:right|true|correct)"
    r"|[.!]\s*(?:(?:is\s+(?:this|it)\s+)?(?:true|right|correct)|does\s+it"
    r"|(?:true|right)\s+or\s+not))\s*\?*$",
    re.I,
)
# The statement form: "(that) the plan mentions X", "the plan talks about X".
_STATEMENT = rf"(?:what\s+)?{_DOC}\s+{_ADVERB}(?:{_MENTION})"
_LEADING_RE = re.compile(
    rf"^\s*(?:{'|'.join([*_LEADING, _STATEMENT])})\s+(?P<topic>.+)$", re.I | re.S
)
_TRAILING_RE = re.compile(rf"\s+(?:in|within|under|from)\s+{_DOC}\s*$", re.I)
_WORDS = re.compile(r"[^\W\d_]{2,}")


def topic_of(question: str) -> str:
    """The question without a frame about the document; the question itself when it has none.

    Example: topic_of("Does the plan mention pledge loans?") -> "pledge loans"
    Example: topic_of("How are pledge loans supported?") -> "How are pledge loans supported?"
    """
    spaced = " ".join(question.split())  # one space between words keeps the regexes linear
    text = _TAG_RE.sub("", _POLITE_RE.sub("", spaced, count=1))
    match = _LEADING_RE.match(text)
    if not match and text == spaced:
        return question
    topic = match.group("topic") if match else text
    topic = _TRAILING_RE.sub("", topic.strip().rstrip("?.!").strip()).strip(" ,;:")
    return topic if _names_something(topic) else question


def only_topic_words(text: str) -> bool:
    """A keyword query: words, and none of them a stopword or question word.

    Example: only_topic_words("pledge loans?") -> True; only_topic_words("Is it good?") -> False
    """
    topical = _topical(text)
    return bool(topical) and all(topical)


def _names_something(topic: str) -> bool:
    """A topic needs one word that is not a pronoun or stopword ("AI" counts, "it" does not)."""
    return any(_topical(topic))


def _topical(text: str) -> list[bool]:
    """For each word of the text: is it a topic word (not a stopword or question word)?"""
    stop = stopwords()
    return [w not in stop for w in _WORDS.findall(text.lower())]


# ---- Chinese: "计划是否提到知识产权保险？" -> "知识产权保险"

_ZH_DOC = r"(?:这个|该|本)?(?:行动)?(?:计划|规划|文件|文档)"
_ZH_MENTION = r"(?:提到|提及|涉及|谈到|讲到|说到|包括|包含|关于)"
_ZH_FRAMES = [
    # 计划是否提到X / 这个计划提到了X吗 / 计划里有没有提到X
    rf"^(?:请问)?{_ZH_DOC}(?:里|中|里面)?(?:是否|有没有|有无|有)?{_ZH_MENTION}(?:了|过)?"
    r"(?P<topic>.+?)(?:的内容|的部分|的规定|的措施)?(?:吗|没有|(?<![什怎])么)?$",
    # X，计划提到了吗 / X在计划里有提到吗
    rf"^(?:关于)?(?P<topic>.+?)[，,]?(?:在)?{_ZH_DOC}(?:里|中)?(?:是否|有没有|有)?{_ZH_MENTION}(?:了|过)?吗?$",
]
_ZH_FRAME_RES = [re.compile(f) for f in _ZH_FRAMES]
_ZH_QUESTION_WORD = re.compile("什么|哪|多少|怎么|怎样|如何|为什么|是否|吗")


def chinese_topic(question: str) -> str:
    """The topic of a Chinese question about the document; the question itself when it has no frame.

    Example: chinese_topic("计划是否提到知识产权保险？") -> "知识产权保险"
    """
    text = question.strip().rstrip("？?。！!").strip()
    for frame in _ZH_FRAME_RES:
        match = frame.match(text)
        topic = match.group("topic").strip(" ，,") if match else ""
        if _is_zh_topic(topic):
            return topic
    return question


def _is_zh_topic(topic: str) -> bool:
    """A cut-out topic names something: not "什么" or "的专利质押是什么" (what the document says
    about it is still a question, so the whole question is looked up)."""
    return len(topic) >= 2 and not topic.startswith("的") and not _ZH_QUESTION_WORD.search(topic)
