"""Growing an index by the files added since the last build (qa.index.grow): it answers as an
index built from scratch on the same corpus, its large arrays grow in place, and a grow killed
before its manifest is in place leaves an index that is rebuilt, never one that loads mixed."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

import qa.index.grow as grow_module
import qa.index.writer as writer_module
from qa.assistant import Assistant, build
from qa.atomic import atomic_write
from qa.errors import IndexMismatchError
from qa.index.grow import _append_rows
from qa.index.store import load_index
from qa.ingest.corpus import load_corpus

# "b-bridges.txt" sorts between alpha.txt and beta.md: its passages get ids after beta's when
# grown, before them when built from scratch
BRIDGES = (
    "Bridge upkeep\n\n"
    "Bridges are painted every five years. Rusted bolts are replaced before winter.\n\n"
    "Inspectors walk each bridge in April and write a report for the council.\n"
)
ORCHARD = (
    "# Orchard\n\n"
    "Apple trees are pruned in February. Pruned branches are burned in the yard.\n\n"
    "Cider is pressed from the windfalls each October.\n"
)
QUESTIONS = (
    "when are bridges painted?",
    "who checks every licence?",
    "when is wheat harvested?",
    "what happens to broken nets?",
    "when are apple trees pruned?",
)


def _answers(settings) -> list[list[tuple]]:
    assistant = Assistant.open(settings, auto_build=False)
    return [
        [(h.passage.source, h.passage.start, h.passage.end, round(h.score, 5)) for h in hits]
        for hits in (assistant.search(q, k=4) for q in QUESTIONS)
    ]


def _spans(index) -> set[tuple]:
    return {(p.source, p.start, p.end, p.section, p.text) for p in index.passages}


@pytest.mark.parametrize("in_place", [False, True], ids=["rewritten", "appended-in-place"])
def test_a_grown_index_answers_as_one_built_from_scratch(
    tiny_settings, tmp_path, monkeypatch, in_place
):
    if in_place:  # every array file counts as large: its rows are appended where it lies
        monkeypatch.setattr(writer_module, "WHOLE_CHECK_BYTES", 512)
        monkeypatch.setattr(grow_module, "WHOLE_CHECK_BYTES", 512)
    build(tiny_settings)
    corpus = tiny_settings.corpus_dir
    (corpus / "b-bridges.txt").write_text(BRIDGES, "utf-8")
    report = build(tiny_settings)
    manifest = json.loads((tiny_settings.index_dir / "manifest.json").read_text("utf-8"))
    assert manifest["grown_by"] == ["b-bridges.txt"] and report.documents_embedded == 1
    assert ("minilm-tokens.npy" in manifest["large_files"]) == in_place
    (corpus / "orchard.md").write_text(ORCHARD, "utf-8")
    build(tiny_settings)
    scratch = replace(tiny_settings, index_dir=tmp_path / "scratch", cache_dir=tmp_path / "c2")
    build(scratch)
    docs = load_corpus(corpus)
    grown, fresh = load_index(tiny_settings.index_dir, docs), load_index(scratch.index_dir, docs)
    assert [p.source for p in grown.passages][-1] == "orchard.md"  # appended, not in corpus order
    assert _spans(grown) == _spans(fresh) and len(grown.sentences) == len(fresh.sentences)
    assert grown.vocab == fresh.vocab and grown.manifest["tokens"] == fresh.manifest["tokens"]
    assert _answers(tiny_settings) == _answers(scratch)
    # a removal takes the full build, which orders by corpus again
    (corpus / "alpha.txt").unlink()
    build(tiny_settings)
    again = replace(scratch, index_dir=tmp_path / "scratch2")
    build(again)
    assert _answers(tiny_settings) == _answers(again)
    assert "grown_by" not in json.loads((tiny_settings.index_dir / "manifest.json").read_text())


class Killed(BaseException):
    """The process dies: no handler of the build runs (an error is undone, see below)."""


def test_a_grow_killed_before_its_manifest_leaves_an_index_that_is_rebuilt(
    tiny_settings, tmp_path, monkeypatch
):
    monkeypatch.setattr(writer_module, "WHOLE_CHECK_BYTES", 512)
    monkeypatch.setattr(grow_module, "WHOLE_CHECK_BYTES", 512)
    build(tiny_settings)
    (tiny_settings.corpus_dir / "b-bridges.txt").write_text(BRIDGES, "utf-8")

    def killed_at_the_manifest(path, data):
        if path.name == "manifest.json":
            raise Killed
        atomic_write(path, data)

    with monkeypatch.context() as m:  # the rows are appended, nothing renamed yet
        m.setattr(grow_module, "atomic_write", killed_at_the_manifest)
        with pytest.raises(Killed):
            build(tiny_settings)
    old_docs = [d for d in load_corpus(tiny_settings.corpus_dir) if d.source != "b-bridges.txt"]
    with pytest.raises(IndexMismatchError, match="sampled checksum"):
        load_index(tiny_settings.index_dir, old_docs)  # the old manifest no longer loads
    assert not [p for p in tiny_settings.index_dir.iterdir() if p.name.startswith(".staging-")]
    report = build(tiny_settings)  # growing is refused (the index fails its check): full build
    assert report.rebuilt
    assert report.documents_embedded == 0  # the old rows read back from the index, digest-checked
    scratch = replace(tiny_settings, index_dir=tmp_path / "scratch", cache_dir=tmp_path / "c2")
    build(scratch)
    assert _answers(tiny_settings) == _answers(scratch)


def test_rows_are_appended_to_a_npy_file_in_place(tmp_path):
    path = tmp_path / "a.npy"
    first = np.arange(12, dtype=np.float16).reshape(4, 3)
    np.save(path, first, allow_pickle=False)
    more = np.ones((2, 3), np.float16)
    assert _append_rows(path, more, np.float16)
    assert np.array_equal(np.load(path, allow_pickle=False), np.vstack([first, more]))
    assert not _append_rows(path, np.ones((1, 4), np.float16), np.float16)  # other width
    assert not _append_rows(path, more, np.float32)  # other dtype
    assert np.load(path).shape == (6, 3)


def test_a_grow_puts_its_new_words_in_the_cache_so_the_next_full_build_embeds_none(
    tiny_settings,
):
    from qa.ingest.words import vocabulary

    build(tiny_settings)
    (table,) = tiny_settings.cache_path.rglob("words-minilm.json")
    before = set(json.loads(table.read_text("utf-8")))
    (tiny_settings.corpus_dir / "b-bridges.txt").write_text(BRIDGES, "utf-8")
    assert json.loads((tiny_settings.index_dir / "manifest.json").read_text())  # built
    build(tiny_settings)  # grown
    new_words = set(vocabulary([BRIDGES])) - before
    assert new_words and new_words <= set(json.loads(table.read_text("utf-8")))
    written = table.stat().st_mtime_ns
    (tiny_settings.corpus_dir / "alpha.txt").unlink()  # a removal: the full build, from the cache
    report = build(tiny_settings)
    assert report.rebuilt and report.documents_embedded == 0
    assert table.stat().st_mtime_ns == written  # no word was missing from the table


def test_an_error_before_the_manifest_puts_the_grown_arrays_back(tiny_settings, monkeypatch):
    monkeypatch.setattr(writer_module, "WHOLE_CHECK_BYTES", 512)
    monkeypatch.setattr(grow_module, "WHOLE_CHECK_BYTES", 512)
    build(tiny_settings)
    tokens = tiny_settings.index_dir / "minilm-tokens.npy"
    before = tokens.read_bytes()
    (tiny_settings.corpus_dir / "b-bridges.txt").write_text(BRIDGES, "utf-8")

    def disk_full_at_the_manifest(path, data):
        if path.name == "manifest.json":
            raise OSError(28, "No space left on device")
        atomic_write(path, data)

    with monkeypatch.context() as m:
        m.setattr(grow_module, "atomic_write", disk_full_at_the_manifest)
        with pytest.raises(OSError, match="No space left"):
            build(tiny_settings)
    assert tokens.read_bytes() == before  # the appended rows are gone again
    old_docs = [d for d in load_corpus(tiny_settings.corpus_dir) if d.source != "b-bridges.txt"]
    assert len(load_index(tiny_settings.index_dir, old_docs).documents) == 2  # loads, whole
    assert not [p for p in tiny_settings.index_dir.iterdir() if p.name.startswith(".staging-")]
