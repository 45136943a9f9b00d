"""Excel binary workbooks (.xlsb: Excel 2007 and later's "Binary Workbook", chosen for large
tables because it opens fast) -> text in the chunker's shape, as qa.ingest.xlsx_text gives the
XML format's: every visible sheet opens with its name as a heading (``##``) and is a page, and
its rows are written by qa.ingest.sheet_rows (headings beside each value). A cell reads as its
value: whole numbers without ".0", dates as dates; the number formats (a percentage shown as
12.5%) are not read, so 0.125 stays 0.125. Formulas are read as the values last saved, macros
never run; hidden sheets, charts, comments and text boxes are not read.

Read with python-calamine (Rust's calamine; the ``formats`` extra) in a process of its own
(``python -m qa.ingest.xlsb_text`` reads the workbook on stdin and writes its sheets' cell texts
as JSON): on a damaged workbook calamine can panic, or ask for a hundred gigabytes and abort
the whole process, which would end a library's build; here only that process ends, and the
file is skipped, saying so. An encrypted workbook (an OLE file holding the encrypted package)
is named as protected by a password.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys

from qa.ingest.converted import Converted, UnreadableFileError, require
from qa.ingest.sheet_rows import moment_text, number_text, sheets_text

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an encrypted Office file is an OLE compound file
TIMEOUT_SECONDS = 600.0  # as a corpus stops any converter (qa.ingest.convert_ahead)
MAX_READER_BYTES = 4 << 30  # the reading process's address space: a 5 MB text needs far less


def xlsb_to_text(data: bytes) -> Converted:
    """The text of an .xlsb file given as bytes; raises UnreadableFileError naming what is wrong.

    Example: xlsb_to_text(<a workbook: sheet "Fees", rows ["Vessel", "Fee"], ["Boat", 10]>).text
    -> '## Fees\\n\\nVessel | Fee\\n\\nVessel: Boat | Fee: 10\\n'
    """
    require("python_calamine", "python-calamine")
    if data.startswith(_OLE):
        raise UnreadableFileError(
            "it is protected by a password (or is an Excel 97-2003 workbook named .xlsb); save a "
            "copy without the password, as .xlsb or .xlsx, and index that"
        )
    sheets = _read_apart(data)
    return sheets_text((name, rows) for name, rows in sheets)


def _read_apart(data: bytes) -> list[tuple[str, list[list[str]]]]:
    """The visible sheets' cell texts, read by a process of its own (see the module docstring)."""
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),  # a checkout, as this process
        "RUST_BACKTRACE": "0",
    }
    try:
        done = subprocess.run(
            [sys.executable, "-m", "qa.ingest.xlsb_text"],
            input=data,
            capture_output=True,
            timeout=TIMEOUT_SECONDS,
            env=environment,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise UnreadableFileError(
            f"reading it took over {TIMEOUT_SECONDS:g} s, so it was stopped (a damaged "
            "workbook?); open it in Excel or LibreOffice and save it again"
        ) from None
    if done.returncode != 0:
        said = _what_it_said(done.stderr.decode("utf-8", "replace"))
        raise UnreadableFileError(
            f"its reader (python-calamine) stopped on it ({_how_it_ended(done.returncode)}"
            f"{': ' + said if said else ''}): the workbook is damaged or unusual; open it in "
            "Excel or LibreOffice and save it again (as .xlsx, or .xlsb)"
        )
    answer = json.loads(done.stdout)
    if "error" in answer:
        raise UnreadableFileError(
            f"not a readable Excel binary workbook ({answer['error']}); open it in Excel or "
            "LibreOffice and save it again (as .xlsx, or .xlsb)"
        )
    return [(name, rows) for name, rows in answer["sheets"]]


def _what_it_said(stderr: str) -> str:
    """The reading process's own word on why it stopped, without Rust's "thread ... panicked at
    <source file>" and "note: run with RUST_BACKTRACE" lines.

    Example: _what_it_said("memory allocation of 12 bytes failed\\nnote: run with ...") ->
    'memory allocation of 12 bytes failed'
    """
    lines = [line.strip() for line in stderr.splitlines()]
    said = [line for line in lines if line and not line.startswith(("note:", "thread '"))]
    return said[0][:200] if said else ""


def _how_it_ended(code: int) -> str:
    return f"it was ended by signal {-code}" if code < 0 else f"exit status {code}"


def _sheets(data: bytes) -> list[tuple[str, list[list[str]]]]:
    """The visible worksheets' names and cell texts (in the reading process)."""
    import python_calamine as calamine

    book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    visible = [
        m.name
        for m in book.sheets_metadata
        if m.visible == calamine.SheetVisibleEnum.Visible
        and m.typ == calamine.SheetTypeEnum.WorkSheet
    ]
    out = []
    for name in visible:
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        out.append((name, [[_cell_text(value) for value in row] for row in rows]))
    return out


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


def _main() -> None:
    """The reading process: the workbook's bytes on stdin, {"sheets": ...} or {"error": ...}
    on stdout."""
    data = sys.stdin.buffer.read()
    _limit_memory()
    try:
        answer: dict = {"sheets": _sheets(data)}
    except BaseException as e:  # noqa: BLE001 - calamine's errors, and a panic of its Rust code
        if isinstance(e, KeyboardInterrupt | SystemExit):
            raise
        answer = {"error": f"{type(e).__name__}: {' '.join(str(e).split())[:200]}"}
    sys.stdout.write(json.dumps(answer))


def _limit_memory() -> None:
    """Cap this process's address space (MAX_READER_BYTES), so a damaged workbook's huge
    allocation fails at once, whatever the system's overcommit setting, instead of filling
    the machine's memory."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MAX_READER_BYTES, MAX_READER_BYTES))
    except (ImportError, ValueError, OSError):  # not on this system: the allocation decides
        pass


if __name__ == "__main__":
    _main()
