"""The vector cache keeps each document's sentence and token rows only until an index holds
them, then reads them back from that index: a library's vectors are on disk once, a rebuild
still embeds nothing it had, and rows that do not match what was embedded are embedded again."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np

from qa.assistant import build
from qa.config import Settings
from qa.index.build import EmbeddingTally, build_index, embed_job
from qa.index.hash_embedder import HashEmbedder
from qa.index.indexed_rows import KEYS_FILE, IndexedRows, key_rows, rows_digest
from qa.index.store import load_index
from qa.index.vector_cache import EmbeddingJob, VectorCache, models_key
from qa.index.writer import save_index
from qa.ingest.corpus import load_corpus
from tests.conftest import write_corpus
from tests.test_incremental import GAMMA


def test_after_a_build_the_cache_keeps_no_rows_the_index_holds(tiny_settings):
    build(tiny_settings)
    index_dir, cache = tiny_settings.index_dir, tiny_settings.cache_path
    assert not list(cache.rglob("*.rows.npz"))
    keys = json.loads((index_dir / KEYS_FILE).read_text("utf-8"))
    assert len(keys) == 2 and len(list(cache.rglob("*.npz"))) == 2
    index = load_index(index_dir, None)
    assert keys[-1]["sentences"][1] == len(index.minilm_sentences)
    assert keys[-1]["tokens"][1] == len(index.tokens)
    for entry in cache.rglob("*.npz"):  # passage vectors and a digest, not the rows again
        with np.load(entry) as kept:
            assert {"passages", "rows_digest"} <= set(kept.files)
            assert not {"sentences", "tokens"} & set(kept.files)


def test_a_forced_rebuild_reads_the_rows_back_and_embeds_nothing(tiny_settings):
    build(tiny_settings)
    before = load_index(tiny_settings.index_dir, None)
    sentences, tokens = np.array(before.minilm_sentences), np.array(before.tokens)
    again = build(tiny_settings, force=True)
    assert again.rebuilt and again.documents_embedded == 0
    after = load_index(tiny_settings.index_dir, None)
    assert np.array_equal(after.minilm_sentences, sentences)
    assert np.array_equal(after.tokens, tokens)


def test_a_grown_index_lists_the_new_rows_and_a_rebuild_embeds_nothing(tiny_settings):
    build(tiny_settings)
    (tiny_settings.corpus_dir / "gamma.txt").write_text(GAMMA, encoding="utf-8")
    grown = build(tiny_settings)
    assert grown.documents_embedded == 1
    assert not list(tiny_settings.cache_path.rglob("*.rows.npz"))
    keys = json.loads((tiny_settings.index_dir / KEYS_FILE).read_text("utf-8"))
    index = load_index(tiny_settings.index_dir, None)
    assert len(keys) == 3 and keys[-1]["tokens"][1] == len(index.tokens)
    assert build(tiny_settings, force=True).documents_embedded == 0


def _hash_library(tmp_path, texts: dict[str, str]):
    corpus = write_corpus(tmp_path / "corpus", texts)
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index", use_e5=False)
    emb = HashEmbedder(16)
    cache = VectorCache(settings.cache_path, models_key(emb.name, emb.dim, None, "t"))
    return settings, emb, cache, load_corpus(corpus)


DOCS = {
    "a.txt": "Ports\n\nShips dock at the north pier. Cargo is weighed twice.\n",
    "b.txt": "Roads\n\nRoads are resurfaced in summer. Potholes are filled within a week.\n",
}


def test_rows_that_no_longer_match_are_embedded_again(tmp_path):
    settings, emb, cache, docs = _hash_library(tmp_path, DOCS)
    save_index(build_index(docs, settings, emb, cache=cache), settings.index_dir)
    assert cache.release_rows(settings.index_dir) == 2
    keys = json.loads((settings.index_dir / KEYS_FILE).read_text("utf-8"))
    path = settings.index_dir / "minilm-sentences.npy"
    damaged = np.load(path)
    damaged[keys[0]["sentences"][0]] += 1.0  # the first document's first sentence
    np.save(path, damaged)
    tally = EmbeddingTally()
    build_index(
        docs,
        settings,
        emb,
        cache=VectorCache(cache.root, cache.folder.name, [settings.index_dir]),
        tally=tally,
    )
    assert tally.documents_embedded == 1 and tally.documents_cached == 1


def test_without_the_index_a_released_entry_is_a_miss(tmp_path):
    settings, emb, cache, docs = _hash_library(tmp_path, DOCS)
    save_index(build_index(docs, settings, emb, cache=cache), settings.index_dir)
    cache.release_rows(settings.index_dir)
    elsewhere = replace(settings, index_dir=tmp_path / "other")
    tally = EmbeddingTally()
    build_index(docs, elsewhere, emb, cache=VectorCache(cache.root, cache.folder.name), tally=tally)
    assert tally.documents_embedded == 2 and tally.documents_cached == 0


def test_an_entry_that_kept_its_rows_inside_is_read_and_then_released(tmp_path):
    cache = VectorCache(tmp_path / "cache", "models-x", [tmp_path / "index"])
    job = EmbeddingJob.of("a.txt", ["one passage"], ["one sentence.", "two sentence."])
    vectors = embed_job(job, HashEmbedder(8), None, with_tokens=False)
    cache.folder.mkdir(parents=True)
    np.savez(
        cache.folder / f"{job.key}.npz", passages=vectors.passages, sentences=vectors.sentences
    )  # as entries were written before rows left the cache
    assert cache.get(job, with_tokens=False, with_e5=False) is not None
    (tmp_path / "index").mkdir()
    np.save(tmp_path / "index" / "minilm-sentences.npy", vectors.sentences)
    (tmp_path / "index" / KEYS_FILE).write_text(json.dumps(key_rows([(job.key, 2, 0)])))
    cache.release_rows(tmp_path / "index")
    with np.load(cache.folder / f"{job.key}.npz") as kept:
        assert "sentences" not in kept.files and "rows_digest" in kept.files
    got = VectorCache(cache.root, "models-x", [tmp_path / "index"]).get(job, False, False)
    assert got is not None and np.array_equal(got.sentences, vectors.sentences)


def test_rows_are_taken_only_when_they_hash_to_the_digest(tmp_path):
    rows = np.arange(12, dtype=np.float32).reshape(3, 4)
    np.save(tmp_path / "minilm-sentences.npy", rows)
    (tmp_path / KEYS_FILE).write_text(json.dumps(key_rows([("k", 2, 0), ("m", 1, 0)])))
    reader = IndexedRows([tmp_path])
    found = reader.rows("m", rows_digest(rows[2:], None), with_tokens=False)
    assert found is not None and np.array_equal(found[0], rows[2:])
    assert reader.rows("m", rows_digest(rows[:1], None), with_tokens=False) is None
    assert reader.rows("unknown", rows_digest(rows[2:], None), with_tokens=False) is None


def test_once_every_entry_was_checked_a_release_opens_none_and_only_deletes_rows_files(
    tmp_path, monkeypatch
):
    """The first release checks each entry for rows kept inside and says so in the folder;
    after it, releasing the rows of a grown library lists the folder and opens no entry."""
    import qa.index.vector_cache as vector_cache

    settings, emb, cache, docs = _hash_library(tmp_path, DOCS)
    save_index(build_index(docs, settings, emb, cache=cache), settings.index_dir)
    assert cache.release_rows(settings.index_dir) == 2
    assert (cache.folder / vector_cache.ROWS_INSIDE_CHECKED).is_file()

    def opened(path):
        raise AssertionError(f"{path} was opened")

    monkeypatch.setattr(vector_cache, "_drop_rows_inside", opened)
    more = write_corpus(settings.corpus_dir, {**DOCS, "c.txt": "Parks\n\nParks close at dusk.\n"})
    reading = VectorCache(cache.root, cache.folder.name, [settings.index_dir])
    save_index(build_index(load_corpus(more), settings, emb, cache=reading), settings.index_dir)
    assert len(list(cache.folder.glob("*.rows.npz"))) == 1  # the new document's
    assert cache.release_rows(settings.index_dir) == 1
    assert not list(cache.folder.glob("*.rows.npz"))
    assert cache.release_rows(settings.index_dir) == 0
