"""A shared drive as the corpus: one bad file, images and spreadsheets beside the documents, and
Office's lock files do not stop the library from being indexed; each is named once."""

from __future__ import annotations

import codecs
import json

import pytest

from qa.errors import CorpusError
from qa.index.corpus_stat import shown_skipped
from qa.ingest.converted import UnreadableFileError
from qa.ingest.corpus import READING_SHARE, CorpusWarning, load_corpus, read_corpus
from qa.ingest.formats import WINDOWS_1252, read_text, text_of
from tests.test_cli import run

# what a .txt saved in GBK (Chinese Windows' code page) is skipped for when it holds too few
# characters to tell its code page (qa.ingest.chinese_bytes)
GBK_SAYS = (
    "not valid UTF-8, nor Western text in Windows-1252 or Chinese text (byte 0: "
    "b'\\xbb\\xe1\\xd2\\xe9'); "
    "re-save it as UTF-8"
)


def drive(settings):
    """The tiny corpus as a shared drive: two good documents, a text file saved in a Chinese
    code page (GBK), a photo, a spreadsheet, and the lock file Word leaves beside an open
    document."""
    corpus = settings.corpus_dir
    (corpus / "minutes.txt").write_bytes("会议纪要：预算通过。".encode("gbk"))
    (corpus / "photos").mkdir()
    (corpus / "photos" / "visit.jpg").write_bytes(b"\xff\xd8\xff\xe0")
    (corpus / "budget.numbers").write_bytes(b"PK\x03\x04")
    (corpus / "~$minutes.docx").write_bytes(b"\x05Alice" + b"\x00" * 40)
    return corpus


def test_qa_index_indexes_the_rest_and_names_each_problem_once(tiny_settings):
    drive(tiny_settings)
    env = {"QA_ENCODER_DIR": str(tiny_settings.encoder_path)}
    proc = run(["index"], tiny_settings, **env)
    assert "indexed 2 file(s)" in proc.stdout
    lines = proc.stderr.splitlines()
    assert f"warning: minutes.txt: skipped, {GBK_SAYS}" in lines
    notes = [line for line in lines if line.startswith("note: left out")]
    assert notes == [
        "note: left out 2 file(s) of other kinds (.numbers 1, .jpg 1; e.g. budget.numbers): "
        "only .txt, .md, .pdf, .docx, .doc, .odt, .rtf, .pptx, .ppt, .odp, .odg, .xlsx, .xlsm, .xls, "
        ".xlsb, .ods, .csv, .html, .htm, .eml, .msg, .epub, .mht, .mhtml, .zip files are read; "
        "convert those "
        "you want indexed (`qa index --json` lists them all)"
    ]
    assert "~$" not in proc.stderr
    report = json.loads(run(["index", "--json"], tiny_settings, **env).stdout)
    assert report["left_out"] == ["budget.numbers", "photos/visit.jpg"]
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
        f"not indexed: {GBK_SAYS}",
        "TXT",
        "20 B",
        0,
        rows[2][5],
    ]
    assert "minutes.txt" not in dropdown["choices"]  # nothing of it to read or remove


# ---------------------------------------------------------------------------- Windows text files


def test_utf16_with_its_byte_order_mark_is_read():
    text = "Harbour rules\n\nBoats dock before sunset.\n"
    assert text_of(codecs.BOM_UTF16_LE + text.encode("utf-16-le")) == text
    assert text_of(codecs.BOM_UTF16_BE + text.encode("utf-16-be")) == text
    with pytest.raises(UnreadableFileError, match=r"not valid UTF-16 after its byte-order mark"):
        text_of(codecs.BOM_UTF16_LE + b"A")  # half a character
    with pytest.raises(UnreadableFileError, match="binary file"):
        text_of(codecs.BOM_UTF16_LE + b"\x00\x00PK")


def test_a_utf8_byte_order_mark_stays_in_the_text_and_heads_nothing(tmp_path):
    from qa.config import Settings
    from qa.ingest.chunking import chunk_corpus

    (tmp_path / "rules.md").write_bytes(
        codecs.BOM_UTF8 + b"# Harbour rules\n\n## Docking\n\nBoats dock before sunset.\n"
    )
    (tmp_path / "ps.txt").write_bytes(
        codecs.BOM_UTF16_LE + "Pilot rules\n\nPilots board at the outer buoy.\n".encode("utf-16-le")
    )
    documents = load_corpus(tmp_path)
    rules = next(d for d in documents if d.source == "rules.md")
    assert rules.text == (tmp_path / "rules.md").read_text("utf-8")  # as Python reads it
    passages = chunk_corpus(documents, Settings().chunking)
    for p in passages:
        text = next(d.text for d in documents if d.source == p.source)
        assert text[p.start : p.end] == p.text and "\ufeff" not in p.text
    docking = next(p for p in passages if p.text.startswith("Boats"))
    assert docking.section == "Harbour rules > Docking"
    pilots = next(p for p in passages if p.text.startswith("Pilots"))
    assert pilots.source == "ps.txt" and pilots.section.startswith("Pilot rules")


def test_the_corpus_tab_takes_a_utf16_upload_as_the_folder_reads_it():
    from qa.web.corpus_update import check_upload_data

    data = codecs.BOM_UTF16_LE + "Ferry times\n\nThe ferry leaves at noon.\n".encode("utf-16-le")
    assert check_upload_data("ferry.txt", data) == text_of(data)
    with pytest.raises(CorpusError, match=r"^notes\.txt cannot be read: not valid UTF-8"):
        check_upload_data("notes.txt", "会议纪要".encode("gbk"))


def test_windows_1252_text_is_read_when_it_can_only_be_western_text():
    memo = "Minutes\n\nThe caf\u00e9\u2019s r\u00e9sum\u00e9 was approved \u2013 \u20ac5 a cup.\n"
    read = read_text(memo.encode("cp1252"))  # Notepad's "ANSI" on a Western Windows
    assert (read.text, read.encoding) == (memo, WINDOWS_1252)
    assert read_text(memo.encode("utf-8")).encoding == "utf-8"
    not_western = {
        "Chinese (GBK)": "会议纪要：预算通过。".encode("gbk"),
        "Chinese (Big5)": "會議紀要".encode("big5"),
        "UTF-8 with one bad byte": "Caf\u00e9 rules \u2013 r\u00e9sum\u00e9.".encode() + b"\xff",
        "mostly not ASCII": "\u00e9t\u00e9".encode("cp1252"),
        "an undefined byte": b"Rules \x81 apply.",
    }
    for why, data in not_western.items():
        with pytest.raises(UnreadableFileError, match="nor Western text in Windows-1252"):
            read_text(data)
            pytest.fail(why)


@pytest.mark.parametrize(
    ("name", "text", "codec", "read_as", "field", "query"),
    [
        ("memo.txt", "The caf\u00e9 opens at noon \u2013 every day.", "cp1252",
         "as Windows-1252, not UTF-8 (e.g. memo.txt); if letters look", "windows_1252",
         "when does the café open"),
        ("minutes.txt", "知识产权质押融资试点工作将进一步扩大，中小企业可以用专利向银行申请贷款。",
         "gbk", "as Chinese in GB18030 or Big5, not UTF-8 (e.g. minutes.txt); if characters look",
         "chinese_code_page", "专利质押"),
    ],
)  # fmt: skip
def test_qa_index_notes_the_files_read_in_a_legacy_code_page(
    tiny_settings, name, text, codec, read_as, field, query
):
    (tiny_settings.corpus_dir / name).write_bytes(f"{text}\n".encode(codec))
    env = {"QA_ENCODER_DIR": str(tiny_settings.encoder_path)}
    proc = run(["index"], tiny_settings, **env)
    assert "indexed 3 file(s)" in proc.stdout and "skipped" not in proc.stderr
    assert (
        f"note: read 1 text file(s) {read_as} wrong in their passages, re-save them as UTF-8 "
        "(`qa index --json` lists them all)"
    ) in proc.stderr.splitlines()
    report = json.loads(run(["index", "--json"], tiny_settings, **env).stdout)
    assert report[field] == [name]
    assert report["windows_1252" if field != "windows_1252" else "chinese_code_page"] == []
    found = run(["search", query, "--json"], tiny_settings, **env).stdout
    top = json.loads(found)["passages"][0]
    assert top["source"] == name and top["text"] == text


@pytest.mark.usefixtures("restore_app_state")
def test_an_upload_read_as_windows_1252_says_so(tiny_app):
    from qa.web import handlers

    memo = "The caf\u00e9 opens at noon \u2013 every day.\n"
    message = handlers.add_document("memo.txt", memo.encode("cp1252"))
    assert message.startswith("Added `memo.txt`") and message.endswith(
        "It was read as Windows-1252, not UTF-8: if letters look wrong in its passages, save "
        "it as UTF-8 and replace it."
    )
    assert "Windows-1252" not in handlers.add_document("note.txt", memo.encode("utf-8"))


def test_a_word_file_damaged_inside_is_skipped_not_a_crash(tmp_path):
    """A .docx whose compressed XML is corrupt: python-docx raises zlib.error, which stopped
    the whole read; now the file is skipped, saying what failed."""
    import io
    import zipfile

    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_paragraph("Boats dock before sunset. " * 200)
    buffer = io.BytesIO()
    document.save(buffer)
    data = bytearray(buffer.getvalue())
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start + 20 : start + 40] = b"\xff" * 20  # inside the deflate stream
    (tmp_path / "minutes.docx").write_bytes(bytes(data))
    (tmp_path / "notes.txt").write_text("Ferries leave at noon.", "utf-8")
    read = read_corpus(tmp_path)
    assert [d.source for d in read.documents] == ["notes.txt"]
    (skipped,) = read.skipped
    assert skipped.source == "minutes.docx"
    assert skipped.reason.startswith("it could not be converted (error: Error -3 while")
    assert skipped.reason.endswith("open it and save it again, or convert it to text")
