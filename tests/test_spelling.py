"""Typos read as corpus words: the rules on a tiny vocabulary, then the real plan."""

from __future__ import annotations

from collections import Counter

import pytest

from qa.query.spelling import MAX_LOOKUPS_PER_QUESTION, SpellingReader

COUNTS = Counter({"loans": 3, "loads": 1, "status": 2, "examination": 4, "trademark": 2})
ENGLISH = {"collateral", "lands"}


@pytest.fixture
def reader() -> SpellingReader:
    return SpellingReader(COUNTS, lambda w: w in COUNTS or w in ENGLISH)


def test_typos_become_the_closest_commonest_corpus_word(reader):
    assert reader.correction("laons") == "loans"  # a swap is one edit
    assert reader.correction("loams") == "loans"  # loans and loads are both one edit: commoner
    assert reader.correction("examinaton") == "examination"  # a dropped letter
    assert reader.correction("Trademak") == "trademark"


def test_words_that_are_no_typos_are_left_alone(reader):
    assert reader.correction("collateral") == ""  # English, though the corpus lacks it
    assert reader.correction("lands") == ""
    assert reader.correction("loans") == ""  # a corpus word
    assert reader.correction("lons") == ""  # too short to guess
    assert reader.correction("exmainaton") == ""  # a swap and a dropped letter: too far
    assert reader.correction("startups") == ""  # two edits from "status": too far for 8 letters


def test_correct_rewrites_the_question_and_says_what_it_read(reader):
    assert reader.correct("Are pledge laons cheap?") == (
        "Are pledge loans cheap?",
        {"laons": "loans"},
    )
    assert reader.correct("no typos here") == ("no typos here", {})


def test_a_long_junk_question_looks_up_a_bounded_number_of_words(reader, monkeypatch):
    scans = []
    monkeypatch.setattr(reader, "_closest", lambda word: scans.append(word) or "")
    junk = " ".join(f"qzxwv{chr(97 + i % 26)}{i}" for i in range(500))
    assert reader.correct(junk) == (junk, {})
    assert len(scans) == MAX_LOOKUPS_PER_QUESTION


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
    assert typo in ans.signals.read_as
    assert any(evidence in c.hit.passage.text.lower() for c in ans.citations)


@pytest.mark.parametrize(
    "question",
    [
        "startups",
        "collateral",
        "Does the plan mention cryptocurrency?",
        # derived words one or two edits from a plan word, English all the same
        "unprotected inventions",
        "rights of the pledgee",
        "reworking of patents",
        "patentees",
    ],
)
def test_english_words_the_plan_lacks_are_not_read_as_typos(plan_assistant, question):
    assert plan_assistant.ask(question).signals.read_as == {}


def test_corpus_word_counts_count_whole_words_on_demand():
    from qa.query.corpus_scan import CorpusScan
    from qa.query.spelling import CorpusWordCounts

    text = (
        "Loans and LOANS; pledge-loans, loans-based and preloans are other words. "
        "Prêt loans\u00a0loans. Éloans is one word, loans\u2019 counts"
    )
    from qa.ingest.words import content_words

    texts = [text, "loans."]
    counts = CorpusWordCounts(["loans", "loads", "pledge"], CorpusScan(texts))
    assert list(counts) == ["loans", "loads", "pledge"] and len(counts) == 3
    assert counts["loans"] == 6 == sum(w == "loans" for t in texts for w in content_words(t))
    assert counts["loads"] == 0 and counts["pledge"] == 0
    assert "loans" in counts and "lions" not in counts  # a mapping of the vocabulary only
    with pytest.raises(KeyError):
        counts["lions"]


def test_a_vocabulary_word_the_corpus_no_longer_holds_is_no_choice():
    from qa.query.corpus_scan import CorpusScan
    from qa.query.spelling import CorpusWordCounts

    # "loads" came from a document since removed: "loams" is read as "loans", never "loads"
    counts = CorpusWordCounts(["loads", "loans"], CorpusScan(["Pledge loans grow."]))
    reader = SpellingReader(counts, lambda w: w in {"loads", "loans"})
    assert reader.correction("loams") == "loans"
    assert reader.correction("loadz") == ""
