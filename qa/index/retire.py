"""Removing or replacing files in a large index without rewriting it: their documents retire.

Taking a document's rows out of a large library means rewriting every array after them: in a
20 MB library, 2.4 GB and about 30 s for one 20 KB file, however small it is. A retired
document's rows stay where they are and are set aside instead: the manifest lists its number,
no search returns its passages, and the corpus no longer names it. A changed file retires its
old document and is added again like a new one (qa.index.grow). The next full build (`qa index
--force`, or one this module asks for) writes the index without them.

Until then BM25's word weights and the vocabulary still count the retired text, so scores can
move a little. Small libraries are cheap to rebuild, so they do not retire
(``Settings.retire_min_passages``); nor does a library whose retired rows would pass
``MAX_RETIRED_SHARE`` of the arrays, which a full build compacts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_RETIRED_SHARE = 0.25  # of all rows; above it a full build compacts the index


@dataclass(frozen=True)
class Retirement:
    """Which documents (by number) are retired after this update, and their passage count."""

    documents: frozenset[int]
    passages: int


def retirement_for(
    sources: list[str],
    retired: frozenset[int],
    document_numbers,
    leaving: set[str],
    added_passages: int,
    min_passages: int,
    max_share: float | None = None,
) -> Retirement | None:
    """The retirement that takes the documents of ``leaving`` (removed or changed sources) out
    of an index whose documents are named ``sources`` and whose passages belong to
    ``document_numbers``; None when a full build should do it instead: fewer live passages than
    ``min_passages`` (``Settings.retire_min_passages``), or retired rows above ``max_share``
    (``MAX_RETIRED_SHARE``) of all rows. ``added_passages``: the rows the update appends.

    Example: retirement_for(["a", "b"], frozenset(), [0] * 20_000 + [1] * 10, {"b"}, 0, 10_000)
    -> Retirement(documents=frozenset({1}), passages=10)
    """
    max_share = MAX_RETIRED_SHARE if max_share is None else max_share
    numbers = {i for i, s in enumerate(sources) if s in leaving and i not in retired}
    every = retired | numbers
    counts = np.bincount(np.asarray(document_numbers, np.int64), minlength=len(sources))
    retired_rows = int(sum(counts[n] for n in every))
    rows = len(document_numbers) + added_passages
    if rows - retired_rows < min_passages or retired_rows > max_share * rows:
        return None
    return Retirement(frozenset(every), retired_rows)
