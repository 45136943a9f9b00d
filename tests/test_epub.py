"""E-books as documents (.epub 2 and 3), on books built here as EPUB writers lay them out."""

from __future__ import annotations

import io
import zipfile

import pytest

from qa.ingest.chunking import chunk_corpus
from qa.ingest.converted import UnreadableFileError
from qa.ingest.corpus import read_corpus
from qa.ingest.titles import document_title

pytest.importorskip("lxml", reason="the formats extra is needed: pip install -e '.[formats]'")

from qa.ingest.epub_text import epub_to_text  # noqa: E402

CONTAINER = (
    '<?xml version="1.0"?><container version="1.0" '
    'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
    '<rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
    "</rootfiles></container>"
)


def _page(title: str, body: str) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml">'
        f"<head><title>{title}</title></head><body>{body}</body></html>"
    )


CHAPTERS = {
    "text/cover.xhtml": _page("Cover", '<img src="cover.jpg" alt=""/>'),
    "nav.xhtml": _page("Contents", '<nav epub:type="toc"><ol><li>Fees</li></ol></nav><p>Fees</p>'),
    "text/ch2.xhtml": _page(
        "Berths",
        "<h1>Berths</h1><p>Berths are let by the week.</p>"
        "<table><tr><th>Vessel</th><th>Fee</th></tr><tr><td>Ferry</td><td>Five coins</td></tr>"
        "</table>",
    ),
    "text/ch1.xhtml": _page("Fees", "<h1>Fees</h1><h2>Night fees</h2><p>Pay before dusk.</p>"),
}


def _book(
    title: str = "Harbour rules",
    chapters: dict[str, str] | None = None,
    spine: tuple[str, ...] = ("cover", "nav", "ch1", "ch2"),
    encryption: str | None = None,
) -> bytes:
    chapters = CHAPTERS if chapters is None else chapters
    ids = {name.rsplit("/", 1)[-1].removesuffix(".xhtml"): name for name in chapters}
    items = "".join(
        f'<item id="{i}" href="{name.replace(" ", "%20")}" media-type="application/xhtml+xml"'
        + (' properties="nav"' if i == "nav" else "")
        + "/>"
        for i, name in ids.items()
    )
    package = (
        '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0">'
        '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
        + (f"<dc:title>{title}</dc:title>" if title else "")
        + f"</metadata><manifest>{items}"
        '<item id="css" href="style.css" media-type="text/css"/></manifest><spine>'
        + "".join(f'<itemref idref="{i}"/>' for i in spine)
        + "</spine></package>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as book:
        book.writestr("mimetype", "application/epub+zip")
        book.writestr("META-INF/container.xml", CONTAINER)
        if encryption:
            book.writestr("META-INF/encryption.xml", encryption)
        book.writestr("OEBPS/content.opf", package)
        book.writestr("OEBPS/style.css", "p { margin: 0 }")
        for name, page in chapters.items():
            book.writestr(f"OEBPS/{name}", page)
    return out.getvalue()


def test_a_book_reads_in_its_spine_order_under_its_title_without_cover_or_contents():
    assert epub_to_text(_book()).text == (
        "# Harbour rules\n\n## Fees\n\n### Night fees\n\nPay before dusk.\n\n"
        "## Berths\n\nBerths are let by the week.\n\nVessel | Fee\n\nFerry | Five coins\n"
    )


def test_a_first_page_saying_the_title_and_listing_the_chapters_adds_only_its_text():
    index = _page(
        "Harbour rules",
        "<h1>Harbour rules</h1><p>Rules of the harbour, 2021.</p>"
        '<div class="toctree-wrapper"><ul><li><a href="ch1.xhtml">Fees</a></li>'
        '<li><a href="ch1.xhtml#n">Night fees</a></li><li>Dock early</li></ul></div>',
    )
    chapters = {"text/index.xhtml": index, **CHAPTERS}
    text = epub_to_text(_book(chapters=chapters, spine=("index", "ch1"))).text
    assert text == (
        "# Harbour rules\n\nRules of the harbour, 2021.\n\n- Dock early\n\n"
        "## Fees\n\n### Night fees\n\nPay before dusk.\n"
    )


def test_an_untitled_book_keeps_its_chapters_headings():
    text = epub_to_text(_book(title="", spine=("ch1",))).text
    assert text == "# Fees\n\n## Night fees\n\nPay before dusk.\n"


def test_font_obfuscation_is_no_drm_but_encrypted_chapters_are():
    def encryption(algorithm: str) -> str:
        return (
            '<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" '
            'xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData>'
            f'<enc:EncryptionMethod Algorithm="{algorithm}"/></enc:EncryptedData></encryption>'
        )

    fonts = _book(encryption=encryption("http://www.idpf.org/2008/embedding"))
    assert "Pay before dusk." in epub_to_text(fonts).text
    with pytest.raises(UnreadableFileError, match="encrypted"):
        epub_to_text(_book(encryption=encryption("http://www.w3.org/2001/04/xmlenc#aes128-cbc")))


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"plain words", "not an EPUB"),
        (
            _book(chapters={"text/cover.xhtml": CHAPTERS["text/cover.xhtml"]}, spine=("cover",)),
            "no text",
        ),
        (_book(spine=()), "lists no XHTML document"),
    ],
)
def test_files_that_are_no_book_or_hold_no_text_say_so(data, says):
    with pytest.raises(UnreadableFileError, match=says):
        epub_to_text(data)


def test_a_zip_that_is_no_epub_and_a_damaged_package_say_so():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as other:
        other.writestr("report.txt", "text")
    with pytest.raises(UnreadableFileError, match="no META-INF/container.xml"):
        epub_to_text(out.getvalue())
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as damaged:
        damaged.writestr("META-INF/container.xml", CONTAINER)
        damaged.writestr("OEBPS/content.opf", "<package><unclosed>")
    with pytest.raises(UnreadableFileError, match="content.opf cannot be read"):
        epub_to_text(out.getvalue())


def test_a_damaged_zip_entry_says_the_book_is_damaged():
    data = bytearray(_book())
    at = data.index(b"Pay before dusk")  # stored uncompressed: its CRC no longer matches
    data[at : at + 3] = b"XXX"
    with pytest.raises(UnreadableFileError, match="its zip is damaged"):
        epub_to_text(bytes(data))


def test_an_entity_bomb_in_the_package_is_not_expanded():
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        '<package xmlns="http://www.idpf.org/2007/opf"><metadata '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>&b;</dc:title></metadata>'
        '<manifest><item id="ch1" href="text/ch1.xhtml" media-type="application/xhtml+xml"/>'
        '</manifest><spine><itemref idref="ch1"/></spine></package>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as book:
        book.writestr("META-INF/container.xml", CONTAINER)
        book.writestr("OEBPS/content.opf", bomb)
        book.writestr("OEBPS/text/ch1.xhtml", CHAPTERS["text/ch1.xhtml"])
    assert "aaaa" not in epub_to_text(out.getvalue()).text


def test_a_book_in_the_corpus_is_titled_and_its_passages_point_into_its_text(tmp_path):
    (tmp_path / "harbour.epub").write_bytes(_book())
    (tmp_path / "pictures.epub").write_bytes(
        _book(chapters={"text/cover.xhtml": CHAPTERS["text/cover.xhtml"]}, spine=("cover",))
    )
    corpus = read_corpus(tmp_path)
    assert [s.source for s in corpus.skipped] == ["pictures.epub"]
    (document,) = corpus.documents
    assert document_title(document) == "Harbour rules"
    passages = chunk_corpus([document])
    dusk = next(p for p in passages if "Pay before dusk." in p.text)
    assert dusk.section == "Harbour rules > Fees > Night fees"
    assert all(document.text[p.start : p.end] == p.text for p in passages)
