"""Removing or changing files in a large index (qa.index.retire): their documents retire, the
arrays are not rewritten, no search returns a retired passage, and a full build compacts.

The tiny corpus stands in for a large library: the size rule (``RETIRE_MIN_PASSAGES``) is set
to 0 here, and e5 works on demand as it does above ``e5_max_passages``.
"""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

import qa.index.retire as retire_module
from qa.assistant import Assistant, build
from qa.errors import IndexMismatchError
from qa.index.retire import Retirement, retirement_for
from qa.index.store import load_index
from qa.ingest.corpus import load_corpus

ORCHARD = (
    "# Orchard\n\n"
    "Apple trees are pruned in February. Pruned branches are burned in the yard.\n\n"
    "Cider is pressed from the windfalls each October.\n"
)
NEW_ALPHA = (
    "Farming notes\n\n"
    "1. Crops\n\n"
    "——Grow barley in autumn. Barley is cut in early July and dried on racks.\n"
)
QUESTIONS = ("who checks every licence?", "what happens to broken nets?", "when is cider pressed?")


@pytest.fixture
def library(tiny_settings, monkeypatch):
    """The tiny corpus plus a third file, indexed as a large library would be."""
    monkeypatch.setattr(retire_module, "RETIRE_MIN_PASSAGES", 0)
    monkeypatch.setattr(retire_module, "MAX_RETIRED_SHARE", 0.9)
    settings = replace(tiny_settings, e5_max_passages=0)
    (settings.corpus_dir / "orchard.md").write_text(ORCHARD, "utf-8")
    build(settings)
    return settings


def _manifest(settings) -> dict:
    return json.loads((settings.index_dir / "manifest.json").read_text("utf-8"))


def _top(settings, questions=QUESTIONS) -> list[tuple]:
    assistant = Assistant.open(settings, auto_build=False)
    return [
        (h.passage.source, h.passage.start, h.passage.end)
        for h in (assistant.search(q, k=1)[0] for q in questions)
    ]


def _scratch(settings, tmp_path, name: str):
    fresh = replace(settings, index_dir=tmp_path / name, cache_dir=tmp_path / f"{name}-cache")
    build(fresh)
    return fresh


def test_a_removed_file_retires_without_rewriting_the_arrays(library, tmp_path):
    before = _manifest(library)
    tokens = library.index_dir / "minilm-tokens.npy"
    written = tokens.stat().st_mtime_ns
    (library.corpus_dir / "alpha.txt").unlink()
    report = build(library)
    after = _manifest(library)
    assert report.rebuilt and report.changes.removed == ("alpha.txt",)
    assert report.documents_embedded == 0
    assert after["files"] == before["files"] and tokens.stat().st_mtime_ns == written
    assert after["retired"] == [0] and after["retired_passages"] > 0
    assert report.passages == before["count"] - after["retired_passages"]
    assert "alpha.txt" not in after["corpus"]
    assistant = Assistant.open(library, auto_build=False)
    assert [d.source for d in assistant.documents] == ["beta.md", "orchard.md"]
    assert {p.source for p in assistant.passages} == {"beta.md", "orchard.md"}
    for question in ("when is wheat harvested?", "where are goats kept?", "dry barns grain"):
        hits = assistant.search(question, k=10)
        assert hits and all(h.passage.source != "alpha.txt" for h in hits)
    assert _top(library) == _top(_scratch(library, tmp_path, "scratch"))


def test_a_changed_file_retires_its_old_text_and_is_added_again(library, tmp_path):
    (library.corpus_dir / "alpha.txt").write_text(NEW_ALPHA, "utf-8")
    report = build(library)
    manifest = _manifest(library)
    assert report.changes.changed == ("alpha.txt",) and report.documents_embedded == 1
    assert manifest["retired"] == [0] and manifest["grown_by"] == ["alpha.txt"]
    assistant = Assistant.open(library, auto_build=False)
    (alpha,) = [d for d in assistant.documents if d.source == "alpha.txt"]
    assert alpha.text == NEW_ALPHA
    for question in ("when is barley cut?", "when is wheat harvested?", "goats milk"):
        for hit in assistant.search(question, k=10):  # the passage contract, on the new text
            if hit.passage.source == "alpha.txt":
                assert alpha.text[hit.passage.start : hit.passage.end] == hit.passage.text
                assert "wheat" not in hit.passage.text and "goats" not in hit.passage.text
    within = assistant.search("what grows in the fields?", k=10, documents=["alpha.txt"])
    assert within and all(
        NEW_ALPHA[h.passage.start : h.passage.end] == h.passage.text for h in within
    )
    questions = (*QUESTIONS, "when is barley cut?")
    assert _top(library, questions) == _top(_scratch(library, tmp_path, "scratch"), questions)


def test_a_removed_file_added_back_is_embedded_from_the_cache_and_answers(library):
    text = (library.corpus_dir / "orchard.md").read_text("utf-8")
    (library.corpus_dir / "orchard.md").unlink()
    build(library)
    (library.corpus_dir / "orchard.md").write_text(text, "utf-8")
    report = build(library)
    assert report.changes.added == ("orchard.md",) and report.documents_embedded == 0
    assert _manifest(library)["retired"] == [2]  # the first copy stays retired
    (top,) = _top(library, ("when is cider pressed?",))
    assert top[0] == "orchard.md"


def test_a_full_build_compacts_the_retired_rows(library):
    (library.corpus_dir / "beta.md").unlink()
    build(library)
    assert _manifest(library)["retired"]
    report = build(library, force=True)
    manifest = _manifest(library)
    assert "retired" not in manifest and manifest["count"] == report.passages
    index = load_index(library.index_dir, load_corpus(library.corpus_dir))
    assert [d.source for d in index.documents] == ["alpha.txt", "orchard.md"]


def test_a_small_library_is_rebuilt_instead(tiny_settings):
    build(tiny_settings)  # the real size rule: a few passages are rebuilt in a second
    (tiny_settings.corpus_dir / "beta.md").unlink()
    report = build(tiny_settings)
    assert report.rebuilt and "retired" not in _manifest(tiny_settings)


def test_too_many_retired_rows_take_a_full_build():
    sources, numbers = ["a", "b", "c"], [0] * 30 + [1] * 10 + [2] * 10
    assert retirement_for(sources, frozenset(), numbers, {"b"}, 0, min_passages=0) == Retirement(
        frozenset({1}), 10
    )
    assert retirement_for(sources, frozenset({1}), numbers, {"c"}, 0, min_passages=0) is None
    assert retirement_for(sources, frozenset(), numbers, {"b"}, 0, min_passages=100) is None
    # a changed file's new rows count among all rows
    assert retirement_for(sources, frozenset(), numbers, {"a"}, 80, min_passages=0) is not None


def test_an_index_listing_a_retired_document_it_lacks_is_refused(library):
    path = library.index_dir / "manifest.json"
    manifest = json.loads(path.read_text("utf-8"))
    path.write_text(json.dumps({**manifest, "retired": [7]}), "utf-8")
    with pytest.raises(IndexMismatchError, match="retired documents it lacks"):
        load_index(library.index_dir, None)


def test_retired_rows_are_never_dense_candidates(library):
    from qa.retrieval.candidates import dense_top_ids

    (library.corpus_dir / "alpha.txt").unlink()
    build(library)
    index = load_index(library.index_dir, None)
    q = np.asarray(index.minilm[0], dtype=np.float32)  # alpha's first passage, retired
    ids = dense_top_ids(index.vector_store, index.minilm, q, 3, index.retired_ids)
    assert len(ids) == 3 and not set(ids.tolist()) & set(index.retired_ids.tolist())
    assert 0 in dense_top_ids(index.vector_store, index.minilm, q, 3)
