"""Excel workbooks (.xlsx, and .xlsm, whose macros are never run) -> text in the chunker's shape:
the workbook's title (its document properties) is the document's title (``#``), every visible
sheet opens with its name as a heading (``##``), then its rows as qa.ingest.sheet_rows writes
them (headings beside each value). Each sheet's first character is recorded as a page start, so
a passage carries its sheet's number among the visible sheets as its ``page``.

A cell shows the value the spreadsheet last saved: formulas are never evaluated (a formula
whose value was never saved, as in a file some programs write, reads as empty). Hidden sheets,
charts, pictures and comments are not read. Read with openpyxl (already a dependency for eval
files), which parses with defusedxml: no entities, no DTDs.
"""

from __future__ import annotations

import datetime as dt
import io
import warnings
import zipfile
import zlib
from collections.abc import Iterator

from qa.ingest.converted import MAX_UNPACKED_BYTES, Converted, UnreadableFileError, require
from qa.ingest.ooxml_strict import transitional
from qa.ingest.sheet_rows import moment_text, number_text, sheets_text

_OLE = b"\xd0\xcf\x11\xe0"  # the signature of Office's older container
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")  # the stream an encrypted one holds
# openpyxl warns of the styles, rules and extensions it drops while reading ("Workbook contains
# no default style"): nothing the text needs, and `qa index` would print each. One filter on
# openpyxl's own warnings, set once: catch_warnings around each file would change every
# thread's filters while it reads (the app converts uploads beside its other work).
warnings.filterwarnings("ignore", category=UserWarning, module=r"openpyxl(\.|$)")


def xlsx_to_text(data: bytes) -> Converted:
    """The text of an .xlsx file given as bytes; raises UnreadableFileError naming what is wrong.

    Example: xlsx_to_text(<a workbook: sheet "Fees", rows ["Vessel", "Fee"], ["Boat", 10]>).text
    -> '## Fees\\n\\nVessel | Fee\\n\\nVessel: Boat | Fee: 10\\n'
    """
    openpyxl = require("openpyxl", "openpyxl")
    _check_package(data)
    try:
        book = openpyxl.load_workbook(
            io.BytesIO(transitional(data)), read_only=True, data_only=True
        )
    except Exception as e:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
        raise UnreadableFileError(
            f"not a readable Excel .xlsx workbook ({type(e).__name__}: {_one_line(e)}); open "
            "it in Excel or LibreOffice and save it again as .xlsx"
        ) from None
    try:
        return _workbook_text(book)
    finally:
        book.close()


def _workbook_text(book) -> Converted:
    if not book.worksheets:
        raise UnreadableFileError(
            "no worksheet could be read in it (a workbook of charts only?); save it again as an "
            "Excel Workbook (.xlsx)"
        )
    title = " ".join((book.properties.title or "").split())
    visible = (sheet for sheet in book.worksheets if sheet.sheet_state == "visible")
    return sheets_text(((sheet.title, _rows(sheet)) for sheet in visible), title)


def _rows(sheet) -> Iterator[list[str]]:
    """The sheet's rows as cell texts, only as wide as each row's cells go."""
    sheet.reset_dimensions()  # no padding to a stray far cell's column or row
    for row in sheet.iter_rows():
        yield [_cell_text(cell) for cell in row]


def _one_line(error: Exception) -> str:
    """An error's message on one line, cut short (openpyxl's run over several lines)."""
    return " ".join(str(error).split())[:200]


def _cell_text(cell) -> str:
    """A cell's value as the sheet shows it, near enough: whole numbers without ".0",
    percentages as percentages, dates without a midnight time.

    Example: a cell holding 0.125 formatted "0.0%" -> '12.5%'
    """
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return number_text(value, cell.number_format or "")
    if isinstance(value, dt.datetime):
        return moment_text(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _check_package(data: bytes) -> None:
    """Refuse a file that is no zip, is encrypted (Office encrypts into an OLE file, no zip),
    or unpacks to more than MAX_UNPACKED_BYTES."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            size = sum(info.file_size for info in package.infolist())
    except (zipfile.BadZipFile, EOFError, zlib.error, ValueError, NotImplementedError) as e:
        if data.startswith(_OLE):  # Office's older container: encrypted, or an .xls renamed
            raise UnreadableFileError(
                "it is protected by a password; save a copy without the password and index that"
                if _ENCRYPTED_PACKAGE in data
                else "it is an Excel 97-2003 workbook named .xlsx; rename it .xls"
            ) from None
        raise UnreadableFileError(
            f"not a readable Excel .xlsx workbook ({type(e).__name__}: {e}); open it in "
            "Excel or LibreOffice and save it again as .xlsx"
        ) from None
    if size > MAX_UNPACKED_BYTES:
        raise UnreadableFileError(
            f"it unpacks to {size:,} bytes, over the {MAX_UNPACKED_BYTES:,}-byte limit; split "
            "the workbook"
        )
