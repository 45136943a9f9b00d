"""Add a document to a live corpus: validate the upload, index it in a copy, then install.

The live corpus and index are touched only after the new index was built and loaded, so a failed
upload leaves them, and the Assistant serving them, exactly as they were.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from qa.assistant import Assistant, build
from qa.atomic import atomic_write
from qa.errors import CorpusError
from qa.index.store import MANIFEST
from qa.ingest.corpus import TEXT_SUFFIXES

MAX_UPLOAD_BYTES = 2_000_000  # one added document; the corpus reader allows larger files on disk
_SAFE_NAME = re.compile(r"[\w][\w .()+-]{0,118}", re.UNICODE)


def check_upload_name(name: str) -> str:
    """A plain file name for the corpus folder: no folders, no hidden files, .txt or .md."""
    shown = repr(name)[:80]
    if not isinstance(name, str) or not name or name != Path(name).name or "\\" in name:
        raise CorpusError(f"file name {shown} is not a plain file name; rename it, e.g. notes.txt")
    if ".." in name or not _SAFE_NAME.fullmatch(name):
        raise CorpusError(
            f"file name {shown} has characters we do not accept; use letters, digits, "
            "spaces, dots, dashes and underscores"
        )
    if Path(name).suffix.lower() not in TEXT_SUFFIXES:
        raise CorpusError(f"{shown}: only .txt and .md documents can be added; convert it to text")
    return name


def check_upload_size(name: str, size: int) -> None:
    if size > MAX_UPLOAD_BYTES:
        raise CorpusError(
            f"{name} is {size:,} bytes; the upload limit is {MAX_UPLOAD_BYTES:,}. "
            "Split the document or add it to the corpus folder and run `qa index`"
        )


def check_upload_data(name: str, data: bytes) -> str:
    """Bounded, strict UTF-8 and not empty; returns the text."""
    check_upload_size(name, len(data))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise CorpusError(
            f"{name} is not valid UTF-8 (byte {e.start}: {data[e.start : e.start + 4]!r}); "
            "re-save it as UTF-8"
        ) from None
    if not text.strip():
        raise CorpusError(f"{name} is empty; add text to it")
    return text


def add_document(
    live: Assistant, name: str, data: bytes, progress: Callable | None = None
) -> Assistant:
    """Index the corpus plus the new document in a temporary copy, then install both.

    Returns the Assistant for the new index (same settings as ``live``); the caller swaps it in.
    """
    name = check_upload_name(name)
    check_upload_data(name, data)
    say = progress or (lambda message, fraction: None)
    settings = live.settings
    corpus, index_dir = Path(settings.corpus_dir), Path(settings.index_dir)
    if (corpus / name).exists():
        raise CorpusError(
            f"{name} is already in the corpus; rename the file to add it as a new document"
        )
    index_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".upload-", dir=index_dir))  # same disk: renames
    try:
        shutil.copytree(corpus, work / "corpus", ignore=shutil.ignore_patterns(".*"))
        (work / "corpus" / name).write_bytes(data)
        trial = replace(
            settings,
            corpus_dir=work / "corpus",
            index_dir=work / "index",
            encoder_dir=settings.encoder_path,
        )
        say("indexing the corpus with the new document", 0.0)
        build(trial, force=True, progress=say)
        fresh = Assistant.open(trial, auto_build=False)
        _install(name, data, corpus, work / "index", index_dir, work / "backup")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return Assistant(fresh.index, fresh.retriever, settings)


def _install(
    name: str, data: bytes, corpus: Path, new_index: Path, index_dir: Path, backup: Path
) -> None:
    """Move the document into the corpus and the new index files over the old ones (manifest
    last); on any error put the old files back so the previous index stays consistent."""
    backup.mkdir()
    files = sorted(
        (f.name for f in new_index.iterdir() if f.is_file()), key=lambda n: n == MANIFEST
    )
    for f in files:
        if (index_dir / f).is_file():
            shutil.copy2(index_dir / f, backup / f)
    try:
        atomic_write(corpus / name, data)
        for f in files:
            os.replace(new_index / f, index_dir / f)
    except OSError as e:
        (corpus / name).unlink(missing_ok=True)
        for f in backup.iterdir():
            os.replace(f, index_dir / f.name)
        raise CorpusError(
            f"could not install {name} ({e}); the previous index is unchanged"
        ) from None
