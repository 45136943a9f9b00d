"""The incremental index: a rebuild embeds only added or changed files, reports what changed,
resumes a killed build from its last finished document, and ends with the same index as a
build from scratch."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from qa.assistant import Assistant, build
from qa.index.build import CorpusChanges, EmbeddingTally, build_index, embed_job
from qa.index.hash_embedder import HashEmbedder
from qa.index.store import load_index
from qa.index.vector_cache import EmbeddingJob, VectorCache, models_key
from qa.ingest.corpus import load_corpus
from tests.conftest import write_corpus

GAMMA = (
    "Bridge upkeep\n\n"
    "Bridges are painted every five years. Rusted bolts are replaced before winter.\n\n"
    "Inspectors walk each bridge in April and write a report for the council.\n"
)


def _entries(settings) -> dict[str, float]:
    return {p.name: p.stat().st_mtime_ns for p in settings.cache_path.rglob("*.npz")}


def test_adding_a_file_embeds_only_that_file(tiny_settings):
    said_first = []
    first = build(tiny_settings, progress=lambda message, fraction: said_first.append(message))
    assert not any("updating the index" in m for m in said_first)  # none yet: a first build
    assert first.rebuilt and first.documents_embedded == 2
    assert first.changes.added == ("alpha.txt", "beta.md") and not first.changes.kept
    before = _entries(tiny_settings)
    assert len(before) == 2
    (tiny_settings.corpus_dir / "gamma.txt").write_text(GAMMA, encoding="utf-8")
    said = []
    second = build(tiny_settings, progress=lambda message, fraction: said.append(message))
    assert second.changes == CorpusChanges(added=("gamma.txt",), kept=("alpha.txt", "beta.md"))
    assert "updating the index with the changed files" in said
    eta = [m for m in said if m.startswith("embedding: ")]
    assert eta and eta[-1].startswith("embedding: 1/1 documents, ") and eta[-1].endswith(" left")
    assert second.documents_embedded == 1 and second.passages_embedded >= 1
    after = _entries(tiny_settings)
    assert len(after) == 3 and all(after[name] == t for name, t in before.items())
    hits = Assistant.open(tiny_settings, auto_build=False).search("when are bridges painted?", k=1)
    assert hits[0].passage.source == "gamma.txt"


def test_changed_and_removed_files_are_reported_and_pruned(tiny_settings):
    build(tiny_settings)
    (tiny_settings.corpus_dir / "alpha.txt").unlink()
    beta = tiny_settings.corpus_dir / "beta.md"
    beta.write_text(beta.read_text("utf-8") + "\nAnchors are checked monthly.\n", "utf-8")
    said: list[tuple[str, float]] = []
    report = build(tiny_settings, progress=lambda message, share: said.append((message, share)))
    assert report.changes == CorpusChanges(changed=("beta.md",), removed=("alpha.txt",))
    # a small library rebuilds from the cache: its progress starts there, not at "updating"
    assert not any("updating the index" in m for m, _ in said)
    assert [f for _, f in said] == sorted(f for _, f in said)
    assert report.documents_embedded == 1
    assert len(_entries(tiny_settings)) == 1  # the removed and the old version are gone


def test_incremental_index_equals_a_build_from_scratch(tiny_settings, tmp_path):
    build(tiny_settings)
    (tiny_settings.corpus_dir / "gamma.txt").write_text(GAMMA, encoding="utf-8")
    build(tiny_settings)
    scratch = replace(
        tiny_settings, index_dir=tmp_path / "scratch", cache_dir=tmp_path / "scratch-cache"
    )
    assert build(scratch).documents_embedded == 3
    docs = load_corpus(tiny_settings.corpus_dir)
    a, b = load_index(tiny_settings.index_dir, docs), load_index(scratch.index_dir, docs)
    assert a.passages == b.passages and a.sentences == b.sentences
    cos = np.sum(a.minilm * b.minilm, axis=1)
    assert cos.min() > 0.9999
    assert np.allclose(a.tokens, b.tokens, atol=1e-6) and a.vocab == b.vocab
    assert np.allclose(a.e5, b.e5, atol=1e-5)
    question = "who checks every licence?"
    ids = [
        [h.passage.id for h in Assistant.open(s, auto_build=False).search(question, k=3)]
        for s in (tiny_settings, scratch)
    ]
    assert ids[0] == ids[1]


class Killed(Exception):
    pass


def _killed_after(n: int, emb):
    """An embed_many that finishes ``n`` documents, then dies like a killed process."""

    def run(jobs):
        for i, job in enumerate(jobs):
            if i == n:
                raise Killed
            yield job, embed_job(job, emb, None, with_tokens=False)

    return run


def test_a_killed_build_resumes_from_its_last_finished_document(tmp_path):
    from qa.config import Settings

    docs_dir = write_corpus(
        tmp_path / "corpus", {f"d{i}.txt": f"Topic {i}.\n\n" + GAMMA for i in range(4)}
    )
    settings = Settings(corpus_dir=docs_dir, index_dir=tmp_path / "index", use_e5=False)
    docs, emb = load_corpus(docs_dir), HashEmbedder(32)
    cache = VectorCache(settings.cache_path, models_key(emb.name, emb.dim, None, "t"))
    with pytest.raises(Killed):
        build_index(docs, settings, emb, cache=cache, embed_many_factory=lambda m, e: _killed_after(2, emb))
    tally = EmbeddingTally()
    resumed = build_index(docs, settings, emb, cache=cache, tally=tally)
    assert tally.documents_cached == 2 and tally.documents_embedded == 2
    assert tally.sources_embedded == ["d2.txt", "d3.txt"]
    fresh = build_index(docs, settings, emb)
    assert np.array_equal(resumed.minilm, fresh.minilm)


def test_a_damaged_cache_entry_is_embedded_again(tmp_path):
    from qa.config import Settings

    docs_dir = write_corpus(tmp_path / "corpus", {"a.txt": GAMMA, "b.txt": "Other.\n\n" + GAMMA})
    settings = Settings(corpus_dir=docs_dir, index_dir=tmp_path / "index", use_e5=False)
    docs, emb = load_corpus(docs_dir), HashEmbedder(32)
    cache = VectorCache(settings.cache_path, models_key(emb.name, emb.dim, None, "t"))
    build_index(docs, settings, emb, cache=cache)
    entry = sorted(cache.folder.glob("*.npz"))[0]
    entry.write_bytes(entry.read_bytes()[:40])  # truncated by a crash or a full disk
    tally = EmbeddingTally()
    build_index(docs, settings, emb, cache=cache, tally=tally)
    assert tally.documents_cached == 1 and tally.documents_embedded == 1


def test_vectors_of_other_texts_never_match(tmp_path):
    cache = VectorCache(tmp_path, "models-x")
    job = EmbeddingJob.of("a.txt", ["one passage"], ["one passage"])
    other = EmbeddingJob.of("a.txt", ["one passage."], ["one passage."])
    assert job.key != other.key
    cache.put(job, embed_job(job, HashEmbedder(8), None, with_tokens=False))
    assert cache.get(job, with_tokens=False, with_e5=False) is not None
    assert cache.get(other, with_tokens=False, with_e5=False) is None
    assert cache.get(job, with_tokens=True, with_e5=False) is None  # lacks what is needed


def test_qa_index_says_what_changed(tiny_settings):
    from tests.test_cli import run

    env = {"QA_ENCODER_DIR": str(tiny_settings.encoder_dir)}
    run(["index"], tiny_settings, **env)
    (tiny_settings.corpus_dir / "gamma.txt").write_text(GAMMA, encoding="utf-8")
    out = run(["index"], tiny_settings, **env).stdout
    assert "files: added 1, changed 0, removed 0, kept 2; embedded 1 file(s)" in out
    assert "2 from the cache" in out and "added: gamma.txt" in out


def test_corpus_tab_upload_embeds_only_the_new_file(tiny_settings):
    from qa.web.corpus_update import add_document

    build(tiny_settings)
    before = _entries(tiny_settings)
    live = Assistant.open(tiny_settings, auto_build=False)
    fresh = add_document(live, "gamma.txt", GAMMA.encode())
    after = _entries(tiny_settings)
    assert len(after) == 3 and all(after[name] == t for name, t in before.items())
    assert fresh.search("when are bridges painted?", k=1)[0].passage.source == "gamma.txt"
    assert Path(tiny_settings.corpus_dir / "gamma.txt").is_file()
    assert not list(tiny_settings.cache_path.rglob("*.rows.npz"))  # the new rows: in the index
    assert fresh.index.manifest["grown_by"] == ["gamma.txt"]  # grown as `qa index` grows it
    assert build(tiny_settings).rebuilt is False  # the installed index is fresh for the corpus
    assert build(tiny_settings, force=True).documents_embedded == 0  # read back from there


def _index_files(settings) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in Path(settings.index_dir).iterdir() if p.is_file()}


def test_corpus_tab_changes_in_a_small_library_take_the_qa_index_path(tiny_settings):
    """An added file grows a copy of the index; a replaced or removed one rebuilds the copy
    from the cache; each ends as the index `qa index` makes for that corpus."""
    from qa.web.corpus_update import add_document, remove_document, replace_document

    build(tiny_settings)
    live = Assistant.open(tiny_settings, auto_build=False)
    grown = add_document(live, "gamma.txt", GAMMA.encode())
    kept = [p.text for p in live.index.passages]
    assert [p.text for p in grown.index.passages][: len(kept)] == kept  # the old rows first
    replaced = replace_document(grown, "gamma.txt", GAMMA.replace("April", "May").encode())
    assert "grown_by" not in replaced.index.manifest or not replaced.index.manifest["grown_by"]
    text = replaced.search("when do inspectors walk each bridge?", k=1)[0].passage.text
    assert "May" in text and "April" not in text
    removed = remove_document(replaced, "gamma.txt")
    assert {d.source for d in removed.documents} == {"alpha.txt", "beta.md"}
    assert build(tiny_settings).rebuilt is False


def test_a_failed_upload_leaves_the_live_index_files_as_they_were(tiny_settings, monkeypatch):
    """The copy that grows is a copy: a grow appends to its files in place, and a failure
    after it (here: loading the new index) must leave the live files byte for byte."""
    import qa.index.grow as grow_module
    import qa.index.writer as writer_module
    import qa.web.corpus_update as corpus_update
    from qa.errors import QAError

    for module in (writer_module, grow_module):  # the arrays count as large: rows appended
        monkeypatch.setattr(module, "WHOLE_CHECK_BYTES", 512)
    build(tiny_settings)
    live = Assistant.open(tiny_settings, auto_build=False)
    before = _index_files(tiny_settings)

    class Broken(Assistant):
        @classmethod
        def open(cls, *args, **kwargs):
            raise QAError("the new index could not be loaded")

    monkeypatch.setattr(corpus_update, "Assistant", Broken)
    with pytest.raises(QAError, match="could not be loaded"):
        corpus_update.add_document(live, "gamma.txt", GAMMA.encode())
    assert _index_files(tiny_settings) == before
    assert not (tiny_settings.corpus_dir / "gamma.txt").exists()
    assert build(tiny_settings).rebuilt is False  # still fresh for the unchanged corpus


DELTA = "Ferry times\n\nThe ferry leaves at seven and returns at noon on weekdays.\n"


def _changed_by_another_process(monkeypatch, settings, times: int) -> None:
    """While an upload indexes its copy, another process (here: the same build, called on the
    live folders) adds a file and indexes it, the first ``times`` times."""
    import qa.web.corpus_update as corpus_update

    real_build = corpus_update.build
    calls: list[int] = []

    def build_beside(trial, **kwargs):
        if len(calls) < times:
            calls.append(1)
            name = f"delta{len(calls)}.txt"
            (settings.corpus_dir / name).write_text(DELTA.replace("seven", f"{6 + len(calls)}"))
            real_build(settings)
        return real_build(trial, **kwargs)

    monkeypatch.setattr(corpus_update, "build", build_beside)


def test_an_upload_indexed_while_another_process_changed_the_library_loses_neither(
    tiny_settings, monkeypatch
):
    """The other process's file stays in the corpus and the index: the upload is indexed again
    from the library that process left, instead of installing an index without its file."""
    import qa.web.corpus_update as corpus_update

    build(tiny_settings)
    live = Assistant.open(tiny_settings, auto_build=False)
    _changed_by_another_process(monkeypatch, tiny_settings, times=1)
    said: list[str] = []
    fresh = corpus_update.add_document(
        live, "gamma.txt", GAMMA.encode(), lambda message, fraction: said.append(message)
    )
    sources = {d.source for d in fresh.documents}
    assert sources == {"alpha.txt", "beta.md", "delta1.txt", "gamma.txt"}
    assert any("another process changed the library" in m for m in said)
    assert build(tiny_settings).rebuilt is False  # the installed index is fresh for the corpus


def test_an_upload_gives_up_when_the_library_keeps_changing(tiny_settings, monkeypatch):
    import qa.web.corpus_update as corpus_update
    from qa.errors import CorpusError

    build(tiny_settings)
    live = Assistant.open(tiny_settings, auto_build=False)
    _changed_by_another_process(monkeypatch, tiny_settings, times=corpus_update.CHANGE_ATTEMPTS)
    with pytest.raises(CorpusError, match=r"could not change gamma\.txt: another process"):
        corpus_update.add_document(live, "gamma.txt", GAMMA.encode())
    assert not (tiny_settings.corpus_dir / "gamma.txt").exists()
    assert (tiny_settings.corpus_dir / "delta3.txt").is_file()
    assert build(tiny_settings).rebuilt is False  # the other process's index stays installed
