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
    root = corpus_dir.resolve()
    for path in sorted(p for p in corpus_dir.rglob("*") if p.is_file()):
        rel = path.relative_to(corpus_dir)
        if any(part.startswith(".") for part in rel.parts):
            continue  # hidden files (editor swap files, .gitkeep) are not documents
        _check_inside(path, root, corpus_dir)
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


def _check_inside(path: Path, root: Path, corpus_dir: Path) -> None:
    """The corpus folder is the trust boundary: a symlink out of it (to /etc/passwd, a home
    folder) would put that file's text in answers, so it is refused."""
    target = path.resolve()
    if not target.is_relative_to(root):
        raise CorpusError(
            f"{path} is a link to {target}, outside the corpus folder {corpus_dir}; "
            "copy the file into the corpus folder or remove the link"
        )


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
    if "\x00" in text:  # valid UTF-8 but binary (an image or archive renamed .txt)
        raise CorpusError(
            f"{path}: byte {data.index(0)} is NUL, so this is a binary file, not text; "
            "convert it to text or move it out of the corpus folder"
        )
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
