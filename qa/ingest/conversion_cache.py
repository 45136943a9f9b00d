"""The text of each converted file (PDF, Word, PowerPoint, spreadsheet, HTML ...), kept by the
hash of its bytes, so that reading the corpus (every `qa ask` checks the index is fresh)
converts only files that are new or changed: a library of PDFs is not converted again at every
start."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from qa.atomic import atomic_write
from qa.ingest.converted import Converted, MissingPackageError, UnreadableFileError
from qa.ingest.formats import convert

# bump when a converter's output changes, so no text of an older converter is reused; v2: HTML
# list items bulleted, landmarks by role and permalinks dropped, "# " body lines escaped; v3: a
# PDF line's font size is the one most of it is set in (a small bullet glyph splits no item); v4:
# an HTML page without one title heading of its own is titled by its <title>; v5: a PDF title
# its running heads repeat in a smaller size is kept, a mail address set large heads nothing;
# v6: HTML tables of contents and navigation bars dropped by class, title-page credits are text,
# a first heading that says the <title> is the title whatever its level; v7: a PDF's heading
# ranks are the font sizes of the pages after the title page (not each page's), numbered or
# not; a chapter's running head and a page's top or foot line with its printed number are
# dropped; a line's baseline is the one most of its characters sit on; v8: the headings after
# a title page's title marked "#" rank one level below it; v9: a chapter opener ("TWO" /
# "THE ARCHIVE") is one heading; v10: a PDF's word gaps drawn as TJ offsets of 0.15 em or more
# are spaces (qa.ingest.pdf_word_gaps), footnote marks left out and ligatures spelled out
# (qa.ingest.pdf_lines); v11: a Word document's footnotes and endnotes follow its body
# (qa.ingest.docx_notes); v12: an accent a PDF draws apart from its letter joins it ("M¨uller");
# v13: a Word paragraph's tracked insertions are text, its deletions not, and the blocks inside
# content controls are read (qa.ingest.docx_runs); v14: a web page's note marks (a superscript
# linking within the page, Sphinx's footnote link) are left out of their sentences; v15: a Word
# text box is read once, after the paragraph that anchors it; v16: a Word paragraph whose style
# (or a style it is based on) has an outline level is a heading of that level, and Word's table
# of contents control is not read; v17: a web page's note list (<dt> a linked label, <dd> the
# note) gives "[5] The note ...", not the label as a paragraph of its own; v18: a web page's data
# table and a .ppt table read row by row, "Ferry | Five coins", as Word's and PowerPoint's do, and
# an Office file saved as Strict Open XML is read (its failure cached before is not kept); v19: an
# e-mail whose attachments are read puts its own words under "## Message"; v20: a zip archive's
# documents are read (qa.ingest.zip_text), also a zip attached to an e-mail, and a Word 97-2003
# file's text boxes and endnotes, Excel binary workbooks (.xlsb), OpenDocument drawings (.odg)
# and an untitled .odp slide someone named, under its name; v21: a zip archive opens with the
# line naming the documents read (titled by its own name, not by its first file's)
CONVERTERS_VERSION = "converters v21"


class ConversionCache:
    """Converted text by sha256 of (converter version, suffix, file bytes), one JSON file each."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.used: set[str] = set()  # keys read or written since this object was made

    @staticmethod
    def key(suffix: str, data: bytes) -> str:
        digest = hashlib.sha256(f"{CONVERTERS_VERSION}\x00{suffix.lower()}\x00".encode())
        digest.update(data)
        return digest.hexdigest()

    def converted(self, path: Path, data: bytes) -> Converted:
        """The file's text: kept, or converted now and kept. A file that cannot be converted
        (damaged, encrypted) raises UnreadableFileError, and that too is kept, so it is not
        converted again at each read; a missing converter (ImportError) is not kept."""
        converted = self.get(path.suffix, data)
        if converted is None:
            try:
                converted = convert(path, data)
            except MissingPackageError:
                raise  # installing the package cures it: nothing to keep
            except UnreadableFileError as e:
                self.put_failure(path.suffix, data, str(e))
                raise
            self.put(path.suffix, data, converted)
        return converted

    def has(self, suffix: str, data: bytes) -> bool:
        """Whether a text is kept for these bytes (not read, nor marked used)."""
        return (self.folder / f"{self.key(suffix, data)}.json").is_file()

    def get(self, suffix: str, data: bytes) -> Converted | None:
        """The text kept for these bytes; None when there is none (or it is damaged). Raises
        UnreadableFileError when converting them was given up (qa.ingest.convert_ahead)."""
        key = self.key(suffix, data)
        try:
            row = json.loads((self.folder / f"{key}.json").read_text("utf-8"))
            if isinstance(row, dict) and isinstance(row.get("error"), str):
                self.used.add(key)
                raise UnreadableFileError(row["error"])
            converted = Converted(row["text"], tuple(int(p) for p in row["pages"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None  # none yet, or damaged: convert again
        if not isinstance(converted.text, str):
            return None
        self.used.add(key)
        return converted

    def put(self, suffix: str, data: bytes, converted: Converted) -> None:
        """Keep the text; a folder that cannot be written only costs a conversion next time."""
        self._write(
            self.key(suffix, data), {"text": converted.text, "pages": list(converted.pages)}
        )

    def put_failure(self, suffix: str, data: bytes, reason: str) -> None:
        """Keep why these bytes could not be converted (damaged, too slow): get() raises
        UnreadableFileError with it, until the file or the converters change."""
        self._write(self.key(suffix, data), {"error": reason})

    def _write(self, key: str, row: dict) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            atomic_write(self.folder / f"{key}.json", json.dumps(row, ensure_ascii=False).encode())
        except OSError:
            return
        self.used.add(key)

    def prune(self) -> int:
        """Remove the texts of files this corpus read no longer has; returns how many."""
        removed = 0
        if self.folder.is_dir():
            for entry in self.folder.glob("*.json"):
                if entry.stem not in self.used:
                    entry.unlink(missing_ok=True)
                    removed += 1
        return removed
