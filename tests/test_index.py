from __future__ import annotations

import json

import numpy as np
import pytest

from qa.config import Settings, VectorStoreSpec
from qa.errors import IndexMismatchError, IndexNotFoundError
from qa.index.build import build_index
from qa.index.hash_embedder import HashEmbedder
from qa.index.store import index_status, load_index
from qa.index.writer import save_index
from qa.ingest.corpus import load_corpus
from qa.retrieval.retriever import Retriever
from tests.conftest import stale_reason_without


@pytest.fixture(params=["faiss", "qdrant"])
def hash_index(request, tmp_path, tiny_corpus):
    """The tiny corpus indexed with hashed words, its vectors in each backend in turn."""
    store = None
    if request.param == "qdrant":
        pytest.importorskip("qdrant_client", reason="QDRANT SKIPPED: pip install -e '.[qdrant]'")
        store = VectorStoreSpec("qdrant", path=str(tmp_path / "qdrant"))
    settings = Settings(corpus_dir=tiny_corpus, index_dir=tmp_path / "index", use_e5=False)
    docs = load_corpus(tiny_corpus)
    emb = HashEmbedder(64)
    index = build_index(docs, settings, emb)
    save_index(index, settings.index_dir, vector_store=store)
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
    assert manifest["format"] == "qa-index v4"
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
    path = settings.index_dir / "passages.npy"
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


def test_the_indexed_text_is_stored_and_read_back(tmp_path):
    """A converted document's text (and a PDF's pages) is saved with the index; loading gives
    the stored documents, which offsets point into, and a changed text is reported."""
    from qa.types import Document

    docs = [
        Document("a.pdf", "Grow wheat.\n\nGoats eat grass on the hill.\n", pages=(0, 13)),
        Document("b.html", "# Harbour rules\n\nBoats dock before sunset.\n"),
    ]
    settings = Settings(corpus_dir=tmp_path, index_dir=tmp_path / "index", use_e5=False)
    emb = HashEmbedder(32)
    save_index(build_index(docs, settings, emb), settings.index_dir)
    rows = [json.loads(x) for x in (settings.index_dir / "documents.jsonl").read_text().splitlines()]
    assert rows == [
        {"source": "a.pdf", "text": docs[0].text, "pages": [0, 13]},
        {"source": "b.html", "text": docs[1].text, "pages": []},
    ]
    loaded = load_index(settings.index_dir, docs)
    assert loaded.documents == docs
    assert [p.page for p in loaded.passages] == [1, 2, None, None]
    for p in loaded.passages:
        assert loaded.documents[0 if p.source == "a.pdf" else 1].text[p.start : p.end] == p.text
    changed = [docs[0], Document("b.html", "# Harbour rules\n\nBoats dock at noon.\n")]
    with pytest.raises(IndexMismatchError, match=r"no longer matches b\.html"):
        load_index(settings.index_dir, changed)
    repaged = [Document("a.pdf", docs[0].text, pages=(0,)), docs[1]]
    assert "a.pdf" in index_status(settings, repaged).reason


def test_an_index_without_stored_text_is_stale_not_misread(hash_index):
    settings, docs, _, _ = hash_index
    path = settings.index_dir / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["format"] = "qa-index v2"
    del manifest["files"]["documents.jsonl"]
    path.write_text(json.dumps(manifest))
    (settings.index_dir / "documents.jsonl").unlink()
    status = index_status(settings, docs)
    assert status.state == "stale" and "predates stored document text" in status.reason


def test_index_json_lines_are_read_fast_and_as_json_reads_them():
    """The fast reader (orjson) falls back to json for what only json accepts."""
    from qa.index.fast_json import loads
    assert loads(b'{"id": 3, "text": "caf\\u00e9"}') == {"id": 3, "text": "café"}
    assert loads(json.dumps({"t": "a\ud800b"}).encode()) == {"t": "a\ud800b"}
