"""PDF -> text with pypdf, page by page, lines joined back into paragraphs.

A PDF has no paragraphs, only positioned lines. A paragraph ends where the space between two
lines is clearly larger than the line spacing of their font size, where the font size changes
(a line's size is the one most of its characters are set in, not its bullet glyph's),
after a short line that ends a sentence or looks like a heading, and before a bullet item; lines in a larger font than the body become ``#`` heading lines (the largest
``#``, the next ``##``, ranked over the whole document so that a heading's level does not
depend on what else its page holds), numbered ("2.1 Syntax") or not; a numbered heading in the
body's size ranks below them all. A PDF that gives no positions falls back to reflow(), which reads the
text alone. Pages are separated by a blank line, except that a paragraph cut by a page break is
joined back; ``Converted.pages`` says where each page starts.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass

from qa.ingest.chunking import BULLET, heading_level
from qa.ingest.converted import (
    Converted,
    MissingPackageError,
    UnreadableFileError,
    join_blocks,
    literal,
    require,
)
from qa.ingest.non_titles import is_contents_entry, title_page_line
from qa.ingest.pdf_lines import Line, body_size, page_lines
from qa.ingest.pdf_word_gaps import count_word_gaps

_ENDS_SENTENCE = re.compile(r"[.!?:;。！？：；][\"”’)]*$")
_STARTS_BLOCK = re.compile(r"^(?:——|[•▪●◦\-–]\s|\d+(?:\.\d+)*[.)]\s|[(（]\d+[)）]\s*|[IVX]+\.\s)")
# a page number opening or closing a line: "8 Chapter 2", "2.3. Syntax 9" (not "2.3.")
_EDGE_NUMBER = re.compile(r"^(\d{1,4})(?=\s)|(?<=\s)(\d{1,4})$|^(\d{1,4})$")
_PAGE_NUMBER = re.compile(r"(?:page\s+)?(?:\d{1,4}|[ivxlc]{1,6})(?:\s*(?:/|of)\s*\d{1,4})?", re.I)
FULL_LINE = 0.8  # a line this share of the page's longest line or more is a wrapped line
GAP = 1.35  # a gap over this many times the line spacing starts a paragraph
LINE = 1.25  # line spacing at most this many times the font size (when lines are never wrapped)
BIGGER = 1.15  # a font this many times the body's size or more is a heading


# a chapter's number alone on its line, in words or digits ("TWO", "TWENTYONE", "3")
_CHAPTER_NUMBER = re.compile(
    r"(?:twenty|thirty|forty)?(?:one|two|three|four|five|six|seven|eight|nine)|ten|eleven|twelve"
    r"|(?:thir|four|fif|six|seven|eigh|nine)teen|twenty|thirty|forty|\d{1,3}",
    re.I,
)
# a chapter's label: "2 Using the library", "A.1 Licence", "Appendix A Copying" (the chunker
# reads such short lines as titles, level 0, which nest nothing)
_CHAPTER = re.compile(
    r"^(?:\d+(?:\.\d+)*|[A-Z](?:\.\d+)+|(?i:chapter|appendix|annex|part|schedule)\s+[\dA-Z]+)"
    r"\.?\s+\S"
)


@dataclass(frozen=True)
class Fonts:
    """The font sizes larger than the body's (the median line's), largest first: heading ranks."""

    bigger: tuple[int, ...]

    @classmethod
    def of_pages(cls, pages: list[list[Line]]) -> Fonts:
        """The sizes of the pages after the first (all pages', when only the first has text):
        a title page's sizes (a 25 pt title, a 17 pt subtitle) head no section, and ranked
        with the rest they would put the chapters two levels down, below a numbered line the
        chunker finds in a long table of contents (level 1)."""
        later = [line for lines in pages[1:] for line in lines if line.size]
        return cls.of(later or [line for lines in pages[:1] for line in lines if line.size])

    @classmethod
    def of(cls, lines: list[Line]) -> Fonts:
        body = body_size(lines)
        bigger = sorted({round(x.size) for x in lines if x.size >= BIGGER * body}, reverse=True)
        return cls(tuple(bigger))


def layout_text(
    lines: list[Line], fonts: Fonts | None = None, title_page: bool = True, below: int = 0
) -> str:
    """Lines into paragraphs by their spacing and font size; larger fonts become ``#`` headings,
    ranked by ``fonts`` (the whole document's; this page's when not given) and ``below`` levels
    down (under a title marked ``#``). On a title page a short large line ("Ann Lee") stays a
    line, unless it is a chapter's label.

    Falls back to reflow() (text only) when the PDF gives no positions.
    """
    if len(lines) < 2 or not all(line.y and line.size for line in lines):
        return reflow("\n".join(line.text for line in lines))
    bigger = list((fonts or Fonts.of(lines)).bigger)
    widths: dict[float, int] = {}  # font size -> its longest line (a full line), in characters
    for line in lines:
        widths[line.size] = max(widths.get(line.size, 0), len(line.text))
    gaps: dict[float, float] = {}  # font size -> its line spacing (the smallest gap seen, capped)
    for a, b in zip(lines, lines[1:], strict=False):
        if abs(a.size - b.size) < 0.5 and 0 < a.y - b.y:
            gaps[a.size] = min(gaps.get(a.size, LINE * a.size), a.y - b.y)
    paragraphs: list[list[Line]] = []
    for i, line in enumerate(lines):
        previous = lines[i - 1] if i else None
        if (
            previous is None
            or abs(previous.size - line.size) >= 0.5
            or not 0 < previous.y - line.y <= GAP * gaps.get(line.size, LINE * line.size)
            or _breaks_after(previous.text, widths[previous.size])
            or line.text.startswith((BULLET, "• ", "▪ ", "● "))
        ):
            paragraphs.append([])
        paragraphs[-1].append(line)
    out = []
    for para in paragraphs:
        text = _join_lines([line.text for line in para])
        size = round(para[0].size)
        # a larger font's rank is the heading's level; a body-size numbered heading is below
        if size in bigger and _marked_by_size(text, title_page):
            text = "#" * min(bigger.index(size) + 1 + below, 6) + " " + text
        elif size not in bigger:
            text = _below_sizes(literal(text), len(bigger) + below)
        out.append(text)
    return "\n\n".join(out)


def _marked_by_size(text: str, title_page: bool) -> bool:
    """Does a paragraph set in a larger font become a ``#`` heading of its size's rank? Yes,
    numbered or not ("2.1 Syntax" ranks by its size beside "Chapter 2" and "Rationale"),
    unless it is a short line of the title page that labels no chapter (an author's name), a
    Markdown heading already, or a line that never heads."""
    level = heading_level(text)
    if _never_heads(text) or text.startswith("#"):
        return False
    return level != 0 or not title_page or _CHAPTER.match(text) is not None


def _below_sizes(text: str, ranks: int) -> str:
    """A numbered heading set in the body's size ("0. PREAMBLE" in bold) ranks below every
    larger font: marked so, it nests in the chapter above it instead of closing it.

    Example: _below_sizes("0. PREAMBLE", 2) -> '### 0. PREAMBLE'
    """
    level = heading_level(text)
    if not ranks or level not in (1, 2) or text.startswith(("#", "\\#")):
        return text
    return "#" * min(ranks + level, 6) + " " + text


def _never_heads(text: str) -> bool:
    """A line no font size makes a heading: an address, a date or version stamp, a copyright
    notice, a table of contents' entry."""
    return title_page_line(text) or is_contents_entry(text)


def drop_furniture(pages: list[list[Line]]) -> list[list[Line]]:
    """Pages without their page numbers and running heads or feet: a page's first or last line
    that is only a number, that (digits aside) starts or ends at least half the pages (3 or
    more) in the same font size, or on 3 pages within 5 in the body's size or smaller (a
    chapter's running head, "The Root Filesystem"), or that is a short line opening or closing
    with the page's printed number ("2.3. Copyright considerations 9", "8 Chapter 2. The
    Archive": the number that most pages' edges give as their page's). A page's edges are its
    first and last lines as extracted and its top and bottom lines.
    Running heads cut paragraphs apart and are not the document's text; the title they
    repeat, set large on the first page, is.

    Example: drop_furniture([[Line("Rules", 700, 10), Line("Dock early.", 680, 10),
    Line("1", 40, 10)]]) -> [[Line("Rules", 700, 10), Line("Dock early.", 680, 10)]]
    """
    at: dict[tuple[str, int], list[int]] = {}  # a shape -> the pages whose edges have it
    for i, lines in enumerate(pages):
        for shape in {_shape(x) for x in _edges(lines)}:
            at.setdefault(shape, []).append(i)
    repeated = {t for t, n in at.items() if len(pages) >= 3 and len(n) * 2 >= len(pages)}
    chapter_heads = {
        t for t, n in at.items() if any(c - a <= 4 for a, c in zip(n, n[2:], strict=False))
    }
    offset = _printed_offset(pages)
    body = body_size(x for lines in pages for x in lines)

    def furniture(line: Line, page: int) -> bool:
        return bool(
            _PAGE_NUMBER.fullmatch(line.text)
            or _shape(line) in repeated
            or (line.size <= body and _shape(line) in chapter_heads)
            or (offset is not None and _printed(line, page - offset, body))
        )

    out = []
    for i, lines in enumerate(pages):
        dropped = {id(x) for x in _edges(lines) if furniture(x, i)}
        out.append([x for x in lines if id(x) not in dropped])
    return out


def _edges(lines: list[Line]) -> list[Line]:
    """A page's first and last lines as extracted, and its top and bottom lines by height: a
    page may give its running head first and its page number, at its foot, second."""
    edges = lines[:1] + lines[-1:]
    placed = [x for x in lines if x.y]
    if placed:
        edges += [max(placed, key=lambda x: x.y), min(placed, key=lambda x: x.y)]
    return list({id(x): x for x in edges}.values())


def _printed(line: Line, number: int, body: float) -> bool:
    """A line in the body's size or smaller that opens or closes with the page's number and
    ends no sentence (a heading set larger, "Chapter 4" atop page 4, is kept, and so is a
    footnote numbered as its page is: "4 See the fee table.")."""
    return (
        line.size <= body
        and not _ENDS_SENTENCE.search(line.text)
        and number in _edge_numbers(line.text)
    )


def _printed_offset(pages: list[list[Line]]) -> int | None:
    """The page index less its printed number that the first or last lines of at least half
    the pages (3 or more) agree on, else None."""
    offsets: Counter = Counter()
    for i, lines in enumerate(pages):
        numbers = set().union(*(_edge_numbers(x.text) for x in _edges(lines)))
        offsets.update({i - n for n in numbers})
    if len(pages) < 3 or not offsets:
        return None
    offset, n = offsets.most_common(1)[0]
    return offset if n * 2 >= len(pages) else None


def _edge_numbers(text: str) -> set[int]:
    """The numbers a short line opens or closes with ("8 Chapter 2", "2.3. Syntax 9": 8, 9)."""
    if len(text.split()) > 12:
        return set()
    return {int(next(g for g in m.groups() if g)) for m in _EDGE_NUMBER.finditer(text)}


def chapter_openers(pages: list[list[Line]]) -> list[list[Line]]:
    """Pages with each chapter opener as one heading line, ranked a size above its own. Sphinx
    opens a chapter with "CHAPTER", then its number in words, then its name, the last two in
    the size of the chapter's sections ("TWO" / "THE DEBIAN ARCHIVE" over "2.1 The Debian Free
    Software Guidelines"): read by size, the chapter would be a sibling of its sections, and
    "TWO" a heading of its own. The number must be set larger than the body (the median line).

    Example: with body lines in 10 pt, [Line("TWO", 700, 14), Line("THE ARCHIVE", 680, 14)]
    becomes [Line("TWO THE ARCHIVE", 700, 15)]
    """
    body = body_size(x for lines in pages for x in lines)
    out = []
    for lines in pages:
        kept: list[Line] = []
        i = 0
        while i < len(lines):
            line, title = lines[i], []
            if line.size >= BIGGER * body and _CHAPTER_NUMBER.fullmatch(line.text):
                rest = lines[i + 1 :]
                while rest and len(title) < 3 and _continues_title(rest[0], line):
                    title.append(rest.pop(0).text)
            if title:
                if kept and kept[-1].text.casefold() == "chapter":
                    kept.pop()  # its "CHAPTER" line, when no running-head rule dropped it
                kept.append(Line(" ".join([line.text, *title]), line.y, line.size + 1))
                i += 1 + len(title)
            else:
                kept.append(line)
                i += 1
        out.append(kept)
    return out


def _continues_title(line: Line, number: Line) -> bool:
    """A line of a chapter opener's name: the number's size, in capitals, no numbered heading."""
    return (
        abs(line.size - number.size) < 0.5
        and line.text.isupper()
        and not _STARTS_BLOCK.match(line.text)
    )


def _shape(line: Line) -> tuple[str, int]:
    """A line's text, digits aside, and its font size: what a running head repeats."""
    return re.sub(r"\d+", "#", line.text.strip().lower()), round(line.size or 0)


def reflow(page_text: str) -> str:
    """A page's lines joined into paragraphs by their text alone (blank lines between them).

    Example: reflow("Dock early at the\nharbour.\n2. Fees\nPay now.") ->
    'Dock early at the harbour.\n\n2. Fees\n\nPay now.'
    """
    lines = [" ".join(line.split()) for line in page_text.splitlines()]
    width = max((len(line) for line in lines), default=0)
    paragraphs: list[list[str]] = []
    for i, line in enumerate(lines):
        previous = lines[i - 1] if i else ""
        if not line:
            continue
        if not paragraphs or not previous or _breaks_after(previous, width):
            paragraphs.append([])
        elif _STARTS_BLOCK.match(line):
            paragraphs.append([])
        paragraphs[-1].append(line)
    return "\n\n".join(_join_lines(p) for p in paragraphs)


def _breaks_after(line: str, width: int) -> bool:
    short = len(line) < FULL_LINE * width
    if _ENDS_SENTENCE.search(line):
        return short
    return short and heading_level(line) is not None and not line.startswith(BULLET)


def _join_lines(lines: list[str]) -> str:
    """Wrapped lines as one line; a line ending in a hyphen joins the next without a space."""
    out = lines[0]
    for line in lines[1:]:
        out += line if re.search(r"\w-$", out) else " " + line
    return out


def pdf_to_text(data: bytes) -> Converted:
    pypdf = require("pypdf", "pypdf")
    count_word_gaps()
    from pypdf.errors import PdfReadError

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableFileError(
                "it is encrypted with a password; save a copy without the password and index that"
            )
        pages = chapter_openers(drop_furniture([page_lines(p) for p in reader.pages]))
        fonts = Fonts.of_pages(pages)
        texts = [layout_text(lines, fonts, i == 0) for i, lines in enumerate(pages[:1])]
        # a title marked "#" on the title page: the headings after it rank below it, or the
        # chunker reads a part set in the title's size ("# Gnuplot") as the title again
        below = int(bool(texts) and texts[0].startswith("# "))
        texts += [layout_text(lines, fonts, False, below) for lines in pages[1:]]
    except UnreadableFileError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as e:
        reason = str(e) or type(e).__name__
        if "cryptography" in reason.lower():
            raise MissingPackageError(
                f"it is encrypted (AES) and reading it needs the cryptography package; "
                f"install it with pip install cryptography ({reason})"
            ) from None
        raise UnreadableFileError(
            f"not a readable PDF ({reason}); the file may be damaged or cut short, "
            "open and save it again, or replace it"
        ) from None
    if not any(t.strip() for t in texts):
        raise UnreadableFileError(
            f"none of its {len(texts)} page(s) has a text layer (a scanned PDF?); run OCR on it "
            "(e.g. ocrmypdf) and index the result"
        )
    return join_pages([join_blocks(t.split("\n\n")) for t in texts])


def join_pages(pages: list[str]) -> Converted:
    """Pages one after another, a blank line between them, except that a paragraph cut by the
    page break (the next page starts in lower case) is joined back with a space.

    Example: join_pages(["Dock early at\n", "the harbour.\n"]) ->
    Converted(text='Dock early at the harbour.\n', pages=(0, 14))
    """
    text, starts = "", []
    for page in pages:
        if text and page[:1].islower():
            text = text.rstrip("\n") + " "
        elif text and page:
            text += "\n"
        starts.append(len(text))
        text += page
    return Converted(text, tuple(starts))
