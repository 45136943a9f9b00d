"""Saved e-mails as documents: .eml (the standard library's parser) and Outlook's .msg (olefile
and [MS-OXMSG]), on messages built here and on Apache POI's test messages (tests/data/msg)."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest

from qa.ingest.chunking import chunk_corpus
from qa.ingest.converted import UnreadableFileError
from qa.ingest.corpus import read_corpus
from qa.ingest.email_text import eml_to_text
from qa.ingest.titles import document_title

DATA = Path(__file__).parent / "data" / "msg"


def _eml(
    html: str | None = None,
    plain: str = "Berths are let by the week.",
    attached: dict[str, bytes] | None = None,
) -> bytes:
    message = EmailMessage()
    message["From"] = "Harbour Office <office@harbour.example>"
    message["To"] = "Pilots <pilots@harbour.example>"
    message["Subject"] = "Berth fees for 2021"
    message["Date"] = "Mon, 04 Jan 2021 09:30:00 +0100"
    message.set_content(plain)
    if html is not None:
        message.add_alternative(html, subtype="html")
    for name, data in (attached or {"map.jpg": b"\xff\xd8 a picture"}).items():
        message.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return message.as_bytes()


def test_an_eml_reads_subject_as_title_then_who_when_body_and_attachment_names():
    text = eml_to_text(_eml()).text
    assert text == (
        "# Berth fees for 2021\n\n"
        "From: Harbour Office <office@harbour.example>\nTo: Pilots <pilots@harbour.example>\n"
        "Date: Mon, 04 Jan 2021 09:30:00 +0100\n\n"
        "Berths are let by the week.\n\n"
        "Attachments not read: map.jpg (not a kind of document read)\n"
    )


def test_the_documents_an_eml_attaches_are_read_under_their_names(tmp_path):
    from tests.format_files import write_pdf

    pytest.importorskip("pypdf", reason="the formats extra is needed")
    pytest.importorskip("fpdf", reason="the test extra is needed")
    pdf = write_pdf(
        "Night fees\n\nA ferry docking after dusk pays ten coins.\n", tmp_path / "f.pdf"
    )
    attached = {
        "night fees.pdf": pdf.read_bytes(),
        "notes.txt": b"# Notes\n\nPilots board at the outer buoy.",
        "broken.pdf": b"%PDF-1.4",
        "forwarded.eml": b"Subject: old\n\nold news",
    }
    text = eml_to_text(_eml(attached=attached)).text
    assert "\n## Attachment: night fees.pdf\n\n" in text
    assert "A ferry docking after dusk pays ten coins." in text
    assert "\n## Attachment: notes.txt\n\n### Notes\n\nPilots board at the outer buoy.\n" in text
    unread = next(line for line in text.splitlines() if line.startswith("Attachments not read"))
    assert "broken.pdf (not a readable PDF" in unread
    assert "forwarded.eml (a mail saved as a file: read when saved on its own)" in unread
    assert "old news" not in text  # a mail saved as a file in the mail: read when saved alone
    # a mail with no body but a document attached is the document's cover: it is read
    assert "Pilots board" in eml_to_text(_eml(plain="", attached=attached)).text
    # the mail's words and each attachment are sections of their own, whatever their lines
    (tmp_path / "drive").mkdir()
    (tmp_path / "drive" / "mail.eml").write_bytes(
        _eml(plain="Fees attached.\n\nHarbour Office", attached=attached)
    )
    (document,) = read_corpus(tmp_path / "drive").documents
    sections = {p.text: p.section for p in chunk_corpus([document])}
    assert sections["Harbour Office"] == "Berth fees for 2021 > Message"
    dusk = next(t for t in sections if "after dusk" in t)
    assert sections[dusk].startswith("Berth fees for 2021 > Attachment: night fees.pdf")


def test_an_eml_body_is_read_from_its_html_part_its_headings_under_the_subject():
    html = (
        "<html><head><title>Fees</title></head><body><h1>Berth fees</h1>"
        "<p>From 1 March a ferry pays five coins.</p><script>track()</script>"
        "<table><tr><th>Vessel</th><th>Fee</th></tr><tr><td>Ferry</td><td>Five</td></tr></table>"
        "</body></html>"
    )
    text = eml_to_text(_eml(html, plain="Berth fees\nwrapped plain text")).text
    assert "\n## Berth fees\n\nFrom 1 March a ferry pays five coins.\n" in text
    assert "\n\nVessel | Fee\n\nFerry | Five\n" in text  # a table's rows as rows
    assert "wrapped plain text" not in text and "track" not in text
    assert text.startswith("# Berth fees for 2021\n\n")


def test_an_attachments_name_stays_on_its_line():
    # a name decoded from RFC 2231 ("filename*=utf-8''a%0A%23%20Fake...") may hold a line break
    from qa.ingest.attachments import Attachment, attachment_blocks

    named = Attachment("a\n# Fake heading.txt", b"Pilots board at the buoy.")
    blocks, unread = attachment_blocks([named, Attachment("b\n# x.jpg", b"\xff")])
    assert blocks == ["## Attachment: a # Fake heading.txt", "Pilots board at the buoy."]
    assert unread == ["b # x.jpg (not a kind of document read)"]


def test_a_mail_forwarded_as_an_attachment_is_read_under_its_subject():
    forwarded = EmailMessage()
    forwarded["From"] = "Port Authority <port@harbour.example>"
    forwarded["Subject"] = "New night fees"
    forwarded.set_content("From 1 March a ferry docking after dusk pays ten coins.")
    forwarded.add_attachment(b"old", maintype="text", subtype="plain", filename="older.txt")
    message = EmailMessage()
    message["Subject"] = "FW: New night fees"
    message.set_content("See below.")
    message.add_attachment(forwarded)
    text = eml_to_text(message.as_bytes()).text
    assert text.endswith(
        "## Attachment: New night fees\n\n### New night fees\n\n"
        "From: Port Authority <port@harbour.example>\n\n"
        "From 1 March a ferry docking after dusk pays ten coins.\n"
    )  # its own attachment is not read: no nesting


def test_a_picture_the_body_shows_is_no_attachment_to_name():
    message = EmailMessage()  # an HTML mail and the logo it shows, as Apple Mail sends them
    message["Subject"] = "Fees"
    message.set_content('<p>Pay early.</p><img src="cid:logo@harbour">', subtype="html")
    message.add_related(b"\x89PNG", maintype="image", subtype="png", cid="<logo@harbour>")
    assert eml_to_text(message.as_bytes()).text == "# Fees\n\nPay early.\n"
    message.add_attachment(b"\xff\xd8", maintype="image", subtype="jpeg", filename="berth.jpg")
    lines = eml_to_text(message.as_bytes()).text.splitlines()
    unread = [line for line in lines if line.startswith("Attachments not read")]
    assert unread == ["Attachments not read: berth.jpg (not a kind of document read)"]


def test_a_plain_body_line_that_looks_like_a_heading_stays_body_text():
    text = eml_to_text(_eml(plain="# not a heading\nbody")).text
    assert "\\# not a heading" in text


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"just some words\nand more\n", "no e-mail headers"),
        (b"From: a@b.example\nSubject: empty\n\n", "no body text"),
    ],
)
def test_files_that_are_no_email_or_hold_no_body_say_so(data, says):
    with pytest.raises(UnreadableFileError, match=says):
        eml_to_text(data)


# ---------------------------------------------------------------------------- Outlook .msg

msg_text = pytest.importorskip(
    "qa.ingest.msg_text", reason="the formats extra is needed: pip install -e '.[formats]'"
)
pytest.importorskip("olefile", reason="the formats extra is needed: pip install -e '.[formats]'")


def _msg(name: str) -> str:
    return msg_text.msg_to_text((DATA / name).read_bytes()).text


def test_an_outlook_mail_attached_whole_is_read_under_its_subject():
    text = _msg("58214_with_attachment.msg")  # POI: the mail 58214_extracted_attachment.msg
    assert "\n## Attachment: Untitled Attachment\n\n### Test mail attachment\n\n" in text
    assert "From: Bertrand Beyssac <bertrand.beyssac@c6.eu>\nTo: Bertrand Beyssac\n" in text
    assert "Lorem ipsum dolor sit amet" in text and "Attachments not read" not in text


def test_an_outlook_mails_hidden_pictures_go_unnamed():
    # the message keeps the four pictures its HTML body shows as hidden attachments
    assert "Attachments not read" not in _msg("attachment_msg_inlineImg.msg")


def test_an_outlook_message_reads_as_an_eml_does():
    assert _msg("simple_test_msg.msg") == (
        "# test message\n\n"
        "From: Travis Ferguson <travis@overwrittenstack.com>\n"
        "To: travis@overwrittenstack.com\nDate: 2007-07-06 05:27\n\n"
        "This is a test message.\n"
    )
    attached = _msg("attachment_test_msg.msg")  # UTF-16 text, two attachments
    assert attached.startswith("# test pièce jointe 1\n")
    assert attached.endswith(  # a Word 97-2003 file and a text file attached, both read
        "## Attachment: pj1.txt\n\nécole (00E9)\neuro : € (20AC)\nchinois : 줥 (C925)\n"
        "copyright : © (00A9)\n"
    )
    assert "\n## Attachment: test-unicode.doc\n\nécole (00E9)\n" in attached


def test_8_bit_text_is_read_in_the_code_page_the_message_or_its_locale_gives():
    assert _msg("chinese-traditional.msg").startswith(
        "# Alfresco MSG format testing ( MSG 格式測試 )\n\nFrom: Tests Chang@FT (張毓倫)"
    )
    assert _msg("ASCII_CP1251_LCID1049.msg") == (  # its HTML body read before the plain one
        "# Subject автоматически Subject\n\nHTML автоматически\n"
    )
    # a German locale's subject in Windows-1252, an HTML body kept as bytes in Windows-1251
    assert _msg("HTMLBodyBinary_CP1251.msg") == "# Subject öäü Subject\n\nHTML автоматически\n"


def test_a_locale_names_the_code_page_outlook_and_word_6_wrote_in():
    from qa.ingest.code_pages import language_code_page

    regions = {0x0404: "cp950", 0x0C04: "cp950", 0x0804: "gbk", 0x1004: "gbk"}  # TW HK CN SG
    languages = {0x0419: "cp1251", 0x042F: "cp1251", 0x041C: "cp1250", 0x0415: "cp1250"}
    for lcid, codec in {**regions, **languages, 0x0407: "cp1252", 0x0409: "cp1252"}.items():
        assert language_code_page(lcid) == codec, hex(lcid)


def test_an_exchange_address_is_no_mail_address_to_show():
    assert "From: Kevin Roast\n" in _msg("quick.msg")


def test_a_compressed_rtf_body_is_decompressed_and_read_as_rtf():
    # [MS-OXRTFCP]'s own example, then the RTF body Outlook kept beside quick.msg's plain one
    example = bytes.fromhex(
        "2d0000002b0000004c5a4675f1c5c7a703000a00726370673132354232"
        "0af32068656c090020627705b06c647d0a800fa0"
    )
    assert (
        msg_text.rtf_decompressed(example) == b"{\\rtf1\\ansi\\ansicpg1252\\pard hello world}\r\n"
    )
    olefile = pytest.importorskip("olefile")
    with olefile.OleFileIO(str(DATA / "quick.msg")) as ole:
        rtf = ole.openstream("__substg1.0_10090102").read()
    from qa.ingest.email_text import rtf_body

    assert (
        rtf_body(msg_text.rtf_decompressed(rtf)) == "The quick brown fox jumps over the lazy dog\n"
    )
    with pytest.raises(UnreadableFileError, match="no known compression"):
        msg_text.rtf_decompressed(b"\x10\x00\x00\x00\x10\x00\x00\x00ABCD\x00\x00\x00\x00")


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"From: a@b.example\n\nan .eml named .msg", "not an Outlook .msg file"),
        ((DATA / "blank.msg").read_bytes(), "no body text"),
        ((DATA / "simple_test_msg.msg").read_bytes()[:600], "OLE structure is damaged"),
    ],
)
def test_files_that_are_no_outlook_message_or_hold_no_body_say_so(data, says):
    with pytest.raises(UnreadableFileError, match=says):
        msg_text.msg_to_text(data)


def test_a_folder_of_saved_mails_is_indexed_each_titled_by_its_subject(tmp_path):
    (tmp_path / "fees.eml").write_bytes(_eml())
    (tmp_path / "test.msg").write_bytes((DATA / "simple_test_msg.msg").read_bytes())
    (tmp_path / "empty.msg").write_bytes((DATA / "blank.msg").read_bytes())
    corpus = read_corpus(tmp_path)
    assert [s.source for s in corpus.skipped] == ["empty.msg"]
    titles = {d.source: document_title(d) for d in corpus.documents}
    assert titles == {"fees.eml": "Berth fees for 2021", "test.msg": "test message"}
    passages = chunk_corpus(corpus.documents)
    document = {d.source: d for d in corpus.documents}
    for passage in passages:
        assert document[passage.source].text[passage.start : passage.end] == passage.text
    let = next(p for p in passages if "let by the week" in p.text)
    assert let.section.startswith("Berth fees for 2021")
