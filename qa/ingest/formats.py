"""Which files the corpus accepts, and how each kind becomes text that offsets point into.

``.txt`` / ``.md`` are read as they are (strict UTF-8, or UTF-16 after its byte-order mark, which
Windows tools such as PowerShell 5 write, or Windows-1252 when its bytes can only be Western
text; see read_text). ``.pdf``, ``.docx``, ``.doc``, ``.odt``, ``.rtf``, ``.pptx``, ``.ppt``, ``.odp``, ``.odg``, ``.xlsx`` /
``.xlsm``, ``.xls``, ``.ods``, ``.csv``, ``.html`` / ``.htm`` (and pages saved as one ``.mht``
file), saved e-mails (``.eml``, Outlook's
``.msg``), e-books (``.epub``) and zip archives of such files go through a converter
(qa.ingest.pdf_text, docx_text, doc_text, odt_text, rtf_text, pptx_text, ppt_text, odp_text,
xlsx_text, xls_text, xlsb_text, ods_text, csv_text, html_text, mhtml_text, email_text, msg_text,
epub_text, zip_text),
imported only when such a file is read, since their packages are optional (the ``formats``
extra; RTF, CSV, HTML and .eml need none).
A converter returns plain text in the chunker's shape: paragraphs separated by blank lines and
headings as Markdown heading lines (``## Main actions``), so the heading path is found in every
format; a PDF also gives the offset where each page starts.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

from qa.ingest.chinese_bytes import chinese_text
from qa.ingest.converted import Converted, UnreadableFileError
from qa.ingest.western import WINDOWS_1252, western_text

TEXT_SUFFIXES = (".txt", ".md")
CONVERTED_SUFFIXES = (
    ".pdf",
    ".docx",
    ".doc",
    ".odt",
    ".rtf",
    ".pptx",
    ".ppt",
    ".odp",
    ".odg",
    ".xlsx",
    ".xlsm",
    ".xls",
    ".xlsb",
    ".ods",
    ".csv",
    ".html",
    ".htm",
    ".eml",
    ".msg",
    ".epub",
    ".mht",
    ".mhtml",
    ".zip",
)
SUFFIXES = TEXT_SUFFIXES + CONVERTED_SUFFIXES  # every suffix the corpus accepts (lower case)


# what a converted file's "page" is, where it is not a printed page
_PAGE_NAMES = {
    ".pptx": "slide",
    ".ppt": "slide",
    ".odp": "slide",
    ".xlsx": "sheet",
    ".xlsm": "sheet",
    ".xls": "sheet",
    ".xlsb": "sheet",
    ".ods": "sheet",
}


def page_place(source: str, page: int | None) -> str:
    """A passage's page as a citation names it, by the file's kind ("" without a page).

    Example: [page_place(s, 2) for s in ("a.pdf", "deck.pptx", "budget.xlsx")] ->
    ['page 2', 'slide 2', 'sheet 2']
    """
    if page is None:
        return ""
    return f"{_PAGE_NAMES.get(Path(source).suffix.lower(), 'page')} {page}"


_UTF16_BOMS = {b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}
UTF8 = "utf-8"


@dataclass(frozen=True)
class TextFile:
    """A text file's text and the encoding it was read in."""

    text: str
    # UTF8, "utf-16-le" / "utf-16-be" (after the byte-order mark), WINDOWS_1252, or a Chinese
    # code page (qa.ingest.chinese_bytes: "gb18030", "cp950")
    encoding: str


def text_of(data: bytes) -> str:
    """A text file's text (read_text). Raises UnreadableFileError.

    Example: text_of(codecs.BOM_UTF16_LE + "Rules".encode("utf-16-le")) -> 'Rules'
    """
    return read_text(data).text


def read_text(data: bytes) -> TextFile:
    """Strict UTF-8 (a UTF-8 byte-order mark stays, as Python's "utf-8" reads it, so offsets
    match the file read that way), UTF-16 after its byte-order mark, or Windows-1252 when the
    bytes are not UTF-8 but can only be Western text (see western_text: Notepad's "ANSI",
    Word's "Plain Text"; guessing among all legacy code pages misreads "naïve" as "naďve").
    Raises UnreadableFileError for anything else, binary data or an empty text.

    Example: read_text("caf\u00e9".encode("cp1252")) -> TextFile('café', 'cp1252')
    """
    encoding = _UTF16_BOMS.get(data[:2])
    body = data[2:] if encoding else data
    try:
        text = body.decode(encoding or UTF8)
    except UnicodeDecodeError as e:
        text = None if encoding else western_text(data)
        legacy = WINDOWS_1252
        if text is None and not encoding and (chinese := chinese_text(data)):
            text, legacy = chinese
        if text is None:
            at = e.start + (2 if encoding else 0)
            kind = "UTF-16 after its byte-order mark" if encoding else "UTF-8"
            western = "" if encoding else ", nor Western text in Windows-1252 or Chinese text"
            raise UnreadableFileError(
                f"not valid {kind}{western} (byte {at}: {data[at : at + 4]!r}); re-save it as UTF-8"
            ) from None
        encoding = legacy
    if "\x00" in text:  # valid, but binary (an image or archive renamed .txt)
        raise UnreadableFileError(
            f"character {text.index(chr(0))} is NUL, so this is a binary file, not text; "
            "convert it to text or move it out of the corpus folder"
        )
    if not text.strip():
        raise UnreadableFileError("the file is empty; remove it or add text")
    return TextFile(text, encoding or UTF8)


def convert(path: Path, data: bytes) -> Converted:
    """The text of a PDF, DOCX, DOC, ODT, RTF, PPTX, PPT, ODP, XLSX, XLS, ODS, CSV, HTML, MHT,
    EML, MSG, EPUB or ZIP file given its bytes; raises
    UnreadableFileError, also when the converter's package fails on a damaged file in a way it
    does not name (a corrupt deflate stream inside a .docx raises zlib.error from python-docx):
    on a shared drive one such file is skipped, saying what failed, and does not stop the
    library's build.

    Example: convert(Path("a.html"), b"<h1>Rules</h1><p>Dock early.</p>").text ->
    '# Rules\\n\\nDock early.\\n'
    """
    suffix = path.suffix.lower()
    if suffix not in CONVERTED_SUFFIXES:
        raise ValueError(f"{path}: {suffix!r} is not one of {CONVERTED_SUFFIXES}")
    try:
        converted = _converter(suffix)(data)
    except (UnreadableFileError, ImportError, MemoryError):
        raise  # said already; a package to install; not the file's fault
    except Exception as e:  # noqa: BLE001 - any other failure is this damaged file's
        raise UnreadableFileError(
            f"it could not be converted ({type(e).__name__}: {str(e)[:200]}); the file may be "
            "damaged: open it and save it again, or convert it to text"
        ) from None
    if not converted.text.strip():
        raise UnreadableFileError("it holds no text")
    return converted


# the converting function of each suffix: (module, function), imported when first needed
_CONVERTERS = {
    ".pdf": ("qa.ingest.pdf_text", "pdf_to_text"),
    ".docx": ("qa.ingest.docx_text", "docx_to_text"),
    ".doc": ("qa.ingest.doc_text", "doc_to_text"),
    ".odt": ("qa.ingest.odt_text", "odt_to_text"),
    ".pptx": ("qa.ingest.pptx_text", "pptx_to_text"),
    ".ppt": ("qa.ingest.ppt_text", "ppt_to_text"),
    ".odp": ("qa.ingest.odp_text", "odp_to_text"),
    ".odg": ("qa.ingest.odp_text", "odg_to_text"),
    ".xlsx": ("qa.ingest.xlsx_text", "xlsx_to_text"),
    ".xlsm": ("qa.ingest.xlsx_text", "xlsx_to_text"),
    ".xls": ("qa.ingest.xls_text", "xls_to_text"),
    ".xlsb": ("qa.ingest.xlsb_text", "xlsb_to_text"),
    ".ods": ("qa.ingest.ods_text", "ods_to_text"),
    ".csv": ("qa.ingest.csv_text", "csv_to_text"),
    ".rtf": ("qa.ingest.rtf_text", "rtf_to_text"),
    ".eml": ("qa.ingest.email_text", "eml_to_text"),
    ".msg": ("qa.ingest.msg_text", "msg_to_text"),
    ".epub": ("qa.ingest.epub_text", "epub_to_text"),
    ".mht": ("qa.ingest.mhtml_text", "mhtml_to_text"),
    ".mhtml": ("qa.ingest.mhtml_text", "mhtml_to_text"),
    ".zip": ("qa.ingest.zip_text", "zip_to_text"),
}


def _converter(suffix: str):
    """The converting function for a suffix, imported when first needed."""
    if suffix in _CONVERTERS:
        module, function = _CONVERTERS[suffix]
        return getattr(importlib.import_module(module), function)
    from qa.ingest.html_text import html_to_text  # .html, .htm: text only, no pages

    return lambda data: Converted(html_to_text(data))
