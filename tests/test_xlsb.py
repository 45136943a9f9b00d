"""Excel binary workbooks (.xlsb) read with python-calamine, on Apache POI's test files
(tests/data/xlsb/README.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.ingest.converted import UnreadableFileError
from qa.ingest.corpus import read_corpus
from qa.ingest.formats import convert, page_place

pytest.importorskip("python_calamine", reason="the formats extra is needed")

XLSB = Path(__file__).parent / "data" / "xlsb"


def _text(name: str) -> str:
    return convert(Path(name), (XLSB / name).read_bytes()).text


def test_each_visible_sheet_is_a_heading_and_its_rows_blocks():
    text = _text("sample.xlsb")
    assert text.startswith("## Sheet1\n\nLorem | 111\n\nipsum | 222\n\n")
    assert "\n## rich test\n\nThe quick brown fox jumps over the lazy dog\n\n" in text
    assert "## Sheet3" in text  # an empty sheet keeps its heading, as in .xlsx


def test_a_heading_row_labels_the_values_below_it_in_any_script():
    text = _text("51519.xlsb")
    row = "RecordSpec: 1 | Name: 豊田 | CompanyName: 豊田車会社 | Comment: 豊田製品戦略事業統括本部"
    assert row in text


def test_a_date_reads_as_a_date():
    assert "2013-01-12" in _text("date.xlsb")


def test_sheets_are_pages_a_citation_names():
    converted = convert(Path("sample.xlsb"), (XLSB / "sample.xlsb").read_bytes())
    assert len(converted.pages) == 3 and converted.pages[0] == 0
    assert page_place("budget.xlsb", 2) == "sheet 2"


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("protected_passtika.xlsb", "protected by a password"),
        # calamine 0.9 panics on this workbook: a skip that says so, not a crash
        ("Simple.xlsb", "not a readable Excel binary workbook"),
    ],
)
def test_workbooks_that_cannot_be_read_say_why(name, says):
    with pytest.raises(UnreadableFileError, match=says):
        _text(name)


def test_a_folder_with_a_binary_workbook_indexes_it_and_skips_the_unreadable(tmp_path):
    for name in ("sample.xlsb", "Simple.xlsb", "damaged-huge-sheet.xlsb"):
        (tmp_path / name).write_bytes((XLSB / name).read_bytes())
    corpus = read_corpus(tmp_path)
    assert [d.source for d in corpus.documents] == ["sample.xlsb"]
    assert [s.source for s in corpus.skipped] == ["Simple.xlsb", "damaged-huge-sheet.xlsb"]


def test_a_workbook_that_makes_its_reader_abort_ends_only_that_reading_process():
    # calamine asks for over 100 GB on this damaged copy and aborts: run here, this process
    # (a library's whole build) would end with it
    with pytest.raises(UnreadableFileError) as caught:
        _text("damaged-huge-sheet.xlsb")
    said = str(caught.value)
    assert "stopped on it (it was ended by signal 6: memory allocation of" in said
    assert "RUST_BACKTRACE" not in said
