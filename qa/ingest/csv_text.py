"""CSV files (open data, exported tables) -> text in the chunker's shape: their rows as
qa.ingest.sheet_rows writes them, headings beside each value.

The bytes are decoded as a .txt file is (qa.ingest.formats.read_text: UTF-8, UTF-16 after its
byte-order mark, or Western Windows-1252, as Excel's "CSV" saves it); the delimiter is the one of
comma, semicolon (Excel in much of Europe), tab or "|" that splits the first lines most evenly.
A cell longer than the csv module's limit (131,072 characters: most often a stray quote that
runs on to the end of the file) is an error naming its line.
"""

from __future__ import annotations

import csv
import io

from qa.ingest.converted import Converted, UnreadableFileError, join_blocks
from qa.ingest.formats import text_of
from qa.ingest.sheet_rows import row_blocks

_DELIMITERS = ",;\t|"
_SAMPLE_LINES = 20


def csv_to_text(data: bytes) -> Converted:
    """The text of a .csv file given as bytes; raises UnreadableFileError naming what is wrong.

    Example: csv_to_text(b"Vessel,Fee\\nBoat,10\\n").text -> 'Vessel | Fee\\n\\nVessel: Boat | Fee: 10\\n'
    """
    text = text_of(data).lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter_of(text))
    try:
        blocks = row_blocks(reader)
    except csv.Error as e:
        raise UnreadableFileError(
            f"line {reader.line_num} is not valid CSV ({e}); check its quotes, or save the "
            "table again as CSV"
        ) from None
    return Converted(join_blocks(blocks))


def delimiter_of(text: str) -> str:
    """The delimiter that splits the first lines into the same number of fields (more than
    one) most often; a comma when none does.

    Example: delimiter_of("a;b;c\\n1,5;2;3\\n") -> ';'
    """
    lines = [line for line in text.splitlines()[:_SAMPLE_LINES] if line.strip()]

    def steadiness(delimiter: str) -> tuple[int, int]:
        counts = [line.count(delimiter) for line in lines]
        common = max(set(counts), key=counts.count) if counts else 0
        return (counts.count(common), common) if common else (0, 0)

    best = max(_DELIMITERS, key=steadiness)
    return best if steadiness(best)[0] else ","
