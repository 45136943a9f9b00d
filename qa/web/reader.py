"""The document reader and passages in their paragraphs: which text surrounds a passage, and the
whole document as outline + blocks, rendered by templates/reader.html and templates/_macros.html.

Element ids: ``rd-p-ID`` (passage ID in the reader), ``rd-h-N`` (paragraph or heading N).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from qa.ingest.chunking import (
    BULLET,
    heading_label,
    inline_title,
    marks_sections,
    paragraphs,
    section_heading_level,
    sentences,
)
from qa.ingest.section_path import section_number
from qa.types import Document, Passage
from qa.web.templating import macro, mark_segments, render

CONTEXT_CHARS = 360  # paragraph text shown on each side of a cited passage


# ---------------------------------------------------------------------------- spans


def paragraph_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The paragraph (lines between blank lines) holding ``text[start:end]``, trimmed.

    Example: paragraph_bounds("a\\n\\nb c\\nd\\n\\ne", 3, 4) -> (3, 8)
    """
    a = start
    while a > 0:
        line_start = text.rfind("\n", 0, a) + 1
        if line_start == 0:
            a = 0
            break
        prev_start = text.rfind("\n", 0, line_start - 1) + 1
        if not text[prev_start : line_start - 1].strip():
            a = line_start
            break
        a = prev_start
    b = end
    while b < len(text):
        nl = text.find("\n", b)
        if nl < 0:
            b = len(text)
            break
        next_end = text.find("\n", nl + 1)
        next_end = len(text) if next_end < 0 else next_end
        if not text[nl + 1 : next_end].strip():
            b = nl
            break
        b = next_end
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def context_bounds(
    text: str, start: int, end: int, para: tuple[int, int], chars: int = CONTEXT_CHARS
) -> tuple[int, int]:
    """The paragraph ``para``, cut to at most ``chars`` on each side of ``[start, end)`` at a
    sentence boundary when one is close enough, else at a space."""
    a, b = para
    if start - a > chars:
        cut = start - chars
        starts = [s.start for s in sentences(text, a, start) if s.start >= cut]
        a = starts[0] if starts else max(text.find(" ", cut, start) + 1, cut)
    if b - end > chars:
        cut = end + chars
        ends = [s.end for s in sentences(text, end, b) if s.end <= cut]
        space = text.rfind(" ", end, cut)
        b = ends[-1] if ends else space if space > end else cut
    return a, b


@dataclass(frozen=True)
class InParagraph:
    """A passage with the paragraph text around it; ``passage`` as (piece, quoted) segments."""

    before: str
    passage: list[tuple[str, bool]]
    after: str


def passage_context(
    doc: Document | None, passage: Passage, quotes: Iterable[tuple[int, int]] = ()
) -> InParagraph:
    """The passage inside its paragraph (cut to ``CONTEXT_CHARS`` a side), quoted ranges marked;
    just the passage when the document is unknown or no longer holds it (a stale index)."""
    segments = mark_segments(passage.text, passage.start, quotes)
    if doc is None or doc.text[passage.start : passage.end] != passage.text:
        return InParagraph("", segments, "")
    text = doc.text
    para = paragraph_bounds(text, passage.start, passage.end)
    a, b = context_bounds(text, passage.start, passage.end, para)
    before = ("… " if a > para[0] else "") + text[a : passage.start]
    after = text[passage.end : b] + (" …" if b < para[1] else "")
    return InParagraph(before, segments, after)


def passage_in_paragraph(
    doc: Document | None, passage: Passage, quotes: Iterable[tuple[int, int]] = ()
) -> str:
    """HTML of ``passage_context``: context muted, the passage plain, quotes in ``<mark>``."""
    return str(macro("_macros.html", "in_paragraph")(passage_context(doc, passage, quotes)))


# ---------------------------------------------------------------------------- reader


@dataclass(frozen=True)
class Piece:
    """Text of a reader block; ``pid`` is the passage it belongs to (None: between passages)."""

    text: str
    pid: int | None = None
    target: bool = False


@dataclass(frozen=True)
class Block:
    """A heading (``tag`` h3-h6, one piece: its label) or a paragraph (``tag`` p)."""

    anchor: str
    tag: str
    pieces: tuple[Piece, ...]
    item: bool = False


@dataclass(frozen=True)
class OutlineEntry:
    level: str  # css class: lvl-0, lvl-1, ... or lvl-item
    anchor: str
    label: str
    current: bool = False


def reader_blocks(
    doc: Document, passages: Sequence[Passage], targets: Collection[int] = ()
) -> tuple[list[OutlineEntry], list[Block]]:
    """The document as (outline, blocks): every passage of it in a piece of its own, headings
    and bullet items in the outline, the entry holding a target passage marked current."""
    text = doc.text
    own = sorted((p for p in passages if p.source == doc.source), key=lambda p: p.start)
    outline: list[OutlineEntry] = []
    current = -1  # index into outline of the entry holding the target
    blocks = []
    pi = 0
    marked = marks_sections(text)
    for n, para in enumerate(paragraphs(text)):
        raw = text[para.start : para.end]
        inside = []
        while pi < len(own) and own[pi].start < para.end:
            if own[pi].end > para.start:
                inside.append(own[pi])
            pi += 1
        has_target = any(p.id in targets for p in inside)
        level = section_heading_level(raw, n == 0, marked)
        anchor = f"rd-h-{n}"
        if level is not None:
            label = heading_label(raw)
            piece = Piece(label, inside[0].id if inside else None, has_target)
            blocks.append(Block(anchor, f"h{min(6, 3 + max(0, level))}", (piece,)))
            outline.append(OutlineEntry(_outline_class(level, label), anchor, label))
            current = len(outline) - 1 if has_target else current
            continue
        if raw.startswith(BULLET):
            first = sentences(text, para.start + len(BULLET), para.end)
            title = heading_label(text[first[0].start : first[0].end]) if first else raw[:60]
            outline.append(OutlineEntry("lvl-item", anchor, title.lstrip("—")))
        elif titled := inline_title(raw):  # "2. Grant of Copyright License. Subject to ..."
            outline.append(OutlineEntry(_outline_class(*titled), anchor, titled[1]))
        if has_target:
            current = len(outline) - 1
        pieces, pos = [], para.start
        for p in inside:
            if p.start > pos:
                pieces.append(Piece(text[pos : p.start]))
            pieces.append(Piece(text[max(p.start, pos) : p.end], p.id, p.id in targets))
            pos = max(pos, p.end)
        if pos < para.end:
            pieces.append(Piece(text[pos : para.end]))
        blocks.append(Block(anchor, "p", tuple(pieces), item=raw.startswith(BULLET)))
    if current >= 0:
        entry = outline[current]
        outline[current] = OutlineEntry(entry.level, entry.anchor, entry.label, current=True)
    return outline, blocks


def _outline_class(level: int, label: str) -> str:
    """The outline's css class: a dotted number ("4.1 Values") is indented under its section."""
    return "lvl-2" if level == 1 and len(section_number(label)) > 1 else f"lvl-{level}"


def document_html(
    doc: Document, passages: Sequence[Passage], target: int | Collection[int] | None = None
) -> str:
    """The whole document: an outline of its headings and items, then its text with every
    passage wrapped in ``<span id="rd-p-ID">``; the ``target`` passage (or passages, for a
    merged hit) is highlighted and the outline entry it falls under is marked as current."""
    targets = {target} if isinstance(target, int) else set(target or ())
    outline, blocks = reader_blocks(doc, passages, targets)
    return render("reader.html", source=doc.source, outline=outline, blocks=blocks)


def passage_span(parts: str, passage_id: int, count: int) -> range:
    """ "12-13" -> range(12, 14); anything malformed, or not holding passage_id, is just it."""
    first, _, last = str(parts).partition("-")
    try:
        span = range(int(first), int(last) + 1)
    except ValueError:
        return range(passage_id, passage_id + 1)
    if passage_id not in span or span.start < 0 or span.stop > count or len(span) > 8:
        return range(passage_id, passage_id + 1)
    return span
