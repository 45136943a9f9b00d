"""Office files saved as Strict Open XML (ISO/IEC 29500 Strict: Excel's "Strict Open XML
Spreadsheet", Word's "Strict Open XML Document") -> the same package in Transitional namespaces,
which openpyxl, python-docx and python-pptx read. Strict names the same elements and
relationships under other URIs: "http://purl.oclc.org/ooxml/spreadsheetml/main" for
"http://schemas.openxmlformats.org/spreadsheetml/2006/main", ".../officeDocument/relationships/
worksheet" for ".../officeDocument/2006/relationships/worksheet", so the package's XML parts
are rewritten URI by URI; nothing else changes. A Strict package unpacking to more than
MAX_UNPACKED_BYTES is refused before it is read.
"""

from __future__ import annotations

import io
import re
import zipfile

from qa.ingest.converted import MAX_UNPACKED_BYTES, UnreadableFileError

_STRICT = re.compile(rb"http://purl\.oclc\.org/ooxml/(\w+)/(\w+)")
# the two names Transitional spells with a hyphen (document properties)
_HYPHENATED = {
    b"extendedProperties": b"extended-properties",
    b"customProperties": b"custom-properties",
}
_HYPHENATED_TYPE = re.compile(rb"(?<=/2006/relationships/)(extendedProperties|customProperties)")


def is_strict(data: bytes) -> bool:
    """Whether an Office package (a zip) is Strict Open XML: its relationships say so."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            return b"http://purl.oclc.org/ooxml/" in package.read("_rels/.rels")
    except (KeyError, zipfile.BadZipFile, EOFError, ValueError, OSError):
        return False


def transitional(data: bytes) -> bytes:
    """A Strict package's bytes rewritten in Transitional namespaces (its parts in their order,
    each compressed as it was); a package that is not Strict comes back as it is.

    Example: a part reading <worksheet xmlns="http://purl.oclc.org/ooxml/spreadsheetml/main">
    reads <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">.
    """
    if not is_strict(data):
        return data
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as strict,
        zipfile.ZipFile(out, "w") as package,
    ):
        size = sum(info.file_size for info in strict.infolist())
        if size > MAX_UNPACKED_BYTES:
            raise UnreadableFileError(
                f"it unpacks to {size:,} bytes, over the {MAX_UNPACKED_BYTES:,}-byte limit; split it"
            )
        for info in strict.infolist():
            body = strict.read(info)
            if info.filename.endswith((".xml", ".rels")):
                body = _HYPHENATED_TYPE.sub(
                    lambda m: _HYPHENATED[m.group(1)], _STRICT.sub(_uri, body)
                )
            package.writestr(info, body, compress_type=info.compress_type)
    return out.getvalue()


def _uri(match: re.Match) -> bytes:
    kind, name = match.group(1), match.group(2)
    return b"http://schemas.openxmlformats.org/" + kind + b"/2006/" + _HYPHENATED.get(name, name)
