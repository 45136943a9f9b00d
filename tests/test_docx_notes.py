"""A Word document's footnotes and endnotes are read: python-docx leaves them out, and a
policy's notes often hold what a question asks."""

from __future__ import annotations

import io
import zipfile

import pytest

from qa.ingest.formats import convert

docx = pytest.importorskip(
    "docx", reason="the formats extra is needed: pip install -e '.[formats]'"
)

NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SEPARATOR = (
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
)


def note(tag: str, number: int, *runs: str) -> str:
    texts = "".join(f'<w:r><w:t xml:space="preserve">{r}</w:t></w:r>' for r in runs)
    return f'<w:{tag} w:id="{number}"><w:p><w:r><w:{tag}Ref/></w:r>{texts}</w:p></w:{tag}>'


def word_file(path, notes: dict[str, str]) -> bytes:
    """A .docx made by python-docx, with notes parts ({"footnotes": xml body, ...}) added as
    Word adds them: the part, its relationship from the document and its content type."""
    document = docx.Document()
    document.add_heading("Harbour Rules", level=0)
    document.add_heading("Mooring", level=1)
    document.add_paragraph("Boats that stay the night pay the harbour office.")
    buffer = io.BytesIO()
    document.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/_rels/document.xml.rels":
                rels = "".join(
                    f'<Relationship Id="rIdN{kind}" Type="{REL}/{kind}" Target="{kind}.xml"/>'
                    for kind in notes
                )
                data = data.replace(b"</Relationships>", rels.encode() + b"</Relationships>")
            elif item.filename == "[Content_Types].xml":
                types = "".join(
                    f'<Override PartName="/word/{kind}.xml" ContentType="application/'
                    f'vnd.openxmlformats-officedocument.wordprocessingml.{kind}+xml"/>'
                    for kind in notes
                )
                data = data.replace(b"</Types>", types.encode() + b"</Types>")
            target.writestr(item, data)
        for kind, body in notes.items():
            target.writestr(f"word/{kind}.xml", f"<w:{kind} {NS}>{body}</w:{kind}>")
    path.write_bytes(out.getvalue())
    return out.getvalue()


def test_footnotes_and_endnotes_follow_the_body(tmp_path):
    path = tmp_path / "rules.docx"
    data = word_file(
        path,
        {
            "footnotes": SEPARATOR
            + note("footnote", 1, " Under the Harbours Act ", "19", "84, section 3.")
            + note("footnote", 2, "Fees are set each ", "April."),
            "endnotes": note("endnote", 1, "Revised in 2024."),
        },
    )
    text = convert(path, data).text
    assert "Boats that stay the night pay the harbour office." in text
    body, notes = text.split("## Notes")
    assert "Footnote" not in body
    assert notes.split("\n\n")[1:] == [
        "Footnote 1: Under the Harbours Act 1984, section 3.",
        "Footnote 2: Fees are set each April.",
        "Endnote 1: Revised in 2024.\n",
    ]


def test_a_document_without_notes_has_no_notes_section(tmp_path):
    path = tmp_path / "rules.docx"
    text = convert(path, word_file(path, {})).text
    assert "Notes" not in text and "harbour office" in text


def test_a_damaged_notes_part_leaves_the_body(tmp_path):
    path = tmp_path / "rules.docx"
    data = word_file(path, {"footnotes": "<w:footnote w:id='1'><w:p>"})
    text = convert(path, data).text
    assert "harbour office" in text and "Notes" not in text
