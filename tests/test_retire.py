"""Removing or changing files in a large index (qa.index.retire): their documents retire, the
arrays are not rewritten, no search returns a retired passage, and a full build compacts.

The tiny corpus stands in for a large library: the size rule (``retire_min_passages``) is set
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
    monkeypatch.setattr(retire_module, "MAX_RETIRED_SHARE", 0.9)
    settings = replace(tiny_settings, e5_max_passages=0, retire_min_passages=0)
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
    assert after["grown_by"] == []  # the update added no file
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


# ---------------------------------------------------------------- the Corpus tab, in place


def test_the_corpus_tab_updates_a_large_library_in_place(library):
    from qa.web.corpus_update import add_document, remove_document, replace_document

    live = Assistant.open(library, auto_build=False)
    fresh = add_document(live, "lighthouse.txt", b"Lighthouse keepers log every passing ship.")
    assert _manifest(library)["grown_by"] == ["lighthouse.txt"]  # grown, not built again
    assert fresh.search("who logs passing ships?", k=1)[0].passage.source == "lighthouse.txt"
    assert live.search("who logs passing ships?", k=1)[0].passage.source != "lighthouse.txt"
    fresh = replace_document(fresh, "alpha.txt", NEW_ALPHA.encode())
    assert _manifest(library)["retired"] == [0]
    assert (library.corpus_dir / "alpha.txt").read_text("utf-8") == NEW_ALPHA
    (alpha,) = [d for d in fresh.documents if d.source == "alpha.txt"]
    assert alpha.text == NEW_ALPHA
    fresh = remove_document(fresh, "beta.md")
    assert not (library.corpus_dir / "beta.md").exists()
    assert "beta.md" not in {d.source for d in fresh.documents}
    assert all(h.passage.source != "beta.md" for h in fresh.search("broken nets", k=10))
    assert not [p for p in library.index_dir.iterdir() if p.name.startswith(".upload-")]
    reopened = Assistant.open(library, auto_build=False)  # on disk: whole and fresh
    assert sorted(d.source for d in reopened.documents) == [
        "alpha.txt",
        "lighthouse.txt",
        "orchard.md",
    ]


def test_a_failed_change_in_place_puts_the_corpus_files_back(library, monkeypatch):
    import qa.web.corpus_update as corpus_update

    live = Assistant.open(library, auto_build=False)
    old_alpha = (library.corpus_dir / "alpha.txt").read_bytes()

    def failing_build(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(corpus_update, "build", failing_build)
    with pytest.raises(OSError, match="No space left"):
        corpus_update.replace_document(live, "alpha.txt", NEW_ALPHA.encode())
    with pytest.raises(OSError, match="No space left"):
        corpus_update.add_document(live, "lighthouse.txt", b"Lighthouse keepers log ships.")
    with pytest.raises(OSError, match="No space left"):
        corpus_update.remove_document(live, "beta.md")
    assert (library.corpus_dir / "alpha.txt").read_bytes() == old_alpha
    assert (library.corpus_dir / "beta.md").is_file()
    assert not (library.corpus_dir / "lighthouse.txt").exists()
    assert not [p for p in library.index_dir.iterdir() if p.name.startswith(".upload-")]
    assert Assistant.open(library, auto_build=False).search("broken nets", k=1)  # still fresh


def test_qa_index_says_what_it_set_aside(library):
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "QA_CORPUS_DIR": str(library.corpus_dir),
        "QA_INDEX_DIR": str(library.index_dir),
        "QA_ENCODER_DIR": str(library.encoder_dir),
        "QA_E5_MAX_PASSAGES": "0",
        "QA_RETIRE_MIN_PASSAGES": "0",
    }
    (library.corpus_dir / "orchard.md").unlink()

    def qa_index(*args):
        command = [sys.executable, "-m", "qa", "index", *args]
        proc = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    out = qa_index()
    assert "removed 1" in out and "removed: orchard.md" in out
    aside = _manifest(library)["retired_passages"]
    assert aside > 0 and f"{aside} passages of removed or changed files are set aside" in out
    assert "set aside" in qa_index()  # up to date, still said
    assert json.loads(qa_index("--force", "--json"))["retired_passages"] == 0
    assert "set aside" not in qa_index()


def test_the_size_rule_is_read_from_the_environment(monkeypatch):
    from qa.config import Settings
    from qa.errors import ConfigError

    monkeypatch.setenv("QA_RETIRE_MIN_PASSAGES", "500")
    assert Settings.from_env().retire_min_passages == 500
    monkeypatch.setenv("QA_RETIRE_MIN_PASSAGES", "many")
    with pytest.raises(ConfigError, match="QA_RETIRE_MIN_PASSAGES must be a whole number"):
        Settings.from_env()
