"""Copies of one text in several documents count once in a ranking.

A library holds many versions and forks of a licence, speeches that quote each other, the same
boilerplate in every policy: the same paragraph comes back from five documents and fills the top
of the results with one answer (at 1,000x the bundled corpus, 166 of the 1,700 top-20 places of
the dev questions were such copies). The best-ranked copy stays, and names the documents of the
others (``Hit.also_in``); the places they held go to the next passages.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from qa.types import Passage

_WORD = re.compile(r"\w+")


def text_key(text: str) -> str:
    """What two copies share: their words, case and spacing aside (hard-wrapped lines and
    re-indented paragraphs are the same text).

    Example: text_key("Grant of\\n   Licence.") == text_key("grant of licence") -> True
    """
    return " ".join(_WORD.findall(text.lower()))


def collapse_copies(
    ranked: Sequence[tuple[Passage, tuple[int, ...]]],
) -> list[tuple[Passage, tuple[int, ...], tuple[str, ...]]]:
    """The ranked (passage, parts) without the copies of a text ranked higher, each kept one
    with the sources of its copies in other documents, in rank order.

    Example: [p.source for p, _, _ in collapse_copies([(a, ()), (a_copy, ())])] -> ["a.txt"],
    its copies ("b.txt",)
    """
    kept: list[tuple[Passage, tuple[int, ...], list[str]]] = []
    by_key: dict[str, int] = {}  # text -> its place in kept
    for passage, parts in ranked:
        key = text_key(passage.text)
        if key not in by_key:
            by_key[key] = len(kept)
            kept.append((passage, parts, []))
            continue
        owner, _, copies = kept[by_key[key]]
        if passage.source != owner.source and passage.source not in copies:
            copies.append(passage.source)
    return [(p, parts, tuple(copies)) for p, parts, copies in kept]
