"""New PDF and Word files are converted by worker processes before the corpus is read; what
they leave in the conversion cache is what converting one file after another gives."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from qa.ingest.conversion_cache import ConversionCache
from qa.ingest.convert_ahead import convert_ahead
from qa.ingest.corpus import MAX_CONVERTED_FILE_BYTES, read_corpus
from tests.conftest import TINY_DOCS
from tests.format_files import write_docx, write_pdf

pytest.importorskip("pypdf", reason="the formats extra is needed: pip install -e '.[formats]'")
pytest.importorskip("docx", reason="the formats extra is needed: pip install -e '.[formats]'")
pytest.importorskip("fpdf", reason="the test extra is needed: pip install -e '.[test]'")


def drive(folder):
    """Two PDFs, a Word file, a damaged PDF and a text file."""
    folder.mkdir()
    write_pdf(TINY_DOCS["alpha.txt"], folder / "farming.pdf")
    write_pdf(TINY_DOCS["beta.md"], folder / "second.pdf")
    write_docx(TINY_DOCS["alpha.txt"], folder / "farming.docx")
    (folder / "damaged.pdf").write_bytes(b"%PDF-1.4 and nothing else")
    (folder / "notes.txt").write_text("Boats dock before sunset.", "utf-8")
    return folder


def test_workers_fill_the_cache_with_what_reading_one_by_one_gives(tmp_path):
    corpus = drive(tmp_path / "corpus")
    files = sorted(corpus.iterdir())
    cache = ConversionCache(tmp_path / "cache")
    told = []
    handed = convert_ahead(
        files, cache, MAX_CONVERTED_FILE_BYTES, lambda m, f: told.append((m, f)), 0.5, workers=2
    )
    assert handed == 4  # the PDFs and the Word file; the text file is read as it is
    for name in ("farming.pdf", "second.pdf", "farming.docx"):
        assert cache.has(".pdf" if name.endswith("pdf") else ".docx", (corpus / name).read_bytes())
    assert cache.has(".pdf", (corpus / "damaged.pdf").read_bytes())  # kept as damaged
    assert told[0][0] == "converting 4 new PDF/Word file(s) in 2 process(es)"
    assert told[-1] == ("converting: 4/4 files, about 0 s left", 0.5)
    ahead = read_corpus(corpus, cache)
    alone = read_corpus(corpus)  # no cache: each file converted here, one after another
    assert ahead.documents == alone.documents and len(ahead.documents) == 4
    assert ahead.skipped == alone.skipped and [s.source for s in ahead.skipped] == ["damaged.pdf"]
    assert convert_ahead(files, cache, MAX_CONVERTED_FILE_BYTES, workers=2) == 0  # all kept


def test_one_new_file_is_converted_in_one_worker(tmp_path):
    corpus = drive(tmp_path / "corpus")
    cache = ConversionCache(tmp_path / "cache")
    only = [corpus / "farming.pdf", corpus / "notes.txt"]
    assert convert_ahead(only, cache, MAX_CONVERTED_FILE_BYTES, workers=2) == 1
    assert cache.has(".pdf", (corpus / "farming.pdf").read_bytes())
    assert convert_ahead(only, cache, MAX_CONVERTED_FILE_BYTES, workers=2) == 0


def test_a_file_still_converting_after_the_timeout_is_skipped_saying_why(tmp_path):
    corpus = drive(tmp_path / "corpus")
    cache = ConversionCache(tmp_path / "cache")
    files = sorted(corpus.iterdir())
    # no worker starts Python and converts a PDF in 10 ms: each file is given up
    assert convert_ahead(files, cache, MAX_CONVERTED_FILE_BYTES, workers=2, timeout=0.01) == 4
    read = read_corpus(corpus, cache)  # no conversion again: the cache says why
    assert [d.source for d in read.documents] == ["notes.txt"]
    reasons = {s.source: s.reason for s in read.skipped}
    assert set(reasons) == {"damaged.pdf", "farming.docx", "farming.pdf", "second.pdf"}
    assert reasons["farming.pdf"].startswith("converting it took over 0.01 s, so it was stopped")
    assert convert_ahead(files, cache, MAX_CONVERTED_FILE_BYTES, workers=2) == 0  # not retried


def test_a_script_without_a_main_guard_reads_a_drive_once(tmp_path):
    """The workers are no multiprocessing pool: a spawned pool would run this script again."""
    corpus = drive(tmp_path / "corpus")
    script = tmp_path / "read.py"
    script.write_text(
        textwrap.dedent(
            f"""
            from pathlib import Path
            from qa.ingest.conversion_cache import ConversionCache
            from qa.ingest.corpus import read_corpus
            print("started")
            corpus = read_corpus(Path({str(corpus)!r}), ConversionCache(Path({str(tmp_path / "c")!r})))
            print(len(corpus.documents), "documents")
            """
        ),
        "utf-8",
    )
    out = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=True
    ).stdout
    assert out.splitlines() == ["started", "4 documents"]


def test_a_damaged_file_is_kept_as_such_a_missing_package_is_not(tmp_path, monkeypatch):
    import qa.ingest.conversion_cache as cache_module
    from qa.ingest.converted import MissingPackageError, UnreadableFileError

    cache = ConversionCache(tmp_path / "cache")
    calls = []

    def missing(path, data):
        calls.append(path.name)
        raise MissingPackageError("reading it needs the pypdf package")

    monkeypatch.setattr(cache_module, "convert", missing)
    for _ in range(2):  # tried again each time: installing the package cures it
        with pytest.raises(MissingPackageError):
            cache.converted(tmp_path / "a.pdf", b"%PDF-1.4")
    assert calls == ["a.pdf", "a.pdf"] and not cache.has(".pdf", b"%PDF-1.4")

    def damaged(path, data):
        calls.append(path.name)
        raise UnreadableFileError("not a readable PDF")

    monkeypatch.setattr(cache_module, "convert", damaged)
    for _ in range(2):  # converted once; the second read takes the reason from the cache
        with pytest.raises(UnreadableFileError, match="not a readable PDF"):
            cache.converted(tmp_path / "a.pdf", b"%PDF-1.4")
    assert calls == ["a.pdf", "a.pdf", "a.pdf"] and cache.has(".pdf", b"%PDF-1.4")


def test_workers_that_die_leave_their_files_to_reading(tmp_path, monkeypatch):
    corpus = drive(tmp_path / "corpus")
    cache = ConversionCache(tmp_path / "cache")
    monkeypatch.setattr(sys, "executable", "/bin/false")  # each worker ends at once
    files = sorted(corpus.iterdir())
    assert convert_ahead(files, cache, MAX_CONVERTED_FILE_BYTES, workers=2) == 4
    assert not cache.folder.exists() or not any(cache.folder.glob("*.json"))
    monkeypatch.undo()
    assert read_corpus(corpus, cache).documents == read_corpus(corpus).documents


def test_the_progress_of_a_read_never_goes_back(tmp_path, monkeypatch):
    from qa.ingest.corpus import READING_SHARE
    from tests.test_shared_drive import SlowClock

    corpus = drive(tmp_path / "corpus")
    monkeypatch.setattr("qa.ingest.corpus.time", SlowClock())  # reading takes a while
    told = []
    read_corpus(corpus, ConversionCache(tmp_path / "cache"), lambda m, f: told.append((m, f)))
    fractions = [f for _, f in told]
    assert fractions == sorted(fractions) and fractions[-1] == READING_SHARE
    assert told[0][0].startswith("converting 4 new") and told[-1][0].startswith("reading: 5/5")


# ---------------------------------------------------------------------------- uploads


def test_an_upload_is_converted_by_a_worker_and_kept_for_the_build(tmp_path):
    from qa.ingest.formats import convert
    from qa.web.corpus_update import check_upload_data

    write_pdf(TINY_DOCS["alpha.txt"], tmp_path / "farming.pdf")
    data = (tmp_path / "farming.pdf").read_bytes()
    cache = ConversionCache(tmp_path / "cache")
    told = []
    text = check_upload_data("farming.pdf", data, cache, lambda m, f: told.append(m))
    assert text == convert(tmp_path / "farming.pdf", data).text
    assert cache.has(".pdf", data) and told[0] == (
        "converting 1 new PDF/Word file(s) in 1 process(es)"
    )
    told.clear()
    assert check_upload_data("farming.pdf", data, cache, lambda m, f: told.append(m)) == text
    assert told == []  # kept: no worker the second time


def test_an_upload_still_converting_after_the_time_limit_is_refused(tmp_path, monkeypatch):
    from qa.errors import CorpusError
    from qa.web.corpus_update import check_upload_data

    write_pdf(TINY_DOCS["beta.md"], tmp_path / "second.pdf")
    data = (tmp_path / "second.pdf").read_bytes()
    monkeypatch.setattr("qa.ingest.convert_ahead.TIMEOUT_SECONDS", 0.01)
    with pytest.raises(
        CorpusError,
        match=r"^second\.pdf cannot be read: converting it took over 0\.01 s, so it was stopped",
    ):
        check_upload_data("second.pdf", data, ConversionCache(tmp_path / "cache"))


@pytest.mark.usefixtures("restore_app_state")
def test_the_corpus_tab_converts_an_uploaded_pdf_once(tiny_app, tmp_path):
    from qa.web import corpus_tab
    from qa.web.shared import get_assistant

    write_pdf(TINY_DOCS["alpha.txt"], tmp_path / "farming.pdf")
    told = []
    corpus_tab.add_document(
        "farming.pdf", (tmp_path / "farming.pdf").read_bytes(), lambda m, f: told.append(m)
    )
    converting = [m for m in told if m.startswith("converting ")]
    assert converting == ["converting 1 new PDF/Word file(s) in 1 process(es)"]  # not again
    assert told.index(converting[0]) < told.index("indexing the changed corpus")  # when checked
    assert "farming.pdf" in {d.source for d in get_assistant().documents}
