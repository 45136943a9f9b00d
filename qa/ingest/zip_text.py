"""Zip archives (.zip) -> text: each document inside read as the same file saved in the corpus
folder would be (qa.ingest.attachments), under a heading that names its path in the archive
("# annexes/fees.pdf"), its own headings one level below. A shared drive keeps bundles as zips
(a regulation downloaded with its annexes, a consultation's responses), and a question is
answered from the document inside, cited in the archive ("bundle.zip > annexes/fees.pdf >
Night fees").

Before the first document, one line names the documents read (the archive's contents, and no
title: the archive is titled by its own name, as a file without a title line is), another
counts the files of other kinds (pictures, programs) by kind, and a third names the documents
that cannot be read (damaged, encrypted) with why. Left out silently: folders, hidden
files and what tools add beside documents (__MACOSX, Thumbs.db, Office lock files). An archive
inside an archive is not opened (unzip it into the corpus folder), nor is an Office, OpenDocument
or EPUB file renamed .zip read as a bundle of its XML parts. Bounded before anything is read: at
most MAX_MEMBERS files and MAX_UNPACKED_BYTES unpacked (zipfile reads no more of a member than
its size in the archive's directory), so a zip bomb is refused.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections import Counter
from contextvars import ContextVar
from pathlib import PurePosixPath

from qa.ingest.attachments import Attachment, attachment_blocks
from qa.ingest.chinese_bytes import chinese_text
from qa.ingest.converted import MAX_UNPACKED_BYTES, Converted, UnreadableFileError, join_blocks
from qa.ingest.sheet_rows import MAX_TEXT_CHARS

MAX_MEMBERS = 2_000  # files in one archive
_NAMED_FAILURES = 20  # documents not read, named one by one; more are counted
_NAMED_DOCUMENTS = 50  # documents read, named in the contents line; more are counted
_TOOL_FILES = {"thumbs.db", "desktop.ini", ".ds_store"}
_PACKAGES = ("[Content_Types].xml", "mimetype", "META-INF/container.xml")
_UTF8_NAME = 0x800  # the flag that marks a file name as UTF-8
# what zipfile raises on a damaged archive or member: a bad offset reaches io as a ValueError
# ("negative seek value"), a name its UTF-8 flag cannot decode a UnicodeDecodeError (a ValueError)
_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ValueError)
_opening = ContextVar("zip_text_opening", default=False)  # inside an archive being read


def zip_to_text(data: bytes) -> Converted:
    """The text of a .zip archive's documents given its bytes; raises UnreadableFileError
    naming what is wrong.

    Example: a zip holding "rules.txt" ("Dock early.") and "logo.png" ->
    'Documents in the archive: rules.txt.\\n\\nFiles not read: 1 of other kinds (.png 1; e.g.
    logo.png)\\n\\n# rules.txt\\n\\nDock early.\\n'
    """
    if _opening.get():
        raise UnreadableFileError(
            "an archive inside an archive is not opened; unzip it into the corpus folder"
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        encoding = _names_encoding(archive)
        if encoding:  # the names as the tool that packed them wrote them
            archive = zipfile.ZipFile(io.BytesIO(data), metadata_encoding=encoding)
    except (zipfile.BadZipFile, zlib.error, ValueError, EOFError, NotImplementedError) as e:
        raise UnreadableFileError(
            f"it is no zip archive, or a damaged one ({e}); download or pack it again"
        ) from None
    token = _opening.set(True)
    try:
        with archive:
            return _archive_text(archive)
    except _DAMAGED as e:
        raise UnreadableFileError(
            f"the archive is damaged or packed in a way zip readers do not know ({e}); "
            "download or pack it again"
        ) from None
    finally:
        _opening.reset(token)


def _archive_text(archive: zipfile.ZipFile) -> Converted:
    from qa.ingest.formats import SUFFIXES

    members = [i for i in archive.infolist() if not i.is_dir() and not _tool_file(i.filename)]
    _check_bounds(archive, members)
    blocks: list[str] = []
    documents: list[str] = []  # the paths read
    other_kinds: list[str] = []
    failed: list[str] = []
    top = _common_folder([i.filename for i in members])
    for info in sorted(members, key=lambda i: i.filename):
        name = info.filename[len(top) :]
        if PurePosixPath(name).suffix.lower() not in SUFFIXES:
            other_kinds.append(name)
            continue
        if info.flag_bits & 0x1:
            failed.append(f"{name} (encrypted: unzip it with its password)")
            continue
        try:
            data = archive.read(info)
        except _DAMAGED as e:
            failed.append(f"{name} (damaged in the archive: {e})")
            continue
        read, unread = attachment_blocks([Attachment(name, data)], label="", level=1)
        blocks += read
        failed += unread
        documents += [name] if read else []
        if sum(len(b) for b in blocks) > MAX_TEXT_CHARS:  # stop now, not after reading the rest
            raise _too_long()
    notes = [_contents(documents)] if documents else []
    if other_kinds:
        notes.append(f"Files not read: {_kinds_summary(other_kinds)}")
    if failed:
        more = len(failed) - _NAMED_FAILURES
        named = "; ".join(failed[:_NAMED_FAILURES]) + (f"; and {more} more" if more > 0 else "")
        notes.append(f"Documents not read: {named}")
    if not blocks:
        found = f" ({'; '.join(notes)})" if notes else ""
        raise UnreadableFileError(f"it holds no document of a kind read{found}")
    text = join_blocks(notes + blocks)  # first: under no document's heading
    if len(text) > MAX_TEXT_CHARS:
        raise _too_long()
    return Converted(text)


def _too_long() -> UnreadableFileError:
    return UnreadableFileError(
        f"its documents hold more than {MAX_TEXT_CHARS:,} characters, the limit for one "
        "document; unzip it into the corpus folder"
    )


def _check_bounds(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> None:
    names = set(archive.namelist())
    if any(package in names for package in _PACKAGES):
        raise UnreadableFileError(
            "it is an Office, OpenDocument or EPUB file named .zip; give it its own suffix "
            "(.docx, .xlsx, .pptx, .odt, .epub, ...)"
        )
    if len(members) > MAX_MEMBERS:
        raise UnreadableFileError(
            f"it holds {len(members):,} files, over the {MAX_MEMBERS:,}-file limit; unzip it "
            "into the corpus folder"
        )
    size = sum(i.file_size for i in members)
    if size > MAX_UNPACKED_BYTES:
        raise UnreadableFileError(
            f"it unpacks to {size:,} bytes, over the {MAX_UNPACKED_BYTES:,}-byte limit; unzip it "
            "into the corpus folder"
        )


def _names_encoding(archive: zipfile.ZipFile) -> str | None:
    """The code page of the file names not marked UTF-8, when they can only be that: UTF-8 left
    unmarked (older tools), or Chinese in GB18030 or Big5 (Windows's own "compressed folder" on
    a Chinese system; qa.ingest.chinese_bytes decides, on all the names together). None: DOS's
    code page 437, as the zip format says and zipfile reads."""
    raw = [
        i.filename.encode("cp437")  # zipfile read them as cp437: these are their bytes
        for i in archive.infolist()
        if not i.flag_bits & _UTF8_NAME
    ]
    raw = [name for name in raw if not name.isascii()]
    if not raw:
        return None
    names = b"\n".join(raw)
    try:
        names.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    chinese = chinese_text(names)
    return chinese[1] if chinese else None


def _common_folder(names: list[str]) -> str:
    """The folder every file is in ("drive/" of a folder zipped whole), "" when none: said once
    by the archive's name, not in every heading.

    Example: _common_folder(["drive/a.pdf", "drive/b/c.txt"]) -> "drive/"
    """
    firsts = {n.split("/", 1)[0] if "/" in n else "" for n in names}
    return f"{firsts.pop()}/" if len(firsts) == 1 and "" not in firsts else ""


def _tool_file(name: str) -> bool:
    """A file a tool put beside the documents (macOS resource forks, Windows thumbnails, Office
    lock files) or a hidden one: no document, and not worth a mention."""
    parts = PurePosixPath(name).parts
    return (
        any(part.startswith(".") or part == "__MACOSX" for part in parts)
        or parts[-1].lower() in _TOOL_FILES
        or parts[-1].startswith("~$")
    )


def _contents(documents: list[str]) -> str:
    """The archive's contents line: what it holds, findable, and no title, so the archive is
    titled by its own name, not by its first file's.

    Example: _contents(["a.pdf", "b/c.docx"]) -> "Documents in the archive: a.pdf, b/c.docx."
    """
    more = len(documents) - _NAMED_DOCUMENTS
    named = ", ".join(documents[:_NAMED_DOCUMENTS]) + (f" and {more} more" if more > 0 else "")
    return f"Documents in the archive: {named}."


def _kinds_summary(names: list[str]) -> str:
    """How many files of other kinds, by suffix, with the first as an example.

    Example: _kinds_summary(["a.png", "b/c.png", "run.exe"]) ->
    "3 of other kinds (.png 2, .exe 1; e.g. a.png)"
    """
    counts = Counter(PurePosixPath(n).suffix.lower() or "no suffix" for n in names)
    kinds = ", ".join(f"{kind} {n}" for kind, n in counts.most_common())
    return f"{len(names)} of other kinds ({kinds}; e.g. {names[0]})"
