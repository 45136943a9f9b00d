"""Old binary Excel workbooks (.xls: Excel 97-2003, still how many offices keep their tables) ->
text in the chunker's shape, as qa.ingest.xlsx_text gives the newer format's: every visible
sheet opens with its name as a heading (``##``) and is a page, and its rows are written by
qa.ingest.sheet_rows (headings beside each value). A cell reads as the sheet shows it, near
enough: whole numbers without ".0", percentages as percentages, dates as dates. Formulas are
read as the values last saved, macros never run; hidden sheets, charts and comments are not
read; the file's summary information (a title) is not read, so the title comes from the first
sheet's name, or the file's name when that is a placeholder (qa.ingest.titles).

Read with xlrd (2.x reads exactly this format), its log kept off stdout (``qa index --json``
writes there).
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from qa.ingest.converted import Converted, UnreadableFileError, require
from qa.ingest.sheet_rows import moment_text, number_text, sheets_text

_VISIBLE = 0  # xlrd's Sheet.visibility: 1 hidden, 2 "very hidden"


def xls_to_text(data: bytes) -> Converted:
    """The text of an .xls file given as bytes; raises UnreadableFileError naming what is wrong.

    Example: xls_to_text(<a workbook: sheet "Fees", rows ["Vessel", "Fee"], ["Boat", 10]>).text
    -> '## Fees\\n\\nVessel | Fee\\n\\nVessel: Boat | Fee: 10\\n'
    """
    xlrd = require("xlrd", "xlrd")
    try:
        book = xlrd.open_workbook(
            file_contents=data, logfile=io.StringIO(), formatting_info=True, ragged_rows=True
        )
    except Exception as e:  # noqa: BLE001 - xlrd raises many kinds for a file it cannot read
        why = " ".join(str(e).split())[:200]
        if "encrypted" in why.lower():
            raise UnreadableFileError(
                "it is protected by a password; save a copy without the password and index that"
            ) from None
        raise UnreadableFileError(
            f"not a readable Excel 97-2003 .xls workbook ({type(e).__name__}: {why}); open it "
            "in Excel or LibreOffice and save it again (as .xlsx, or .xls)"
        ) from None
    visible = (sheet for sheet in book.sheets() if sheet.visibility == _VISIBLE)
    return sheets_text((sheet.name, _rows(book, sheet)) for sheet in visible)


def _rows(book, sheet) -> Iterator[list[str]]:
    """The sheet's rows as cell texts, only as wide as each row's cells go."""
    for r in range(sheet.nrows):
        yield [_cell_text(book, sheet, r, c) for c in range(sheet.row_len(r))]


def _cell_text(book, sheet, row: int, column: int) -> str:
    """The cell as the sheet shows it (see the module docstring); "" for an empty one."""
    import xlrd

    cell = sheet.cell(row, column)
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return ""
    if cell.ctype == xlrd.XL_CELL_TEXT:
        return cell.value
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return "TRUE" if cell.value else "FALSE"
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#ERROR")
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            moment = xlrd.xldate_as_datetime(cell.value, book.datemode)
        except (ValueError, OverflowError, xlrd.XLDateError):
            return number_text(cell.value, "")
        return moment_text(moment)
    xf = book.xf_list[sheet.cell_xf_index(row, column)] if book.xf_list else None
    shown = book.format_map.get(xf.format_key) if xf is not None else None
    return number_text(cell.value, shown.format_str if shown is not None else "")
