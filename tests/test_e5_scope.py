"""e5 for every passage in a small library, for each question's candidates in a large one."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from qa.config import RetrievalConfig, Settings
from qa.index.build import build_index
from qa.index.hash_embedder import HashEmbedder
from qa.index.store import index_status, load_index
from qa.index.writer import save_index
from qa.ingest.corpus import load_corpus
from qa.query.chinese_dictionary import ChineseDictionary
from qa.retrieval.cross_lingual_on_demand import E5OnDemand, opening
from qa.retrieval.retriever import Retriever
from tests.conftest import write_corpus

DOCS = {
    "loans.md": "# Loans\n\nBanks grant pledge loans to small firms against their patents.\n\n"
    "Each pledge loan is registered with the office.\n",
    "harbour.md": "# Harbour\n\nShips unload grain at the harbour every morning.\n\n"
    "The harbour master keeps the tide tables.\n",
    "goats.md": "# Goats\n\nGoats graze on the hill above the village.\n\n"
    "Their milk is sold at the market on Fridays.\n",
}
CEDICT = "質押 质押 [zhi4 ya1] /pledge/\n貸款 贷款 [dai4 kuan3] /loan/\n"


class TranslatingE5(HashEmbedder):
    """A stand-in multilingual encoder: a Chinese question is embedded as its English words,
    so it lands near the English passages that say the same. Counts the passages it embeds."""

    WORDS = {"质押": "pledge", "贷款": "loans"}

    def __init__(self) -> None:
        super().__init__(32)
        self.name = "translating-e5"
        self.passages_embedded = 0
        self.texts: list[str] = []

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        for chinese, english in self.WORDS.items():
            texts = [t.replace(chinese, f" {english} ") for t in texts]
        return super().encode_queries(texts)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        self.passages_embedded += len(texts)
        self.texts += texts
        return super().encode_passages(texts)


def _built(tmp_path, e5_max_passages: int):
    corpus = write_corpus(tmp_path / "corpus", DOCS)
    settings = Settings(
        corpus_dir=corpus, index_dir=tmp_path / "index", e5_max_passages=e5_max_passages
    )
    docs = load_corpus(corpus)
    e5 = TranslatingE5()
    index = build_index(docs, settings, HashEmbedder(64), e5=e5)
    save_index(index, settings.index_dir)
    return settings, docs, e5, index


def test_a_library_above_the_limit_keeps_no_e5_vectors_and_says_so(tmp_path):
    settings, docs, e5, index = _built(tmp_path, e5_max_passages=2)
    assert index.e5 is None and index.e5_sentences is None and index.vocab_e5 is None
    assert e5.passages_embedded == 0  # the build embedded nothing with e5
    assert index.manifest["e5_model"] == "translating-e5"
    assert index.manifest["e5_scope"] == "candidates"
    loaded = load_index(settings.index_dir, docs)
    assert loaded.e5 is None and loaded.manifest["e5_scope"] == "candidates"
    assert index_status(settings, docs).state == "fresh"  # no rebuild loop for the missing e5


def test_a_library_within_the_limit_has_e5_for_every_passage(tmp_path):
    _, _, e5, index = _built(tmp_path, e5_max_passages=10_000)
    assert index.manifest["e5_scope"] == "all"
    assert index.e5.shape == (len(index.passages), 32)
    assert e5.passages_embedded >= len(index.passages)


def test_a_chinese_question_over_a_large_library_is_ranked_by_e5_on_demand(tmp_path):
    settings, docs, e5, _ = _built(tmp_path, e5_max_passages=2)
    index = load_index(settings.index_dir, docs)
    config = RetrievalConfig(e5_on_demand=2)
    retriever = Retriever(
        index, HashEmbedder(64), e5, config, chinese=ChineseDictionary.from_cedict_text(CEDICT)
    )
    retrieval = retriever.retrieve("质押贷款", k=2)
    assert retrieval.query.cross_lingual and retrieval.query.term_source == "dictionary"
    assert retrieval.signals.non_latin and retrieval.signals.e5_top is not None
    assert retrieval.hits[0].passage.source == "loans.md"
    assert "pledge loan" in retrieval.hits[0].passage.text
    assert 0 < e5.passages_embedded <= 2  # only the best candidates, not the library
    retriever.retrieve("质押贷款", k=2)
    assert e5.passages_embedded <= 2  # kept for the next question
    scoped = retriever.retrieve("质押贷款", k=2, documents=["goats.md"])
    assert {h.passage.source for h in scoped.hits} == {"goats.md"}


def test_opening_ends_at_a_word_and_keeps_the_text_as_it_is():
    assert opening("Article 1. Scope of\nthe rules", 3) == "Article 1. Scope"
    assert opening("Article 1. Scope of\nthe rules", 5) == "Article 1. Scope of\nthe"
    assert opening("two words", 40) == "two words"
    assert opening("all of it", 0) == "all of it"


def test_e5_on_demand_reads_each_candidates_opening_words_only(tmp_path):
    settings, docs, e5, _ = _built(tmp_path, e5_max_passages=2)
    index = load_index(settings.index_dir, docs)
    config = RetrievalConfig(e5_on_demand=2, e5_on_demand_words=4)
    retriever = Retriever(
        index, HashEmbedder(64), e5, config, chinese=ChineseDictionary.from_cedict_text(CEDICT)
    )
    retrieval = retriever.retrieve("质押贷款", k=2)
    assert retrieval.hits[0].passage.source == "loans.md"
    assert e5.texts and all(len(t.split()) <= 4 for t in e5.texts)
    assert any(t.startswith("Loans. Banks grant pledge") for t in e5.texts)


def test_e5_on_demand_embeds_again_when_the_opening_length_changes(tmp_path):
    settings, docs, e5, _ = _built(tmp_path, e5_max_passages=2)
    index = load_index(settings.index_dir, docs)
    on_demand = E5OnDemand(e5, index.passages, words=3)
    ids = np.array([0, 1])
    first = on_demand.vectors(ids)
    assert e5.passages_embedded == 2 and np.allclose(on_demand.vectors(ids, 3), first)
    assert e5.passages_embedded == 2  # kept
    whole = on_demand.vectors(ids, 0)
    assert e5.passages_embedded == 4 and e5.texts[-2:] != e5.texts[:2]
    assert whole.shape == first.shape


def test_minilm_judges_alone_only_a_large_search_without_e5_vectors(tmp_path):
    # one first-stage candidate per retriever: the search reads part of the library
    config = RetrievalConfig(candidates=1)
    settings, docs, e5, _ = _built(tmp_path, e5_max_passages=2)
    large = Retriever(load_index(settings.index_dir, docs), HashEmbedder(64), e5, config)
    assert large.retrieve("Which ships unload grain?", k=2).signals.minilm_alone
    # a few documents chosen are scored whole: a small library of their own
    scoped = large.retrieve("Which ships unload grain?", k=2, documents=["harbour.md"])
    assert not scoped.signals.minilm_alone
    small_settings, small_docs, small_e5, _ = _built(tmp_path / "small", e5_max_passages=10_000)
    small_index = load_index(small_settings.index_dir, small_docs)
    small = Retriever(small_index, HashEmbedder(64), small_e5, config)
    assert not small.retrieve("Which ships unload grain?", k=2).signals.minilm_alone


def test_a_question_within_a_few_documents_gets_e5s_second_opinion_as_a_small_library_gives_it(
    tmp_path,
):
    """Above the e5 limit, an unsure English question asked within a few documents has e5 embed
    its best candidates and their sentences when asked: the same best match as an index with
    e5 vectors for every passage gives (qa.retrieval.e5_opinion)."""
    question = "Are the pensions of retired sailors taxed?"  # no word of goats.md
    settings, docs, e5, _ = _built(tmp_path / "large", e5_max_passages=2)
    large = Retriever(load_index(settings.index_dir, docs), HashEmbedder(64), e5)
    within = large.retrieve(question, k=2, documents=["goats.md"])
    assert within.query.term_coverage < RetrievalConfig().lexical_coverage
    assert within.signals.e5_top is not None
    assert 0 < e5.passages_embedded <= RetrievalConfig().e5_opinion_passages + 4  # + sentences
    small_settings, small_docs, small_e5, _ = _built(tmp_path / "small", e5_max_passages=10_000)
    small = Retriever(load_index(small_settings.index_dir, small_docs), HashEmbedder(64), small_e5)
    expected = small.retrieve(question, k=2, documents=["goats.md"]).signals.e5_top
    assert expected is not None and abs(within.signals.e5_top - expected) < 1e-5
    # no opinion over the whole library (the first stage reads part of it), nor when it is off
    assert large.retrieve(question, k=2).signals.e5_top is None
    off = Retriever(
        load_index(settings.index_dir, docs),
        HashEmbedder(64),
        e5,
        RetrievalConfig(e5_opinion_passages=0),
    )
    assert off.retrieve(question, k=2, documents=["goats.md"]).signals.e5_top is None
    # nor when the question's words are the documents' words: the opinion would not be heard
    held = large.retrieve("Goats graze on the hill above the village", k=2, documents=["goats.md"])
    assert held.signals.e5_top is None


def test_a_chinese_question_that_names_the_plan_says_how_it_was_read(tmp_path):
    """ "计划里..." asks within the plan, in a library with e5 vectors or without: the answer's
    reading note says which document "计划" was read as, as it does for an English question."""
    docs = {
        "harbour_plan.md": "# Harbour Plan\n\nBanks grant pledge loans to small firms.\n",
        **DOCS,
    }
    for limit in (2, 10_000):
        corpus = write_corpus(tmp_path / f"corpus-{limit}", docs)
        settings = Settings(corpus_dir=corpus, index_dir=tmp_path / f"index-{limit}")
        e5 = TranslatingE5()
        library = load_corpus(corpus)
        save_index(
            build_index(library, replace(settings, e5_max_passages=limit), HashEmbedder(64), e5=e5),
            settings.index_dir,
        )
        chinese = ChineseDictionary.from_cedict_text(CEDICT)
        retriever = Retriever(
            load_index(settings.index_dir, library), HashEmbedder(64), e5, chinese=chinese
        )
        retrieval = retriever.retrieve("计划里有质押贷款吗？", k=2)
        assert retrieval.query.cross_lingual
        assert retrieval.signals.read_as == {"计划": "the document harbour_plan.md"}
        assert {h.passage.source for h in retrieval.hits} == {"harbour_plan.md"}
