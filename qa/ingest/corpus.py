"""Read the corpus folder: .txt / .md files as they are (UTF-8, UTF-16 after its byte-order
mark, or Windows-1252 when the bytes can only be Western text: qa.ingest.formats.read_text);
PDF, Word, PowerPoint, spreadsheet, CSV, HTML, e-mail and e-book files through their converters
(qa.ingest.formats), whose text is what offsets point into and is stored with the index.

A file that cannot be read (a .txt in another code page, an empty one; a PDF, Word or HTML file
that is encrypted, scanned without text or damaged; one the reader may not open) is skipped with a
warning that names it and says why, and the rest is indexed: on a shared drive one bad file does
not stop a library of thousands. Files of other kinds (.zip, .jpg, Apple .numbers) are left out and
counted; hidden files and Office's lock files ("~$report.docx") are no documents at all.
"""

from __future__ import annotations

import hashlib
import os
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from qa.errors import CorpusError
from qa.ingest.chinese_bytes import CHINESE_CODE_PAGES
from qa.ingest.conversion_cache import ConversionCache
from qa.ingest.convert_ahead import convert_ahead
from qa.ingest.converted import UnreadableFileError
from qa.ingest.formats import SUFFIXES, TEXT_SUFFIXES, UTF8, WINDOWS_1252, convert, read_text
from qa.progress import Progress, time_left
from qa.types import Document

__all__ = ["SUFFIXES", "TEXT_SUFFIXES", "Corpus", "CorpusWarning", "SkippedFile", "load_corpus"]

MAX_FILE_BYTES = 5_000_000  # .txt / .md, and the text converted from any file
MAX_CONVERTED_FILE_BYTES = 100_000_000  # a PDF, DOCX or HTML file as it is on disk
KINDS = ", ".join(SUFFIXES)
READING_SHARE = 0.02  # of a build's progress bar: embedding is most of it
SKIPPED_MARK = ": skipped, "  # "scan.pdf: skipped, none of its 3 page(s) has a text layer ..."
LOCK_FILE_PREFIX = "~$"  # Word and Excel's owner file beside a document that is open


class CorpusWarning(UserWarning):
    """A corpus file was skipped; the message names it and says why."""


@dataclass(frozen=True)
class SkippedFile:
    source: str  # path relative to the corpus folder
    reason: str

    def __str__(self) -> str:
        return f"{self.source}{SKIPPED_MARK}{self.reason}"

    @classmethod
    def parse(cls, message: str) -> SkippedFile | None:
        """The file a message names (as str() wrote it); None for another message."""
        source, mark, reason = message.partition(SKIPPED_MARK)
        return cls(source, reason) if mark and source else None


@dataclass(frozen=True)
class Corpus:
    """The documents read, in a stable order, and the files skipped; ``stats``: each file's
    (size, modification time in ns) as it was just before it was read (qa.index.corpus_stat)."""

    documents: list[Document]
    skipped: tuple[SkippedFile, ...] = ()
    stats: dict[str, tuple[int, int]] = field(default_factory=dict)
    left_out: tuple[str, ...] = ()  # files of other kinds, relative to the corpus folder
    windows_1252: tuple[str, ...] = ()  # text files read as Windows-1252, not UTF-8
    chinese_code_page: tuple[str, ...] = ()  # text files read as GB18030 or Big5, not UTF-8


@dataclass(frozen=True)
class Listing:
    """The corpus folder's files, sorted: documents of the kinds read, and files of others."""

    documents: list[Path]
    others: list[Path]


def list_corpus(corpus_dir: Path) -> Listing:
    """Every file under the corpus folder but hidden and lock files, by kind; a link out of the
    folder is an error naming it."""
    corpus_dir = Path(corpus_dir)
    if not corpus_dir.is_dir():
        raise CorpusError(
            f"corpus folder {corpus_dir} does not exist; create it and put documents ({KINDS}) in it"
        )
    documents, others = [], []
    root = corpus_dir.resolve()
    for path, linked in sorted(_files_under(corpus_dir)):
        if path.name.startswith(LOCK_FILE_PREFIX):
            continue  # Office writes one beside each open document and deletes it on closing
        if linked:  # no linked folder is entered: only a linked file can leave
            _check_inside(path, root, corpus_dir)
        (documents if path.suffix.lower() in SUFFIXES else others).append(path)
    return Listing(documents, others)


def _files_under(folder: Path) -> Iterator[tuple[Path, bool]]:
    """The files under a folder, at any depth, and whether each is a link, but hidden ones
    (editor swap files, .gitkeep) and those in hidden folders (.git): one scandir per folder and
    no stat for a plain file, as every open lists a shared drive's thousands of files. A linked
    file is listed; a linked folder is not entered; an unreadable folder is passed over."""
    try:
        entries = list(os.scandir(folder))
    except (PermissionError, FileNotFoundError, NotADirectoryError):
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            yield from _files_under(folder / entry.name)
        elif entry.is_file():
            yield folder / entry.name, entry.is_symlink()


def corpus_files(corpus_dir: Path) -> list[Path]:
    """The files to index, sorted (files of other kinds left out); none is an error."""
    return _documents_of(list_corpus(corpus_dir), Path(corpus_dir))


def _documents_of(listing: Listing, corpus_dir: Path) -> list[Path]:
    """The listing's documents; none is an error that says what the folder holds instead."""
    if not listing.documents:
        names = [p.relative_to(corpus_dir).as_posix() for p in listing.others]
        others = f"; it holds {left_out_summary(names)}" if names else ""
        raise CorpusError(
            f"corpus folder {corpus_dir} has no documents ({KINDS}){others}; "
            "add at least one document"
        )
    return listing.documents


def left_out_summary(names: Sequence[str]) -> str:
    """One line for the files of other kinds (paths relative to the corpus folder), counted by
    suffix, with the first as an example.

    Example: left_out_summary(["a.jpg", "b/c.jpg", "old.doc"]) ->
    "3 file(s) of other kinds (.jpg 2, .doc 1; e.g. a.jpg)"
    """
    counts = Counter(PurePosixPath(n).suffix.lower() or "no suffix" for n in names)
    kinds = ", ".join(f"{kind} {n}" for kind, n in counts.most_common())
    return f"{len(names)} file(s) of other kinds ({kinds}; e.g. {names[0]})"


def left_out_note(names: Sequence[str]) -> str:
    """What `qa index` says of the files of other kinds: how many, and what to do."""
    return (
        f"left out {left_out_summary(names)}: only {KINDS} files are read; "
        "convert those you want indexed (`qa index --json` lists them all)"
    )


def windows_1252_note(names: Sequence[str]) -> str:
    """One line for the text files read as Windows-1252 (Notepad's "ANSI"), so a user whose
    file was in another legacy code page knows to re-save it.

    Example: windows_1252_note(["a.txt"]) -> 'read 1 text file(s) as Windows-1252, not UTF-8
    (e.g. a.txt); ...'
    """
    return (
        f"read {len(names)} text file(s) as Windows-1252, not UTF-8 (e.g. {names[0]}); if "
        "letters look wrong in their passages, re-save them as UTF-8 (`qa index --json` lists "
        "them all)"
    )


def chinese_code_page_note(names: Sequence[str]) -> str:
    """One line for the text files read in a Chinese code page (qa.ingest.chinese_bytes).

    Example: chinese_code_page_note(["a.txt"]) -> 'read 1 text file(s) as Chinese in GB18030 or
    Big5, not UTF-8 (e.g. a.txt); ...'
    """
    return (
        f"read {len(names)} text file(s) as Chinese in GB18030 or Big5, not UTF-8 (e.g. "
        f"{names[0]}); if characters look wrong in their passages, re-save them as UTF-8 "
        "(`qa index --json` lists them all)"
    )


def reading_notes(
    left_out: Sequence[str], windows_1252: Sequence[str], chinese: Sequence[str] = ()
) -> list[str]:
    """What `qa index` notes of a read besides skipped files: files of other kinds (an image, a
    spreadsheet) and text files read in a legacy code page, one line for each group."""
    groups = (
        (left_out, left_out_note),
        (windows_1252, windows_1252_note),
        (chinese, chinese_code_page_note),
    )
    return [note(names) for names, note in groups if names]


def _check_inside(path: Path, root: Path, corpus_dir: Path) -> None:
    """The corpus folder is the trust boundary: a symlink out of it (to /etc/passwd, a home
    folder) would put that file's text in answers, so it is refused."""
    target = path.resolve()
    if not target.is_relative_to(root):
        raise CorpusError(
            f"{path} is a link to {target}, outside the corpus folder {corpus_dir}; "
            "copy the file into the corpus folder or remove the link"
        )


def read_document(
    path: Path, corpus_dir: Path, conversions: ConversionCache | None = None
) -> tuple[Document, str]:
    """The document and the encoding its file was read in (qa.ingest.formats.read_text; UTF8
    for a converted file). Decode strictly (no replacement characters) so citation offsets
    match the file exactly; convert a PDF, DOCX or HTML file (raises UnreadableFileError when
    it cannot be), or take its text from ``conversions`` when these bytes were converted
    before."""
    source = path.relative_to(corpus_dir).as_posix()
    data = path.read_bytes()
    if path.suffix.lower() not in TEXT_SUFFIXES:
        if len(data) > MAX_CONVERTED_FILE_BYTES:
            raise UnreadableFileError(
                f"{len(data):,} bytes is over the {MAX_CONVERTED_FILE_BYTES:,}-byte limit"
            )
        converted = (
            conversions.converted(path, data) if conversions is not None else convert(path, data)
        )
        if len(converted.text) > MAX_FILE_BYTES:
            raise UnreadableFileError(
                f"its text ({len(converted.text):,} characters) is over the "
                f"{MAX_FILE_BYTES:,}-character limit for one document; split it"
            )
        return Document(source=source, text=converted.text, pages=converted.pages), UTF8
    if len(data) > MAX_FILE_BYTES:
        raise UnreadableFileError(
            f"{len(data):,} bytes is over the {MAX_FILE_BYTES:,}-byte limit for one document; "
            "split it"
        )
    read = read_text(data)
    return Document(source=source, text=read.text), read.encoding


def read_corpus(
    corpus_dir: Path, conversions: ConversionCache | None = None, progress: Progress | None = None
) -> Corpus:
    """Every document of the corpus folder, the files that had to be skipped, and those of
    other kinds. Raises CorpusError when no file at all could be read. ``progress``: told how
    many files are read and the time left (converting a shared drive's PDFs takes minutes)."""
    corpus_dir = Path(corpus_dir)
    listing = list_corpus(corpus_dir)
    files = _documents_of(listing, corpus_dir)
    converting = READING_SHARE / 2  # of the progress, when new PDFs are converted first
    converted = conversions is not None and convert_ahead(
        files, conversions, MAX_CONVERTED_FILE_BYTES, progress, converting
    )
    tell = _reading_progress(progress, len(files), converting if converted else 0.0)
    documents, skipped, stats, windows_1252, chinese = [], [], {}, [], []
    for n, path in enumerate(files, 1):
        source = path.relative_to(corpus_dir).as_posix()
        try:
            stats[source] = file_stat(path)
            document, encoding = read_document(path, corpus_dir, conversions)
            documents.append(document)
            if encoding == WINDOWS_1252:
                windows_1252.append(source)
            elif encoding in CHINESE_CODE_PAGES:
                chinese.append(source)
        except UnreadableFileError as e:
            skipped.append(SkippedFile(source, str(e)))
        except OSError as e:  # not allowed to read it, or gone since the folder was listed
            skipped.append(SkippedFile(source, _unread(e)))
        tell(n)
    if not documents:
        reasons = "; ".join(str(s) for s in skipped)
        raise CorpusError(f"no document in {corpus_dir} could be read ({reasons})")
    left_out = tuple(p.relative_to(corpus_dir).as_posix() for p in listing.others)
    return Corpus(documents, tuple(skipped), stats, left_out, tuple(windows_1252), tuple(chinese))


def _unread(error: OSError) -> str:
    """Why a file could not be read, and what to do when something can be done."""
    why = f"it could not be read ({error.strerror or error})"
    return f"{why}; check that this user may read it" if isinstance(error, PermissionError) else why


def _reading_progress(
    progress: Progress | None, total: int, start: float = 0.0
) -> Callable[[int], None]:
    """What read_corpus calls after each file: once reading has taken a second (a folder of
    text files is read in less, and says nothing), tells ``progress`` every quarter second and
    after the last file. Reading is the part of a build's progress from ``start`` (after new
    files were converted) to READING_SHARE."""
    if progress is None:
        return lambda n: None
    t0 = time.perf_counter()
    said = 0.0  # when progress was last told (0: not yet)

    def tell(n: int) -> None:
        nonlocal said
        now = time.perf_counter()
        if now - t0 < 1.0 or (said and now - said < 0.25 and n < total):
            return
        said = now
        left = time_left(n, total, now - t0)
        fraction = start + (READING_SHARE - start) * n / total
        progress(f"reading: {n}/{total} files, about {left} left", fraction)

    return tell


def file_stat(path: Path) -> tuple[int, int]:
    """(size, modification time in ns): what tells a file unchanged without reading it."""
    st = path.stat()
    return st.st_size, st.st_mtime_ns


def corpus_stats(corpus_dir: Path) -> dict[str, tuple[int, int]]:
    """Every corpus file's file_stat, by source, without reading any."""
    corpus_dir = Path(corpus_dir)
    return {p.relative_to(corpus_dir).as_posix(): file_stat(p) for p in corpus_files(corpus_dir)}


def load_corpus(corpus_dir: Path, conversions: ConversionCache | None = None) -> list[Document]:
    """All readable documents of the corpus folder, in a stable order; each skipped file is
    reported as a CorpusWarning."""
    corpus = read_corpus(corpus_dir, conversions)
    for skipped in corpus.skipped:
        warnings.warn(CorpusWarning(str(skipped)), stacklevel=2)
    return corpus.documents


def text_checksum(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def document_checksum(document: Document) -> str:
    """sha256 of the text, and of the page starts for a paged document (PDF)."""
    if not document.pages:
        return text_checksum(document.text)
    return text_checksum(document.text + "\x00pages:" + ",".join(map(str, document.pages)))


def corpus_checksums(documents: list[Document]) -> dict[str, str]:
    """source -> checksum of its text; the manifest compares these to detect a changed corpus."""
    return {d.source: document_checksum(d) for d in documents}
