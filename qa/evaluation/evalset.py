"""Read evaluation files (JSONL, JSON, CSV, XLSX) into ``EvalItem`` rows.

Eval sets come from many hands and tools (ragas exports, spreadsheets, hand-written JSONL), so
we accept the common field aliases, but we refuse to guess silently: every problem names the
file, the line (or row / item) and the field, and says how to fix it. Soft problems are returned
as warnings so a half-finished set can still be run; ``strict=True`` turns them into errors for CI.

The readers of each format are in ``qa.evaluation.readers``, the model in ``qa.evaluation.items``
and evidence location in ``qa.evaluation.evidence``; their public names are importable from here.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import replace
from pathlib import Path

from qa.errors import EvalInputError
from qa.evaluation.evidence import locate_evidence, normalize_for_match, normalize_with_map
from qa.evaluation.items import EvalItem, Span
from qa.evaluation.readers import SUPPORTED, read_records, record_place, type_name, unit_for
from qa.evaluation.schema import (
    GOLD,
    RESPONSE_KEYS,
    RETRIEVED_KEYS,
    Context,
    Reading,
    choose_reading,
)

__all__ = [
    "EvalItem",
    "Span",
    "SUPPORTED",
    "load_eval_file",
    "locate_evidence",
    "normalize_for_match",
    "normalize_with_map",
    "says_not_in_document",
    "unit_for",
]

MAX_FIELD_CHARS = 20_000
MAX_SCOPE_NAMES = 50  # a row's "documents" (qa.retrieval.scope.MAX_PATTERNS)

# Alias lists, in priority order: the first non-empty one wins (per reading: qa.evaluation.schema).
QUESTION_KEYS = ("question", "query", "user_input")
REFERENCE_KEYS = GOLD.reference_keys
EVIDENCE_KEYS = GOLD.evidence_keys

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
# Small pure helpers


def says_not_in_document(reference: str | None) -> bool:
    """True when a reference answer states that the document does not contain the answer.

    Example:
        >>> says_not_in_document("The document does not say."), says_not_in_document("By 2020.")
        (True, False)
    """
    return bool(reference) and _NOT_IN_DOC.search(reference or "") is not None


# ---------------------------------------------------------------------------------------------
# Normalising one record


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
        f'{where}: field "{field}" must be {want}, got {type_name(value)} {shown}; '
        "fix the value in that row"
    )


MAX_LIST_CELL_CHARS = 200_000  # a list cell is parsed only below this size (untrusted input)


def list_cell(value: str) -> list | None:
    """A table cell holding a list: JSON (``["a", "b"]``) or a Python literal as pandas and
    ragas's ``to_csv`` write it (``['a', "b's"]``); None when the cell is not a list.

    Python literals are read with ``ast.literal_eval`` only (never ``eval``), and only when the
    cell is under ``MAX_LIST_CELL_CHARS``.

    Example:
        >>> list_cell("['One.', 'Two.']"), list_cell("[1] is a note")
        (['One.', 'Two.'], None)
    """
    text = value.strip()
    if not (text.startswith("[") and text.endswith("]")) or len(text) > MAX_LIST_CELL_CHARS:
        return None
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError:
        try:
            parsed = ast.literal_eval(text)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return None  # a sentence that just starts with "[" is still a sentence
    return parsed if isinstance(parsed, list) else None


def _string_list(where: str, field: str, value: object, table: bool) -> tuple[str, ...]:
    """A string or list of strings; in CSV/XLSX a cell may hold a JSON or Python-literal list."""
    if value is None:
        return ()
    if isinstance(value, str) and table and value.lstrip().startswith("["):
        parsed = list_cell(value)
        if parsed is not None:
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
    reading: Reading = GOLD,
) -> tuple[EvalItem, bool]:
    """Normalise one record; returns the item and whether its id was given explicitly."""
    where = record_place(file, unit, n)
    if not isinstance(rec, dict):
        raise EvalInputError(
            f'{where}: expected an object with a "question" field, got {type_name(rec)}; '
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

    rkey, reference = _pick(rec, reading.reference_keys)
    if rkey == "ground_truths" and reference is not None:
        reference = (_string_list(where, rkey, reference, table) or (None,))[0]
    reference = _text(where, rkey, reference)
    ekey, evidence_raw = _pick(rec, reading.evidence_keys)
    evidence = _string_list(where, ekey, evidence_raw, table)

    raw_id = rec.get("id")
    if isinstance(raw_id, int) and not isinstance(raw_id, bool):
        raw_id = str(raw_id)
    item_id = _text(where, "id", raw_id)

    kind = _text(where, "kind", rec.get("kind")) or "general"
    tags = _tags(where, rec.get("tags"), table)
    documents = _string_list(where, "documents", rec.get("documents"), table)
    if len(documents) > MAX_SCOPE_NAMES:
        raise EvalInputError(
            f'{where}: field "documents" names {len(documents)} documents, over the limit of '
            f"{MAX_SCOPE_NAMES}; use a pattern such as 'licences/*'"
        )
    answerable = _bool(where, "answerable", rec.get("answerable"))

    if answerable is None:
        answerable = not (not evidence and says_not_in_document(reference))
    if answerable and not evidence and reading is GOLD:  # answers files: one line for all rows
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
        documents=documents,
    )
    if reading is not GOLD:
        skey, response = _pick(rec, RESPONSE_KEYS)
        ckey, contexts = _pick(rec, RETRIEVED_KEYS)
        item = replace(
            item,
            response=_text(where, skey, response),
            retrieved=_contexts(where, ckey, contexts, table),
            abstained=_bool(where, "abstained", rec.get("abstained")),
            has_output=True,
        )
    return item, item_id is not None


def _contexts(where: str, field: str, value: object, table: bool) -> tuple[Context, ...]:
    """Retrieved passages: strings (ragas) or objects with source/start/end (and maybe text)."""
    if isinstance(value, str) and table:
        value = list_cell(value) if value.lstrip().startswith("[") else value
        value = [] if value is None else value
    if isinstance(value, list) and any(isinstance(v, dict) for v in value):
        out = []
        for i, v in enumerate(value):
            if isinstance(v, str):
                out.append(Context(text=_text(where, f"{field}[{i}]", v)))
                continue
            if not isinstance(v, dict):
                raise _wrong_type(where, f"{field}[{i}]", v, "a string or an object")
            source, start, end = v.get("source"), v.get("start"), v.get("end")
            if not isinstance(source, str) or not all(
                isinstance(x, int) and not isinstance(x, bool) and x >= 0 for x in (start, end)
            ):
                raise EvalInputError(
                    f'{where}: field "{field}[{i}]" must have "source" (a document) and '
                    f'"start"/"end" (character offsets, whole numbers >= 0), got {v!r:.80}; '
                    "fix the passage, or give its text as a string"
                )
            out.append(
                Context(
                    text=_text(where, f"{field}[{i}].text", v.get("text")),
                    source=source,
                    start=start,
                    end=end,
                )
            )
        return tuple(out)
    return tuple(Context(text=t) for t in _string_list(where, field, value, table))


# ---------------------------------------------------------------------------------------------
# Public API


def load_eval_file(
    path: Path, strict: bool = False, max_question_chars: int = 2000, read_as: str | None = None
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
    records, table = read_records(path)
    records = list(records)  # the reading depends on every record's column names
    keys = [
        {str(k).strip().lower() for k, v in rec.items() if v not in (None, "")}
        for _n, rec in records
        if isinstance(rec, dict)
    ]
    reading = choose_reading(file, keys, read_as)

    warnings: list[str] = []
    parsed: list[tuple[EvalItem, bool]] = [
        _item(file, unit, n, rec, table, max_question_chars, warnings, reading)
        for n, rec in records
    ]
    if not parsed:
        raise EvalInputError(f"{path}: file is empty (no questions found); add at least one")

    bare = [item.line for item, _ in parsed if item.answerable and not item.evidence]
    if reading is not GOLD and bare:
        warnings.append(
            f"{path}: {len(bare)} of {len(parsed)} {unit}s hold no reference evidence "
            f"({unit} {', '.join(map(str, bare[:5]))}{', ...' if len(bare) > 5 else ''}); "
            "retrieval metrics are computed only where it is given (reference_contexts)"
        )

    seen: dict[str, int] = {}
    for item, explicit in parsed:
        if explicit and item.id in seen:
            raise EvalInputError(
                f'{record_place(file, unit, item.line)}: field "id" {item.id!r} duplicates '
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
