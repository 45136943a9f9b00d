"""Document-level support among many documents (qa.retrieval.documents)."""

from __future__ import annotations

import numpy as np

from qa.retrieval.documents import DocumentTopics, document_support


def test_a_document_with_several_strong_candidates_supports_them_more():
    fused = np.array([0.9, 0.8, 0.7, 0.95, 0.1])
    documents = np.array([0, 0, 0, 1, 2])  # doc 0: three good candidates; doc 1: one better
    support = document_support(fused, documents, depth=3)
    assert support[0] == support[1] == support[2] == 1.0
    assert np.isclose(support[3], 0.95 / 2.4) and support[4] < support[3]


def test_one_document_gains_the_same_everywhere_so_its_ranking_holds():
    fused = np.array([0.3, 0.9, 0.5])
    support = document_support(fused, np.zeros(3, dtype=np.int64), depth=3)
    assert np.allclose(support, 1.0)
    assert np.argsort(-(fused + 0.3 * support)).tolist() == np.argsort(-fused).tolist()


def test_no_candidates_and_no_scores():
    assert document_support(np.zeros(0), np.zeros(0, dtype=np.int64), 3).shape == (0,)
    assert np.allclose(document_support(np.zeros(2), np.array([0, 1]), 3), 0.0)


def _unit(*rows):
    v = np.array(rows, dtype=np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_a_documents_topic_is_the_normalised_mean_of_its_passages():
    vectors = _unit([1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0.1, 1])
    topics = DocumentTopics(vectors, np.array([0, 0, 1, 1]), 3)  # document 2 has no passages
    assert np.allclose(topics.topics[0], [2**-0.5, 2**-0.5, 0])
    assert np.allclose(np.linalg.norm(topics.topics[:2], axis=1), 1.0)
    assert np.allclose(topics.topics[2], 0.0)
    q = _unit([0, 0, 1])[0]
    scores = topics.score(q, np.array([0, 3]))
    assert scores[1] > 0.99 and scores[0] == 0.0  # each passage scores as its document


def test_nearest_passages_come_from_the_documents_nearest_the_question():
    vectors = _unit([1, 0, 0], [0.9, 0.1, 0], [0, 1, 0], [0, 0.9, 0.1], [0, 0.1, 0.9])
    topics = DocumentTopics(vectors, np.array([0, 0, 1, 1, 1]), 2)
    q = _unit([0, 1, 0])[0]
    assert sorted(topics.nearest_passages(q, documents=1, per_document=2).tolist()) == [2, 3]
    assert len(topics.nearest_passages(q, documents=2, per_document=1)) == 2
    assert topics.nearest_passages(q, documents=0, per_document=5).size == 0


def test_passages_stored_out_of_document_order_are_grouped_all_the_same():
    vectors = _unit([1, 0, 0], [0, 1, 0], [1, 0.1, 0])
    topics = DocumentTopics(vectors, np.array([0, 1, 0]), 2)
    q = _unit([1, 0, 0])[0]
    assert sorted(topics.nearest_passages(q, 1, 5).tolist()) == [0, 2]
    assert np.argmax(topics.topics @ q) == 0


def _library(tmp_path, encoder_dir, docs):
    from qa.assistant import Assistant, build
    from qa.config import Settings
    from tests.conftest import write_corpus

    corpus = write_corpus(tmp_path / "corpus", docs)
    settings = Settings(
        corpus_dir=corpus, index_dir=tmp_path / "index", encoder_dir=encoder_dir, use_e5=False
    )
    build(settings)
    return Assistant.open(settings, auto_build=False)


LIBRARY = {
    "harbour.md": "# Harbour rules\n\nBoats must dock before sunset.\n\n"
    "The harbour master checks every licence.\n\nFishing boats pay a mooring fee.\n",
    "farm.txt": "Farming notes\n\nGrow wheat in spring.\n\nStore grain in dry barns.\n",
}


def test_topic_candidates_and_weight_reach_the_retrieval(tmp_path, encoder_dir):
    from dataclasses import replace

    assistant = _library(tmp_path, encoder_dir, LIBRARY)
    retriever = assistant.retriever
    question = "When must boats dock in the harbour?"
    q = retriever.encode_query(question, retriever.config)[0]
    nearest = retriever.document_topics.nearest_passages(q, 1, 10)
    assert {assistant.passages[i].source for i in nearest.tolist()} == {"harbour.md"}
    # one first-stage candidate each: the nearest document's passages join them
    narrow = replace(retriever.config, candidates=1, topic_documents=0)
    retriever.config = narrow
    few = {i for h in retriever.retrieve(question, 10).hits for i in h.passage_ids}
    retriever.config = replace(narrow, topic_documents=1, document_topic_weight=1.0)
    more = {i for h in retriever.retrieve(question, 10).hits for i in h.passage_ids}
    assert set(nearest.tolist()) <= more and len(more) > len(few)


def test_one_document_has_no_topics_so_its_ranking_holds(tmp_path, encoder_dir):
    from dataclasses import replace

    assistant = _library(tmp_path, encoder_dir, {"harbour.md": LIBRARY["harbour.md"]})
    retriever = assistant.retriever
    assert retriever.document_topics is None
    before = [(h.passage.id, h.score) for h in retriever.retrieve("mooring fee", 5).hits]
    retriever.config = replace(retriever.config, topic_documents=3, document_topic_weight=1.0)
    assert [(h.passage.id, h.score) for h in retriever.retrieve("mooring fee", 5).hits] == before
