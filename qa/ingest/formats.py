"""Which files the corpus accepts, and how each kind becomes text that offsets point into.

``.txt`` / ``.md`` are read as they are (strict UTF-8, or UTF-16 after its byte-order mark, which
Windows tools such as PowerShell 5 write; see text_of). ``.pdf``, ``.docx``
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


_UTF16_BOMS = {b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}


def text_of(data: bytes) -> str:
    """A text file's text: strict UTF-8 (a UTF-8 byte-order mark stays, as Python's "utf-8"
    reads it, so offsets match the file read that way), or UTF-16 after its byte-order mark.
    Raises UnreadableFileError for anything else, binary data or an empty text.

    Example: text_of(codecs.BOM_UTF16_LE + "Rules".encode("utf-16-le")) -> 'Rules'
    """
    encoding = _UTF16_BOMS.get(data[:2])
    body = data[2:] if encoding else data
    try:
        text = body.decode(encoding or "utf-8")
    except UnicodeDecodeError as e:
        at = e.start + (2 if encoding else 0)
        kind = "UTF-16 after its byte-order mark" if encoding else "UTF-8"
        raise UnreadableFileError(
            f"not valid {kind} (byte {at}: {data[at : at + 4]!r}); re-save it as UTF-8"
        ) from None
    if "\x00" in text:  # valid, but binary (an image or archive renamed .txt)
        raise UnreadableFileError(
            f"character {text.index(chr(0))} is NUL, so this is a binary file, not text; "
            "convert it to text or move it out of the corpus folder"
        )
    if not text.strip():
        raise UnreadableFileError("the file is empty; remove it or add text")
    return text


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
