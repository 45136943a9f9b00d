"""Zip archives as documents: each file inside read as the same file in the corpus folder would
be, under its path in the archive (qa.ingest.zip_text)."""

from __future__ import annotations

import io
import zipfile
from email.message import EmailMessage
from pathlib import Path

import pytest

from qa.config import Settings
from qa.index.build import build_index
from qa.index.hash_embedder import HashEmbedder
from qa.ingest import zip_text
from qa.ingest.chunking import chunk_corpus
from qa.ingest.converted import UnreadableFileError
from qa.ingest.corpus import read_corpus
from qa.ingest.email_text import eml_to_text
from qa.ingest.formats import SUFFIXES, convert
from qa.ingest.titles import document_title
from qa.retrieval.retriever import Retriever

FEES = (
    "<h1>Harbour fees</h1><h2>Night fees</h2><p>A ferry docking after dusk pays ten coins.</p>"
    "<h2>Day fees</h2><p>Day docking costs five coins.</p>"
)


def _zip(files: dict[str, bytes | str], encrypted: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    out = bytearray(buffer.getvalue())
    # mark a file encrypted in the central directory, as a password-protected one is
    at = out.find(b"PK\x01\x02")
    while at >= 0:
        length = int.from_bytes(out[at + 28 : at + 30], "little")
        if out[at + 46 : at + 46 + length].decode() in encrypted:
            out[at + 8] |= 0x1
        at = out.find(b"PK\x01\x02", at + 4)
    return bytes(out)


def _mail(subject: str, body: str, attached: dict[str, bytes]) -> bytes:
    message = EmailMessage()
    message["From"] = "Harbour Office <office@harbour.example>"
    message["Subject"] = subject
    message.set_content(body)
    for name, data in attached.items():
        message.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return message.as_bytes()


def test_an_archives_documents_are_read_under_their_paths(tmp_path):
    from tests.format_files import write_docx

    pytest.importorskip("docx", reason="the formats extra is needed")
    docx = write_docx("# Pilots\n\nPilots board at the outer buoy.", tmp_path / "p.docx")
    data = _zip(
        {
            "annexes/fees.html": FEES,
            "pilots.docx": docx.read_bytes(),
            "notes.md": "Berths are let by the week.",
            "logo.png": b"\x89PNG a picture",
            "photos/quay.jpg": b"\xff\xd8 a picture",
            "__MACOSX/._notes.md": b"resource fork",
            "Thumbs.db": b"thumbnails",
            "~$lots.docx": b"an Office lock file",
        }
    )
    text = convert(Path("bundle.zip"), data).text
    assert text.startswith(
        "Documents in the archive: annexes/fees.html, notes.md, pilots.docx.\n\n"
        "Files not read: 2 of other kinds (.png 1, .jpg 1; e.g. logo.png)\n\n"
        "# annexes/fees.html\n\n## Harbour fees\n\n### Night fees\n\n"
        "A ferry docking after dusk pays ten coins.\n\n"
    )
    assert "\n# notes.md\n\nBerths are let by the week.\n" in text
    # as the same file in the corpus folder is read, its headings one level down
    alone = convert(docx, docx.read_bytes()).text.replace("\n#", "\n##").replace("#", "##", 1)
    assert f"\n# pilots.docx\n\n{alone}" in text
    for left_out in ("__MACOSX", "Thumbs", "~$", "resource fork"):
        assert left_out not in text
    assert ".zip" in SUFFIXES


def test_passages_of_an_archive_are_cited_in_it_and_found(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    cover = "The fees of the harbour, with their annexes."
    (corpus / "bundle.zip").write_bytes(_zip({"annexes/fees.html": FEES, "cover.md": cover}))
    (corpus / "harbour.md").write_text("# Harbour\n\nShips unload grain every morning.\n")
    documents = read_corpus(corpus).documents
    archive = next(d for d in documents if d.source == "bundle.zip")
    passages = chunk_corpus(documents)
    for p in passages:  # offsets point into the text stored for the archive
        source = next(d for d in documents if d.source == p.source)
        assert source.text[p.start : p.end] == p.text
    dusk = next(p for p in passages if "after dusk" in p.text)
    assert dusk.section == "annexes/fees.html > Harbour fees > Night fees"
    assert archive.text.count("# annexes/fees.html") == 1
    # titled by its own name, not by its first file's
    assert document_title(archive) == "Bundle"
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index")
    index = build_index(documents, settings, HashEmbedder(64))
    retrieval = Retriever(index, HashEmbedder(64), None).retrieve("ferry docking after dusk", 1)
    assert retrieval.hits[0].passage.source == "bundle.zip"
    assert "ten coins" in retrieval.hits[0].passage.text


def test_mails_in_an_archive_are_read_and_an_archive_in_a_mail_too():
    mail = _mail("Night fees", "Fees attached.", {"fees.zip": _zip({"fees.html": FEES})})
    in_mail = eml_to_text(mail).text
    assert (
        "\n## Attachment: fees.zip\n\nDocuments in the archive: fees.html.\n\n"
        "### fees.html\n\n#### Harbour fees\n"
    ) in in_mail
    assert "after dusk pays ten coins" in in_mail
    in_archive = convert(
        Path("mails.zip"), _zip({"2021/night fees.eml": mail, "index.txt": "Mails of 2021."})
    ).text
    assert "\n\n# 2021/night fees.eml\n\n## Night fees\n\n" in in_archive
    assert "Fees attached." in in_archive
    # a zip in the mail in the zip is a third level: named, not opened
    assert "fees.zip (an archive inside an archive is not opened)" in in_archive
    assert "after dusk" not in in_archive


@pytest.mark.parametrize(
    ("files", "says"),
    [
        ({"logo.png": b"\x89PNG"}, "it holds no document of a kind read (Files not read: 1"),
        ({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w/>"}, "named .zip"),
        ({"inner.zip": b"PK"}, "inner.zip (an archive inside an archive is not opened)"),
        ({"locked.txt": "secret plans"}, "locked.txt (encrypted: unzip it with its password)"),
        ({"empty.txt": ""}, "empty.txt (the file is empty"),
    ],
)
def test_an_archive_without_a_document_read_says_why(files, says):
    data = _zip(files, encrypted=("locked.txt",))
    with pytest.raises(UnreadableFileError) as caught:
        convert(Path("a.zip"), data)
    assert says in str(caught.value)


def test_damaged_archives_and_damaged_members_say_so():
    data = _zip({"fees.html": FEES, "notes.txt": "Berths are let by the week. " * 40})
    with pytest.raises(UnreadableFileError, match="no zip archive, or a damaged one"):
        convert(Path("a.zip"), b"PK\x03\x04 not a zip at all")
    with pytest.raises(UnreadableFileError, match="no zip archive, or a damaged one"):
        convert(Path("a.zip"), data[: len(data) // 2])  # cut short: no central directory
    # one member's compressed bytes damaged: the others are read, that one named
    start = data.index(b"notes.txt") + len("notes.txt")
    damaged = data[: start + 5] + bytes(b ^ 0xFF for b in data[start + 5 : start + 25])
    damaged += data[start + 25 :]
    text = convert(Path("a.zip"), damaged).text
    assert "after dusk" in text
    assert "Documents not read: notes.txt (damaged in the archive" in text


def test_zip_bombs_and_swarms_of_files_are_refused_before_reading(monkeypatch):
    data = _zip({"a.txt": "x" * 5000, "b.txt": "y" * 5000})
    monkeypatch.setattr(zip_text, "MAX_UNPACKED_BYTES", 6000)
    with pytest.raises(UnreadableFileError, match="unpacks to 10,000 bytes, over the 6,000"):
        convert(Path("a.zip"), data)
    monkeypatch.setattr(zip_text, "MAX_UNPACKED_BYTES", 10**9)
    monkeypatch.setattr(zip_text, "MAX_MEMBERS", 1)
    with pytest.raises(UnreadableFileError, match="holds 2 files, over the 1-file limit"):
        convert(Path("a.zip"), data)


def test_a_folder_zipped_whole_is_not_named_in_every_heading():
    text = convert(
        Path("a.zip"), _zip({"drive/a.md": "Alpha rules.", "drive/b/c.md": "Gamma."})
    ).text
    contents = "Documents in the archive: a.md, b/c.md.\n\n"
    assert text == contents + "# a.md\n\nAlpha rules.\n\n# b/c.md\n\nGamma.\n"
    two_folders = convert(Path("a.zip"), _zip({"x/a.md": "Alpha.", "y/b.md": "Beta."})).text
    assert "# x/a.md" in two_folders and "# y/b.md" in two_folders


def test_an_archive_over_the_text_limit_stops_reading_at_the_limit(monkeypatch):
    read = []
    real = zipfile.ZipFile.read

    def counting(self, name, pwd=None):
        read.append(name)
        return real(self, name, pwd)

    monkeypatch.setattr(zip_text, "MAX_TEXT_CHARS", 100)
    monkeypatch.setattr(zipfile.ZipFile, "read", counting)
    files = {f"{n}.md": "Berths are let by the week. " * 5 for n in range(10)}
    with pytest.raises(UnreadableFileError, match="more than 100 characters"):
        convert(Path("a.zip"), _zip(files))
    assert len(read) == 1


def _zip_named_in_bytes(files: dict[bytes, str]) -> bytes:
    """A zip whose file names are the given bytes, not marked UTF-8, as Windows's compressed
    folder writes them in the system's code page."""
    placeholders = {raw: f"@{i}@".ljust(len(raw), "x").encode() for i, raw in enumerate(files)}
    data = _zip({placeholders[raw].decode(): text for raw, text in files.items()})
    for raw, placeholder in placeholders.items():
        assert data.count(placeholder) == 2  # the local header and the central directory
        data = data.replace(placeholder, raw)
    return data


def test_file_names_in_a_chinese_code_page_or_unmarked_utf8_are_read_as_written():
    gbk = {
        "知识产权/质押融资试点通知.txt".encode("gbk"): "Pledge financing pilots widen.",
        "知识产权/行动计划全文.md".encode("gbk"): "The action plan in full.",
    }
    text = convert(Path("a.zip"), _zip_named_in_bytes(gbk)).text
    assert "# 质押融资试点通知.txt\n\nPledge financing pilots widen." in text
    big5 = {"智慧財產權/質押融資試點通知.txt".encode("big5"): "Pilots.", b"readme.txt": "Read."}
    assert (
        "# 智慧財產權/質押融資試點通知.txt\n"
        in convert(Path("a.zip"), _zip_named_in_bytes(big5)).text
    )
    unmarked = {"Café rules.md".encode(): "Coffee after noon.", b"b.md": "Beta."}
    assert "# Café rules.md\n" in convert(Path("a.zip"), _zip_named_in_bytes(unmarked)).text
    # DOS's code page, as the zip format says: é is 0x82 there
    dos = {"Café.md".encode("cp437"): "Coffee.", b"b.md": "Beta."}
    assert "# Café.md\n" in convert(Path("a.zip"), _zip_named_in_bytes(dos)).text


def test_an_archive_whose_directory_points_before_its_start_names_its_files_damaged():
    data = bytearray(_zip({"fees.html": FEES}))
    end = data.rfind(b"PK\x05\x06")  # the end of central directory record
    start = int.from_bytes(data[end + 16 : end + 20], "little")
    data[end + 16 : end + 20] = (start + 10**6).to_bytes(4, "little")  # where it says it starts
    with pytest.raises(UnreadableFileError) as caught:
        convert(Path("a.zip"), bytes(data))
    assert "fees.html (damaged in the archive: negative seek value" in str(caught.value)
