"""Questions asked within some documents of a library: a row's ``documents`` field, or
`qa eval --doc` for the rows without one. The names and patterns are those `qa ask --doc`
takes (qa.retrieval.scope); each is checked before the run, so a misspelt name stops it at
once instead of failing every question it scopes."""

from __future__ import annotations

from collections.abc import Sequence

from qa.errors import EvalInputError
from qa.evaluation.items import EvalItem
from qa.evaluation.readers import record_place, unit_for

MAX_SHOWN = 10  # scope problems listed before "... and N more"


def item_scope(item: EvalItem, default: Sequence[str]) -> tuple[str, ...]:
    """The documents a question is asked within: its own, else the run's (empty: all).

    Example: item_scope(EvalItem("q1", "Fees?", None, (), True, "x", (), 2), ["a.txt"]) ->
    ('a.txt',)
    """
    return item.documents or tuple(default)


def check_scopes(items: Sequence[EvalItem], default: Sequence[str], sources: list[str]) -> None:
    """Raise EvalInputError naming each row (and --doc) whose names match no document."""
    from qa.retrieval.scope import UnknownDocumentError, scope_ids

    problems = []
    try:
        scope_ids(default, sources, [])
    except UnknownDocumentError as e:
        problems.append(f"--doc: {e}")
    for item in items:
        if not item.documents:
            continue
        try:
            scope_ids(item.documents, sources, [])
        except UnknownDocumentError as e:
            where = record_place(item.file, unit_for(item.file), item.line)
            problems.append(f'{where}: field "documents": {e}')
    if problems:
        more = len(problems) - MAX_SHOWN
        shown = problems[:MAX_SHOWN] + ([f"... and {more} more"] if more > 0 else [])
        raise EvalInputError("\n".join(shown))
