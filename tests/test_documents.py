"""Document-level support among many documents (qa.retrieval.documents)."""

from __future__ import annotations

import numpy as np

from qa.retrieval.documents import document_support


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
