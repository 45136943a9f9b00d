"""Excel binary workbooks (.xlsb: Excel 2007 and later's "Binary Workbook", chosen for large
tables because it opens fast) -> text in the chunker's shape, as qa.ingest.xlsx_text gives the
XML format's: every visible sheet opens with its name as a heading (``##``) and is a page, and
its rows are written by qa.ingest.sheet_rows (headings beside each value). A cell reads as its
value: whole numbers without ".0", dates as dates; the number formats (a percentage shown as
12.5%) are not read, so 0.125 stays 0.125. Formulas are read as the values last saved, macros
never run; hidden sheets, charts, comments and text boxes are not read.

Read with python-calamine (Rust's calamine; the ``formats`` extra): a workbook it fails on,
also with a panic of its own, is skipped, saying so; an encrypted workbook (an OLE file holding
the encrypted package) is named as protected by a password.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator

from qa.ingest.converted import Converted, UnreadableFileError, require
from qa.ingest.sheet_rows import moment_text, number_text, sheets_text

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an encrypted Office file is an OLE compound file


def xlsb_to_text(data: bytes) -> Converted:
    """The text of an .xlsb file given as bytes; raises UnreadableFileError naming what is wrong.

    Example: xlsb_to_text(<a workbook: sheet "Fees", rows ["Vessel", "Fee"], ["Boat", 10]>).text
    -> '## Fees\\n\\nVessel | Fee\\n\\nVessel: Boat | Fee: 10\\n'
    """
    calamine = require("python_calamine", "python-calamine")
    if data.startswith(_OLE):
        raise UnreadableFileError(
            "it is protected by a password (or is an Excel 97-2003 workbook named .xlsb); save a "
            "copy without the password, as .xlsb or .xlsx, and index that"
        )
    try:
        book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        visible = [
            m.name
            for m in book.sheets_metadata
            if m.visible == calamine.SheetVisibleEnum.Visible
            and m.typ == calamine.SheetTypeEnum.WorkSheet
        ]
        sheets = [
            (name, book.get_sheet_by_name(name).to_python(skip_empty_area=False))
            for name in visible
        ]
    except UnreadableFileError:
        raise
    except BaseException as e:  # noqa: BLE001 - calamine's errors, and a panic of its Rust code
        if isinstance(e, KeyboardInterrupt | SystemExit | MemoryError):
            raise
        why = " ".join(str(e).split())[:200]
        raise UnreadableFileError(
            f"not a readable Excel binary workbook ({type(e).__name__}: {why}); open it in Excel "
            "or LibreOffice and save it again (as .xlsx, or .xlsb)"
        ) from None
    return sheets_text((name, _rows(rows)) for name, rows in sheets)


def _rows(rows: list[list]) -> Iterator[list[str]]:
    for row in rows:
        yield [_cell_text(value) for value in row]


def _cell_text(value) -> str:
    """A cell's value as text (see the module docstring); "" for an empty one."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):  # before numbers: True is an int too
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return number_text(float(value), "")
    if isinstance(value, dt.datetime):
        return moment_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M") if not value.second else value.strftime("%H:%M:%S")
    return "" if value is None else str(value)  # a duration: "1 day, 2:00:00"
