"""Read evaluation files (JSONL, JSON, CSV, XLSX) into ``EvalItem`` rows and locate evidence.

Eval sets come from many hands and tools (ragas exports, spreadsheets, hand-written JSONL), so
we accept the common field aliases, but we refuse to guess silently: every problem names the
file, the line (or row / item) and the field, and says how to fix it. Soft problems are returned
as warnings so a half-finished set can still be run; ``strict=True`` turns them into errors for CI.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from qa.errors import EvalInputError
from qa.types import Document, Passage

MAX_FIELD_CHARS = 20_000
SUPPORTED = (".jsonl", ".json", ".csv", ".xlsx")

# Alias lists, in priority order: the first non-empty one wins.
QUESTION_KEYS = ("question", "query", "user_input")
REFERENCE_KEYS = ("answer", "reference", "ground_truth", "expected_answer", "reference_answer")
EVIDENCE_KEYS = (
    "evidence",
    "contexts",
    "reference_contexts",
    "ground_truth_context",
    "ground_truth_contexts",
)

# How a reference answer says "the document has no answer"; used only when evidence is empty.
_NOT_IN_DOC = re.compile(
    r"not (?:in|found in|contained in|included in) (?:the|this|any) "
    r"(?:document|documents|text|plan|policy|source)"
    r"|(?:does|do|did)(?: not|n't) (?:say|mention|specify|state|cover|address|contain|include"
    r"|provide|discuss)"
    r"|not (?:mentioned|covered|specified|stated|addressed|provided|discussed|given)"
    r"|no information|cannot be answered|can't be answered|unanswerable|not answerable",
    re.IGNORECASE,
)


# ---------------------------------------------------------------------------------------------
# Data


@dataclass(frozen=True)
class EvalItem:
    """One evaluation question, normalised from whichever format and aliases the file used."""

    id: str
    question: str
    reference: str | None
    evidence: tuple[str, ...]
    answerable: bool
    kind: str
    tags: tuple[str, ...]
    line: int  # JSONL line / CSV or XLSX row (header is row 1) / JSON list index + 1
    file: str = ""  # kept so later problems (evidence not found) can still name the file


@dataclass(frozen=True)
class Span:
    """Where an evidence string sits in the corpus: exact offsets into ``Document.text``."""

    source: str
    start: int
    end: int
    text: str


# ---------------------------------------------------------------------------------------------
# Small pure helpers


def unit_for(file: str | Path) -> str:
    """The word for a record position in this format, so messages match what editors show.

    Example:
        >>> unit_for("eval.csv"), unit_for("eval.json"), unit_for("eval.jsonl")
        ('row', 'item', 'line')
    """
    ext = Path(str(file)).suffix.lower()
    return {".csv": "row", ".xlsx": "row", ".json": "item"}.get(ext, "line")


def says_not_in_document(reference: str | None) -> bool:
    """True when a reference answer states that the document does not contain the answer.

    Example:
        >>> says_not_in_document("The plan does not say."), says_not_in_document("By 2020.")
        (True, False)
    """
    return bool(reference) and _NOT_IN_DOC.search(reference or "") is not None


_CHAR_MAP = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u2033": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2212": "-",
    "\u00ad": "",  # soft hyphen: invisible in the document, absent from pasted evidence
    "\u200b": "",
}


def normalize_with_map(text: str) -> tuple[str, list[int]]:
    """Collapse whitespace runs and straighten quotes/dashes, keeping each char's source index.

    The index map lets a match in the normalised text be turned back into exact offsets.

    Example:
        >>> normalize_with_map("a \\u201cb\\u201d")
        ('a "b"', [0, 1, 2, 3, 4])
    """
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        if ch.isspace():
            if out and out[-1] != " ":
                out.append(" ")
                index.append(i)
            continue
        ch = _CHAR_MAP.get(ch, ch)
        if ch:
            out.append(ch)
            index.append(i)
    if out and out[-1] == " ":
        out.pop()
        index.pop()
    return "".join(out), index


def normalize_for_match(text: str) -> str:
    """The normalised form used to compare evidence with document text.

    Example:
        >>> normalize_for_match("  It\\u2019s\\n  fine ")
        "It's fine"
    """
    return normalize_with_map(text)[0]


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


# ---------------------------------------------------------------------------------------------
# Reading raw records from each format


def _where(file: str, unit: str, n: int) -> str:
    return f"{file} {unit} {n}"


def _read_text(path: Path) -> str:
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


def _records_json(path: Path, text: str) -> Iterator[tuple[int, object]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise EvalInputError(
            f"{path} line {e.lineno}: invalid JSON ({e.msg} at column {e.colno}); "
            "fix the syntax or convert the file to JSONL"
        ) from None
    if isinstance(data, dict) and isinstance(data.get("data"), list):
        data = data["data"]
    if not isinstance(data, list):
        raise EvalInputError(
            f"{path}: top level is a {_type_name(data)}; "
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
    finally:
        wb.close()


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
# Normalising one record


def _type_name(value: object) -> str:
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


def _pick(rec: dict, keys: tuple[str, ...]) -> tuple[str, object]:
    """First alias present with a non-empty value, and which alias it was (for messages)."""
    for key in keys:
        value = rec.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if isinstance(value, list) and not value:
            continue
        return key, value
    return keys[0], None


def _check_size(where: str, field: str, value: str) -> None:
    if len(value) > MAX_FIELD_CHARS:
        raise EvalInputError(
            f'{where}: field "{field}" is {len(value):,} characters, over the '
            f"{MAX_FIELD_CHARS:,} limit; shorten it"
        )


def _wrong_type(where: str, field: str, value: object, want: str) -> EvalInputError:
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return EvalInputError(
        f'{where}: field "{field}" must be {want}, got {_type_name(value)} {shown}; '
        "fix the value in that row"
    )


def _string_list(where: str, field: str, value: object, table: bool) -> tuple[str, ...]:
    """A string or list of strings; in CSV/XLSX a cell may hold a JSON list."""
    if value is None:
        return ()
    if isinstance(value, str) and table and value.lstrip().startswith("["):
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            parsed = None  # a sentence that just starts with "[" is still a sentence
        if isinstance(parsed, list):
            value = parsed
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise _wrong_type(where, field, value, "a string or a list of strings")
    out = []
    for i, v in enumerate(value):
        if not isinstance(v, str):
            raise _wrong_type(where, f"{field}[{i}]", v, "a string")
        _check_size(where, field, v)
        if v.strip():
            out.append(v.strip())
    return tuple(out)


def _tags(where: str, value: object, table: bool) -> tuple[str, ...]:
    if isinstance(value, str) and not (table and value.lstrip().startswith("[")):
        value = value.split(",")
    return tuple(dict.fromkeys(_string_list(where, "tags", value, table)))


def _bool(where: str, field: str, value: object) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        v = value.strip().lower()
        if v in ("true", "yes", "y", "1"):
            return True
        if v in ("false", "no", "n", "0"):
            return False
    raise _wrong_type(where, field, value, 'true or false (or the strings "true"/"false")')


def _text(where: str, field: str, value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _wrong_type(where, field, value, "a string")
    _check_size(where, field, value)
    return value.strip() or None


def _item(
    file: str,
    unit: str,
    n: int,
    rec: object,
    table: bool,
    max_question_chars: int,
    warnings: list[str],
) -> tuple[EvalItem, bool]:
    """Normalise one record; returns the item and whether its id was given explicitly."""
    where = _where(file, unit, n)
    if not isinstance(rec, dict):
        raise EvalInputError(
            f'{where}: expected an object with a "question" field, got {_type_name(rec)}; '
            "write one object per question"
        )
    rec = {str(k).strip().lower(): v for k, v in rec.items()}

    qkey, question = _pick(rec, QUESTION_KEYS)
    if question is None:
        raise EvalInputError(
            f'{where}: field "question" is missing or empty; every row needs a question '
            "(or query/user_input)"
        )
    if not isinstance(question, str):
        raise _wrong_type(where, qkey, question, "a string")
    question = question.strip()
    if len(question) > max_question_chars:
        raise EvalInputError(
            f'{where}: field "{qkey}" is {len(question):,} characters, over the limit of '
            f"{max_question_chars:,}; shorten the question or raise max_question_chars"
        )
    _check_size(where, qkey, question)

    rkey, reference = _pick(rec, REFERENCE_KEYS)
    reference = _text(where, rkey, reference)
    ekey, evidence_raw = _pick(rec, EVIDENCE_KEYS)
    evidence = _string_list(where, ekey, evidence_raw, table)

    raw_id = rec.get("id")
    if isinstance(raw_id, int) and not isinstance(raw_id, bool):
        raw_id = str(raw_id)
    item_id = _text(where, "id", raw_id)

    kind = _text(where, "kind", rec.get("kind")) or "general"
    tags = _tags(where, rec.get("tags"), table)
    answerable = _bool(where, "answerable", rec.get("answerable"))

    if answerable is None:
        answerable = not (not evidence and says_not_in_document(reference))
    if answerable and not evidence:
        warnings.append(
            f'{where}: field "evidence": no evidence; retrieval metrics skipped '
            "(add the sentence that answers the question, copied from the document)"
        )
    if not answerable and evidence:
        warnings.append(
            f'{where}: field "evidence" is given but "answerable" is false; evidence ignored '
            "(remove it, or set answerable to true)"
        )

    item = EvalItem(
        id=item_id or "",
        question=question,
        reference=reference,
        evidence=evidence,
        answerable=answerable,
        kind=kind,
        tags=tags,
        line=n,
        file=file,
    )
    return item, item_id is not None


# ---------------------------------------------------------------------------------------------
# Public API


def load_eval_file(
    path: Path, strict: bool = False, max_question_chars: int = 2000
) -> tuple[list[EvalItem], list[str]]:
    """Read an eval file into items plus warnings; the format follows the extension.

    Errors (malformed rows, missing questions, duplicate ids, ...) raise ``EvalInputError``.
    Warnings (e.g. no evidence, so retrieval metrics are skipped) are returned, or raised
    together when ``strict`` so CI cannot quietly run a weaker evaluation.

    Example:
        >>> items, warnings = load_eval_file(Path("eval/gold.jsonl"))  # doctest: +SKIP
    """
    path = Path(path)
    ext = path.suffix.lower()
    if ext not in SUPPORTED:
        raise EvalInputError(
            f"{path}: unknown extension {ext or '(none)'!r}; use one of {', '.join(SUPPORTED)}"
        )
    if not path.is_file():
        raise EvalInputError(f"{path}: file not found; check the path")

    file = str(path)
    unit = unit_for(path)
    table = ext in (".csv", ".xlsx")
    if ext == ".xlsx":
        if path.stat().st_size == 0:
            raise EvalInputError(f"{path}: file is empty; add a header row and questions")
        records = _table_records(path, _rows_xlsx(path))
    else:
        text = _read_text(path)
        if ext == ".jsonl":
            records = _records_jsonl(path, text)
        elif ext == ".json":
            records = _records_json(path, text)
        else:
            records = _table_records(path, _rows_csv(text))

    warnings: list[str] = []
    parsed: list[tuple[EvalItem, bool]] = [
        _item(file, unit, n, rec, table, max_question_chars, warnings) for n, rec in records
    ]
    if not parsed:
        raise EvalInputError(f"{path}: file is empty (no questions found); add at least one")

    seen: dict[str, int] = {}
    for item, explicit in parsed:
        if explicit and item.id in seen:
            raise EvalInputError(
                f'{_where(file, unit, item.line)}: field "id" {item.id!r} duplicates '
                f"{unit} {seen[item.id]}; give every question a unique id"
            )
        if explicit:
            seen[item.id] = item.line

    items: list[EvalItem] = []
    for pos, (item, explicit) in enumerate(parsed, start=1):
        if not explicit:
            new_id, bump = f"q{pos:03d}", 1
            while new_id in seen:  # never collide with an id the author wrote
                bump += 1
                new_id = f"q{pos:03d}_{bump}"
            seen[new_id] = item.line
            item = replace(item, id=new_id)
        items.append(item)

    if strict and warnings:
        raise EvalInputError(
            "\n".join(warnings) + "\n(strict mode: fix these rows, or run without --strict)"
        )
    return items, warnings


def _find(
    evidence: str, doc: Document, normalised: dict[str, tuple[str, list[int]]]
) -> Span | None:
    """First verbatim occurrence, else first whitespace/quote-normalised one mapped back."""
    i = doc.text.find(evidence)
    if i >= 0:
        return Span(doc.source, i, i + len(evidence), evidence)
    needle = normalize_for_match(evidence)
    if not needle:
        return None
    if doc.source not in normalised:  # normalise each document once, not once per evidence
        normalised[doc.source] = normalize_with_map(doc.text)
    hay, index = normalised[doc.source]
    j = hay.find(needle)
    if j < 0:
        return None
    start, end = index[j], index[j + len(needle) - 1] + 1
    return Span(doc.source, start, end, doc.text[start:end])


def _closest(evidence: str, candidates: list[Passage]) -> Passage | None:
    want = _words(evidence)
    best, best_score = None, -1.0
    for p in candidates:
        score = len(want & _words(p.text)) / max(len(want), 1)
        if score > best_score:
            best, best_score = p, score
    return best


def _paragraphs(documents: list[Document]) -> list[Passage]:
    """Fallback candidates for 'closest passage' hints when no chunked passages are given."""
    out = []
    for doc in documents:
        # a paragraph is a run of lines up to the next blank line
        for m in re.finditer(r"[^\n]+(?:\n(?![ \t]*\n)[^\n]*)*", doc.text):
            text = m.group().strip()
            if text:
                start = m.start() + m.group().index(text[0])
                out.append(Passage(len(out), doc.source, start, start + len(text), "", text))
    return out


def locate_evidence(
    items: list[EvalItem],
    documents: list[Document],
    passages: list[Passage] | None = None,
) -> tuple[dict[str, list[Span]], list[str]]:
    """Find each answerable item's evidence strings in the documents as exact character spans.

    Retrieval is scored on spans, not on chunk ids, so a re-chunked index is scored fairly.
    Evidence not found is reported with the closest passage (by word overlap) so the author
    can copy the right text; the caller decides whether problems are warnings or errors.

    Example:
        >>> doc = Document("a.txt", "Alpha. Beta  gamma.")
        >>> item = EvalItem("q1", "?", None, ("Beta gamma.",), True, "general", (), 1)
        >>> locate_evidence([item], [doc])[0]["q1"]
        [Span(source='a.txt', start=7, end=19, text='Beta  gamma.')]
    """
    spans: dict[str, list[Span]] = {}
    problems: list[str] = []
    candidates: list[Passage] | None = None
    normalised: dict[str, tuple[str, list[int]]] = {}
    for item in items:
        if not item.answerable or not item.evidence:
            continue
        found: list[Span] = []
        for i, ev in enumerate(item.evidence):
            span = next((s for d in documents if (s := _find(ev, d, normalised)) is not None), None)
            if span is not None:
                found.append(span)
                continue
            if candidates is None:
                candidates = list(passages) if passages else _paragraphs(documents)
            near = _closest(ev, candidates)
            hint = "no documents to search"
            if near is not None:
                where = f"{near.source} §{near.section}" if near.section else near.source
                hint = f'closest passage: {where}: "{near.text[:120]}"'
            shown = ev if len(ev) <= 80 else ev[:77] + "..."
            file = item.file or "eval file"
            problems.append(
                f'{file} {unit_for(file)} {item.line}: field "evidence"[{i}] not found in any '
                f'document: "{shown}"; {hint}; copy the evidence verbatim from the document'
            )
        spans[item.id] = found
    return spans, problems
