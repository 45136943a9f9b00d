from __future__ import annotations

from qa.answering.compose import DECLINE_TEXT, compose, select_sentences
from qa.config import AnswerConfig, RetrievalConfig
from qa.index.store import SentenceSpan
from qa.retrieval.ranking import ScoredSentence
from qa.retrieval.retriever import Retrieval
from qa.types import Hit, Passage, Signals

DOC = "——Grow wheat in spring. Wheat needs water.\n\nGoats eat grass. Goats give milk."
P0 = Passage(0, "a.txt", 0, 42, "Crops", DOC[0:42])
P1 = Passage(1, "a.txt", 44, len(DOC), "Animals", DOC[44:])


def retrieval(
    scores: dict[tuple[int, int, int], float], signals: Signals | None = None
) -> Retrieval:
    sents = [
        ScoredSentence(SentenceSpan(p, s, e), DOC[s:e], score)
        for (p, s, e), score in sorted(scores.items(), key=lambda kv: -kv[1])
    ]
    return Retrieval(
        [Hit(P1, 0.9, 1), Hit(P0, 0.5, 2)],
        sents,
        signals or Signals(sentence_top=0.9),
    )


def test_answer_quotes_verbatim_in_source_order_with_citations():
    r = retrieval({(0, 0, 23): 0.2, (0, 24, 42): 0.80, (1, 44, 60): 0.9, (1, 61, 77): 0.85})
    ans = compose("what do goats do?", r, AnswerConfig(max_sentences=3, relative_cut=0.85))
    assert not ans.abstained
    assert [q.text for q in ans.quotes] == [
        "Wheat needs water.",
        "Goats eat grass.",
        "Goats give milk.",
    ]
    assert ans.text == "Wheat needs water. [1] Goats eat grass. [2] Goats give milk. [2]"
    for q in ans.quotes:
        assert DOC[q.start : q.end] == q.text
        cited = ans.citations[q.citation - 1].hit.passage
        assert cited.start <= q.start and q.end <= cited.end
    d = ans.to_dict()
    assert set(d) == {"question", "answer", "abstained", "reason", "citations", "passages"}
    assert d["reason"] == ""  # said only for a decline
    assert (
        d["citations"][0]["n"] == 1
        and d["citations"][0]["quotes"][0]["text"] == "Wheat needs water."
    )


def test_an_item_title_is_quoted_only_when_nothing_else_is():
    # "——Grow wheat in spring." names its item; the sentences under it say something
    r = retrieval({(0, 0, 23): 0.95, (0, 24, 42): 0.9})
    ans = compose("how is wheat grown?", r, AnswerConfig(max_sentences=3, relative_cut=0.5))
    assert [q.text for q in ans.quotes] == ["Wheat needs water."]
    alone = compose("wheat?", retrieval({(0, 0, 23): 0.95}), AnswerConfig())
    quote = alone.quotes[0]
    assert quote.text == "Grow wheat in spring." and DOC[quote.start : quote.end] == quote.text


def test_relative_cut_and_max_sentences():
    r = retrieval({(1, 44, 60): 0.9, (1, 61, 77): 0.5})
    assert len(select_sentences(r.sentences, AnswerConfig(relative_cut=0.85))) == 1
    r = retrieval({(1, 44, 60): 0.9, (1, 61, 77): 0.89, (0, 0, 23): 0.88})
    assert len(select_sentences(r.sentences, AnswerConfig(max_sentences=2, relative_cut=0.5))) == 2
    assert select_sentences([], AnswerConfig()) == []


def test_declines_when_nothing_is_close():
    r = retrieval({(1, 44, 60): 0.1}, Signals(sentence_top=0.1))
    ans = compose("what is the budget?", r, retrieval_config=RetrievalConfig(min_score=0.35))
    assert ans.abstained and ans.text == DECLINE_TEXT
    assert ans.citations == () and len(ans.hits) == 2  # closest passages are still shown
    # the reason is plain words a user can act on, and it reaches the JSON
    assert ans.reason.startswith("no sentence of the documents comes close") and "0.100" in ans.reason
    assert ans.to_dict()["reason"] == ans.reason


def test_a_keyword_query_quotes_the_sentences_with_its_words():
    sents = [
        ScoredSentence(SentenceSpan(1, 44, 60), DOC[44:60], 0.9),
        ScoredSentence(SentenceSpan(1, 61, 77), DOC[61:77], 0.5, literal=True),
    ]
    chosen = select_sentences(sents, AnswerConfig(relative_cut=0.85))
    assert [s.text for s in chosen] == ["Goats give milk."]
    plain = [ScoredSentence(s.span, s.text, s.score) for s in sents]
    assert [s.text for s in select_sentences(plain, AnswerConfig(relative_cut=0.85))] == [
        "Goats eat grass."
    ]


def test_a_hard_wrapped_quote_reads_as_prose_and_stays_verbatim():
    doc = "Each Contributor grants You a licence to\n      copy the Work.\n\nGoats eat grass."
    end = doc.index("\n\n")
    p0 = Passage(0, "lic.txt", 0, end, "Licence", doc[:end])
    sent = ScoredSentence(SentenceSpan(0, 0, end), doc[:end], 0.9)
    ans = compose("may I copy it?", Retrieval([Hit(p0, 0.9, 1)], [sent], Signals(sentence_top=0.9)))
    assert ans.text == "Each Contributor grants You a licence to copy the Work. [1]"
    assert ans.quotes[0].text == doc[:end] == "Each Contributor grants You a licence to\n      copy the Work."
