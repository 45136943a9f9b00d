"""Which files the corpus accepts, and how each kind becomes text that offsets point into.

``.txt`` / ``.md`` are read as they are (strict UTF-8, see qa.ingest.corpus). ``.pdf``, ``.docx``
and ``.html`` / ``.htm`` go through a converter (qa.ingest.pdf_text, docx_text, html_text),
imported only when such a file is read, since their packages are optional (the ``formats`` extra).
A converter returns plain text in the chunker's shape: paragraphs separated by blank lines and
headings as Markdown heading lines (``## Main actions``), so the heading path is found in every
format; a PDF also gives the offset where each page starts.
"""

from __future__ import annotations

from pathlib import Path

from qa.ingest.converted import Converted, UnreadableFileError

TEXT_SUFFIXES = (".txt", ".md")
CONVERTED_SUFFIXES = (".pdf", ".docx", ".html", ".htm")
SUFFIXES = TEXT_SUFFIXES + CONVERTED_SUFFIXES  # every suffix the corpus accepts (lower case)


def convert(path: Path, data: bytes) -> Converted:
    """The text of a PDF, DOCX or HTML file given its bytes; raises UnreadableFileError.

    Example: convert(Path("a.html"), b"<h1>Rules</h1><p>Dock early.</p>").text ->
    '# Rules\\n\\nDock early.\\n'
    """
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        from qa.ingest.pdf_text import pdf_to_text

        converted = pdf_to_text(data)
    elif suffix == ".docx":
        from qa.ingest.docx_text import docx_to_text

        converted = docx_to_text(data)
    elif suffix in (".html", ".htm"):
        from qa.ingest.html_text import html_to_text

        converted = Converted(html_to_text(data))
    else:
        raise ValueError(f"{path}: {suffix!r} is not one of {CONVERTED_SUFFIXES}")
    if not converted.text.strip():
        raise UnreadableFileError("it holds no text")
    return converted
