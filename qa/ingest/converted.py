"""What every converter (qa.ingest.pdf_text, docx_text, html_text) returns and raises, and the
helpers they share."""

from __future__ import annotations

import re
from dataclasses import dataclass

INSTALL_HINT = "pip install 'planqa[formats]'"
# a zip package's parts unpacked (workbooks, e-books, Strict Office files): a zip bomb is refused
# before it is read
MAX_UNPACKED_BYTES = 200_000_000


class UnreadableFileError(Exception):
    """A PDF, Word or HTML file that cannot be turned into text; the message says why and what
    to do. The corpus skips such a file with a warning instead of failing."""


class MissingPackageError(UnreadableFileError):
    """The file needs a package that is not installed: installing it is the cure, so this is
    never kept as the file's failure (qa.ingest.conversion_cache)."""


@dataclass(frozen=True)
class Converted:
    """A converted file: its text and, for a PDF, where each page starts in it (page 1 first)."""

    text: str
    pages: tuple[int, ...] = ()


def join_blocks(blocks: list[str]) -> str:
    """Blocks of text, each made one paragraph (inner blank lines closed), blank lines between.

    Example: join_blocks(["# A", "b\\n\\n c", " "]) -> '# A\\n\\nb\\nc\\n'
    """
    clean = []
    for block in blocks:
        lines = [" ".join(line.split()) for line in block.splitlines()]
        text = "\n".join(line for line in lines if line)
        if text:
            clean.append(text)
    return "\n\n".join(clean) + "\n" if clean else ""


_HEADING_SYNTAX = re.compile(r"^([ \t]*)(#{1,6}\s)", re.MULTILINE)


def literal(text: str) -> str:
    """Body text a converter writes: a line that opens as a Markdown heading would ("# This
    file was generated", a comment in an example) is escaped ("\\# This ..."), since the
    converter marks the headings itself and the chunker reads "# " lines as headings.

    Example: literal("# a comment\nx = 1") -> '\\# a comment\nx = 1'
    """
    return _HEADING_SYNTAX.sub(r"\1\\\2", text)


def table_row(cells) -> str:
    """A table row as one block: its non-empty cells joined by " | ".

    Example: table_row(["Fee", "", "Ten coins"]) -> 'Fee | Ten coins'
    """
    return literal(" | ".join(c for c in cells if c))


def require(module: str, package: str):
    """Import an optional converter package, or say how to install it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingPackageError(
            f"reading it needs the {package} package; install it with {INSTALL_HINT}"
        ) from None
