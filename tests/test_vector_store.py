"""The vector store behind one interface: embedded FAISS and Qdrant (local mode) give the same
dense candidates and the same hits; the manifest says which backend, and readers need no flag."""

from __future__ import annotations

import json
import sys
from dataclasses import replace

import numpy as np
import pytest

from qa.config import RetrievalConfig, Settings, VectorStoreSpec
from qa.errors import ConfigError, IndexMismatchError, VectorStoreError
from qa.index.build import build_index
from qa.index.hash_embedder import HashEmbedder
from qa.index.store import index_status, load_index
from qa.index.vector_store import FAISS_FILE, MATRIX_FILE, backend_change
from qa.index.writer import save_index
from qa.ingest.corpus import load_corpus
from qa.retrieval.retriever import Retriever
from tests.conftest import write_corpus

pytest.importorskip(
    "qdrant_client",
    reason="OPTIONAL QDRANT TESTS SKIPPED: qdrant-client is not installed; "
    "pip install -e '.[qdrant]' to check the Qdrant backend",
)

TOPICS = [
    ("wheat", "Grow wheat in spring. Wheat needs water and sun. Harvest the wheat in summer."),
    ("goats", "Keep goats on the hill. Goats eat grass and give milk every morning."),
    ("harbour", "Boats must dock before sunset. The harbour master checks every licence."),
    ("nets", "Fishing nets are repaired on Tuesdays. Broken nets are burned on the beach."),
    ("bees", "Bees make honey in wooden hives. The beekeeper smokes the hive before opening."),
    ("bread", "The baker kneads bread dough at dawn. Fresh bread is sold in the market square."),
    ("trains", "Trains leave the station every hour. Tickets are checked by the conductor."),
    ("library", "The library lends books for three weeks. Late books cost a small fine."),
    ("rain", "Heavy rain floods the lower fields. Farmers dig ditches to drain the water."),
    ("school", "Pupils start school at eight. Teachers mark homework every evening."),
    ("taxes", "Shop owners file taxes each April. Late filing brings a penalty."),
    ("clinic", "The clinic opens on weekdays. Nurses take blood pressure before the doctor."),
]
QUESTIONS = [
    "wheat harvest",
    "goats milk",
    "harbour licence",
    "honey hives",
    "late books fine",
    "bread market",
    "train tickets",
    "rain ditches",
    "nurses doctor",
    "april taxes",
]


@pytest.fixture
def corpus(tmp_path):
    """Twelve small documents: more passages than the candidates asked for, so the dense first
    stage really searches the store instead of taking every passage."""
    docs = {f"{name}.txt": f"{name.title()} notes\n\n{text}\n" for name, text in TOPICS}
    return write_corpus(tmp_path / "corpus", docs)


class TrigramEmbedder(HashEmbedder):
    """Hashed character trigrams: graded cosines with no exact ties (hashed words tie at 0 for
    every passage sharing no word, and FAISS and Qdrant may order ties differently)."""

    def _encode(self, texts: list[str]) -> np.ndarray:
        grams = []
        for t in texts:
            w = "".join(c for c in t.lower() if c.isalnum() or c == " ")
            grams.append(" ".join(w[i : i + 3] for i in range(max(1, len(w) - 2))))
        return super()._encode(grams)


def settings_for(tmp_path, corpus, store: VectorStoreSpec | None) -> Settings:
    return Settings(
        corpus_dir=corpus, index_dir=tmp_path / "index", use_e5=False, vector_store=store
    )


def qdrant_spec(tmp_path) -> VectorStoreSpec:
    return VectorStoreSpec("qdrant", path=str(tmp_path / "qdrant"))


def built(tmp_path, corpus, backend: str):
    store = qdrant_spec(tmp_path) if backend == "qdrant" else None
    settings = settings_for(tmp_path, corpus, store)
    docs = load_corpus(corpus)
    emb = TrigramEmbedder(256)
    save_index(build_index(docs, settings, emb), settings.index_dir, vector_store=store)
    return settings, docs, emb


def manifest_of(settings: Settings) -> dict:
    return json.loads((settings.index_dir / "manifest.json").read_text())


@pytest.mark.parametrize("backend", ["faiss", "qdrant"])
def test_store_search_is_exact_top_k(tmp_path, corpus, backend):
    settings, docs, emb = built(tmp_path, corpus, backend)
    index = load_index(settings.index_dir, docs)
    assert index.vector_store.name == backend and index.vector_store.count() == len(index.passages)
    queries = emb.encode_queries(QUESTIONS)
    scores, ids = index.vector_store.search(queries, 3)
    exact = np.argsort(-(queries @ index.minilm.T), axis=1, kind="stable")[:, :3]
    assert ids.shape == (len(QUESTIONS), 3)
    assert [set(r) for r in ids.tolist()] == [set(r) for r in exact.tolist()]
    np.testing.assert_allclose(
        scores, np.take_along_axis(queries @ index.minilm.T, ids, 1), atol=1e-5
    )
    n = len(index.passages)
    _, padded = index.vector_store.search(queries[:1], n + 2)  # more than it holds
    assert padded[0, -2:].tolist() == [-1, -1] and sorted(padded[0, :-2]) == list(range(n))


@pytest.mark.parametrize("backend", ["faiss", "qdrant"])
def test_hits_through_the_store_equal_the_exact_numpy_ranking(tmp_path, corpus, backend):
    config = RetrievalConfig(candidates=3)
    settings, docs, emb = built(tmp_path, corpus, backend)
    exact = Retriever(build_index(docs, settings, emb), emb, config=config)  # no store: numpy
    stored = Retriever(load_index(settings.index_dir, docs), emb, config=config)
    for q in QUESTIONS:
        assert [h.passage.id for h in stored.retrieve(q, 3).hits] == [
            h.passage.id for h in exact.retrieve(q, 3).hits
        ]


def test_both_backends_give_the_same_hits(tmp_path, corpus):
    config = RetrievalConfig(candidates=3)  # the store, not "every passage", picks candidates
    hits = {}
    for backend in ("faiss", "qdrant"):
        settings, docs, emb = built(tmp_path / backend, corpus, backend)
        r = Retriever(load_index(settings.index_dir, docs), emb, config=config)
        hits[backend] = [[h.passage.id for h in r.retrieve(q, 3).hits] for q in QUESTIONS]
    assert hits["faiss"] == hits["qdrant"]
    assert len({tuple(h) for h in hits["faiss"]}) > 5  # the questions find different passages


def test_manifest_records_the_backend_and_its_files(tmp_path, corpus):
    settings, _, _ = built(tmp_path / "f", corpus, "faiss")
    assert manifest_of(settings)["vector_store"] == {"backend": "faiss", "index": "flat"}
    assert FAISS_FILE in manifest_of(settings)["files"]
    settings, _, _ = built(tmp_path / "q", corpus, "qdrant")
    entry = manifest_of(settings)["vector_store"]
    assert entry["backend"] == "qdrant" and entry["path"] == str(
        (tmp_path / "q" / "qdrant").resolve()
    )
    assert entry["collection"].startswith("planqa-index-")
    files = manifest_of(settings)["files"]
    assert MATRIX_FILE in files and FAISS_FILE not in files
    assert not (settings.index_dir / FAISS_FILE).exists()


def test_a_rebuild_switches_to_a_new_collection_and_drops_the_old(tmp_path, corpus):
    from qa.index.qdrant_store import client_for

    settings, docs, emb = built(tmp_path, corpus, "qdrant")
    first = manifest_of(settings)["vector_store"]["collection"]
    # no backend given: the rebuild keeps the one the manifest records
    save_index(build_index(docs, settings, emb), settings.index_dir)
    second = manifest_of(settings)["vector_store"]
    assert second["backend"] == "qdrant" and second["collection"] != first
    names = {c.name for c in client_for(qdrant_spec(tmp_path)).get_collections().collections}
    assert names == {second["collection"]}
    loaded = load_index(settings.index_dir, docs)
    assert loaded.vector_store.count() == len(loaded.passages)


def test_missing_collection_says_to_rebuild(tmp_path, corpus):
    from qa.index.qdrant_store import client_for

    settings, docs, _ = built(tmp_path, corpus, "qdrant")
    collection = manifest_of(settings)["vector_store"]["collection"]
    client_for(qdrant_spec(tmp_path)).delete_collection(collection)
    with pytest.raises(
        IndexMismatchError, match=rf"collection '{collection}' is missing.*qa index --force"
    ):
        load_index(settings.index_dir, docs)


def test_index_status_wants_a_rebuild_only_when_another_backend_is_asked(tmp_path, corpus):
    settings, docs, _ = built(tmp_path, corpus, "qdrant")
    assert index_status(replace(settings, vector_store=None), docs).state == "fresh"
    assert index_status(settings, docs).state == "fresh"
    faiss = index_status(replace(settings, vector_store=VectorStoreSpec()), docs)
    assert (faiss.state, faiss.reason) == ("stale", "vector backend qdrant -> faiss")
    moved = replace(settings, vector_store=VectorStoreSpec("qdrant", path=str(tmp_path / "other")))
    assert index_status(moved, docs).reason.startswith("vector store moved to")
    assert backend_change(None, {"backend": "qdrant"}) is None


def test_without_qdrant_client_the_message_says_what_to_install(tmp_path, corpus, monkeypatch):
    from qa.index.vector_store import preflight

    monkeypatch.setitem(sys.modules, "qdrant_client", None)  # import fails as if not installed
    spec = VectorStoreSpec("qdrant", path=str(tmp_path / "not-installed"))
    with pytest.raises(VectorStoreError, match=r"pip install 'planqa\[qdrant\]'"):
        preflight(spec)


def test_cli_index_without_qdrant_client_fails_before_embedding(
    tmp_path, corpus, monkeypatch, capsys
):
    from qa.cli import main

    monkeypatch.setitem(sys.modules, "qdrant_client", None)
    args = ["index", "--corpus", str(corpus), "--index-dir", str(tmp_path / "index")]
    assert main([*args, "--backend", "qdrant", "--qdrant-path", str(tmp_path / "q")]) == 2
    assert "pip install 'planqa[qdrant]'" in capsys.readouterr().err
    assert not (tmp_path / "index" / "manifest.json").exists()


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--backend", "qdrant"], "exactly one of --qdrant-path DIR"),
        (["--qdrant-path", "a", "--qdrant-url", "http://localhost:6333"], "exactly one of"),
        (["--backend", "faiss", "--qdrant-path", "a"], "go with --backend qdrant"),
        (["--qdrant-path", "a", "--qdrant-replicas", "0"], "--qdrant-replicas must be at least 1"),
    ],
)
def test_cli_refuses_an_incomplete_backend(tmp_path, corpus, capsys, flags, message):
    from qa.cli import main

    args = ["index", "--corpus", str(corpus), "--index-dir", str(tmp_path / "index"), *flags]
    assert main(args) == 2
    assert message in capsys.readouterr().err


def test_api_key_comes_from_the_named_variable_or_file(tmp_path, monkeypatch):
    from qa.index.qdrant_store import api_key

    spec = VectorStoreSpec("qdrant", url="http://qdrant:6333", api_key_env="QA_TEST_QDRANT_KEY")
    monkeypatch.delenv("QA_TEST_QDRANT_KEY", raising=False)
    with pytest.raises(ConfigError, match=r"\$QA_TEST_QDRANT_KEY, which is not set"):
        api_key(spec)
    monkeypatch.setenv("QA_TEST_QDRANT_KEY", "s3cret\n")
    assert api_key(spec) == "s3cret"
    key_file = tmp_path / "key"
    key_file.write_text("from-file\n")
    assert api_key(VectorStoreSpec("qdrant", url="u", api_key_file=str(key_file))) == "from-file"
    # the manifest names where the key is, never the key
    assert "s3cret" not in json.dumps(spec.to_manifest())


def test_bad_collection_prefix_is_refused(tmp_path):
    from qa.index.qdrant_store import collection_prefix

    with pytest.raises(ConfigError, match="letters, digits"):
        collection_prefix(VectorStoreSpec("qdrant", path="x", collection_prefix="a/b"), tmp_path)
    assert (
        collection_prefix(VectorStoreSpec("qdrant", path="x", collection_prefix="hr"), tmp_path)
        == "hr"
    )


def test_an_upload_in_the_app_keeps_the_qdrant_backend(tmp_path, tiny_corpus, encoder_dir):
    """The Corpus tab indexes a copy, then installs it: the copy goes into a new collection of
    the same Qdrant folder, the live manifest switches to it, the old collection is dropped."""
    from qa.assistant import Assistant, build
    from qa.index.qdrant_store import client_for
    from qa.web.corpus_update import add_document

    spec = qdrant_spec(tmp_path)
    settings = Settings(
        corpus_dir=tiny_corpus,
        index_dir=tmp_path / "index",
        encoder_dir=encoder_dir,
        use_e5=False,
        vector_store=spec,
    )
    build(settings)
    live = Assistant.open(replace(settings, vector_store=None), auto_build=False)
    old = live.index.manifest["vector_store"]["collection"]
    new = add_document(live, "lighthouse.txt", b"Lighthouse keepers log every passing ship.")
    entry = manifest_of(settings)["vector_store"]
    assert entry["backend"] == "qdrant" and entry["collection"] != old
    assert entry["collection"].startswith(old.rsplit("-", 1)[0])  # the live folder's prefix
    names = {c.name for c in client_for(spec).get_collections().collections}
    assert names == {entry["collection"]}
    assert new.index.vector_store.count() == len(new.index.passages)
    assert new.retrieve("lighthouse keepers", 1).hits[0].passage.source == "lighthouse.txt"


def test_a_server_keeps_the_replaced_collection_until_the_next_build():
    """Replicas still on the old manifest keep answering until they restart (server only)."""
    from qa.index.qdrant_store import succession

    server = {"backend": "qdrant", "url": "http://q:6333"}
    first, second, third = ({**server, "collection": f"p-{i}"} for i in (1, 2, 3))
    entry, drop = succession(first, second)
    assert entry["previous_collection"] == "p-1" and drop == []
    entry, drop = succession(entry, third)
    assert entry["previous_collection"] == "p-2" and drop == ["p-1"]
    local = {"backend": "qdrant", "path": "/q"}
    entry, drop = succession({**local, "collection": "a"}, {**local, "collection": "b"})
    assert "previous_collection" not in entry and drop == ["a"]
    elsewhere = {"backend": "qdrant", "url": "http://other:6333", "collection": "x"}
    assert succession(elsewhere, second) == (second, [])


def test_shards_and_replicas_are_recorded_and_a_change_rebuilds(tmp_path, corpus):
    settings, docs, emb = built(tmp_path, corpus, "qdrant")
    spec = VectorStoreSpec("qdrant", path=str(tmp_path / "qdrant"), shards=2, replicas=2)
    assert (
        index_status(replace(settings, vector_store=spec), docs).reason
        == "Qdrant shards changed to 2"
    )
    save_index(build_index(docs, settings, emb), settings.index_dir, vector_store=spec)
    entry = manifest_of(settings)["vector_store"]
    assert (entry["shards"], entry["replicas"]) == (2, 2)  # local mode ignores them
    assert index_status(replace(settings, vector_store=spec), docs).state == "fresh"
    assert load_index(settings.index_dir, docs).vector_store.count() > 0


def test_cli_end_to_end_readers_need_no_flag(tiny_settings, tmp_path):
    """`qa index --qdrant-path` once; `qa search` and a later `qa index` read the manifest;
    `--backend faiss` switches back; a folder another process holds is a one-line error."""
    from qa.index.qdrant_store import client_for
    from tests.test_cli import run

    env = {"QA_ENCODER_DIR": str(tiny_settings.encoder_path)}
    folder = tmp_path / "qdrant"
    out = run(["index", "--qdrant-path", str(folder)], tiny_settings, **env).stdout
    assert "indexed 2 file(s)" in out and "vectors in Qdrant collection planqa-index-" in out
    found = json.loads(run(["search", "goats milk", "--json"], tiny_settings, **env).stdout)
    assert found["passages"][0]["source"] == "alpha.txt"
    assert "up to date" in run(["index"], tiny_settings, **env).stdout
    client_for(VectorStoreSpec("qdrant", path=str(folder)))  # this process now holds the folder
    held = run(["search", "goats"], tiny_settings, check=False, **env)
    assert held.returncode == 2 and "is open in another process" in held.stderr
    assert "Traceback" not in held.stderr
    out = run(["index", "--backend", "faiss"], tiny_settings, **env).stdout
    assert "vector backend qdrant -> faiss" in out
    assert manifest_of(tiny_settings)["vector_store"] == {"backend": "faiss", "index": "flat"}


def test_a_large_library_gets_hnsw_which_finds_the_exact_neighbours(monkeypatch):
    """Above HNSW_MIN_PASSAGES the FAISS store is HNSW (recorded in the manifest entry); it
    survives save and load and finds what exact search finds on well-separated vectors."""
    from qa.index import vector_store

    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(600, 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    monkeypatch.setattr(vector_store, "HNSW_MIN_PASSAGES", 500)
    small = vector_store.FaissStore.empty(32, 400)
    large = vector_store.FaissStore.empty(32, 600)
    assert small.location() == {"backend": "faiss", "index": "flat"}
    assert large.location() == {"backend": "faiss", "index": "hnsw32"}
    large.add(vectors)
    loaded = vector_store.FaissStore.from_bytes(large.save()[vector_store.FAISS_FILE])
    assert loaded.kind == "hnsw32" and loaded.flat.hnsw.efSearch == vector_store.HNSW_EF_SEARCH
    assert np.allclose(loaded.vectors(), vectors, atol=1e-6)
    queries = vectors[:50] + 0.05 * rng.normal(size=(50, 32)).astype(np.float32)
    _, found = loaded.search(queries, 1)
    assert (found[:, 0] == np.arange(50)).mean() >= 0.95


def test_hnsw_keeps_the_exact_first_stage_with_retired_rows_set_aside(monkeypatch):
    """The first stage asks for 100 candidates; HNSW searches with efSearch HNSW_EF_SEARCH (>= the
    candidates asked for), also through the selector that sets a retired document's rows aside."""
    from qa.index import vector_store

    assert vector_store.HNSW_EF_SEARCH >= 100
    rng = np.random.default_rng(11)
    vectors = rng.normal(size=(5000, 384)).astype(np.float32)  # random: hard for HNSW
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    monkeypatch.setattr(vector_store, "HNSW_MIN_PASSAGES", 1000)
    store = vector_store.FaissStore.empty(384, len(vectors))
    store.add(vectors)
    retired = np.arange(0, 5000, 7, dtype=np.int64)
    queries = rng.normal(size=(20, 384)).astype(np.float32)
    _, found = store.search(queries, 100, exclude=retired)
    scores = queries @ vectors.T
    scores[:, retired] = -np.inf
    exact = np.argsort(-scores, axis=1)[:, :100]
    assert not np.isin(found, retired).any()
    recall = np.mean([len(set(e) & set(f)) / 100 for e, f in zip(exact, found, strict=True)])
    assert recall >= 0.98  # efSearch 128 found .90 of them here, 512 .999


@pytest.mark.parametrize(
    "passages, store, told",
    [
        (30_000, {"backend": "faiss", "index": "flat"}, True),
        (30_000, {"backend": "faiss", "index": "hnsw32"}, False),
        (3_000, {"backend": "faiss", "index": "flat"}, False),
        (30_000, {"backend": "qdrant", "collection": "c"}, False),
    ],
)
def test_qa_index_tells_how_an_exact_index_above_the_threshold_gets_hnsw(
    monkeypatch, tmp_path, capsys, passages, store, told
):
    """An index built with exact search before HNSW took over from 20,000 passages keeps it
    (no surprise rebuild); `qa index` says how to switch, once the index is up to date."""
    import qa.assistant
    from qa import cli
    from qa.index import vector_store

    monkeypatch.setattr(vector_store, "HNSW_MIN_PASSAGES", 20_000)
    report = qa.assistant.BuildReport(False, "", 9, passages, 384, 0.1, vector_store=store)
    monkeypatch.setattr(qa.assistant, "build", lambda *a, **k: report)
    monkeypatch.setenv("QA_CORPUS_DIR", str(tmp_path))
    monkeypatch.setenv("QA_INDEX_DIR", str(tmp_path / "index"))
    assert cli.main(["index"]) == 0
    out = capsys.readouterr().out
    assert "index is up to date" in out
    assert ("`qa index --force` rebuilds it with HNSW" in out) == told
    if told:
        assert f"searches its {passages:,} passages exactly" in out
