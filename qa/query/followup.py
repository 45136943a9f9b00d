"""Turn a short follow-up ("and for trademarks?") into a question retrieval can answer alone.

Retrieval sees one question at a time, so "what about trademarks?" after a question on pledge
loans would search for trademarks in general. A follow-up is combined with the question it
follows up on: the most recent earlier question that was not itself a follow-up, so a chain of
"and for X?" questions keeps the original topic instead of piling up every X.

Pure functions, no model: a handful of word lists decide what counts as a follow-up.
"""

from __future__ import annotations

import re

# Openings that only make sense as a continuation of the previous question.
STARTERS = (
    "and ",
    "what about ",
    "how about ",
    "what of ",
    "also ",
    "as for ",
    "same for ",
    "same question for ",
    "but ",
)
# A very short question opening with one of these is a fragment: "for universities?"
SHORT_OPENERS = ("for", "in", "on", "about", "with", "by", "to", "regarding", "why", "how", "when")
SHORT_WORDS = 3
PRONOUNS = frozenset(
    "it its it's itself they them their theirs this that these those such he she his her".split()
)
# Words that never name a topic: function words, question words, generic verbs, nouns and
# adjectives that only make sense with a topic from elsewhere ("what measures does it include?").
NOT_TOPIC = frozenset(
    """
    a an the and or but if then than so as of to in on at by for with from into onto about over
    under between through during before after above below up down out off again further once
    what which who whom whose when where why how whether there here
    is are was were be been being am do does did doing done have has had having will would
    shall should can could may might must need needs get gets got give gives given make makes
    made take takes taken say says said mean means meant work works happen happens apply applies
    include includes cover covers involve involves concern concerns cost costs pay pays start
    starts end ends help helps matter matters come comes go goes play plays tell explain describe
    not no nor only own same too very just also more most less least much many any some all
    each every both few other another else such enough really exactly
    i me my we our you your
    measure measures step steps action actions goal goals role roles detail details example
    examples way ways thing things kind kinds type types part parts time times deadline target
    targets plan plans document documents policy policies text section sections point points
    case cases one ones someone anyone people responsibility responsible important possible
    available specific main key exact different whole supposed expected likely
    money fund funds support benefit benefits amount budget resources result results effect
    """.split()
)
_WORD = re.compile(r"[^\W\d_][\w'-]*", re.UNICODE)
_CJK = re.compile(r"[\u3400-\u9fff]")


def words(text: str) -> list[str]:
    """Lower-cased words, apostrophes and hyphens kept inside a word.

    Example: words("What about it's IP-rights?") -> ['what', 'about', "it's", 'ip-rights']
    """
    return [w.lower() for w in _WORD.findall(text)]


def topic_words(text: str) -> list[str]:
    """Words that can name what a question is about: not function words, not generic verbs.

    Example: topic_words("How is it funded?") -> []; topic_words("and trademarks?") -> ['trademarks']
    """
    return [
        w
        for w in words(text)
        if len(w) >= 3
        and w not in NOT_TOPIC
        and w not in PRONOUNS
        and not w.endswith(("ed", "ing", "ly"))
    ]


def is_followup(question: str) -> bool:
    """True when the question leans on an earlier one for its topic.

    Example: is_followup("And for trademarks?") -> True; is_followup("Who funds patents?") -> False
    """
    if _CJK.search(question):  # no word lists for other scripts; treat as standalone
        return False
    ws = words(question)
    if not ws:
        return False
    if (" ".join(ws) + " ").startswith(STARTERS):  # punctuation-blind: "Also, what about ..."
        return True
    topics = topic_words(question)
    has_pronoun = any(w in PRONOUNS for w in ws)
    if len(ws) <= SHORT_WORDS and (ws[0] in SHORT_OPENERS or has_pronoun or not topics):
        return True
    return has_pronoun and not topics


def base_question(history: list[str]) -> str | None:
    """The most recent earlier question that stands on its own (the topic of a follow-up).

    Example: base_question(["Pledge loans?", "and trademarks?"]) -> 'Pledge loans?'
    """
    for previous in reversed(history):
        if previous.strip() and not is_followup(previous):
            return previous.strip()
    return None


def rewrite_followup(question: str, history: list[str], max_chars: int | None = None) -> str:
    """The question as retrieval should see it: combined with its base question if it is a
    follow-up, else unchanged. ``history`` holds the earlier user questions, oldest first.
    The result is never longer than ``max_chars`` (the question is then left as typed).

    Example:
        >>> rewrite_followup("and for trademarks?", ["How are pledge loans supported?"])
        'How are pledge loans supported? and for trademarks?'
    """
    question = question.strip()
    if not history or not is_followup(question):
        return question
    base = base_question(history)
    if base is None:
        return question
    combined = f"{base} {question}"
    if max_chars is not None and len(combined) > max_chars:
        return question
    return combined
