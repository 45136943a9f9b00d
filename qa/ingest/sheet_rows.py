"""A spreadsheet's rows (qa.ingest.xlsx_text, csv_text) -> blocks of text in the chunker's shape.

A table's cells mean little apart from its column headings: "14" answers nothing, "2020 target:
14" answers "what is the 2020 target?". So a row under a heading row is written with its
headings, one block a row: "Indicator: Patents per 10,000 people | 2015: 6 | 2020: 14". A
table's heading row is its first row with two or more cells, none of them a value (a number, an
amount, a percentage or a date; a year such as 2015 may head a column). A blank row ends a
table. Outside a table a one-cell row is a paragraph of its own (a table's title, a note), and
a row of values without headings is its cells joined by " | ".
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence

from qa.ingest.converted import Converted, UnreadableFileError, join_blocks, literal, table_row
from qa.ingest.titles import MAX_TITLE_CHARS

MAX_TEXT_CHARS = 5_000_000  # as qa.ingest.corpus allows one document; read no further than that
# a value cell, not a heading: 14, -3.5, 1,200, $4.2, 12.5%, (300), 2020-12-31 ...
_VALUE = re.compile(r"[-+(]?[$€£¥]?\d[\d,]*(\.\d+)?%?\)?|[-+(]?[$€£¥]?\.\d+%?\)?|\d{4}-\d\d-\d\d.*")
_YEAR = re.compile(r"(1[89]|2[01])\d\d")


def is_value(cell: str) -> bool:
    """Whether a cell holds a value rather than words; a year alone can head a column.

    Example: [is_value(c) for c in ("12.5%", "2020", "2020-12-31", "Target")] ->
    [True, False, True, False]
    """
    return bool(_VALUE.fullmatch(cell)) and not _YEAR.fullmatch(cell)


def sheets_text(
    sheets: Iterable[tuple[str, Iterable[Sequence[str]]]], title: str = ""
) -> Converted:
    """A workbook's visible sheets, each a (name, rows) pair, as one text: the title (``#``),
    then each sheet opening with its name (``##``) at a page start, its rows as row_blocks
    writes them. Raises UnreadableFileError when there is no sheet or no cell holds text.

    Example: sheets_text([("Fees", [["Vessel", "Fee"], ["Boat", "10"]])]).text ->
    '## Fees\\n\\nVessel | Fee\\n\\nVessel: Boat | Fee: 10\\n'
    """
    text, pages, filled = "", [], False
    for name, rows in sheets:
        blocks = row_blocks(rows, MAX_TEXT_CHARS - len(text))
        filled = filled or bool(blocks)
        titled = title and not pages and len(title) <= MAX_TITLE_CHARS
        heading = [f"# {literal(title)}"] if titled else []
        text += "\n" if text else ""
        pages.append(len(text))
        text += join_blocks([*heading, f"## {literal(' '.join(name.split()))}", *blocks])
    if not pages:
        raise UnreadableFileError("it has no visible sheet; unhide one and save it again")
    if not filled:
        raise UnreadableFileError("its visible sheets hold no text (empty, or charts only)")
    return Converted(text, tuple(pages))


def row_blocks(rows: Iterable[Sequence[str]], budget: int = MAX_TEXT_CHARS) -> list[str]:
    """The blocks of a sheet's rows (each row's cells as text, "" for an empty cell); raises
    UnreadableFileError once they pass ``budget`` characters, before a huge sheet is all read.

    Example: row_blocks([["Targets"], ["Item", "2020"], ["Patents", "14"], [], ["Note: est."]])
    -> ['Targets', 'Item | 2020', 'Item: Patents | 2020: 14', 'Note: est.']
    """
    blocks: list[str] = []
    headings: list[str] | None = None
    used = 0
    for row in rows:
        cells = [" ".join(cell.split()) for cell in row]
        while cells and not cells[-1]:
            cells.pop()
        filled = [cell for cell in cells if cell]
        if not filled:
            headings = None  # a blank row ends the table
            continue
        if headings is not None:
            block = table_row(_labelled(cells, headings))
        elif len(filled) == 1:
            block = literal(filled[0])
        else:
            block = table_row(filled)
            if not any(map(is_value, filled)):
                headings = cells
        blocks.append(block)
        used += len(block) + 2
        if used > budget:
            raise UnreadableFileError(
                f"its sheets hold more than {budget:,} characters of text, the limit for one "
                "document; split the workbook"
            )
    return blocks


def number_text(value: float, number_format: str) -> str:
    """A number as a sheet shows it, near enough: whole numbers without ".0", 15 significant
    digits (0.1 + 0.2 is 0.3), a percentage format's value times 100 with "%".

    Example: [number_text(v, f) for v, f in ((52.0, "General"), (0.125, "0.0%"))] -> ['52', '12.5%']
    """
    if "%" in number_format:
        return f"{value * 100:.10g}%"
    return f"{value:.15g}"


def moment_text(moment: dt.datetime) -> str:
    """A date and time as a sheet shows it: the date alone at midnight.

    Example: moment_text(dt.datetime(2020, 12, 31)) -> '2020-12-31'
    """
    return moment.date().isoformat() if moment.time() == dt.time() else f"{moment:%Y-%m-%d %H:%M}"


def _labelled(cells: list[str], headings: list[str]) -> list[str]:
    """Each filled cell with its column's heading ("2020: 14"), bare where the column has none
    or the cell repeats it."""
    out = []
    for column, cell in enumerate(cells):
        heading = headings[column] if column < len(headings) else ""
        if cell:
            out.append(f"{heading}: {cell}" if heading and heading != cell else cell)
    return out
