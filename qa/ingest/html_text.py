"""HTML -> text: headings become Markdown heading lines, block elements paragraphs; scripts,
styles, navigation, headers' menus, footers and forms are dropped. Standard library only."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from qa.ingest.converted import UnreadableFileError, join_blocks

DROPPED = {
    "script", "style", "noscript", "template", "nav", "footer", "aside", "form", "button",
    "select", "svg", "iframe", "head", "object", "canvas",
}  # fmt: skip
BLOCKS = {
    "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "table", "tr", "section", "article", "main",
    "blockquote", "pre", "figure", "figcaption", "header", "br", "hr", "address", "caption",
    "body", "td", "th",
}  # fmt: skip
HEADINGS = {f"h{n}": n for n in range(1, 7)}
VOID = {"br", "hr", "img", "meta", "link", "input", "wbr", "area", "base", "col", "source"}
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.dropped = 0  # depth inside dropped elements
        self.heading = 0

    def _flush(self) -> None:
        text = " ".join("".join(self.current).split())
        if text:
            self.blocks.append(("#" * self.heading + " " if self.heading else "") + text)
        self.current = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in DROPPED and tag not in VOID:
            self.dropped += 1
        elif not self.dropped and (tag in BLOCKS or tag in HEADINGS):
            self._flush()
            self.heading = HEADINGS.get(tag, self.heading)
        elif not self.dropped and tag in ("td", "th"):
            self.current.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in DROPPED and tag not in VOID:
            self.dropped = max(0, self.dropped - 1)
        elif not self.dropped and (tag in BLOCKS or tag in HEADINGS):
            self._flush()
            if tag in HEADINGS:
                self.heading = 0

    def handle_startendtag(self, tag: str, attrs) -> None:
        if not self.dropped and tag in BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self.dropped:
            self.current.append(data)


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
    parser = _Text()
    parser.feed(decode_html(data))
    parser.close()
    parser._flush()
    return join_blocks(parser.blocks)
