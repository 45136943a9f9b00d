"""What `qa index` tells about the index it leaves, beyond what it did: rows set aside until a
full build, and a library that a full build would now search faster."""

from __future__ import annotations

from qa.index.vector_store import hnsw_advice


def index_notes(passages: int, retired_passages: int, vector_store: dict | None) -> list[str]:
    """Lines for the user, each saying what to run and why; none for an index as a build leaves it.

    Example: index_notes(500, 40, None) -> ["40 passages of removed or changed files are set
    aside (never searched) until the next full build; `qa index --force` compacts them"]
    """
    notes = []
    if retired_passages:
        notes.append(
            f"{retired_passages:,} passages of removed or changed files are set aside "
            "(never searched) until the next full build; `qa index --force` compacts them"
        )
    if advice := hnsw_advice(passages, vector_store):
        notes.append(f"note: {advice}")
    return notes
