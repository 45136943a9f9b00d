"""Asking within some documents of a library (`--doc`, the app's document selector): which
passages a search may return.

A scope of up to ``SCORE_ALL`` passages is scored whole (exact, and a few thousand passages
cost milliseconds); a larger one keeps the first-stage candidates that fall inside it.
"""

from __future__ import annotations

from collections.abc import Iterable
from fnmatch import fnmatchcase

import numpy as np

from qa.errors import QAError

SCORE_ALL = 5000
MAX_PATTERNS = 50


class UnknownDocumentError(QAError):
    """A --doc name or pattern matches no document of the index."""


def scope_ids(
    patterns: Iterable[str] | None, sources: list[str], passage_sources: list[str]
) -> np.ndarray | None:
    """Passage ids (ascending) of the documents named by ``patterns`` (a source such as
    ``policy/a.pdf``, or a glob such as ``licences/*``); None when no pattern is given.

    Example: scope_ids(["b*"], ["a.txt", "b.txt"], ["a.txt", "b.txt", "b.txt"]).tolist() == [1, 2]
    """
    patterns = [p.strip() for p in patterns or () if p and p.strip()]
    if not patterns:
        return None
    if len(patterns) > MAX_PATTERNS:
        raise UnknownDocumentError(f"{len(patterns)} document names; the limit is {MAX_PATTERNS}")
    chosen: set[str] = set()
    for pattern in patterns:
        hits = {s for s in sources if s == pattern or fnmatchcase(s, pattern)}
        if not hits:
            shown = ", ".join(sources[:5]) + (
                f" and {len(sources) - 5} more" if len(sources) > 5 else ""
            )
            raise UnknownDocumentError(
                f"no document is named {pattern[:200]!r}; the documents are {shown} "
                "(a name as listed, or a pattern such as 'folder/*')"
            )
        chosen |= hits
    return np.array([i for i, s in enumerate(passage_sources) if s in chosen], dtype=np.int64)


def within(first_stage: np.ndarray, scope: np.ndarray | None) -> np.ndarray:
    """The candidate ids for a search: the first stage's ids, limited to the scope.

    Example: within(np.array([4, 1]), np.array([1, 2, 3])).tolist() == [1, 2, 3]
    """
    if scope is None:
        return first_stage
    if scored_whole(scope):
        return scope
    kept = first_stage[np.isin(first_stage, scope)]
    return kept if len(kept) else scope[:SCORE_ALL]


def scored_whole(scope: np.ndarray | None) -> bool:
    """Whether a search within ``scope`` scores every passage of it (a small library of its
    own), rather than the first stage's candidates of the whole index."""
    return scope is not None and len(scope) <= SCORE_ALL
