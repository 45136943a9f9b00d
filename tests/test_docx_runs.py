"""A Word document reads as Word shows it: a reviewer's tracked insertion is text and a tracked
deletion is not, blocks inside content controls are read, a table cell's nested table too."""

from __future__ import annotations

import io

import pytest

from qa.ingest.docx_runs import paragraph_text
from qa.ingest.formats import convert

docx = pytest.importorskip(
    "docx", reason="the formats extra is needed: pip install -e '.[formats]'"
)

NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def xml(text: str):
    """An element from WordprocessingML written without its namespace declaration."""
    from docx.oxml import parse_xml

    return parse_xml(text.replace(">", f" {NS}>", 1))


def converted(tmp_path, document) -> str:
    buffer = io.BytesIO()
    document.save(buffer)
    path = tmp_path / "rules.docx"
    path.write_bytes(buffer.getvalue())
    return convert(path, buffer.getvalue()).text


def test_tracked_insertions_are_text_and_deletions_are_not(tmp_path):
    document = docx.Document()
    document.add_heading("Harbour Rules", level=0)
    paragraph = document.add_paragraph("Boats ")
    paragraph._p.append(
        xml(
            '<w:ins w:id="1" w:author="Ann"><w:r><w:t xml:space="preserve">may </w:t></w:r></w:ins>'
        )
    )
    paragraph._p.append(
        xml('<w:del w:id="2" w:author="Ann"><w:r><w:delText>must </w:delText></w:r></w:del>')
    )
    paragraph._p.append(xml("<w:r><w:t>stay the night.</w:t></w:r>"))
    assert paragraph.text == "Boats stay the night."  # what python-docx reads
    assert "Boats may stay the night." in converted(tmp_path, document)


def test_blocks_inside_content_controls_are_read_in_order(tmp_path):
    document = docx.Document()
    document.add_paragraph("Before the control.")
    control = xml(
        "<w:sdt><w:sdtPr><w:alias w:val='Clause'/></w:sdtPr><w:sdtContent>"
        "<w:p><w:r><w:t>Fees are paid at the harbour office.</w:t></w:r></w:p>"
        "</w:sdtContent></w:sdt>"
    )
    document.element.body.insert(1, control)
    document.add_paragraph("After the control.")
    text = converted(tmp_path, document)
    assert (
        text.index("Before")
        < text.index("Fees are paid at the harbour office.")
        < text.index("After")
    )


def test_a_nested_table_in_a_cell_is_read(tmp_path):
    document = docx.Document()
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Berth A"
    inner = table.cell(0, 1).add_table(rows=1, cols=1)
    inner.cell(0, 0).text = "ten coins a night"
    assert "Berth A | ten coins a night" in converted(tmp_path, document)


def test_field_codes_and_tabs():
    p = xml(
        "<w:p><w:r><w:instrText> PAGEREF _Toc1 \\h </w:instrText></w:r>"
        "<w:r><w:t>Fees</w:t><w:tab/><w:t>12</w:t></w:r></w:p>"
    )
    assert paragraph_text(p) == "Fees 12"


def test_a_cell_merged_down_the_rows_heads_each_row_as_before(tmp_path):
    document = docx.Document()
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).merge(table.cell(1, 0)).text = "Berths"
    table.cell(0, 1).text = "A: ten coins"
    table.cell(1, 1).text = "B: five coins"
    text = converted(tmp_path, document)
    assert "Berths | A: ten coins\n\nBerths | B: five coins" in text


MC = 'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'


def box(text: str) -> str:
    return f"<w:txbxContent><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:txbxContent>"


def test_a_text_box_is_read_once_after_its_paragraph(tmp_path):
    """Word stores a text box as a shape (mc:Choice) and again for older readers (mc:Fallback)."""
    document = docx.Document()
    anchor = document.add_paragraph("Fees are set each year.")
    anchor._p.append(
        xml(
            f"<w:r><mc:AlternateContent {MC}>"
            f"<mc:Choice Requires='wps'><w:drawing>{box('Key figure: ten coins a night.')}"
            f"</w:drawing></mc:Choice>"
            f"<mc:Fallback><w:pict>{box('Key figure: ten coins a night.')}</w:pict></mc:Fallback>"
            "</mc:AlternateContent></w:r>"
        )
    )
    document.add_paragraph("Boats leave by noon.")
    text = converted(tmp_path, document)
    assert text.count("Key figure: ten coins a night.") == 1
    assert text.index("Fees are set") < text.index("Key figure") < text.index("Boats leave")
    assert "Fees are set each year.\n" in text  # the box is a block of its own


def test_a_custom_heading_style_ranks_by_its_outline_level(tmp_path):
    from docx.enum.style import WD_STYLE_TYPE

    document = docx.Document()
    document.add_heading("Harbour Rules", level=0)
    section = document.styles.add_style("Policy Section", WD_STYLE_TYPE.PARAGRAPH)
    section.base_style = document.styles["Heading 1"]  # its outline level 0 comes from there
    document.add_paragraph("Mooring", style="Policy Section")
    own = document.add_paragraph("Night berths")
    own._p.get_or_add_pPr().append(xml('<w:outlineLvl w:val="1"></w:outlineLvl>'))
    document.add_paragraph("Boats pay the harbour office.")
    text = converted(tmp_path, document)
    assert "## Mooring\n\n### Night berths\n\nBoats pay" in text


def test_a_table_of_contents_control_is_not_read_and_a_cover_page_is(tmp_path):
    def control(gallery: str, text: str):
        return xml(
            f"<w:sdt><w:sdtPr><w:docPartObj><w:docPartGallery w:val='{gallery}'/>"
            f"</w:docPartObj></w:sdtPr><w:sdtContent><w:p><w:r><w:t>{text}</w:t></w:r></w:p>"
            "</w:sdtContent></w:sdt>"
        )

    document = docx.Document()
    document.add_paragraph("Boats pay the harbour office.")
    document.element.body.insert(0, control("Table of Contents", "Mooring 3"))
    document.element.body.insert(0, control("Cover Pages", "Harbour Rules 2024"))
    text = converted(tmp_path, document)
    assert "Harbour Rules 2024" in text and "Mooring 3" not in text
