"""OpenDocument text (.odt): headings, lists, tables and notes read as Word's are; a damaged,
encrypted or non-text OpenDocument file is skipped, saying why."""

from __future__ import annotations

import io
import zipfile

import pytest

from qa.ingest.chunking import chunk_corpus
from qa.ingest.converted import UnreadableFileError
from qa.ingest.corpus import read_corpus
from qa.ingest.odt_text import odt_to_text
from tests.format_files import write_odt

pytest.importorskip("lxml", reason="the formats extra is needed: pip install -e '.[formats]'")

BODY = (
    '<text:sequence-decls><text:sequence-decl text:name="Table"/></text:sequence-decls>'
    '<text:p text:style-name="P1">Harbour rules</text:p>'
    "<text:table-of-content><text:index-body><text:p>Docking ... 2</text:p></text:index-body>"
    "</text:table-of-content>"
    '<text:h text:outline-level="1">Docking</text:h>'
    '<text:p>Boats <text:span>must</text:span> dock<text:s text:c="2"/>before sunset'
    '<text:note text:note-class="footnote"><text:note-citation>1</text:note-citation>'
    "<text:note-body><text:p>Sunset as the harbour office posts it.</text:p></text:note-body>"
    "</text:note>.<text:tab/>See <text:a>the map</text:a>.<text:line-break/>Fees apply."
    "</text:p>"
    "<text:tracked-changes><text:changed-region><text:deletion><text:p>Old rule removed."
    "</text:p></text:deletion></text:changed-region></text:tracked-changes>"
    '<text:h text:outline-level="2">Fees</text:h>'
    "<text:list><text:list-item><text:p>Ten coins a day.</text:p></text:list-item>"
    "<text:list-item><text:p># Five at night.</text:p></text:list-item></text:list>"
    "<table:table><table:table-row><table:table-cell><text:p>Boat</text:p></table:table-cell>"
    "<table:table-cell><text:p>Fee</text:p></table:table-cell></table:table-row>"
    "<table:table-row><table:table-cell><text:p>Ferry</text:p></table:table-cell>"
    "<table:table-cell><text:p>20 coins</text:p></table:table-cell></table:table-row>"
    "</table:table>"
    "<text:p>A chart<draw:frame><draw:image/><svg:desc>alt text of a chart</svg:desc>"
    "</draw:frame> follows.</text:p>"
    "<text:p>Key figures<draw:frame><draw:text-box><text:p>20 ferries a day.</text:p>"
    "<text:p>3 piers.</text:p></draw:text-box></draw:frame> are boxed.</text:p>"
)


def test_an_odt_reads_as_word_does(tmp_path):
    text = odt_to_text(write_odt("", tmp_path / "rules.odt", BODY).read_bytes()).text
    assert text == (
        "# Harbour rules\n\n## Docking\n\n"
        "Boats must dock before sunset. See the map.\nFees apply.\n\n"
        "### Fees\n\nTen coins a day.\n\n\\# Five at night.\n\n"
        "Boat | Fee\n\nFerry | 20 coins\n\nA chart follows.\n\n"
        "Key figures are boxed.\n\n20 ferries a day.\n\n3 piers.\n\n"
        "## Notes\n\nSunset as the harbour office posts it.\n"
    )
    for left_out in ("Docking ... 2", "Old rule removed", "alt text"):
        assert left_out not in text


def test_an_odt_in_the_corpus_has_heading_paths_and_exact_offsets(tmp_path):
    write_odt("", tmp_path / "rules.odt", BODY)
    corpus = read_corpus(tmp_path)
    (document,) = corpus.documents
    passages = chunk_corpus(corpus.documents)
    for p in passages:
        assert document.text[p.start : p.end] == p.text
    fees = next(p for p in passages if "Ten coins" in p.text)
    assert fees.section == "Harbour rules > Docking > Fees"


def test_entities_in_content_xml_are_not_expanded(tmp_path):
    path = write_odt("", tmp_path / "bomb.odt", "<text:p>Rules &lol; apply.</text:p>")
    with zipfile.ZipFile(path) as package:
        content = package.read("content.xml").decode()
    doctype = '<!DOCTYPE x [<!ENTITY lol "' + "lol" * 1000 + '">]>'
    content = content.replace("?>", "?>" + doctype, 1)
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as package:
        package.writestr("content.xml", content)
    assert "lollol" not in odt_to_text(data.getvalue()).text


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("damaged", "not a readable OpenDocument .odt file"),
        ("encrypted", "protected by a password"),
        ("spreadsheet", "not a text document"),
        ("broken xml", "not well-formed XML"),
        ("damaged inside", "not a readable OpenDocument .odt file"),
    ],
)
def test_an_unreadable_odt_is_skipped_saying_why(tmp_path, name, says):
    path = tmp_path / "minutes.odt"
    if name == "damaged":
        path.write_bytes(b"PK\x03\x04 not really a zip")
    elif name == "encrypted":
        write_odt("Secret minutes.", path, manifest="<m><encryption-data/></m>")
    elif name == "spreadsheet":
        write_odt("", path, "")
        with zipfile.ZipFile(path) as package:
            content = package.read("content.xml").replace(b"office:text>", b"office:spreadsheet>")
        with zipfile.ZipFile(path, "w") as package:
            package.writestr("content.xml", content)
    elif name == "damaged inside":  # a zip whose content.xml's compressed bytes are corrupt
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
            package.writestr("content.xml", "<office:document-content>" + "x" * 5000)
        data = bytearray(path.read_bytes())
        data[60:80] = b"\xff" * 20
        path.write_bytes(bytes(data))
    else:
        with zipfile.ZipFile(path, "w") as package:
            package.writestr("content.xml", "<office:document-content><unclosed>")
    with pytest.raises(UnreadableFileError, match=says):
        odt_to_text(path.read_bytes())
    (tmp_path / "notes.txt").write_text("Boats dock before sunset.", "utf-8")
    read = read_corpus(tmp_path)
    assert [d.source for d in read.documents] == ["notes.txt"]
    assert [s.source for s in read.skipped] == ["minutes.odt"] and says in read.skipped[0].reason


def test_an_odt_upload_is_read_as_the_folder_reads_it(tmp_path):
    from qa.web.corpus_update import check_upload_data, upload_limit
    from qa.web.limits import MAX_BINARY_UPLOAD_BYTES

    data = write_odt("", tmp_path / "rules.odt", BODY).read_bytes()
    assert check_upload_data("rules.odt", data) == odt_to_text(data).text
    assert upload_limit("rules.odt") == MAX_BINARY_UPLOAD_BYTES
