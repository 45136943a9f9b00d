"""Read the corpus folder: every .txt / .md file, strictly UTF-8, text kept exactly as on disk."""

from __future__ import annotations

import hashlib
from pathlib import Path

from qa.errors import CorpusError
from qa.types import Document

TEXT_SUFFIXES = (".txt", ".md")
MAX_FILE_BYTES = 5_000_000


def corpus_files(corpus_dir: Path) -> list[Path]:
    """The files to index, sorted; anything that is not .txt/.md is an error naming the file."""
    corpus_dir = Path(corpus_dir)
    if not corpus_dir.is_dir():
        raise CorpusError(
            f"corpus folder {corpus_dir} does not exist; create it and put .txt or .md files in it"
        )
    files = []
    for path in sorted(p for p in corpus_dir.rglob("*") if p.is_file()):
        rel = path.relative_to(corpus_dir)
        if any(part.startswith(".") for part in rel.parts):
            continue  # hidden files (editor swap files, .gitkeep) are not documents
        if path.suffix.lower() not in TEXT_SUFFIXES:
            raise CorpusError(
                f"{path}: only .txt and .md files can be indexed; convert it to text or move it out of {corpus_dir}"
            )
        files.append(path)
    if not files:
        raise CorpusError(
            f"corpus folder {corpus_dir} has no .txt or .md files; add at least one document"
        )
    return files


def read_document(path: Path, corpus_dir: Path) -> Document:
    """Decode strictly (no replacement characters) so citation offsets match the file exactly."""
    data = path.read_bytes()
    if len(data) > MAX_FILE_BYTES:
        raise CorpusError(
            f"{path}: {len(data):,} bytes is over the {MAX_FILE_BYTES:,}-byte limit for one document"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise CorpusError(
            f"{path}: not valid UTF-8 (byte {e.start}: {data[e.start : e.start + 4]!r}); re-save it as UTF-8"
        ) from None
    if not text.strip():
        raise CorpusError(f"{path}: the file is empty; remove it or add text")
    return Document(source=path.relative_to(corpus_dir).as_posix(), text=text)


def load_corpus(corpus_dir: Path) -> list[Document]:
    """All documents of the corpus folder, in a stable order."""
    return [read_document(p, Path(corpus_dir)) for p in corpus_files(corpus_dir)]


def text_checksum(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def corpus_checksums(documents: list[Document]) -> dict[str, str]:
    """source -> sha256 of its text; the manifest compares these to detect a changed corpus."""
    return {d.source: text_checksum(d.text) for d in documents}
