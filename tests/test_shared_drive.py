"""A shared drive as the corpus: one bad file, images and spreadsheets beside the documents, and
Office's lock files do not stop the library from being indexed; each is named once."""

from __future__ import annotations

import json

import pytest

from qa.index.corpus_stat import shown_skipped
from qa.ingest.corpus import READING_SHARE, CorpusWarning, read_corpus
from tests.test_cli import run


def drive(settings):
    """The tiny corpus as a shared drive: two good documents, a text file saved in Latin-1, a
    photo, a spreadsheet, and the lock file Word leaves beside an open document."""
    corpus = settings.corpus_dir
    (corpus / "minutes.txt").write_bytes("Café budget approved.".encode("latin-1"))
    (corpus / "photos").mkdir()
    (corpus / "photos" / "visit.jpg").write_bytes(b"\xff\xd8\xff\xe0")
    (corpus / "budget.xlsx").write_bytes(b"PK\x03\x04")
    (corpus / "~$minutes.docx").write_bytes(b"\x05Alice" + b"\x00" * 40)
    return corpus


def test_qa_index_indexes_the_rest_and_names_each_problem_once(tiny_settings):
    drive(tiny_settings)
    env = {"QA_ENCODER_DIR": str(tiny_settings.encoder_path)}
    proc = run(["index"], tiny_settings, **env)
    assert "indexed 2 file(s)" in proc.stdout
    lines = proc.stderr.splitlines()
    assert (
        "warning: minutes.txt: skipped, not valid UTF-8 (byte 3: b'\\xe9 bu'); re-save it as UTF-8"
        in lines
    )
    notes = [line for line in lines if line.startswith("note: left out")]
    assert notes == [
        "note: left out 2 file(s) of other kinds (.xlsx 1, .jpg 1; e.g. budget.xlsx): only .txt, "
        ".md, .pdf, .docx, .html, .htm files are read; convert those you want indexed "
        "(`qa index --json` lists them all)"
    ]
    assert "~$" not in proc.stderr
    report = json.loads(run(["index", "--json"], tiny_settings, **env).stdout)
    assert report["left_out"] == ["budget.xlsx", "photos/visit.jpg"]
    assert [s.split(":")[0] for s in report["skipped"]] == ["minutes.txt"]
    # a question warns of the skipped document (meant to be read), not of the photo
    asked = run(["search", "budget approved"], tiny_settings, **env)
    assert "minutes.txt: skipped" in asked.stderr and "left out" not in asked.stderr


def test_an_open_names_a_few_skipped_files_and_counts_the_rest():
    messages = [f"scan{i}.pdf: skipped, no text layer" for i in range(25)]
    shown = shown_skipped(messages)
    assert shown[:9] == messages[:9]
    assert shown[9] == "16 more file(s) skipped; `qa index` names each and why"
    assert shown_skipped(messages[:10]) == messages[:10]


class SlowClock:
    """Each reading of the clock 0.4 s after the last: a drive whose files take long to read."""

    def __init__(self):
        self.now = 0.0

    def perf_counter(self) -> float:
        self.now += 0.4
        return self.now


def test_reading_a_slow_drive_tells_the_files_read_and_the_time_left(tmp_path, monkeypatch):
    for i in range(6):
        (tmp_path / f"d{i}.txt").write_text(f"Document {i} says little.", "utf-8")
    monkeypatch.setattr("qa.ingest.corpus.time", SlowClock())
    told = []
    read_corpus(tmp_path, progress=lambda message, fraction: told.append((message, fraction)))
    assert [m for m, _ in told] == [
        "reading: 3/6 files, about 1 s left",  # the first word once a second has gone (1.2 s)
        "reading: 4/6 files, about 1 s left",
        "reading: 5/6 files, about 0 s left",
        "reading: 6/6 files, about 0 s left",
    ]
    fractions = [f for _, f in told]
    assert fractions == sorted(fractions) and fractions[-1] == READING_SHARE


def test_a_quick_read_says_nothing(tmp_path):
    (tmp_path / "a.txt").write_text("Boats dock before sunset.", "utf-8")
    told = []
    read_corpus(tmp_path, progress=lambda message, fraction: told.append(message))
    assert told == []


@pytest.mark.usefixtures("restore_app_state")
def test_the_corpus_tab_lists_a_skipped_file_and_why(tiny_settings, tmp_path):
    from qa.assistant import build
    from qa.web import handlers
    from qa.web.shared import configure

    drive(tiny_settings)
    assert [s.split(":")[0] for s in build(tiny_settings).skipped] == ["minutes.txt"]
    with pytest.warns(CorpusWarning, match="minutes.txt: skipped"):  # the app's open says so
        configure(tiny_settings, tmp_path / "feedback.jsonl")
        rows, _, dropdown, _ = handlers.corpus_info()
    assert [r[0] for r in rows] == ["alpha.txt", "beta.md", "minutes.txt"]
    assert rows[2][1:] == [
        "not indexed: not valid UTF-8 (byte 3: b'\\xe9 bu'); re-save it as UTF-8",
        "TXT",
        "21 B",
        0,
        rows[2][5],
    ]
    assert "minutes.txt" not in dropdown["choices"]  # nothing of it to read or remove
