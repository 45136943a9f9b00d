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
    assert not cache.has(".pdf", (corpus / "damaged.pdf").read_bytes())
    assert told[0][0] == "converting 4 new PDF/Word file(s) in 2 processes"
    assert told[-1] == ("converting: 4/4 files, about 0 s left", 0.5)
    ahead = read_corpus(corpus, cache)
    alone = read_corpus(corpus)  # no cache: each file converted here, one after another
    assert ahead.documents == alone.documents and len(ahead.documents) == 4
    assert [s.source for s in ahead.skipped] == ["damaged.pdf"] == [s.source for s in alone.skipped]
    assert convert_ahead(files, cache, MAX_CONVERTED_FILE_BYTES, workers=2) == 0  # all kept


def test_one_core_or_one_new_file_converts_as_it_reads(tmp_path):
    corpus = drive(tmp_path / "corpus")
    files = sorted(corpus.iterdir())
    cache = ConversionCache(tmp_path / "cache")
    assert convert_ahead(files, cache, MAX_CONVERTED_FILE_BYTES, workers=1) == 0
    only = [corpus / "farming.pdf", corpus / "notes.txt"]
    assert convert_ahead(only, cache, MAX_CONVERTED_FILE_BYTES, workers=2) == 0
    assert not cache.folder.exists() or not any(cache.folder.glob("*.json"))


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
