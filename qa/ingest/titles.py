"""A document's title, for places that need to name it (the web app's header, ...).

The rule, in order:

1. The first non-empty line is a Markdown heading (``# Title``, any level): its text.
2. The first non-empty line looks like a title: it stands alone (a blank line, a ``===`` or
   ``---`` underline, or the end of the text follows it), it has at most ``MAX_TITLE_CHARS``
   characters and at least one letter, and it does not end like a sentence or a clause
   (``. ! ? , ; :`` or their CJK forms, closing quotes aside). A short first paragraph without a
   final full stop is how plain-text documents are titled; body text ends with punctuation.
3. Otherwise the file name without folders and suffix, made readable: ``_`` and ``-`` become
   spaces and the first letter is capitalised. So too when the line of 1 or 2 is one word and a
   number ("Sheet1", "Slide 4", "Feuil1", "Chapter 1"): a program's placeholder or a part's
   label, which names the file less well than its name does.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from qa.types import Document

MAX_TITLE_CHARS = 120

_ATX_HEADING = re.compile(r"#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*")
_UNDERLINE = re.compile(r"[ \t]*(?:=+|-+)[ \t]*")
_PLACEHOLDER = re.compile(r"[^\W\d_]{1,12} ?\d{1,3}")
_SENTENCE_END = ".!?,;:。！？，；：…"
_CLOSERS = "\"'”’»」』）)]"


def document_title(document: Document) -> str:
    """The document's title line, else its readable file name (see the module docstring).

    Example: document_title(Document("notes/harbour_rules.txt", "Boats dock at noon.")) ->
    'Harbour rules'
    """
    lines, first = _opening_lines(document.text.removeprefix("\ufeff"))
    if first is not None:
        line = " ".join(lines[first].split())
        heading = _ATX_HEADING.fullmatch(line)
        if heading and heading.group(1).strip():
            title = heading.group(1).strip()
            return readable_name(document.source) if _PLACEHOLDER.fullmatch(title) else title
        following = lines[first + 1] if first + 1 < len(lines) else ""
        alone = not following.strip() or _UNDERLINE.fullmatch(following) is not None
        if alone and is_title_line(line) and not _PLACEHOLDER.fullmatch(line):
            return line
    return readable_name(document.source)


def _opening_lines(text: str, head: int = 4096) -> tuple[list[str], int | None]:
    """The text's lines up to the one after its first non-blank one (every line, when the
    head holds no complete pair), and that line's number (None: every line is blank): a
    library's titles are read without splitting each document whole."""
    lines, first = _with_first_filled(text[:head].splitlines())
    # the head's last line may be cut, and a line ending in "\r" may go on with "\n"
    if len(text) > head and (first is None or first + 2 >= len(lines)):
        return _with_first_filled(text.splitlines())
    return lines, first


def _with_first_filled(lines: list[str]) -> tuple[list[str], int | None]:
    return lines, next((i for i, line in enumerate(lines) if line.strip()), None)


def is_title_line(line: str) -> bool:
    """Short, with a letter, and not ending like a sentence or a clause.

    Example: is_title_line("Farming notes") -> True; is_title_line("Boats dock at noon.") -> False
    """
    line = line.strip()
    if len(line) > MAX_TITLE_CHARS or not any(c.isalpha() for c in line):
        return False
    return line.rstrip(_CLOSERS)[-1] not in _SENTENCE_END


def readable_name(source: str) -> str:
    """A file name without folders and suffix, ``_`` and ``-`` as spaces, capitalised.

    Example: readable_name("docs/ip_action-plan.txt") -> 'Ip action plan'
    """
    stem = PurePosixPath(source.replace("\\", "/")).stem
    words = " ".join(re.sub(r"[_\-]+", " ", stem).split())
    return (words[:1].upper() + words[1:]) or source
