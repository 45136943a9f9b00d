"""Change a live corpus (add, replace or remove a document): validate, index, install.

A small library is changed in a copy: the live corpus and index are touched only after the new
index was built and loaded, so a failed change leaves them, and the Assistant serving them,
exactly as they were. The copy is brought up to date as `qa index` would: an added file grows it
(qa.index.grow), a changed or removed one rebuilds it from the vector cache. A large one
(``Settings.retire_min_passages``, on FAISS) is updated in place as `qa index` updates it, since
a copy would mean a full build and, for a 20 MB library, 2.4 GB of backups: the new file's rows
are appended and the old file's retired (qa.index.grow, qa.index.retire), a removal rewrites only
the manifest. The Assistant serving keeps answering from what it loaded; a failed change puts the
corpus files back, and the index is the old one (an error undoes the appended rows) or, if the
process was killed while writing, one that fails its check and is built again from the vector
cache.

The copy is made without the index lock, which only the install takes: if another process
(`qa index`, an upload in another app) changed the live library meanwhile, the install would
undo its change, so the change is indexed again from the new state (``CHANGE_ATTEMPTS``).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from qa.assistant import Assistant, build
from qa.atomic import atomic_write, index_lock
from qa.config import VectorStoreSpec
from qa.errors import CorpusError, QAError
from qa.index.store import MANIFEST, read_manifest
from qa.ingest.conversion_cache import ConversionCache
from qa.ingest.convert_ahead import convert_in_time
from qa.ingest.converted import INSTALL_HINT, UnreadableFileError
from qa.ingest.corpus import corpus_files
from qa.ingest.formats import CONVERTED_SUFFIXES, SUFFIXES, TEXT_SUFFIXES, convert, text_of
from qa.web.limits import MAX_BINARY_UPLOAD_BYTES, MAX_UPLOAD_BYTES

# one added document (qa.web.limits); the corpus reader allows larger files on disk. Every
# converted kind but those that are text (HTML, CSV) may be as large as a PDF: pictures and
# fonts make them so (an RTF holds its pictures as hex). Derived, so a new format gets its limit.
_TEXT_KINDS = (".html", ".htm", ".csv")
BINARY_SUFFIXES = tuple(s for s in CONVERTED_SUFFIXES if s not in _TEXT_KINDS)
_SAFE_NAME = re.compile(r"[\w][\w .()+-]{0,118}", re.UNICODE)
CHANGE_ATTEMPTS = 3  # a change indexed again when another process changed the library meanwhile


class _LibraryChanged(Exception):
    """The live corpus or index is not the one a change's copy was made from."""


def check_upload_name(name: str) -> str:
    """A plain file name for the corpus folder: no folders, no hidden files, a corpus format
    (one of ``SUFFIXES``, qa.ingest.formats)."""
    shown = repr(name)[:80]
    if not isinstance(name, str) or not name or name != Path(name).name or "\\" in name:
        raise CorpusError(f"file name {shown} is not a plain file name; rename it, e.g. notes.txt")
    if ".." in name or not _SAFE_NAME.fullmatch(name):
        raise CorpusError(
            f"file name {shown} has characters we do not accept; use letters, digits, "
            "spaces, dots, dashes and underscores"
        )
    if Path(name).suffix.lower() not in SUFFIXES:
        raise CorpusError(
            f"{shown}: documents of this kind cannot be added; the corpus takes "
            f"{', '.join(SUFFIXES)} files, so save it in one of these formats"
        )
    return name


def upload_kinds(text_mb: int, binary_mb: int) -> str:
    """The kinds of file an upload may be, grouped by their size limits, for the upload's label:
    derived from the formats read, so a new format shows up there too."""
    text = [s for s in SUFFIXES if s not in BINARY_SUFFIXES]
    return (
        f"{', '.join(text)} (up to {text_mb} MB), "
        f"{', '.join(BINARY_SUFFIXES)} (up to {binary_mb} MB)"
    )


def upload_limit(name: str) -> int:
    """The largest upload in bytes for a file named ``name`` (PDF and Office files may be larger)."""
    suffix = Path(name).suffix.lower()
    return MAX_BINARY_UPLOAD_BYTES if suffix in BINARY_SUFFIXES else MAX_UPLOAD_BYTES


def check_upload_size(name: str, size: int) -> None:
    limit = upload_limit(name)
    if size > limit:
        kind = "PDF and Office" if limit == MAX_BINARY_UPLOAD_BYTES else "text, CSV and HTML"
        raise CorpusError(
            f"{name} is {size:,} bytes; the upload limit for {kind} files is {limit:,}. "
            "Split the document or add it to the corpus folder and run `qa index`"
        )


def check_upload_data(
    name: str,
    data: bytes,
    conversions: ConversionCache | None = None,
    progress: Callable | None = None,
) -> str:
    """Bounded and not empty; returns the text the document will be indexed with.

    ``.txt`` / ``.md`` are read as the corpus reads them (qa.ingest.formats.text_of); PDF,
    DOCX and HTML are converted here, before anything is written, so an unreadable file
    (scanned, encrypted, damaged) is refused. With ``conversions`` (the library's conversion
    cache) a PDF or Word file is converted by a worker process within the corpus reader's time
    limit (qa.ingest.convert_ahead.convert_in_time) and its text kept for the build.
    """
    check_upload_size(name, len(data))
    if Path(name).suffix.lower() not in TEXT_SUFFIXES:
        return _converted_text(name, data, conversions, progress)
    try:
        return text_of(data)
    except UnreadableFileError as e:
        raise CorpusError(f"{name} cannot be read: {e}") from None


def _converted_text(
    name: str, data: bytes, conversions: ConversionCache | None, progress: Callable | None
) -> str:
    try:
        if conversions is None:
            return convert(Path(name), data).text
        return convert_in_time(name, data, conversions, progress).text
    except UnreadableFileError as e:
        raise CorpusError(
            f"{name} cannot be read: {e}. Nothing was changed in the corpus or the index"
        ) from None
    except ImportError as e:  # a converter's own dependency is missing
        raise CorpusError(
            f"{name} cannot be read: {e}; install the formats extra with {INSTALL_HINT}"
        ) from None


def add_document(
    live: Assistant, name: str, data: bytes, progress: Callable | None = None
) -> Assistant:
    """Index the corpus plus the new document in a temporary copy, then install both.

    Returns the Assistant for the new index (same settings as ``live``); the caller swaps it in.
    """
    name = check_upload_name(name)
    if (Path(live.settings.corpus_dir) / name).exists():
        raise CorpusError(
            f"{name} is already in the corpus; choose it under Manage documents and use "
            "Replace to install a new version, or rename the file to add it as a new document"
        )
    return change_corpus(live, write={name: data}, progress=progress)


def replace_document(
    live: Assistant, source: str, data: bytes, progress: Callable | None = None
) -> Assistant:
    """A new version of document ``source`` (same name), indexed aside and then installed."""
    source = check_existing(live, source)
    if Path(source).suffix.lower() not in SUFFIXES:
        raise CorpusError(
            f"{source} is not one of {', '.join(SUFFIXES)}; replace it in the corpus folder and "
            "run `qa index`"
        )
    return change_corpus(live, write={source: data}, progress=progress)


def remove_document(live: Assistant, source: str, progress: Callable | None = None) -> Assistant:
    """Drop document ``source`` from the corpus and the index (the last one cannot go)."""
    source = check_existing(live, source)
    if len(live.documents) <= 1:
        raise CorpusError(f"{source} is the only document; add another one before removing it")
    return change_corpus(live, remove=(source,), progress=progress)


def check_existing(live: Assistant, source: str | None) -> str:
    """``source`` must name a document of the live index whose file is in the corpus folder."""
    known = [d.source for d in live.documents]
    if not source or source not in known:
        raise CorpusError(f"no document {str(source)[:80]!r} in the corpus; choose one of the list")
    corpus = Path(live.settings.corpus_dir).resolve()
    path = (corpus / source).resolve()
    if corpus not in path.parents or not path.is_file():
        raise CorpusError(f"{source} is not a file in {corpus}; run `qa index` to refresh")
    return source


def change_corpus(
    live: Assistant,
    write: dict[str, bytes] | None = None,
    remove: tuple[str, ...] = (),
    progress: Callable | None = None,
) -> Assistant:
    """Write/remove corpus files in a temporary copy, index it, then install corpus and index.

    Returns the Assistant for the new index (same settings as ``live``); the caller swaps it in.
    """
    write = write or {}
    say = progress or (lambda message, fraction: None)
    conversions = ConversionCache(live.settings.cache_path / "converted")  # the build's
    for name, data in write.items():
        check_upload_data(name, data, conversions, say)
    if _updates_in_place(live):
        return _change_in_place(live, write, remove, say)
    for _ in range(CHANGE_ATTEMPTS):
        try:
            return _change_in_copy(live, write, remove, say)
        except _LibraryChanged:
            say("another process changed the library meanwhile; indexing the change again", 0.0)
    names = ", ".join([*remove, *write])
    raise CorpusError(
        f"could not change {names}: another process (`qa index` or an upload in another app) "
        f"changed the library each of {CHANGE_ATTEMPTS} times it was indexed; the corpus and "
        "index are as that process left them; try again once it has finished"
    )


def _change_in_copy(
    live: Assistant, write: dict[str, bytes], remove: tuple[str, ...], say: Callable
) -> Assistant:
    """Index the change in a copy of the library and install it (the module's docstring);
    _LibraryChanged when the live library is no longer the one copied."""
    settings = live.settings
    corpus, index_dir = Path(settings.corpus_dir), Path(settings.index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".upload-", dir=index_dir))  # same disk: renames
    copied = _library_state(corpus, index_dir)
    try:
        shutil.copytree(corpus, work / "corpus", ignore=shutil.ignore_patterns(".*"))
        for name in remove:
            (work / "corpus" / name).unlink()
        for name, data in write.items():
            (work / "corpus" / name).write_bytes(data)
        live_store = live.index.manifest.get("vector_store")
        trial = replace(
            settings,
            corpus_dir=work / "corpus",
            index_dir=work / "index",
            encoder_dir=settings.encoder_path,
            vector_store=_same_store(live_store, index_dir),
            cache_dir=settings.cache_path,  # only the new file is embedded
        )
        # files only added, on FAISS: a copy of the index grows as `qa index` grows it; a
        # changed or removed file (retired only in a large library) or a Qdrant collection
        # (replaced whole) takes a full build from the vector cache
        added = not remove and not any((corpus / name).exists() for name in write)
        grows = added and trial.vector_store.backend == "faiss"
        grows = grows and _copy_index(index_dir, work / "index")
        say("indexing the changed corpus", 0.0)
        build(trial, force=not grows, progress=say)
        fresh = Assistant.open(trial, auto_build=False)
        new_store = fresh.index.manifest["vector_store"]
        try:  # the same lock as `qa index`: an upload never interleaves with another build
            with index_lock(index_dir, settings.lock_timeout):
                if _library_state(corpus, index_dir) != copied:
                    raise _LibraryChanged
                _install(write, remove, corpus, work / "index", index_dir, work / "backup")
        except BaseException:
            with contextlib.suppress(QAError):  # the first error is the one to report
                fresh.index.vector_store.drop()  # Qdrant: the collection nobody will read
            raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if (live_store or {}).get("backend") == "qdrant":
        from qa.index.qdrant_store import drop_collections, succession

        # this process reads the new collection now; the app's replicas do not share uploads
        _, retired = succession(live_store, new_store, keep_previous=False)
        with contextlib.suppress(QAError):  # a leftover collection only costs space
            drop_collections(new_store, retired)
    return Assistant(fresh.index, fresh.retriever, settings)


def _library_state(corpus: Path, index_dir: Path) -> tuple[bytes, list[tuple[str, int, int]]]:
    """What a copy of the library is made from: the live manifest (each build and grow writes
    a new one) and the corpus files' names, sizes and modification times (those the corpus reader
    indexes, qa.ingest.corpus.corpus_files: hidden ones aside, as the copy leaves them out)."""
    manifest = index_dir / MANIFEST
    files = [
        (str(path.relative_to(corpus)), (stat := path.stat()).st_size, stat.st_mtime_ns)
        for path in corpus_files(corpus)
    ]
    return (manifest.read_bytes() if manifest.is_file() else b""), files


def _copy_index(index_dir: Path, copy: Path) -> bool:
    """Copy the files the live index's manifest lists (manifest last); False when it has none
    readable. Copies, not links: a grow appends to its large files in place."""
    try:
        manifest = read_manifest(index_dir)
    except QAError:
        return False
    copy.mkdir()
    for name in [*manifest.get("files", {}), MANIFEST]:
        if not (index_dir / name).is_file():
            return False  # a damaged index: the trial build starts afresh
        shutil.copy2(index_dir / name, copy / name)
    return True


def _updates_in_place(live: Assistant) -> bool:
    """A library large enough to retire rows, on embedded FAISS (a Qdrant collection is
    replaced whole: indexed in a copy)."""
    backend = (live.index.manifest.get("vector_store") or {}).get("backend", "faiss")
    return backend == "faiss" and len(live.index.live_ids) >= live.settings.retire_min_passages


def _change_in_place(
    live: Assistant, write: dict[str, bytes], remove: tuple[str, ...], say: Callable
) -> Assistant:
    """Change the corpus files, then bring the index up to date as `qa index` does; on any
    error put the files back (see the module's docstring for the index)."""
    settings = live.settings
    corpus, index_dir = Path(settings.corpus_dir), Path(settings.index_dir)
    backup = Path(tempfile.mkdtemp(prefix=".upload-", dir=index_dir))
    try:
        saved = _saved_corpus_files(corpus, [*remove, *write], backup)
        try:
            _write_corpus_files(corpus, write, remove)
            say("indexing the changed files", 0.0)
            build(settings, progress=say)
            fresh = Assistant.open(settings, auto_build=False)
        except BaseException:
            _put_corpus_files_back(corpus, write, saved)
            raise
    finally:
        shutil.rmtree(backup, ignore_errors=True)
    return Assistant(fresh.index, fresh.retriever, settings)


def _same_store(entry: dict | None, index_dir: Path) -> VectorStoreSpec:
    """The live index's vector store for the trial build: same backend and place, and the
    collection prefix of the live folder (not of the temporary one)."""
    spec = VectorStoreSpec.from_manifest(entry)
    if spec.backend == "qdrant" and not spec.collection_prefix:
        from qa.index.qdrant_store import collection_prefix

        spec = replace(spec, collection_prefix=collection_prefix(spec, index_dir))
    return spec


def _install(
    write: dict[str, bytes],
    remove: tuple[str, ...],
    corpus: Path,
    new_index: Path,
    index_dir: Path,
    backup: Path,
) -> None:
    """Change the corpus files and move the new index files over the old ones (manifest
    last); on any error put the old files back so the previous index stays consistent."""
    (backup / "corpus").mkdir(parents=True)
    files = sorted(
        (f.name for f in new_index.iterdir() if f.is_file()), key=lambda n: n == MANIFEST
    )
    for f in files:
        if (index_dir / f).is_file():
            shutil.copy2(index_dir / f, backup / f)
    saved = _saved_corpus_files(corpus, [*remove, *write], backup / "corpus")
    try:
        _write_corpus_files(corpus, write, remove)
        for f in files:
            os.replace(new_index / f, index_dir / f)
    except OSError as e:
        _put_corpus_files_back(corpus, write, saved)
        for f in backup.iterdir():
            if f.is_file():
                os.replace(f, index_dir / f.name)
        names = ", ".join([*remove, *write])
        raise CorpusError(
            f"could not change {names} ({e}); the previous corpus and index are unchanged"
        ) from None


def _saved_corpus_files(corpus: Path, names: list[str], folder: Path) -> dict[str, Path]:
    """Copies of the corpus files about to be replaced or removed: name -> its copy."""
    saved = {}
    for i, name in enumerate(names):
        if (corpus / name).is_file():
            saved[name] = folder / str(i)
            shutil.copy2(corpus / name, saved[name])
    return saved


def _write_corpus_files(corpus: Path, write: dict[str, bytes], remove: tuple[str, ...]) -> None:
    for name in remove:
        (corpus / name).unlink()
    for name, data in write.items():
        atomic_write(corpus / name, data)


def _put_corpus_files_back(corpus: Path, write: dict[str, bytes], saved: dict[str, Path]) -> None:
    """Undo _write_corpus_files: new files go, replaced and removed ones come back."""
    for name in write:
        if name not in saved:
            (corpus / name).unlink(missing_ok=True)
    for name, copy in saved.items():
        shutil.copy2(copy, corpus / name)
