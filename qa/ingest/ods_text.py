"""OpenDocument spreadsheets (.ods: LibreOffice Calc's own format, and the one the UK government
publishes its statistics in) -> text in the chunker's shape, as qa.ingest.xlsx_text gives
Excel's: the document's title (meta.xml) as ``#``, every visible sheet opens with its name as a
heading (``##``) and is a page, and its rows are written by qa.ingest.sheet_rows (headings
beside each value). A cell reads as the sheet displays it (its paragraphs; the stored value
when a program wrote none); comments are not read.

Repeats are how ODF stores blank space ("this empty row, 1,048,000 times"): an empty row counts
once, a filled one at most MAX_ROW_REPEATS times, and a row's cells are laid out to
MAX_COLUMNS columns (an empty run past that counts as one cell), so a small file cannot
unfold into billions of cells. content.xml is parsed with lxml, entities and network off,
after its size is checked (qa.ingest.odt_text.content_root).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

from qa.ingest.converted import Converted
from qa.ingest.odt_text import content_body, safe_parser
from qa.ingest.sheet_rows import sheets_text

_NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "dc": "http://purl.org/dc/elements/1.1/",
}
OFFICE, TABLE, TEXT = (f"{{{_NS[p]}}}" for p in ("office", "table", "text"))
_CELLS = (TABLE + "table-cell", TABLE + "covered-table-cell")
MAX_COLUMNS = 1024
MAX_ROW_REPEATS = 1000


def ods_to_text(data: bytes) -> Converted:
    """The text of an .ods file given as bytes; raises UnreadableFileError naming what is wrong.

    Example: ods_to_text(<a spreadsheet: sheet "Fees", rows ["Vessel", "Fee"], ["Boat", 10]>).text
    -> '## Fees\\n\\nVessel | Fee\\n\\nVessel: Boat | Fee: 10\\n'
    """
    root, body = content_body(data, ".ods")
    hidden = _hidden_table_styles(root)
    title = _title(data)
    visible = (
        t for t in body.iterfind("table:table", _NS) if t.get(TABLE + "style-name") not in hidden
    )
    named = ((t.get(TABLE + "name") or f"Sheet {n}", t) for n, t in enumerate(visible, 1))
    return sheets_text(((name, _rows(table)) for name, table in named), title)


def _rows(table) -> Iterator[list[str]]:
    """The sheet's rows as cell texts, repeats unfolded within the limits (module docstring)."""
    for row in table.iter(TABLE + "table-row"):
        cells: list[str] = []
        for cell in row:
            if cell.tag not in _CELLS:
                continue
            repeats = int(cell.get(TABLE + "number-columns-repeated") or 1)
            shown = _cell_text(cell)
            room = max(1, MAX_COLUMNS - len(cells))
            cells += [shown] * min(repeats, room)
        if not any(cells):
            yield []
            continue
        repeats = int(row.get(TABLE + "number-rows-repeated") or 1)
        for _ in range(min(repeats, MAX_ROW_REPEATS)):
            yield cells


def _cell_text(cell) -> str:
    """What the cell displays: its paragraphs (comments aside), else its stored value."""
    shown = " ".join("".join(p.itertext()) for p in cell.iterfind("text:p", _NS))
    if shown.strip():
        return shown
    kind = cell.get(OFFICE + "value-type")
    if kind == "percentage" and cell.get(OFFICE + "value"):
        return f"{float(cell.get(OFFICE + 'value')) * 100:.10g}%"
    for attribute in ("value", "date-value", "time-value", "boolean-value", "string-value"):
        if value := cell.get(OFFICE + attribute):
            return value
    return ""


def _hidden_table_styles(root) -> set[str]:
    """The names of the table styles that hide a sheet (``table:display="false"``)."""
    hidden = set()
    for style in root.iterfind("office:automatic-styles/style:style", _NS):
        properties = style.find("style:table-properties", _NS)
        if properties is not None and properties.get(TABLE + "display") == "false":
            hidden.add(style.get(f"{{{_NS['style']}}}name"))
    return hidden


def _title(data: bytes) -> str:
    """The document's title from meta.xml, or "" (none, or no readable meta.xml)."""
    from lxml import etree

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            info = package.getinfo("meta.xml")
            if info.file_size > 1_000_000:
                return ""
            meta = etree.fromstring(package.read(info), safe_parser())
    except (KeyError, zipfile.BadZipFile, etree.XMLSyntaxError, OSError, RuntimeError):
        return ""
    title = meta.find("office:meta/dc:title", _NS)
    return " ".join("".join(title.itertext()).split()) if title is not None else ""
