from __future__ import annotations

import json

import numpy as np
import pytest

from qa.config import Settings
from qa.errors import IndexMismatchError, IndexNotFoundError
from qa.index.hash_embedder import HashEmbedder
from qa.index.store import build_index, index_status, load_index, save_index
from qa.ingest.corpus import load_corpus
from qa.retrieval.retriever import Retriever
from tests.conftest import stale_reason_without


@pytest.fixture
def hash_index(tmp_path, tiny_corpus):
    settings = Settings(corpus_dir=tiny_corpus, index_dir=tmp_path / "index", use_e5=False)
    docs = load_corpus(tiny_corpus)
    emb = HashEmbedder(64)
    index = build_index(docs, settings, emb)
    save_index(index, settings.index_dir)
    return settings, docs, emb, index


def test_save_load_round_trip_gives_same_hits(hash_index):
    settings, docs, emb, index = hash_index
    loaded = load_index(settings.index_dir, docs)
    assert loaded.passages == index.passages
    np.testing.assert_allclose(loaded.minilm, index.minilm, atol=1e-6)
    for q in ["wheat harvest", "goats milk", "harbour licence"]:
        a = Retriever(index, emb).retrieve(q, 3).hits
        b = Retriever(loaded, emb).retrieve(q, 3).hits
        assert [h.passage.id for h in a] == [h.passage.id for h in b]
        assert [h.score for h in a] == pytest.approx([h.score for h in b])


def test_manifest_and_no_pickle(hash_index):
    settings, docs, _, index = hash_index
    manifest = json.loads((settings.index_dir / "manifest.json").read_text())
    assert manifest["format"] == "qa-index v2"
    assert manifest["model"] == "hash-64" and manifest["dim"] == 64
    assert manifest["count"] == len(index.passages)
    assert set(manifest["corpus"]) == {"alpha.txt", "beta.md"}
    assert all(len(d) == 64 for d in manifest["files"].values())
    names = {p.name for p in settings.index_dir.iterdir()}
    assert not any(n.endswith((".pkl", ".pickle")) or ".tmp-" in n for n in names)


def test_faiss_matches_brute_force(hash_index):
    _, _, emb, index = hash_index
    loaded = load_index(hash_index[0].index_dir, hash_index[1])
    r = Retriever(loaded, emb)
    q = emb.encode_queries(["grain barns mice"])[0]
    everything = r.sentence_map.all()
    np.testing.assert_allclose(r.passage_cosine.score(q, everything), loaded.minilm @ q, atol=1e-5)
    some = r.sentence_map.candidates(np.array([2, 0]))  # candidates only: the same cosines
    np.testing.assert_allclose(r.passage_cosine.score(q, some), (loaded.minilm @ q)[[0, 2]], atol=1e-5)


def test_k_larger_than_corpus_returns_what_exists(hash_index):
    _, _, emb, index = hash_index
    hits = Retriever(index, emb).retrieve("wheat", 500).hits
    covered = [i for h in hits for i in h.passage_ids]
    assert sorted(covered) == [p.id for p in index.passages]  # each passage once, merged or not
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    for k in range(1, len(hits) + 1):  # a smaller k is a prefix of the full ranking
        top = Retriever(index, emb).retrieve("wheat", k).hits
        assert [(h.passage, h.parts) for h in top] == [(h.passage, h.parts) for h in hits[:k]]


def test_truncated_file_is_detected(hash_index):
    settings, docs, _, _ = hash_index
    path = settings.index_dir / "passages.jsonl"
    path.write_bytes(path.read_bytes()[:-20])
    with pytest.raises(IndexMismatchError, match="checksum"):
        load_index(settings.index_dir, docs)
    assert index_status(settings, docs).state == "fresh"  # manifest ok; load is what checks files


def test_missing_and_corrupt_manifest(hash_index, tmp_path):
    settings, docs, _, _ = hash_index
    with pytest.raises(IndexNotFoundError, match="run `qa index`"):
        load_index(tmp_path / "nothing", docs)
    (settings.index_dir / "manifest.json").write_text("{not json")
    with pytest.raises(IndexMismatchError, match="corrupt"):
        load_index(settings.index_dir, docs)
    assert index_status(settings, docs).state == "broken"


def test_other_format_version_is_rejected(hash_index):
    settings, docs, _, _ = hash_index
    path = settings.index_dir / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["format"] = "qa-index v0"
    path.write_text(json.dumps(manifest))
    with pytest.raises(IndexMismatchError, match="format"):
        load_index(settings.index_dir, docs)


def test_changed_corpus_makes_index_stale(hash_index):
    settings, _, _, _ = hash_index
    assert index_status(settings).state == "fresh"
    (settings.corpus_dir / "beta.md").write_text("Completely new harbour text.", "utf-8")
    status = index_status(settings)
    assert status.state == "stale" and "beta.md" in status.reason
    (settings.corpus_dir / "gamma.txt").write_text("Another file.", "utf-8")
    assert "gamma.txt" in index_status(settings).reason


def test_e5_word_vectors_are_stored_with_the_vocabulary(tmp_path, tiny_corpus):
    """With a multilingual encoder the corpus words get its vectors too (cross-lingual BM25)."""
    settings = Settings(corpus_dir=tiny_corpus, index_dir=tmp_path / "index")
    docs = load_corpus(tiny_corpus)
    e5 = HashEmbedder(16)
    index = build_index(docs, settings, HashEmbedder(64), e5=e5)
    assert index.vocab_e5.shape == (len(index.vocab), 16)
    np.testing.assert_allclose(index.vocab_e5, e5.encode_queries(index.vocab))
    save_index(index, settings.index_dir)
    loaded = load_index(settings.index_dir, docs)
    np.testing.assert_array_equal(loaded.vocab_e5, index.vocab_e5)
    assert index_status(settings, docs).state == "fresh"
    assert "multilingual word vectors" in stale_reason_without(settings, docs, "vocab_e5")
