"""Each retrieval stage alone: candidates, scorers, fusion, on small fake arrays and a tiny index.

Scoring the candidates must give each candidate the score it gets when every passage is scored
(the whole-corpus path is what the figures were measured with).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from qa.config import RetrievalConfig, Settings
from qa.index.build import build_index
from qa.index.hash_embedder import HashEmbedder
from qa.index.lexical import LexicalIndex
from qa.index.vector_store import FaissStore
from qa.ingest.corpus import load_corpus
from qa.retrieval.candidates import SentenceMap, concatenated_ranges, dense_top_ids, top_ids
from qa.retrieval.fusion import Part, fuse, minmax, mix
from qa.retrieval.retriever import Retriever
from qa.retrieval.scorers import (
    Bm25Scorer,
    HeadingScorer,
    LiteralSentences,
    MaxSimScorer,
    PassageCosine,
    PhraseScorer,
    SentenceCosine,
    best_per_passage,
)
from qa.types import Passage

RNG = np.random.default_rng(7)
SENTENCE_PASSAGE = np.array([0, 0, 1, 2, 2, 2, 3])  # 4 passages, 7 sentences


def unit(rows: int, dim: int = 8) -> np.ndarray:
    x = RNG.normal(size=(rows, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


# ---------------------------------------------------------------------------- candidates


def test_candidates_carry_their_sentences_and_owners():
    smap = SentenceMap(SENTENCE_PASSAGE, 4)
    c = smap.candidates(np.array([2, 0, 2]))  # any order, repeats allowed
    assert c.ids.tolist() == [0, 2] and not c.complete
    assert c.sentences.tolist() == [0, 1, 3, 4, 5]
    assert c.owner.tolist() == [0, 0, 1, 1, 1]
    everything = smap.all()
    assert everything.complete and everything.owner.tolist() == SENTENCE_PASSAGE.tolist()
    assert len(smap.candidates(np.array([], dtype=np.int64))) == 0


@pytest.mark.parametrize("n", [0, 1, 3, 10])
def test_top_ids_are_the_n_best(n):
    scores = np.array([0.1, 0.9, 0.5, 0.7])
    got = sorted(top_ids(scores, n).tolist())
    assert got == sorted(np.argsort(-scores)[: min(n, 4)].tolist())


def test_dense_top_ids_match_brute_force_with_and_without_faiss():
    import faiss

    vectors, q = unit(30), unit(1)[0]
    flat = faiss.IndexFlatIP(vectors.shape[1])
    flat.add(vectors)
    exact = set(np.argsort(-(vectors @ q))[:5].tolist())
    assert set(dense_top_ids(FaissStore(flat), vectors, q, 5).tolist()) == exact
    assert set(dense_top_ids(None, vectors, q, 5).tolist()) == exact
    assert dense_top_ids(FaissStore(flat), vectors, q, 99).tolist() == list(range(30))


def test_concatenated_ranges():
    assert concatenated_ranges(np.array([0, 5]), np.array([2, 6])).tolist() == [0, 1, 5]
    assert concatenated_ranges(np.array([], np.int64), np.array([], np.int64)).tolist() == []


# ---------------------------------------------------------------------------- scorers


def test_cosine_scorers_give_candidates_their_whole_corpus_scores():
    smap = SentenceMap(SENTENCE_PASSAGE, 4)
    passages, sentences, q = unit(4), unit(7), unit(1)[0]
    some, everything = smap.candidates(np.array([3, 1])), smap.all()
    for scorer in (PassageCosine(passages), SentenceCosine(sentences)):
        full = scorer.score(q, everything)
        picked = some.ids if isinstance(scorer, PassageCosine) else some.sentences
        np.testing.assert_allclose(scorer.score(q, some), full[picked], rtol=1e-6)
    best = best_per_passage(SentenceCosine(sentences).score(q, everything), everything)
    expected = [max(sentences[SENTENCE_PASSAGE == p] @ q) for p in range(4)]
    np.testing.assert_allclose(best, expected, rtol=1e-6)


def test_maxsim_on_candidates_equals_maxsim_on_all():
    tokens, starts = unit(10), np.array([0, 3, 4, 8])
    scorer, q_tokens = MaxSimScorer(tokens, starts), unit(3)
    smap = SentenceMap(SENTENCE_PASSAGE, 4)
    full = scorer.score(q_tokens, smap.all())
    some = smap.candidates(np.array([1, 3]))
    np.testing.assert_allclose(scorer.score(q_tokens, some), full[[1, 3]], rtol=1e-6)
    by_hand = [np.max(q_tokens @ tokens[3:4].T, axis=1).mean()]
    np.testing.assert_allclose(full[1:2], by_hand, atol=1e-6)


def test_phrases_and_literal_sentences():
    smap = SentenceMap(SENTENCE_PASSAGE, 4)
    phrases = PhraseScorer([["pledg", "loan"], ["loan"], ["pledg", "loan", "small"], []])
    got = phrases.score(["pledg", "loan", "small"], smap.candidates(np.array([0, 1, 2])))
    assert got.tolist() == [0.5, 0.0, 1.0]
    assert phrases.score(["loan"], smap.all()).tolist() == [0.0] * 4  # no pair, no score
    literal = LiteralSentences([{"a"}, {"a", "b"}, {"b"}, {"a", "b", "c"}, set(), {"a"}, {"b"}])
    fused = np.array([0.9, 0.1, 0.8, 0.0])
    holds = literal.score(["a", "b"], fused, smap.all(), depth=1)
    assert holds.tolist() == [False, True, False, True, False, False, False]
    # none of the best passage's sentences holds them all: no literal match at all
    assert not literal.score(["c"], fused, smap.all(), depth=1).any()


def test_a_passage_whose_own_heading_the_question_names_scores_one():
    sections = [
        "Copyright format > 6. Fields > 6.5. Disclaimer",
        "Copyright format > 6. Fields > 6.1. Format",
        "Apache License > 7. Disclaimer of Warranty",
        "Copyright format",  # the document's title alone: no heading of a part
    ]
    import Stemmer

    from qa.index.lexical import tokenize

    stemmer = Stemmer.Stemmer("english")
    headings = HeadingScorer(np.array([0, 1, 2, 3]), sections, lambda t: tokenize(t, stemmer))
    smap = SentenceMap(SENTENCE_PASSAGE, 4)
    got = headings.score("What goes in the Disclaimer field?", smap.all())
    assert got.tolist() == [1.0, 0.0, 0.0, 0.0]  # "Disclaimer of Warranty" is not named in full
    assert headings.score("Which disclaimer of warranty applies?", smap.all()).tolist() == [
        1.0,
        0.0,
        1.0,
        0.0,
    ]
    # "this format" is the document the question is asked of, not its section "6.1. Format"
    assert not headings.score("How many packages use this format?", smap.all()).any()
    assert headings.score("What is the Format field for?", smap.all()).tolist()[1] == 1.0
    assert not headings.score("copyright", smap.all()).any()  # a title is no part's heading


def test_bm25_scorer_on_candidates(tiny_corpus):
    docs = load_corpus(tiny_corpus)
    settings = Settings(corpus_dir=tiny_corpus, use_e5=False)
    index = build_index(docs, settings, HashEmbedder(16))
    lexical = LexicalIndex.build(index.passages)
    smap = SentenceMap(np.array([s.passage for s in index.sentences]), len(index.passages))
    terms = lexical.tokenize(["goats milk"])[0]
    full = Bm25Scorer(lexical).score(terms, smap.all())
    goat = int(np.argmax(full))
    assert "Goats" in index.passages[goat].text
    some = smap.candidates(np.array([goat, 0]))
    np.testing.assert_array_equal(Bm25Scorer(lexical).score(terms, some), full[some.ids])


# ---------------------------------------------------------------------------- fusion


def test_fusion_is_a_weighted_mean_of_normalised_scores():
    assert minmax(np.array([1.0, 3.0])).tolist() == [0.0, 1.0]
    assert minmax(np.array([2.0, 2.0])).tolist() == [0.0, 0.0]
    fused = fuse([Part(1.0, np.array([0.0, 2.0])), Part(3.0, np.array([0.5, 0.5]), False)])
    np.testing.assert_allclose(fused, [0.375, 0.625])
    assert fuse([]) == 0.0
    np.testing.assert_allclose(mix(np.array([1.0]), np.array([0.0]), 0.7), [0.3])


# ---------------------------------------------------------------------------- the pipeline


def test_enough_candidates_give_the_figures_of_scoring_everything(hash_retriever):
    r = hash_retriever
    n = len(r.index.passages)
    for q in ["wheat harvest", "goats milk", "harbour licence", "nets"]:
        r.config = replace(r.config, candidates=n)
        exact = r.retrieve(q, 3)
        r.config = replace(r.config, candidates=10 * n)
        more = r.retrieve(q, 3)
        assert [(h.passage.id, h.score) for h in exact.hits] == [
            (h.passage.id, h.score) for h in more.hits
        ]


def test_few_candidates_still_find_what_the_first_stage_finds(hash_retriever):
    r = hash_retriever
    r.config = replace(r.config, candidates=1)
    hits = r.retrieve("goats milk", 5).hits
    assert 1 <= len(hits) <= 2  # the union of one dense and one BM25 candidate
    assert any("Goats" in h.passage.text for h in hits)


@pytest.fixture
def hash_retriever(tiny_corpus):
    docs = load_corpus(tiny_corpus)
    settings = Settings(corpus_dir=tiny_corpus, use_e5=False)
    emb = HashEmbedder(64)
    index = build_index(docs, settings, emb)
    if index.lexical is None:
        index.lexical = LexicalIndex.build(index.passages)
    return Retriever(index, emb, config=RetrievalConfig())


def test_passage_type_is_untouched_by_scoring(hash_retriever):
    hits = hash_retriever.retrieve("wheat", 2).hits
    assert all(isinstance(h.passage, Passage) for h in hits)
