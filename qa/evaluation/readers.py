"""Read the raw records of an eval file, one reader per format (JSONL, JSON, CSV, XLSX).

Each reader yields ``(position, record)``: the position is what an editor shows (JSONL line,
CSV/XLSX row with the header as row 1, JSON list index + 1) so every message can name it.
Records are left as they are; ``qa.evaluation.evalset`` normalises and checks them.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from qa.errors import EvalInputError

SUPPORTED = (".jsonl", ".json", ".csv", ".xlsx")


def unit_for(file: str | Path) -> str:
    """The word for a record position in this format, so messages match what editors show.

    Example:
        >>> unit_for("eval.csv"), unit_for("eval.json"), unit_for("eval.jsonl")
        ('row', 'item', 'line')
    """
    ext = Path(str(file)).suffix.lower()
    return {".csv": "row", ".xlsx": "row", ".json": "item"}.get(ext, "line")


def type_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def record_place(file: str, unit: str, n: int) -> str:
    """How messages name a record.

    Example:
        >>> record_place("eval.csv", "row", 3)
        'eval.csv row 3'
    """
    return f"{file} {unit} {n}"


MAX_FILE_BYTES = 64 * 1024 * 1024  # eval files are untrusted input: refuse before reading it all


def _check_file_size(path: Path) -> None:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise EvalInputError(
            f"{path}: file is {size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit for an "
            "eval file; split it into smaller files"
        )


def _read_text(path: Path) -> str:
    _check_file_size(path)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise EvalInputError(
            f"{path} line {line}: not valid UTF-8 at byte offset {e.start} ({e.reason}); "
            "save the file as UTF-8"
        ) from None
    if not text.strip():
        raise EvalInputError(f"{path}: file is empty; add at least one question")
    return text


def _records_jsonl(path: Path, text: str) -> Iterator[tuple[int, object]]:
    for n, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            yield n, json.loads(raw)
        except json.JSONDecodeError as e:
            raise EvalInputError(
                f"{path} line {n}: invalid JSON ({e.msg} at column {e.colno}); "
                'each line must be one JSON object such as {"question": "..."}'
            ) from None
        except RecursionError:
            raise EvalInputError(f"{path} line {n}: JSON nested too deeply; flatten it") from None


def _records_json(path: Path, text: str) -> Iterator[tuple[int, object]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        if e.msg == "Extra data" and text.lstrip().startswith("{"):
            # JSON Lines saved as .json (Hugging Face `Dataset.to_json` writes exactly that)
            yield from _records_jsonl(path, text)
            return
        raise EvalInputError(
            f"{path} line {e.lineno}: invalid JSON ({e.msg} at column {e.colno}); "
            "fix the syntax (a file of one JSON object per line is read as JSON Lines)"
        ) from None
    except RecursionError:
        raise EvalInputError(f"{path}: JSON nested too deeply; flatten it") from None
    if isinstance(data, dict) and isinstance(data.get("data"), list):
        data = data["data"]
    if not isinstance(data, list):
        raise EvalInputError(
            f"{path}: top level is a {type_name(data)}; "
            'expected a list of questions or {"data": [...]}'
        )
    for i, rec in enumerate(data):
        yield i + 1, rec


def _table_records(
    path: Path, rows: Iterable[tuple[int, list[object]]]
) -> Iterator[tuple[int, object]]:
    """Turn header + rows into dicts; blank cells are treated as absent fields."""
    it = iter(rows)
    header: list[str] | None = None
    for _n, cells in it:
        if any(c not in (None, "") for c in cells):
            header = [str(c).strip().lower() if c is not None else "" for c in cells]
            break
    if header is None:
        raise EvalInputError(f"{path}: file is empty; add a header row and one question per row")
    for n, cells in it:
        rec = {}
        for key, cell in zip(header, cells, strict=False):
            if key and cell not in (None, "") and key not in rec:
                rec[key] = cell
        if rec:
            yield n, rec


def _rows_csv(text: str) -> Iterator[tuple[int, list[object]]]:
    for n, cells in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
        yield n, [c.strip() for c in cells]


def _rows_xlsx(path: Path) -> Iterator[tuple[int, list[object]]]:
    try:
        import openpyxl  # lazy: only xlsx users pay its import time
    except ImportError as e:  # pragma: no cover - openpyxl is a dependency
        raise ImportError("reading .xlsx eval files needs openpyxl: pip install openpyxl") from e
    _check_unpacked_size(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises zipfile/KeyError/InvalidFileException variants
        raise EvalInputError(
            f"{path}: not a readable .xlsx workbook ({type(e).__name__}: {e}); "
            "save it again from your spreadsheet as .xlsx, or export CSV"
        ) from None
    try:
        ws = wb.worksheets[0]
        for n, cells in enumerate(ws.iter_rows(values_only=True), start=1):
            yield n, [_xlsx_cell(c) for c in cells]
    except Exception as e:  # the sheet is parsed lazily: defusedxml refusals, bad XML
        raise EvalInputError(
            f"{path}: the first sheet is unreadable ({type(e).__name__}: {e}); export CSV"
        ) from None
    finally:
        wb.close()


MAX_XLSX_UNPACKED = 50_000_000  # zipfile never inflates past the sizes it checks here


def _check_unpacked_size(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as z:
            size = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError):
        return  # load_workbook says what is wrong
    if size > MAX_XLSX_UNPACKED:
        raise EvalInputError(
            f"{path}: unpacks to {size:,} bytes, over the {MAX_XLSX_UNPACKED:,}-byte limit "
            "for an eval workbook; export the questions as CSV"
        )


def _xlsx_cell(value: object) -> object:
    """Spreadsheet cells arrive typed; ids like 7 or 7.0 should read as "7", text stripped."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return value.strip()
    return str(value)


# ---------------------------------------------------------------------------------------------
# Choosing the reader


def read_records(path: Path) -> tuple[Iterator[tuple[int, object]], bool]:
    """The records of an eval file, read as its extension says, and whether it is a table
    (CSV/XLSX, where a cell may hold a JSON list). The caller has checked the extension.

    Example:
        >>> records, table = read_records(Path("eval/dev.jsonl"))  # doctest: +SKIP
        >>> next(records)  # doctest: +SKIP
        (1, {'id': 'dev-001', 'question': '...'})
    """
    ext = path.suffix.lower()
    if ext == ".xlsx":
        _check_file_size(path)
        if path.stat().st_size == 0:
            raise EvalInputError(f"{path}: file is empty; add a header row and questions")
        return _table_records(path, _rows_xlsx(path)), True
    text = _read_text(path)
    if ext == ".jsonl":
        return _records_jsonl(path, text), False
    if ext == ".json":
        return _records_json(path, text), False
    return _table_records(path, _rows_csv(text)), True
