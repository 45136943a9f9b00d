"""A PDF page's text lines as pypdf draws them: each line's text, baseline and font size, with
its footnote markers left out and its ligature glyphs ("ﬁ") spelled out.

A footnote's number is drawn twice: raised and small after the word it annotates ("a
site-specific filesystem.⁶ The setup ..."), and at the start of the footnote at the page's foot.
Kept in the text, the raised one reads as a word ("filesystem. 6 The setup", "a suitable21 BLAS")
and is quoted in answers. A raised small number is dropped only when a line of the same page
opens with it in a smaller font, followed by words, so an exponent ("10⁶", "x²") or a formula's
numerator with no such footnote stays. A mark raised by text rise (``Ts``) instead of position is
not seen: pypdf reports no rise.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Line:
    text: str
    y: float  # baseline height on the page (0 when the PDF does not say)
    size: float  # font size in points


@dataclass(frozen=True)
class Piece:
    """A run of text pypdf draws in one font at one position."""

    text: str
    y: float  # baseline height
    size: float  # font size in points


# a ligature glyph is two or three letters: "speciﬁed" is no word to BM25 or MiniLM (an unknown
# word piece), "specified" is; a control character (Texinfo draws a box's corner as U+0008) is
# no text at all
LIGATURES = {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"}
_CONTROL = {chr(c): " " for c in [*range(32), 127] if chr(c) not in "\t\n\r"}
_SPELLED = str.maketrans({**LIGATURES, **_CONTROL})
# an accent TeX draws as a glyph of its own before the letter ("M¨uller", "Pad´e"): the pair is
# one letter where Unicode has one ("Müller"), and left as drawn where it has none; not "˜" or
# "ˆ", which TeX also draws for a tilde or caret in code ("˜a" is gnuplot's overprint, "xˆy")
_ACCENTS = {"¨": "\u0308", "´": "\u0301", "ˇ": "\u030c", "˚": "\u030a", "˘": "\u0306",
            "˙": "\u0307", "¯": "\u0304", "˝": "\u030b"}  # fmt: skip
_ACCENTED = re.compile(f"([{''.join(_ACCENTS)}])([A-Za-z])")
_LABEL = re.compile(r"(?:\d{1,3}|[*†‡§])(?!\d)")
_WORD = re.compile(r"[^\W\d_]{2,}")
SMALLER = 0.9  # a footnote's size, and its mark's: under this share of the body's or line's
RAISED = 0.2  # a marker's baseline: at least this share of its line's size above the line's


def page_lines(page) -> list[Line]:
    """The page's text lines as pypdf extracts them, each with its height and font size."""
    rows: list[list[Piece]] = []
    current: list[Piece] = []

    def visit(text, cm, tm, font, size) -> None:
        for i, piece in enumerate(text.split("\n")):
            if i:
                _close()
            scale = abs(tm[3] * cm[3]) or 1.0
            current.append(Piece(piece, tm[5] * cm[3] + cm[5], size * scale))

    def _close() -> None:
        if current:
            rows.append(current.copy())
        current.clear()

    page.extract_text(visitor_text=visit)
    _close()
    lines = [line_of(row) for row in rows]
    if labels := footnote_labels(lines):  # a row that loses a mark is read again
        lines = [
            line if (kept := without_markers(row, line, labels)) is row else line_of(kept)
            for row, line in zip(rows, lines, strict=True)
        ]
    return [line for line in lines if line.text]


def body_size(lines: Iterable[Line]) -> float:
    """The body's font size: the median line's (0 when no line gives a size)."""
    sizes = [x.size for x in lines if x.size]
    return statistics.median(sizes) if sizes else 0.0


def line_of(pieces: list[Piece]) -> Line:
    """The line's text (ligatures spelled out, control characters left out), and the baseline
    and size most of its characters are set on: a bullet glyph in a smaller symbol font, or a
    footnote's raised number, does not set its line apart from the lines it wraps into."""
    text = _accented(" ".join("".join(p.text for p in pieces).translate(_SPELLED).split()))
    where, sizes = _weights(pieces)
    return Line(
        text,
        where.most_common(1)[0][0] if where else 0.0,
        sizes.most_common(1)[0][0] if sizes else 0.0,
    )


def _accented(text: str) -> str:
    """Spacing accents joined to the letter after them where Unicode has that letter.

    Example: _accented("M¨uller's Pad´e table, ¯x") -> "Müller's Padé table, ¯x"
    """

    def join(m: re.Match) -> str:
        letter = unicodedata.normalize("NFC", m.group(2) + _ACCENTS[m.group(1)])
        return letter if len(letter) == 1 else m.group(0)

    return _ACCENTED.sub(join, text)


def _weights(pieces: list[Piece]) -> tuple[Counter, Counter]:
    """Characters set on each baseline, and in each size."""
    where: Counter = Counter()
    sizes: Counter = Counter()
    for p in pieces:
        if n := len(p.text.strip()):
            where[p.y] += n
            sizes[p.size] += n
    return where, sizes


def footnote_labels(lines: list[Line]) -> frozenset[str]:
    """The numbers (or *, †, ‡, §) that open a line of words set smaller than the page's
    body: the page's footnotes.

    Example: [Line("Body text.", 700, 10), Line("6 A note.", 58, 8)] -> {"6"}
    """
    body = body_size(lines)
    labels = set()
    for line in lines:
        opening = _LABEL.match(line.text)  # "9https://..." when the note is a bare address
        label, note = (opening.group(), line.text[opening.end() :]) if opening else ("", "")
        if (
            label
            and 0 < line.size < SMALLER * body
            and len(_WORD.findall(note)) >= 2  # a note, not a formula's lone "1" or "0"
        ):
            labels.add(label)
    return frozenset(labels)


def without_markers(row: list[Piece], line: Line, labels: frozenset[str]) -> list[Piece]:
    """The row (read as ``line``) without its footnote markers: a piece that is one of
    ``labels``, after other text, smaller than the line and raised above its baseline. The
    row itself when it has none."""
    kept: list[Piece] = []
    for p in row:
        marker = (
            p.text.strip() in labels
            and any(k.text.strip() for k in kept)
            and p.size <= SMALLER * line.size
            and p.y - line.y >= RAISED * line.size
        )
        if not marker:
            kept.append(p)
    return row if len(kept) == len(row) else kept
