"""Spreadsheets as documents (.xlsx / .xlsm workbooks and .csv tables): rows with their column
headings, sheets as headings and pages, and damaged or hostile files skipped with a reason."""

from __future__ import annotations

import datetime as dt
import io
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from qa.ingest.chunking import chunk_corpus
from qa.ingest.converted import UnreadableFileError
from qa.ingest.corpus import load_corpus, read_corpus
from qa.ingest.csv_text import csv_to_text, delimiter_of
from qa.ingest.formats import convert
from qa.ingest.sheet_rows import is_value, row_blocks
from qa.ingest.xlsx_text import xlsx_to_text


def workbook(path: Path | None = None) -> bytes:
    """A workbook as an office keeps one: a titled indicator sheet (a table title, a heading
    row with years, values, a percentage, a date, a note after a blank row), a hidden lookup
    sheet, and a second visible sheet."""
    book = openpyxl.Workbook()
    book.properties.title = "Harbour indicators 2020"
    sheet = book.active
    sheet.title = "Targets"
    sheet.append(["Table 1. Main targets"])
    sheet.append(["Indicator", 2015, 2020])
    sheet.append(["Berths in use", 40, 52.0])
    sheet.append(["Share of electric ferries", 0.125, 0.4])
    for row in (4,):
        for column in ("B", "C"):
            sheet[f"{column}{row}"].number_format = "0.0%"
    sheet.append(["Review date", dt.datetime(2020, 12, 31), None])
    sheet.append([])
    sheet.append(["# Source: harbour office estimates."])
    lookup = book.create_sheet("Lookup")
    lookup.append(["code", "meaning"])
    lookup.sheet_state = "hidden"
    fees = book.create_sheet("Fees")
    fees.append(["Vessel", "Fee per day"])
    fees.append(["Boat", "ten coins"])
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()
    if path is not None:
        path.write_bytes(data)
    return data


def test_a_workbook_reads_sheet_by_sheet_with_headings_beside_values():
    converted = xlsx_to_text(workbook())
    assert converted.text == (
        "# Harbour indicators 2020\n\n## Targets\n\nTable 1. Main targets\n\n"
        "Indicator | 2015 | 2020\n\n"
        "Indicator: Berths in use | 2015: 40 | 2020: 52\n\n"
        "Indicator: Share of electric ferries | 2015: 12.5% | 2020: 40%\n\n"
        "Indicator: Review date | 2015: 2020-12-31\n\n"
        "\\# Source: harbour office estimates.\n\n"
        "## Fees\n\nVessel | Fee per day\n\nVessel: Boat | Fee per day: ten coins\n"
    )
    starts = [converted.text[p : p + 10] for p in converted.pages]
    assert starts == ["# Harbour ", "## Fees\n\nV"]  # the hidden sheet is no page


def test_passages_of_a_workbook_carry_their_sheet_as_page_and_heading_path(tmp_path):
    workbook(tmp_path / "indicators.xlsx")
    documents = load_corpus(tmp_path)
    passages = chunk_corpus(documents)
    fee = next(p for p in passages if "ten coins" in p.text)
    assert (fee.page, fee.section) == (2, "Harbour indicators 2020 > Fees")
    berths = next(p for p in passages if "Berths in use" in p.text)
    assert berths.page == 1 and "Targets" in berths.section
    for passage in passages:
        assert documents[0].text[passage.start : passage.end] == passage.text


def test_a_stray_far_cell_does_not_pad_every_row(tmp_path):
    """A cell typed by mistake at XFD1048576 declares a sheet of 17 billion cells; reading
    must follow the cells there are, not the declared size."""
    book = openpyxl.Workbook()
    book.active.append(["Vessel", "Fee"])
    book.active.append(["Boat", "ten coins"])
    book.active["XFD1048576"] = "stray"
    out = io.BytesIO()
    book.save(out)
    began = time.perf_counter()
    text = xlsx_to_text(out.getvalue()).text
    assert "Vessel: Boat | Fee: ten coins" in text and text.endswith("stray\n")
    assert time.perf_counter() - began < 30  # padded, it would not end in hours


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (
            b"\xd0\xcf\x11\xe0 E\0n\0c\0r\0y\0p\0t\0e\0d\0P\0a\0c\0k\0a\0g\0e\0",
            "protected by a password",
        ),
        (
            b"\xd0\xcf\x11\xe0 an Excel 97-2003 workbook",
            "Excel 97-2003 workbook named .xlsx; rename",
        ),
        (b"PK\x03\x04 cut short", "not a readable Excel .xlsx workbook"),
        (b"plain words", "not a readable Excel .xlsx workbook"),
    ],
)
def test_unreadable_workbooks_say_why(data, says):
    with pytest.raises(UnreadableFileError, match=says):
        xlsx_to_text(data)


def _rewrite_part(data: bytes, name: str, change) -> bytes:
    """The workbook with its part ``name`` (XML) changed by ``change``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            part = src.read(info.filename)
            if info.filename == name:
                part = change(part)
            dst.writestr(info.filename, part, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def test_a_zip_bomb_is_refused_before_it_is_read():
    bomb = _rewrite_part(
        workbook(),
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(b"<sheetData>", b"<sheetData>" + b" " * 250_000_000),
    )
    assert len(bomb) < 2_000_000
    with pytest.raises(UnreadableFileError, match="unpacks to .* over the"):
        xlsx_to_text(bomb)


def test_entities_in_a_sheet_are_refused_not_expanded(tmp_path):
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    )
    hostile = _rewrite_part(
        workbook(),
        "xl/worksheets/sheet1.xml",
        lambda xml: laughs + xml.replace(b"<sheetData>", b"<sheetData>&b;", 1),
    )
    (tmp_path / "hostile.xlsx").write_bytes(hostile)
    (tmp_path / "notes.txt").write_text("Boats dock early.", "utf-8")
    corpus = read_corpus(tmp_path)
    assert [d.source for d in corpus.documents] == ["notes.txt"]
    assert [s.source for s in corpus.skipped] == ["hostile.xlsx"]
    assert "aaaaaaaaaa" not in corpus.skipped[0].reason
    assert "not a readable Excel .xlsx workbook" in corpus.skipped[0].reason
    assert "\n" not in corpus.skipped[0].reason


def test_a_workbook_without_cells_or_visible_sheets_is_skipped_saying_which():
    empty = openpyxl.Workbook()
    empty.create_sheet("Charts")
    out = io.BytesIO()
    empty.save(out)
    with pytest.raises(UnreadableFileError, match="hold no text"):
        xlsx_to_text(out.getvalue())
    # Excel will not save a workbook whose every sheet is hidden, but other programs do
    hidden = _rewrite_part(
        workbook(),
        "xl/workbook.xml",
        lambda xml: xml.replace(b'state="visible"', b'state="hidden"'),
    )
    with pytest.raises(UnreadableFileError, match="no visible sheet"):
        xlsx_to_text(hidden)


def test_a_macro_workbook_is_read_and_its_macros_never_run(tmp_path):
    workbook(tmp_path / "model.xlsm")
    (document,) = load_corpus(tmp_path)
    assert "Indicator: Berths in use" in document.text


def test_a_csv_table_reads_like_a_sheet(tmp_path):
    (tmp_path / "fees.csv").write_bytes(
        'Vessel;Fee per day;Note\r\nBoat;10;"paid at the\r\nharbour office"\r\nFerry;50,5;\r\n'.encode(
            "cp1252"
        )
    )
    (document,) = load_corpus(tmp_path)
    assert document.text == (
        "Vessel | Fee per day | Note\n\n"
        "Vessel: Boat | Fee per day: 10 | Note: paid at the harbour office\n\n"
        "Vessel: Ferry | Fee per day: 50,5\n"
    )


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("a,b,c\n1,2,3\n", ","),
        ("a;b;c\n1,5;2;3\n4,5;6;7\n", ";"),
        ("a\tb\n1\t2\n", "\t"),
        ("one line of words\n", ","),
    ],
)
def test_the_delimiter_is_the_one_that_splits_lines_evenly(text, delimiter):
    assert delimiter_of(text) == delimiter


def test_a_runaway_quote_in_a_csv_names_its_line():
    data = b'Vessel,Fee\nBoat,"ten' + b" coins" * 30_000 + b"\n"
    with pytest.raises(UnreadableFileError, match=r"line \d+ is not valid CSV"):
        csv_to_text(data)


def test_a_csv_in_another_code_page_is_skipped_saying_so(tmp_path):
    with pytest.raises(UnreadableFileError, match="not valid UTF-8"):
        convert(Path("minutes.csv"), "会议,预算\n通过,是\n".encode("gbk"))


def test_rows_without_a_heading_row_keep_their_cells_joined():
    assert row_blocks([["Boat", "10"], ["Ferry", "50"]]) == ["Boat | 10", "Ferry | 50"]
    # a blank row ends a table: the next table has its own headings
    assert row_blocks([["A", "B"], ["x", "y"], [], ["C", "D"], ["z", "w"]]) == [
        "A | B",
        "A: x | B: y",
        "C | D",
        "C: z | D: w",
    ]


def test_a_sheet_over_the_budget_stops_being_read():
    rows = ([f"row {n}", "some words"] for n in range(10**9))
    with pytest.raises(UnreadableFileError, match="more than 1,000 characters"):
        row_blocks(rows, budget=1_000)


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("14", True),
        ("-3.5", True),
        ("1,200", True),
        ("$4.2", True),
        ("12.5%", True),
        ("(300)", True),
        ("2020-12-31", True),
        ("2020", False),
        ("Target", False),
        ("4G", False),
    ],
)
def test_values_are_told_from_words(cell, value):
    assert is_value(cell) is value


def test_a_table_row_is_content_not_a_label():
    """Short rows read as title lines once ("Vessel: Boat | Fee: 10" has no full stop), and
    labels rank after every sentence: a table's values were found last, in every format."""
    from qa.ingest.chunking import is_label

    assert not is_label("Indicator: Berths in use | 2015: 40 | 2020: 52")
    assert not is_label("Ferry | Five")
    assert is_label("## Fees | Charges") and is_label("Harbour fees")


def test_a_table_row_is_one_sentence():
    """A cell's full stop ("Miss. Laina", "ten coins. Paid daily") ends no sentence: the row is
    one record, and an answer quoting half of it would lose its other cells."""
    from qa.ingest.sentences import sentences

    def split(text: str) -> list[str]:
        return [text[s.start : s.end] for s in sentences(text)]

    assert split("Name: Heikkinen, Miss. Laina | Age: 26") == [
        "Name: Heikkinen, Miss. Laina | Age: 26"
    ]
    assert split("Fee: Ten coins. Paid daily. | Vessel: Boat") == [
        "Fee: Ten coins. Paid daily. | Vessel: Boat"
    ]
    assert split("Boats dock early. Ships pay.") == ["Boats dock early.", "Ships pay."]
    # a table drawn in ASCII opens its lines with "|": its cells' sentences are cut as before
    assert split("   | Keyword | Meaning. Of it |") == ["| Keyword | Meaning.", "Of it |"]


# ---------------------------------------------------------------------------- OpenDocument

ODS_CONTENT = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
    ' xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"'
    ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
    ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">'
    '<office:automatic-styles><style:style style:name="ta1" style:family="table">'
    '<style:table-properties table:display="true"/></style:style>'
    '<style:style style:name="ta2" style:family="table">'
    '<style:table-properties table:display="false"/></style:style></office:automatic-styles>'
    "<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body>"
    "</office:document-content>"
)
ODS_META = (
    '<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
    ' xmlns:dc="http://purl.org/dc/elements/1.1/"><office:meta>'
    "<dc:title>Harbour indicators 2020</dc:title></office:meta></office:document-meta>"
)


def _cell(text: str = "", repeat: int = 1, value: str = "", kind: str = "") -> str:
    repeated = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    typed = f' office:value-type="{kind}" office:value="{value}"' if kind else ""
    para = f"<text:p>{text}</text:p>" if text else ""
    return f"<table:table-cell{repeated}{typed}>{para}</table:table-cell>"


def _row(*cells: str, repeat: int = 1) -> str:
    repeated = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
    return f"<table:table-row{repeated}>{''.join(cells)}</table:table-row>"


def spreadsheet(tables: str, meta: str = ODS_META) -> bytes:
    """An .ods package as LibreOffice Calc writes one (mimetype, content, meta, manifest)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        package.writestr("content.xml", ODS_CONTENT.format(tables=tables))
        package.writestr("meta.xml", meta)
        package.writestr("META-INF/manifest.xml", "<manifest/>")
    return out.getvalue()


INDICATORS = (
    '<table:table table:name="Targets" table:style-name="ta1">'
    + _row(_cell("Table 1. Main targets"))
    + _row(_cell("Indicator"), _cell("2015", value="2015", kind="float"), _cell("2020"))
    + _row(_cell("Berths in use"), _cell("40", value="40", kind="float"), _cell("52"))
    # a value a program stored without the text it displays
    + _row(_cell("Share of electric ferries"), _cell(value="0.125", kind="percentage"))
    + _row(_cell(repeat=16384), repeat=1048000)  # the blank rest of the sheet, as Calc writes it
    + "</table:table>"
    + '<table:table table:name="Lookup" table:style-name="ta2">'
    + _row(_cell("code"), _cell("meaning"))
    + "</table:table>"
    + '<table:table table:name="Fees" table:style-name="ta1">'
    + _row(_cell("Vessel"), _cell(repeat=3), _cell("Fee per day"))
    + _row(_cell("Boat"), _cell(repeat=3), _cell("ten coins"))
    + "</table:table>"
)


def test_an_ods_spreadsheet_reads_as_a_workbook_does():
    from qa.ingest.ods_text import ods_to_text

    converted = ods_to_text(spreadsheet(INDICATORS))
    assert converted.text == (
        "# Harbour indicators 2020\n\n## Targets\n\nTable 1. Main targets\n\n"
        "Indicator | 2015 | 2020\n\nIndicator: Berths in use | 2015: 40 | 2020: 52\n\n"
        "Indicator: Share of electric ferries | 2015: 12.5%\n\n"
        "## Fees\n\nVessel | Fee per day\n\nVessel: Boat | Fee per day: ten coins\n"
    )
    assert [converted.text[p : p + 7] for p in converted.pages] == ["# Harbo", "## Fees"]


def test_ods_repeats_cannot_unfold_into_billions_of_cells():
    from qa.ingest.ods_text import MAX_ROW_REPEATS, ods_to_text

    sheet = (
        '<table:table table:name="S">'
        + _row(_cell("ten coins", repeat=10**9), _cell("far"), repeat=10**9)
        + "</table:table>"
    )
    began = time.perf_counter()
    with pytest.raises(UnreadableFileError, match="more than 5,000,000 characters"):
        ods_to_text(spreadsheet(sheet, meta=""))
    assert time.perf_counter() - began < 60
    small = '<table:table table:name="S">' + _row(_cell("x"), _cell("y"), repeat=10**9)
    text = ods_to_text(spreadsheet(small + "</table:table>", meta="")).text
    assert text.count("x | y") == MAX_ROW_REPEATS


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"PK\x03\x04 cut short", "not a readable OpenDocument .ods file"),
        (spreadsheet('<table:table table:name="S">' + _row() + "</table:table>"), "hold no text"),
    ],
)
def test_unreadable_ods_files_say_why(data, says):
    from qa.ingest.ods_text import ods_to_text

    with pytest.raises(UnreadableFileError, match=says):
        ods_to_text(data)


def test_a_text_document_named_ods_is_skipped_saying_what_it_is(tmp_path):
    from tests.format_files import write_odt

    write_odt("Rules\n\nDock early.\n", tmp_path / "minutes.ods")
    (tmp_path / "indicators.ods").write_bytes(spreadsheet(INDICATORS))
    corpus = read_corpus(tmp_path)
    assert [d.source for d in corpus.documents] == ["indicators.ods"]
    assert "not a spreadsheet" in corpus.skipped[0].reason
    passages = chunk_corpus(list(corpus.documents))
    berths = next(p for p in passages if "Berths" in p.text)
    assert (berths.page, berths.section) == (1, "Harbour indicators 2020 > Targets")


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("## Sheet1\n\nVessel | Fee\n", "Harbour fees 2020"),
        ("## Slide 4\n\nFees rise.\n", "Harbour fees 2020"),
        ("Feuil1\n\nBateau | 10\n", "Harbour fees 2020"),
        ("## Targets\n\nVessel | Fee\n", "Targets"),
        ("# Harbour indicators 2020\n\n## Sheet1\n", "Harbour indicators 2020"),
        ("Agenda 2030\n\nGoals.\n", "Agenda 2030"),
    ],
)
def test_a_placeholder_sheet_or_slide_name_is_no_title(text, title):
    """An untitled workbook's first heading is its first sheet's name, "Sheet1" as often as
    not: the file name says more."""
    from qa.ingest.titles import document_title
    from qa.types import Document

    assert document_title(Document("budgets/harbour_fees_2020.xlsx", text)) == title


# ---------------------------------------------------------------------------- Excel 97-2003

XLS_DATA = Path(__file__).parent / "data" / "xls"


def test_an_old_excel_workbook_reads_with_headings_beside_values():
    pytest.importorskip("xlrd", reason="the formats extra is needed: pip install -e '.[formats]'")
    from qa.ingest.xls_text import xls_to_text

    converted = xls_to_text((XLS_DATA / "chinese-provinces.xls").read_bytes())
    assert converted.text.startswith(
        "## provinces\n\nProvinces in China | Chinese Name\n\n"
        "Provinces in China: Anhui | Chinese Name: 安徽省\n\n"
    )
    assert converted.pages == (0,)
    # dates of the 1904 date system (old Mac Excel) read as the dates the sheet shows
    dates = xls_to_text((XLS_DATA / "1904DateWindowing.xls").read_bytes())
    assert dates.text.startswith("## Sheet1\n\n2000-01-01 | 2000-01-01\n\n## Sheet2")


def test_an_encrypted_or_damaged_xls_is_skipped_saying_why(tmp_path):
    pytest.importorskip("xlrd", reason="the formats extra is needed: pip install -e '.[formats]'")
    (tmp_path / "locked.xls").write_bytes((XLS_DATA / "xor-encryption-abc.xls").read_bytes())
    (tmp_path / "cut.xls").write_bytes((XLS_DATA / "chinese-provinces.xls").read_bytes()[:1500])
    (tmp_path / "provinces.xls").write_bytes((XLS_DATA / "chinese-provinces.xls").read_bytes())
    corpus = read_corpus(tmp_path)
    assert [d.source for d in corpus.documents] == ["provinces.xls"]
    reasons = {s.source: s.reason for s in corpus.skipped}
    assert "protected by a password" in reasons["locked.xls"]
    assert "not a readable Excel 97-2003 .xls workbook" in reasons["cut.xls"]
    # the title of an untitled workbook: its first sheet's name ("provinces")
    from qa.ingest.titles import document_title

    assert document_title(corpus.documents[0]) == "provinces"


def test_xlrd_logs_nothing_to_stdout(capsys):
    """xlrd writes its warnings to stdout unless told otherwise, where `qa index --json`
    writes its report."""
    pytest.importorskip("xlrd", reason="the formats extra is needed: pip install -e '.[formats]'")
    from qa.ingest.xls_text import xls_to_text

    xls_to_text((XLS_DATA / "chinese-provinces.xls").read_bytes())
    with pytest.raises(UnreadableFileError):
        xls_to_text((XLS_DATA / "chinese-provinces.xls").read_bytes()[:1500])
    assert capsys.readouterr().out == ""


def test_a_citation_names_a_sheet_or_slide_for_what_it_is():
    """A passage's "page" is a printed page in a PDF, a slide in a deck, a sheet in a
    workbook; the JSON keeps the field "page", what a reader sees names it."""
    from qa.ingest.formats import page_place
    from qa.web.conversations import SavedSource
    from qa.web.saved_chats import where

    assert [page_place(s, 2) for s in ("a.pdf", "d.PPTX", "b.xlsx", "b.xls", "b.ods")] == [
        "page 2", "slide 2", "sheet 2", "sheet 2", "sheet 2",
    ]  # fmt: skip
    assert page_place("notes.txt", None) == ""
    saved = SavedSource(n=1, source="budget.xlsx", section="Fees", start=0, end=9, page=2)
    assert where(saved) == "budget.xlsx:0-9 · sheet 2"


def test_openpyxl_s_warnings_about_styles_never_reach_the_output():
    """POI's workbook without a default style makes openpyxl warn; reading it as a corpus
    file prints nothing but its text, with Python's default warning filters."""
    import subprocess
    import sys

    book = Path(__file__).parent / "data" / "xlsx" / "DataValidationListTooLong.xlsx"
    code = (
        "import sys; from pathlib import Path; from qa.ingest.formats import convert; "
        "p = Path(sys.argv[1]); print(convert(p, p.read_bytes()).text)"
    )
    run = subprocess.run(
        [sys.executable, "-W", "default", "-c", code, str(book)],
        capture_output=True, text=True, cwd=Path(__file__).parents[1], timeout=120,
    )  # fmt: skip
    assert run.returncode == 0 and "testing" in run.stdout, run.stderr
    assert "Warning" not in run.stderr, run.stderr
