"""E-books (.epub 2 and 3: how publications offices and government printers issue reports and
legislation for reading devices) -> text in the chunker's shape: the book's title (its package's
dc:title) is the document's title (``#``), then each XHTML document of the reading order (the
spine) read as an .html file is (qa.ingest.html_text), its headings one level below the title.
The navigation document (the book's table of contents) is not read, nor are pictures, styles or
fonts.

An EPUB is a zip: META-INF/container.xml names the package document (.opf), whose manifest lists
the files and whose spine gives their order. Every part is read within bounds (a zip bomb is
refused before it is unpacked; XML with entities and DTDs off), and a book whose content is
encrypted (DRM, listed in META-INF/encryption.xml) is skipped, saying so; obfuscated fonts are
no text and do not count.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from urllib.parse import unquote

from qa.ingest.converted import (
    MAX_UNPACKED_BYTES,
    Converted,
    UnreadableFileError,
    join_blocks,
    literal,
    require,
)
from qa.ingest.odt_text import safe_parser
from qa.ingest.sheet_rows import MAX_TEXT_CHARS

_CONTAINER = "META-INF/container.xml"
_ENCRYPTION = "META-INF/encryption.xml"
_XHTML = ("application/xhtml+xml", "text/html")
# font obfuscation (IDPF, Adobe): fonts scrambled against copying, which hold no text
_FONT_OBFUSCATION = ("http://www.idpf.org/2008/embedding", "http://ns.adobe.com/pdf/enc#RC")
_HEADING = re.compile(r"^(#{1,5}) ", re.MULTILINE)
_HEADING_LINE = re.compile(r"#{1,6} ")


def epub_to_text(data: bytes) -> Converted:
    """The text of an .epub file given as bytes; raises UnreadableFileError naming what is wrong.

    Example: epub_to_text(<a book "Harbour rules", one chapter "<h1>Fees</h1><p>Pay early.</p>">).text
    -> '# Harbour rules\\n\\n## Fees\\n\\nPay early.\\n'
    """
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise UnreadableFileError(
            "not an EPUB (no zip archive); if it is another kind of file, give it that suffix"
        ) from None
    except NotImplementedError as e:  # a zip of a version or a packing the standard library lacks
        raise UnreadableFileError(f"its zip cannot be read ({e}); export the book again") from None
    try:
        return _book_text(book)
    except (zipfile.BadZipFile, NotImplementedError, EOFError, zlib.error, ValueError) as e:
        raise UnreadableFileError(
            f"its zip is damaged or packed in a way zip readers do not know ({e}); export the "
            "book again"
        ) from None


def _book_text(book: zipfile.ZipFile) -> Converted:
    with book:
        size = sum(info.file_size for info in book.infolist())
        if size > MAX_UNPACKED_BYTES:
            raise UnreadableFileError(
                f"it unpacks to {size:,} bytes, over the {MAX_UNPACKED_BYTES:,}-byte limit; "
                "split the book"
            )
        package_path = _package_path(book)
        package = _xml(book, package_path)
        if _encrypted(book):
            raise UnreadableFileError(
                "its content is encrypted (DRM); only a book without DRM can be read: export "
                "the text from the program that opens it"
            )
        title, parts = _reading_order(package, posixpath.dirname(package_path))
        chapters: list[list[str]] = []
        for name in parts:
            if name not in book.namelist():
                continue  # a manifest entry the zip lacks: the rest of the book is read
            chapter = _chapter(book.read(name), below=bool(title)).split("\n\n")
            if any(not block.startswith("#") for block in chapter if block):
                chapters.append(chapter)  # a cover or a title page with no text adds nothing
            if sum(len(b) for c in chapters for b in c) > MAX_TEXT_CHARS:
                raise UnreadableFileError(
                    f"it holds more than {MAX_TEXT_CHARS:,} characters of text, the limit for "
                    "one document; split the book"
                )
    blocks = [f"# {literal(title)}"] if title else []
    blocks += _without_contents([b for chapter in chapters for b in chapter], title)
    if not chapters:
        raise UnreadableFileError("its chapters hold no text (pictures only?)")
    return Converted(join_blocks(blocks))


def _package_path(book: zipfile.ZipFile) -> str:
    if _CONTAINER not in book.namelist():
        raise UnreadableFileError(
            f"no {_CONTAINER} in it, so it is no EPUB (a zip of other files?); give it the suffix "
            "of what it holds"
        )
    container = _xml(book, _CONTAINER)
    rootfile = next((e for e in container.iter() if _local(e.tag) == "rootfile"), None)
    path = rootfile.get("full-path", "") if rootfile is not None else ""
    if not path:
        raise UnreadableFileError(f"its {_CONTAINER} names no package document (.opf)")
    return path


def _reading_order(package, folder: str) -> tuple[str, list[str]]:
    """The book's title and the zip names of its spine's XHTML documents, in reading order (the
    navigation document left out)."""
    title = next(
        (" ".join(e.text.split()) for e in package.iter() if _local(e.tag) == "title" and e.text),
        "",
    )
    manifest = {
        item.get("id"): item
        for item in package.iter()
        if _local(item.tag) == "item" and item.get("id") and item.get("href")
    }
    parts = []
    for ref in (e for e in package.iter() if _local(e.tag) == "itemref"):
        item = manifest.get(ref.get("idref"))
        if item is None or item.get("media-type") not in _XHTML:
            continue
        if "nav" in (item.get("properties") or "").split():
            continue  # the table of contents: headings said again
        href = unquote(item.get("href").split("#", 1)[0])
        parts.append(posixpath.normpath(posixpath.join(folder, href)))
    if not parts:
        raise UnreadableFileError("its package lists no XHTML document to read (an empty spine)")
    return title, list(dict.fromkeys(parts))


def _chapter(data: bytes, below: bool) -> str:
    """One XHTML document's text; under the book's title its headings go one level down."""
    from qa.ingest.html_text import html_to_text

    text = html_to_text(data).rstrip("\n")
    return _HEADING.sub(lambda m: m.group(1) + "# ", text) if below else text


def _without_contents(blocks: list[str], title: str) -> list[str]:
    """The blocks without what says the book's headings again: a chapter's heading that is the
    book's title (its first page's), and a table of contents kept as a chapter's list (its
    items the headings' words: "- 1.1. Scope" beside "### 1.1. Scope")."""
    headings = {b.lstrip("#").strip().casefold() for b in blocks if _HEADING_LINE.match(b)}
    return [
        b
        for b in blocks
        if not (_HEADING_LINE.match(b) and b.lstrip("#").strip().casefold() == title.casefold())
        and not (b.startswith("- ") and b[2:].strip().casefold() in headings)
    ]


def _encrypted(book: zipfile.ZipFile) -> bool:
    """Whether META-INF/encryption.xml lists content encrypted by other than font obfuscation."""
    if _ENCRYPTION not in book.namelist():
        return False
    methods = [
        e.get("Algorithm", "")
        for e in _xml(book, _ENCRYPTION).iter()
        if _local(e.tag) == "EncryptionMethod"
    ]
    return any(m not in _FONT_OBFUSCATION for m in methods)


def _xml(book: zipfile.ZipFile, name: str):
    etree = require("lxml.etree", "lxml")
    try:
        return etree.fromstring(book.read(name), safe_parser())
    except (KeyError, etree.XMLSyntaxError) as e:
        raise UnreadableFileError(
            f"its {name} cannot be read ({e}); the book may be damaged: export it again"
        ) from None


def _local(tag) -> str:
    """An element's name without its namespace ("{http://...}item" -> "item")."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
