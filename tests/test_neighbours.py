from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from qa.answering.compose import compose
from qa.config import RetrievalConfig
from qa.evaluation.metrics import citation_validity
from qa.index.store import SentenceSpan
from qa.retrieval.neighbours import merge_neighbours
from qa.retrieval.retriever import Retrieval, ScoredSentence
from qa.types import Hit, Passage, Signals

# Five passages: three of the "Loans" item, then two of "Courts".
PARTS = [
    ("Loans", "Banks lend against patents."),
    ("Loans", "Small firms get risk funds."),
    ("Loans", "Insurers cover pledge loans."),
    ("Courts", "Judges hear patent cases."),
    ("Courts", "Damages rise for piracy."),
]
TEXT = " ".join(t for _, t in PARTS)


def passages() -> list[Passage]:
    out, pos = [], 0
    for i, (section, text) in enumerate(PARTS):
        start = TEXT.index(text, pos)
        out.append(Passage(i, "plan.txt", start, start + len(text), section, text))
        pos = start + len(text)
    return out


def merge(order, depth=5, max_words=200):
    return merge_neighbours(order, passages(), {"plan.txt": TEXT}, depth, max_words)


def test_adjacent_passages_of_one_item_in_the_top_become_one_verbatim_hit():
    merged = merge([1, 3, 0, 4, 2], depth=3)
    first, parts = merged[0]
    assert parts == (0, 1)  # 2 is adjacent too but ranks below the depth
    assert first.id == 1  # the best-ranked part names the hit
    assert (
        first.text
        == TEXT[first.start : first.end]
        == "Banks lend against patents. Small firms get risk funds."
    )
    assert [ids for _, ids in merged] == [(0, 1), (3,), (4,), (2,)]  # 4 is 4th: below depth


def test_passages_of_different_items_are_never_joined():
    merged = merge([2, 3, 1, 0, 4])
    assert [ids for _, ids in merged] == [(1, 2), (3, 4), (0,)]
    assert all(len({passages()[i].section for i in ids}) == 1 for _, ids in merged)


def test_the_word_cap_and_depth_zero_keep_passages_apart():
    assert [ids for _, ids in merge([0, 1, 2, 3, 4], max_words=7)] == [(0,), (1,), (2,), (3,), (4,)]
    assert [ids for _, ids in merge([0, 1, 2, 3, 4], depth=0)] == [(0,), (1,), (2,), (3,), (4,)]
    assert all(len(p.text.split()) <= 7 for p, _ in merge([0, 1, 2, 3, 4], max_words=7))


@given(st.permutations(range(5)), st.integers(0, 6), st.integers(1, 30))
def test_every_passage_is_returned_once_and_every_hit_slices_the_source(order, depth, cap):
    merged = merge(order, depth, cap)
    assert sorted(i for _, ids in merged for i in ids) == list(range(5))
    for p, ids in merged:
        assert TEXT[p.start : p.end] == p.text
        assert list(ids) == list(range(ids[0], ids[-1] + 1))
        assert p.id in ids
        assert len(ids) == 1 or p.words <= cap


def test_a_quote_from_either_part_cites_the_merged_hit():
    merged, parts = merge([1, 0, 2, 3, 4])[0]
    p = passages()
    sents = [
        ScoredSentence(SentenceSpan(i, p[i].start, p[i].end), p[i].text, score)
        for i, score in ((0, 0.9), (1, 0.88))
    ]
    retrieval = Retrieval([Hit(merged, 0.9, 1, parts)], sents, Signals(sentence_top=0.9))
    answer = compose("how are loans backed?", retrieval, retrieval_config=RetrievalConfig())
    assert not answer.abstained
    assert [q.citation for q in answer.quotes] == [1, 1]
    assert len(answer.citations) == 1 and answer.citations[0].hit.passage == merged
    assert citation_validity(answer.to_dict()) == 1.0


def test_a_merged_hit_keeps_the_page_where_it_starts():
    ps = [replace(p, page=i + 3) for i, p in enumerate(passages())]
    merged, ids = merge_neighbours([1, 0], ps, {"plan.txt": TEXT}, 5, 200)[0]
    assert ids == (0, 1) and merged.page == 3
