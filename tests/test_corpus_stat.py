"""Opening an index trusts a corpus whose files keep their size and modification time, and
reads and hashes it otherwise (qa.index.corpus_stat)."""

from __future__ import annotations

import json
import os

import pytest

import qa.index.corpus_stat
from qa.assistant import Assistant, build
from qa.errors import IndexMismatchError
from qa.index.corpus_stat import HINT, unchanged_since_build
from qa.ingest.corpus import read_corpus


@pytest.fixture
def built(tiny_settings):
    build(tiny_settings)
    return tiny_settings


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """The corpus folders opening read in full."""
    seen: list[str] = []

    def recording(corpus_dir, *args, **kwargs):
        seen.append(str(corpus_dir))
        return read_corpus(corpus_dir, *args, **kwargs)

    monkeypatch.setattr(qa.index.corpus_stat, "read_corpus", recording)
    return seen


def a_file(settings):
    return sorted(p for p in settings.corpus_dir.rglob("*") if p.is_file())[0]


def test_an_unchanged_corpus_is_not_read(built, reads) -> None:
    assert (built.index_dir / HINT).is_file()
    assistant = Assistant.open(built, auto_build=False)
    assert reads == []
    assert assistant.documents  # the index's own copy of the texts
    assert assistant.search("the", k=1)


def test_a_touched_file_is_read_and_the_index_stays_fresh(built, reads) -> None:
    path = a_file(built)
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    Assistant.open(built, auto_build=False)  # same text: fresh, no rebuild
    assert reads == [str(built.corpus_dir)]
    Assistant.open(built, auto_build=False)  # the first open recorded the new time
    assert len(reads) == 1


def test_changed_added_and_removed_files_are_found(built) -> None:
    path = a_file(built)
    path.write_text(path.read_text(encoding="utf-8") + " More text.", encoding="utf-8")
    with pytest.raises(IndexMismatchError, match="corpus changed"):
        Assistant.open(built, auto_build=False)
    assert not unchanged_since_build(built.index_dir, built.corpus_dir)  # nothing recorded
    build(built)
    (built.corpus_dir / "new.txt").write_text("A new document about fees.", encoding="utf-8")
    assert not unchanged_since_build(built.index_dir, built.corpus_dir)
    with pytest.raises(IndexMismatchError, match="new.txt"):
        Assistant.open(built, auto_build=False)
    (built.corpus_dir / "new.txt").unlink()
    assert unchanged_since_build(built.index_dir, built.corpus_dir)
    path.unlink()
    with pytest.raises(IndexMismatchError, match="corpus changed"):
        Assistant.open(built, auto_build=False)


@pytest.mark.parametrize(
    "hint",
    ['{"corpus": "0000", "files": {}}', "{not json", '{"files": []}', "[]"],
    ids=["another index's", "torn", "wrong shape", "not an object"],
)
def test_a_hint_that_is_not_this_index_s_means_a_full_check(built, reads, hint) -> None:
    recorded = json.loads((built.index_dir / HINT).read_text(encoding="utf-8"))
    (built.index_dir / HINT).write_text(hint, encoding="utf-8")
    assert not unchanged_since_build(built.index_dir, built.corpus_dir)
    Assistant.open(built, auto_build=False)
    assert reads == [str(built.corpus_dir)]
    assert recorded["files"]  # what a good hint holds: each file's size and time


def test_after_a_converter_upgrade_the_first_open_reads_again_and_builds_what_changed(
    tiny_settings, monkeypatch
) -> None:
    import qa.ingest.conversion_cache as conversion_cache
    import qa.ingest.html_text as html_text

    page = tiny_settings.corpus_dir / "fees.html"
    page.write_text("<h1>Fees</h1><p>Ferries pay ten coins.</p>", encoding="utf-8")
    build(tiny_settings)
    assert unchanged_since_build(tiny_settings.index_dir, tiny_settings.corpus_dir)
    # a new release reads web pages differently, and says so by its converters' version
    real = html_text.html_to_text
    monkeypatch.setattr(html_text, "html_to_text", lambda data: real(data) + "\nNew reader.\n")
    for module in (conversion_cache, qa.index.corpus_stat):
        monkeypatch.setattr(module, "CONVERTERS_VERSION", "converters next")
    assert not unchanged_since_build(tiny_settings.index_dir, tiny_settings.corpus_dir)
    with pytest.raises(IndexMismatchError):  # the text changed: the index is stale for it
        Assistant.open(tiny_settings, auto_build=False)
    opened = Assistant.open(tiny_settings)  # builds again what changed
    fees = next(d for d in opened.documents if d.source == "fees.html")
    assert fees.text.endswith("New reader.\n")
    assert unchanged_since_build(tiny_settings.index_dir, tiny_settings.corpus_dir)
