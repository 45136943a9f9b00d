from __future__ import annotations

import numpy as np

from qa.ingest.words import content_words, nearest_words, vocabulary


def test_content_words_drop_question_words_and_stopwords():
    assert content_words("How will the plan oversee patent agents?") == [
        "oversee",
        "patent",
        "agents",
    ]
    assert content_words("") == []
    assert content_words("知识产权") == []


def test_vocabulary_is_sorted_and_distinct():
    assert vocabulary(["Pledge loans, pledge financing.", "Loans!"]) == [
        "financing",
        "loans",
        "pledge",
    ]


def test_nearest_words_respects_threshold_and_count():
    vocab = ["a", "b", "c"]
    vecs = np.eye(3, dtype=np.float32)
    query = np.array([[0.9, 0.4, 0.0]], dtype=np.float32)
    assert nearest_words(query, vocab, vecs, 0.3, 2) == [["a", "b"]]
    assert nearest_words(query, vocab, vecs, 0.5, 2) == [["a"]]
    assert nearest_words(query, vocab, vecs, 0.95, 2) == [[]]
    assert nearest_words(np.zeros((0, 3)), vocab, vecs, 0.5, 2) == []


def test_paraphrase_words_reach_the_plans_wording(plan_assistant):
    """Words the plan never uses are mapped to the plan's own words for BM25."""
    r = plan_assistant.retriever.reader
    config = plan_assistant.retriever.config

    def expand(query):
        unseen = r.unseen_words(query)
        return r.expansions(unseen, plan_assistant.retriever.minilm.encode_queries(unseen), config)

    assert "merger" in expand("What happens when firms merge?")["merge"]
    assert r.unseen_words("patent pledge loans") == []  # every word is already in the plan
    assert expand("patent pledge loans") == {}
    assert expand("cryptocurrency") == {"cryptocurrency": []}  # nothing in the plan is close
