"""The decline policy (qa.answering.abstain) over typed Signals."""

from __future__ import annotations

from dataclasses import replace

import pytest

from qa.answering.abstain import decide
from qa.config import RetrievalConfig
from qa.types import Hit, Passage, Signals

DOC = "Goats eat grass. Goats give milk."
P1 = Passage(1, "a.txt", 0, len(DOC), "Animals", DOC)


def test_abstention_uses_the_multilingual_signal_for_other_scripts():
    cfg = RetrievalConfig(min_score=0.35, min_e5_score=0.8)

    def declines(question="what is done?", **signals):
        return decide(question, [Hit(P1, 0.9, 1)], Signals(**signals), cfg).abstain

    assert declines(non_latin=True, e5_top=0.7)
    assert not declines(non_latin=True, e5_top=0.9)
    assert declines(sentence_top=0.2)
    assert not declines(sentence_top=0.9)
    # MiniLM unsure and e5 far: declined, unless the question's own words are the corpus's words
    assert declines(sentence_top=0.4, e5_top=0.80, term_coverage=0.2)
    assert not declines(sentence_top=0.4, e5_top=0.80, term_coverage=0.9)
    # close enough, but the question wants a number and the passage has none
    assert declines("How many goats are kept?", sentence_top=0.9)


def test_minilm_alone_over_a_large_search_needs_a_closer_sentence():
    cfg = RetrievalConfig(min_score=0.35, min_score_raise_without_e5=0.1)

    def decision(**signals):
        return decide("what is done?", [Hit(P1, 0.9, 1)], Signals(**signals), cfg)

    assert not decision(sentence_top=0.4).abstain
    alone = decision(sentence_top=0.4, minilm_alone=True)
    assert alone.abstain and "an answer needs 0.450" in alone.reason
    assert not decision(sentence_top=0.46, minilm_alone=True).abstain
    off = replace(cfg, min_score_raise_without_e5=0.0)
    assert not decide(
        "what is done?", [Hit(P1, 0.9, 1)], Signals(sentence_top=0.4, minilm_alone=True), off
    ).abstain


def test_short_queries_are_judged_by_their_words():
    cfg = RetrievalConfig(min_score=0.35)

    def decision(**signals):
        return decide("q", [Hit(P1, 0.9, 1)], Signals(**signals), cfg)

    low = {"sentence_top": 0.3, "term_coverage": 1.0}
    assert decision(**low).abstain
    # every word of a keyword query is in a top passage: answered despite the low cosine
    assert not decision(**low, literal_match=True).abstain
    # a short query with a word the documents never use (nor one close to it) is declined
    close = {"sentence_top": 0.6, "term_coverage": 0.5}
    d = decision(**close, keyword_query=True, foreign_words=("secrets",))
    assert d.abstain and "'secrets'" in d.reason and "ask with that word" in d.reason
    # ...but in a long question such a word is context, not the topic
    assert not decision(**close, keyword_query=False, foreign_words=("secrets",)).abstain


def test_an_answer_has_no_reason_and_type_checks_can_be_turned_off():
    on = decide(
        "How many goats are kept?", [Hit(P1, 0.9, 1)], Signals(sentence_top=0.9), RetrievalConfig()
    )
    off = decide(
        "How many goats are kept?",
        [Hit(P1, 0.9, 1)],
        Signals(sentence_top=0.9),
        RetrievalConfig(type_check_depth=0),
    )
    assert on.abstain and "asks for" in on.reason
    assert not off.abstain and off.reason == ""


@pytest.mark.parametrize(
    "signals",
    [
        Signals(),
        Signals(non_latin=True, e5_top=0.5),
        Signals(foreign_words=("x",), e5_top=None),
        Signals(sentence_top=0.4, minilm_alone=True),
    ],
)
def test_signals_round_trip_through_json(signals):
    import json

    assert Signals.from_dict(json.loads(json.dumps(signals.to_dict()))) == signals


def test_signals_are_frozen():
    import dataclasses

    with pytest.raises(dataclasses.FrozenInstanceError):
        Signals().sentence_top = 1.0  # type: ignore[misc]


def test_a_value_sentence_saying_the_question_in_close_words_is_an_answer():
    from tests.test_answer_type import _Table

    text = "Any litigation is subject to the Federal Courts of the Northern District of California."
    hits = [Hit(Passage(1, "a.txt", 0, len(text), "Law", text), 0.9, 1)]
    question = "Which courts hear disputes about this licence?"
    signals = Signals(sentence_top=0.9, term_coverage=1.0)
    cfg = RetrievalConfig()
    table = _Table(("disputes", "litigation"))
    assert decide(question, hits, signals, cfg).abstain  # "disputes" unsaid: half the question
    assert not decide(question, hits, signals, cfg, table).abstain
    off = RetrievalConfig(close_words=0.0)  # the ablation: close words off
    assert decide(question, hits, signals, off, table).abstain


def test_the_apps_match_line_shows_the_floor_the_decline_used():
    from qa.types import Answer
    from qa.web.views import match_of

    cfg = RetrievalConfig(min_score=0.35, min_score_raise_without_e5=0.1)
    for alone, needed in ((False, 0.35), (True, 0.45)):
        signals = Signals(sentence_top=0.4, minilm_alone=alone)
        declined = decide("what is done?", [Hit(P1, 0.9, 1)], signals, cfg).abstain
        answer = Answer("what is done?", "", declined, signals=signals)
        match = match_of(answer, cfg.min_score, cfg.min_e5_score, cfg.min_score_raise_without_e5)
        assert match.needed == pytest.approx(needed) and match.declined == (match.best < needed)
