"""HTML -> text: headings become Markdown heading lines, list items bulleted lines ("- "),
other block elements paragraphs; scripts, styles, navigation, footers and forms are dropped,
and so are what generated pages mark as such (``role="navigation"``, a sidebar's table of
contents) and their headings' permalinks ("¶"). A page whose headings do not open with one
title of their own (several ``<h1>``, or none) is titled by its ``<title>``: it becomes the ``#``
line and every heading goes one level down, as Word's Title style does. A note's mark (a
superscript linking within the page) is left out of its sentence. Standard library only."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from itertools import pairwise

from qa.ingest.converted import UnreadableFileError, join_blocks, literal
from qa.ingest.titles import MAX_TITLE_CHARS

DROPPED = {
    "script", "style", "noscript", "template", "nav", "footer", "aside", "form", "button",
    "select", "svg", "iframe", "head", "object", "canvas",
}  # fmt: skip
BLOCKS = {
    "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "table", "tr", "section", "article", "main",
    "blockquote", "pre", "figure", "figcaption", "header", "br", "hr", "address", "caption",
    "body", "td", "th",
}  # fmt: skip
# landmarks a page marks by role rather than by tag: a sidebar (role="navigation"), a search
# box, the page's footer (role="contentinfo")
DROPPED_ROLES = {"navigation", "search", "contentinfo"}
# ...or by class: a table of contents (DocBook's and most wikis' "toc", DocBook's lists of
# tables and figures) and a chunked manual's "Prev / Up / Next" bars. (Sphinx's
# "toctree-wrapper" is no such thing: a single-page build holds the whole text in it.)
DROPPED_CLASSES = {
    "toc", "list-of-tables", "list-of-figures", "list-of-examples", "navheader", "navfooter",
    "footnote-reference",  # Sphinx's mark of a note: "... by the project. 1 If one person ..."
}  # fmt: skip
# a heading a title page marks as its author, editor or subtitle (DocBook: <h3 class="author">)
# names no section: it is text
CREDIT_CLASSES = {"author", "corpauthor", "editor", "othercredit", "subtitle", "releaseinfo"}
# a heading's permalink (Sphinx's and MkDocs' "headerlink", "¶"): no part of its text
_PERMALINK = re.compile(r"\b(?:headerlink|anchorjs-link|anchor-link|permalink)\b")
HEADINGS = {f"h{n}": n for n in range(1, 7)}
VOID = {"br", "hr", "img", "meta", "link", "input", "wbr", "area", "base", "col", "source"}
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)


# what a data table's cell may hold besides text: its paragraph, a line break; a cell of more
# words is a layout table's column of paragraphs
_IN_DATA_CELLS = {"p", "div", "br"}
_MAX_CELL_WORDS = 60


@dataclass
class _Row:
    depth: int  # the tables it is inside
    start: int  # its first block
    cells: list[int] = field(default_factory=list)  # where each cell's blocks start
    data: bool = True  # cells of text (a paragraph, line breaks), no lists, headings or tables


class _Text(HTMLParser):
    def __init__(self, drop_marked: bool = True) -> None:
        """``drop_marked``: drop what is marked as no text by its role or class (off only when
        such an element never closed)."""
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.dropped = 0  # depth inside dropped elements
        self.dropped_by: list[list] = []  # [tag, depth] of elements dropped by role or class
        self.heading = 0
        self.bullet = False  # the next block opens a list item
        self.drop_marked = drop_marked
        self.title: list[str] = []  # the text of <title>
        self.in_title = False
        self.links: list[bool] = []  # each open <a>: does it link within the page?
        self.sups: list[list] = []  # each open <sup>: [where its text starts, in a link?]
        self.term_linked = False  # the open <dt> holds a link within the page (a note's label)
        self.note_label = ""  # a note's label ("5") waiting for its <dd>: "[5] The note ..."
        self.note_prefix = ""  # ...and then for the note's first text
        self.tables = 0  # depth inside <table>
        self.rows: list[_Row] = []  # the open table rows, innermost last

    def _flush(self) -> None:
        text = " ".join("".join(self.current).split())
        if text and self.note_prefix:
            text, self.note_prefix = self.note_prefix + text, ""
        if text:
            mark = "#" * self.heading + " " if self.heading else "- " if self.bullet else ""
            self.blocks.append(mark + (text if self.heading else literal(text)))
            self.bullet = False
        self.current = []

    def handle_starttag(self, tag: str, attrs) -> None:
        # the page's title is in its head, before any text (an <svg>'s <title> is a tooltip)
        self.in_title = tag == "title" and not self.title and not self.blocks
        attributes = dict(attrs)
        if self.drop_marked and tag not in VOID and _dropped_by_attributes(tag, attributes):
            self.dropped += 1
            self.dropped_by.append([tag, 1])  # closed by its own end tag (nesting counted)
            return
        if self.dropped_by and tag == self.dropped_by[-1][0] and tag not in VOID:
            self.dropped_by[-1][1] += 1  # the same tag nested inside the dropped element
        if tag == "a":
            self.links.append((attributes.get("href") or "").startswith("#"))
            if self.sups and self.links[-1]:
                self.sups[-1][1] = True
            self.term_linked = self.term_linked or self.links[-1]
        elif tag == "dt":
            self.term_linked = False
        elif tag == "sup":
            self.sups.append([len(self.current), any(self.links)])
        if tag in DROPPED and tag not in VOID:
            self.dropped += 1
        elif not self.dropped and (tag in BLOCKS or tag in HEADINGS):
            self._flush()
            self._table_start(tag)
            if self.note_label:  # the note's first block opens with its label, or it stands alone
                if tag == "dd":
                    self.note_prefix = f"[{self.note_label}] "
                else:
                    self.blocks.append(self.note_label)
                self.note_label = ""
            credit = tag in HEADINGS and _classes(attributes) & CREDIT_CLASSES
            self.heading = 0 if credit else HEADINGS.get(tag, self.heading)
            self.bullet = self.bullet or tag == "li"
        elif not self.dropped and tag in ("td", "th"):
            self.current.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if self.dropped_by and tag == self.dropped_by[-1][0]:
            self.dropped_by[-1][1] -= 1
            if self.dropped_by[-1][1] == 0:
                self.dropped_by.pop()
                self.dropped = max(0, self.dropped - 1)
            return
        if tag == "a" and self.links:
            self.links.pop()
        elif tag == "sup" and self.sups:
            self._drop_note_mark(*self.sups.pop())
        elif tag == "dt" and self.term_linked and not self.dropped:
            label = "".join(self.current).strip().strip("[]")
            if _NOTE_MARK.fullmatch(label):  # Sphinx's note list: <dt>5</dt><dd>The note</dd>
                self.note_label, self.current = label, []
        if tag in DROPPED and tag not in VOID:
            self.dropped = max(0, self.dropped - 1)
        elif not self.dropped and (tag in BLOCKS or tag in HEADINGS):
            self._flush()
            self._table_end(tag)
            if tag in HEADINGS:
                self.heading = 0
            if tag == "li":
                self.bullet = False
            if tag == "dd":
                self.note_prefix = ""  # an empty note gives its label to no later paragraph

    def _table_start(self, tag: str) -> None:
        """Note where a table's row and its cells start in the blocks; a list, a heading or a
        table inside a row makes it a layout row."""
        if tag == "table":
            self.tables += 1
        elif tag == "tr":
            self._close_rows(self.tables)  # the row before it, its </tr> left out
            self.rows.append(_Row(self.tables, len(self.blocks)))
        elif self.rows and tag in ("td", "th"):
            self.rows[-1].cells.append(len(self.blocks))
        elif self.rows and tag not in _IN_DATA_CELLS:
            self.rows[-1].data = False

    def _table_end(self, tag: str) -> None:
        if tag == "tr":
            self._close_rows(self.tables)
        elif tag == "table" and self.tables:
            self._close_rows(self.tables)
            self.tables -= 1

    def _close_rows(self, depth: int) -> None:
        """A data row's cells become one block, "Ferry | Five coins", as other formats' rows
        are written (qa.ingest.converted.table_row); a layout row's blocks stay as they are."""
        while self.rows and self.rows[-1].depth >= depth:
            row = self.rows.pop()
            if self.rows and row.depth > self.rows[-1].depth:
                self.rows[-1].data = False  # a table inside a cell lays out the row around it
            bounds = [*row.cells, len(self.blocks)]
            cells = [" ".join(self.blocks[a:b]) for a, b in pairwise(bounds)]
            short = all(len(c.split()) <= _MAX_CELL_WORDS for c in cells)  # not paragraphs laid out
            if row.data and short and row.cells[:1] == [row.start] and sum(map(bool, cells)) > 1:
                self.blocks[row.start :] = [" | ".join(c for c in cells if c)]

    def _drop_note_mark(self, start: int, linked: bool) -> None:
        """A note's mark ("[1]", "2", "*": a superscript linking within the page) after other
        text is no word of the sentence; the note itself, which opens with it, keeps it."""
        mark = "".join(self.current[start:]).strip()
        if linked and _NOTE_MARK.fullmatch(mark) and "".join(self.current[:start]).strip():
            del self.current[start:]

    def handle_startendtag(self, tag: str, attrs) -> None:
        if not self.dropped and tag in BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)
        elif not self.dropped:
            self.current.append(data)


def _dropped_by_attributes(tag: str, attrs: dict) -> bool:
    """A landmark marked by its role, a table of contents or navigation bar by its class, or
    a heading's permalink."""
    if (attrs.get("role") or "").strip().lower() in DROPPED_ROLES:
        return True
    if _classes(attrs) & DROPPED_CLASSES:
        return True
    return tag == "a" and bool(_PERMALINK.search(attrs.get("class") or ""))


# a note's mark: "1", "[12]", "a", "*" (a superscript, or Sphinx's "footnote-reference" link)
_NOTE_MARK = re.compile(r"\[?(?:\d{1,3}|[a-z]|[*†‡§])\]?")


def _classes(attrs: dict) -> set[str]:
    return set((attrs.get("class") or "").lower().split())


def decode_html(data: bytes) -> str:
    """UTF-8 (with or without BOM), else the charset the page declares."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        declared = _CHARSET.search(data[:4096])
        if declared:
            try:
                return data.decode(declared.group(1).decode("ascii"))
            except (LookupError, UnicodeDecodeError):
                pass
        raise UnreadableFileError(
            f"not valid UTF-8 (byte {e.start}) and no usable <meta charset>; re-save it as UTF-8"
        ) from None


def html_to_text(data: bytes) -> str:
    """The readable text of a page, headings as ``#`` lines.

    Example: html_to_text(b"<nav>Menu</nav><h2>Fees</h2><p>Pay <b>early</b>.</p>") ->
    '## Fees\\n\\nPay early.\\n'
    """
    page = decode_html(data)
    parser = _parsed(page, drop_marked=True)
    if parser.dropped_by:  # an element dropped by its role or class never closed: it took the rest
        parser = _parsed(page, drop_marked=False)
    return join_blocks(titled(parser.blocks, " ".join("".join(parser.title).split())))


def _parsed(page: str, drop_marked: bool) -> _Text:
    parser = _Text(drop_marked)
    parser.feed(page)
    parser.close()
    parser._flush()
    parser._close_rows(0)  # rows a page never closed
    return parser


def titled(blocks: list[str], title: str) -> list[str]:
    """The blocks under one title when their headings do not open with exactly one level-1
    heading: the first heading if it says the page's ``<title>`` (DocBook: an ``<h2>``, with
    the chapters ``<h2>`` too), else the ``<title>`` as a new first heading. Every other heading
    goes below it, levels kept apart as they were.

    Example: titled(["# Scope", "Text.", "# Fees"], "Harbour rules") ->
    ['# Harbour rules', '## Scope', 'Text.', '## Fees']
    """
    levels = [len(b) - len(b.lstrip("#")) for b in blocks]
    headings = [i for i, level in enumerate(levels) if level]
    if headings and levels[headings[0]] == 1 and levels.count(1) == 1:
        return blocks  # one level-1 heading, the first: the page's own title
    if headings and blocks[headings[0]][levels[headings[0]] + 1 :].casefold() == title.casefold():
        first = headings[0]  # the first heading says the title: it is the title
        return _below([*blocks[:first], "# " + title, *blocks[first + 1 :]], first, levels[first])
    if title and len(title) <= MAX_TITLE_CHARS:
        return _below(["# " + title, *blocks], 0, 1)
    return blocks


def _below(blocks: list[str], title_at: int, top: int) -> list[str]:
    """Every heading but the title's one level below it at least: level - top + 2 (max 6)."""
    out = []
    for i, block in enumerate(blocks):
        level = len(block) - len(block.lstrip("#"))
        if i == title_at or not level:
            out.append(block)
            continue
        new = min(max(2, level - top + 2), 6)
        out.append("#" * new + block[level:])
    return out
