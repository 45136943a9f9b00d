"""Locate evidence strings in the documents as exact character spans.

Retrieval is scored on the characters of the evidence, so an evidence string copied from the
document (with its curly quotes, dashes or line breaks straightened out) must be found again as
exact offsets into ``Document.text``. Evidence that is not found is reported with the closest
passage, so the author can copy the right text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from qa.evaluation.items import EvalItem, Span
from qa.evaluation.readers import unit_for
from qa.types import Document, Passage

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
# Finding evidence


class _Library:
    """What locating evidence learns of each document once, not once per evidence string: its
    normalised text with the map back, and whether it holds a character normalising drops."""

    def __init__(self) -> None:
        self._normalised: dict[str, tuple[str, list[int]]] = {}
        self._invisible: dict[str, bool] = {}

    def normalised(self, doc: Document) -> tuple[str, list[int]]:
        if doc.source not in self._normalised:
            self._normalised[doc.source] = normalize_with_map(doc.text)
        return self._normalised[doc.source]

    def has_invisible(self, doc: Document) -> bool:
        """A soft hyphen or zero-width space, which normalising drops from inside a word."""
        if doc.source not in self._invisible:
            self._invisible[doc.source] = "\u00ad" in doc.text or "\u200b" in doc.text
        return self._invisible[doc.source]


@dataclass(frozen=True)
class _Evidence:
    """An evidence string, normalised and with its longest run of letters and digits, worked
    out once for all the documents it is looked for in."""

    text: str
    needle: str
    longest: str

    @classmethod
    def of(cls, text: str) -> _Evidence:
        longest = max(re.findall(r"\w+", text), key=len, default="")
        return cls(text, normalize_for_match(text), longest)


def _find(evidence: _Evidence, doc: Document, library: _Library) -> Span | None:
    """First verbatim occurrence, else first whitespace/quote-normalised one mapped back. A
    document without the evidence's longest run of letters and digits verbatim, nor a
    character normalising drops, cannot hold it in any spelling and is not normalised:
    normalising a whole library's text for each evidence string would take seconds."""
    i = doc.text.find(evidence.text)
    if i >= 0:
        return Span(doc.source, i, i + len(evidence.text), evidence.text)
    needle = evidence.needle
    if not needle or not (evidence.longest in doc.text or library.has_invisible(doc)):
        return None
    hay, index = library.normalised(doc)
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
    """Find each answerable item's evidence strings in the documents as exact character spans:
    one in each document that holds the string (licences share clauses word for word), any of
    which counts as finding it (qa.evaluation.metrics).

    Retrieval is scored on spans, not on chunk ids, so a re-chunked index is scored fairly.
    Evidence not found is reported with the closest passage (by word overlap) so the author
    can copy the right text; the caller decides whether problems are warnings or errors.

    Example:
        >>> doc = Document("a.txt", "Alpha. Beta  gamma.")
        >>> item = EvalItem("q1", "?", None, ("Beta gamma.",), True, "general", (), 1)
        >>> locate_evidence([item], [doc])[0]["q1"]
        [Span(source='a.txt', start=7, end=19, text='Beta  gamma.', evidence=0)]
    """
    spans: dict[str, list[Span]] = {}
    problems: list[str] = []
    candidates: list[Passage] | None = None
    library = _Library()
    for item in items:
        if not item.answerable or not item.evidence:
            continue
        found: list[Span] = []
        for i, ev in enumerate(item.evidence):
            wanted = _Evidence.of(ev)
            copies = [replace(s, evidence=i) for d in documents if (s := _find(wanted, d, library))]
            if copies:
                found.extend(copies)
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
