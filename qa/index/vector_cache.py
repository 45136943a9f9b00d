"""Vectors of each document kept by the hash of exactly what was embedded, so a rebuild
re-embeds only the files that were added or changed, and a build killed half-way resumes
from the documents it had finished (each is written as soon as it is embedded).

Layout (inside the index folder unless Settings.cache_dir says otherwise):

    cache/<models>/<sha256 of the embedded texts>.npz   one document's passage vectors and the
                                                        digest of its sentence and token rows
    cache/<models>/<sha256>.rows.npz                     those rows, until an index holds them
    cache/<models>/words.json + words-*.npy             vectors of corpus words, by word

``<models>`` names the encoders, so vectors of another model are never mixed in. Once an index
is written, the rows it holds leave the cache (``release_rows``) and are read back from the index
(qa.index.indexed_rows): a library's vectors are on disk once, not twice. A damaged or
mismatched entry is a cache miss (the document is embedded again), never an error.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.atomic import atomic_write
from qa.index.indexed_rows import TOKEN_DTYPE, IndexedRows, read_keys, rows_digest

ROWS = ("sentences", "tokens")  # what an index holds again, so the cache keeps it only until then
# written once every entry an index held was checked for rows kept inside (entries written
# before rows had a file of their own): later builds write none such, so none is opened again
ROWS_INSIDE_CHECKED = "rows-inside-checked"


@dataclass(frozen=True)
class EmbeddingJob:
    """One document's texts to embed: what a worker (local or a Dask task) receives."""

    key: str  # sha256 of the texts, the cache entry's name
    source: str
    passages: list[str]
    sentences: list[str]

    @classmethod
    def of(cls, source: str, passages: list[str], sentences: list[str]) -> EmbeddingJob:
        digest = hashlib.sha256()
        for text in [*passages, "\x00", *sentences]:
            digest.update(text.encode("utf-8", "surrogatepass") + b"\x00")
        return cls(digest.hexdigest(), source, passages, sentences)


@dataclass(frozen=True)
class DocumentVectors:
    """The vectors of one document's passages and sentences, rows in chunking order."""

    passages: np.ndarray  # (n_passages, dim)
    sentences: np.ndarray  # (n_sentences, dim)
    token_counts: np.ndarray | None = None  # (n_passages,) content tokens per passage
    tokens: np.ndarray | None = None  # (sum(token_counts), dim)
    e5: np.ndarray | None = None
    e5_sentences: np.ndarray | None = None

    def fits(self, job: EmbeddingJob, with_tokens: bool, with_e5: bool) -> bool:
        """Shapes agree with the job; an entry missing what this build needs does not fit."""
        n, s = len(job.passages), len(job.sentences)
        if self.passages.shape[0] != n or self.sentences.shape[0] != s:
            return False
        if with_tokens and (
            self.tokens is None
            or self.token_counts is None
            or self.token_counts.shape != (n,)
            or int(self.token_counts.sum()) != len(self.tokens)
        ):
            return False
        if with_e5 and (
            self.e5 is None
            or self.e5_sentences is None
            or len(self.e5) != n
            or len(self.e5_sentences) != s
        ):
            return False
        return True


def models_key(minilm_name: str, dim: int, e5_name: str | None, embed_text: str) -> str:
    """The cache folder's name: which encoders, and how a passage's text was made.

    Example: models_key("all-MiniLM-L6-v2", 384, None, "title+text v1")[:7] == "models-"
    """
    raw = json.dumps([minilm_name, dim, e5_name, embed_text])
    return "models-" + hashlib.sha256(raw.encode()).hexdigest()[:16]


class VectorCache:
    """Per-document vectors on disk, looked up by EmbeddingJob.key; ``indexes``: the index
    folders whose rows complete an entry that no longer keeps its own."""

    def __init__(self, root: Path, models: str, indexes: Sequence[Path] = ()):
        self.root = Path(root)
        self.folder = self.root / models
        self.indexed = IndexedRows(indexes)

    def get(self, job: EmbeddingJob, with_tokens: bool, with_e5: bool) -> DocumentVectors | None:
        path = self.folder / f"{job.key}.npz"
        if not path.is_file():
            return None
        try:
            arrays = _arrays(path)
            if (self.folder / f"{job.key}.rows.npz").is_file():
                arrays |= _arrays(self.folder / f"{job.key}.rows.npz")
        except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError):
            return None  # damaged: embed again
        if "sentences" not in arrays and not self._rows_from_index(job.key, arrays):
            return None
        vectors = DocumentVectors(
            arrays["passages"],
            arrays["sentences"],
            arrays.get("token_counts"),
            arrays.get("tokens"),
            arrays.get("e5"),
            arrays.get("e5_sentences"),
        )
        return vectors if vectors.fits(job, with_tokens, with_e5) else None

    def _rows_from_index(self, key: str, arrays: dict) -> bool:
        """Put the rows an index holds for ``key`` into ``arrays``; False when none match."""
        if "rows_digest" not in arrays or "passages" not in arrays:
            return False
        found = self.indexed.rows(key, str(arrays["rows_digest"]), "token_counts" in arrays)
        if found is None:
            return False
        arrays["sentences"] = found[0]
        if found[1] is not None:
            arrays["tokens"] = found[1]
        return True

    def put(self, job: EmbeddingJob, vectors: DocumentVectors) -> None:
        tokens = None
        arrays = {"passages": vectors.passages}
        if vectors.tokens is not None and vectors.token_counts is not None:
            tokens = vectors.tokens.astype(TOKEN_DTYPE)
            arrays["token_counts"] = vectors.token_counts.astype(np.int64)
        if vectors.e5 is not None and vectors.e5_sentences is not None:
            arrays["e5"] = vectors.e5
            arrays["e5_sentences"] = vectors.e5_sentences
        arrays["rows_digest"] = np.array(rows_digest(vectors.sentences, tokens))
        rows = {
            "sentences": vectors.sentences,
            **({"tokens": tokens} if tokens is not None else {}),
        }
        self.folder.mkdir(parents=True, exist_ok=True)
        atomic_write(self.folder / f"{job.key}.rows.npz", _npz(rows))  # before the entry
        atomic_write(self.folder / f"{job.key}.npz", _npz(arrays))

    def release_rows(self, index_dir: Path) -> int:
        """Drop the rows of every entry the index at ``index_dir`` holds (call it once that
        index is written): they are read from there from now on. Returns how many went.

        The folder is listed once: at every `qa index` of a library of 1,717 files each entry
        was opened and two files looked for (0.27 s, 1.0 s with the page cache dropped)."""
        try:
            names = {e.name for e in os.scandir(self.folder)}
        except (FileNotFoundError, NotADirectoryError):
            return 0
        checked = ROWS_INSIDE_CHECKED in names
        released = 0
        for entry in read_keys(index_dir):
            key = entry.get("key") if isinstance(entry, dict) else None
            if not isinstance(key, str) or f"{key}.npz" not in names:
                continue
            if not checked:
                try:  # an entry written before rows had a file of their own
                    _drop_rows_inside(self.folder / f"{key}.npz")
                except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError):
                    continue
            if f"{key}.rows.npz" in names:
                (self.folder / f"{key}.rows.npz").unlink(missing_ok=True)
                released += 1
        if not checked:
            atomic_write(self.folder / ROWS_INSIDE_CHECKED, b"")
        return released

    def prune(self, keep: set[str]) -> int:
        """Remove entries of documents no longer in the corpus and of other models' folders,
        so the cache stays the size of the corpus. Returns how many entries went."""
        removed = 0
        if self.root.is_dir():
            for other in self.root.iterdir():
                if other.is_dir() and other != self.folder and other.name.startswith("models-"):
                    shutil.rmtree(other, ignore_errors=True)
        if self.folder.is_dir():
            for entry in self.folder.glob("*.npz"):
                if entry.name.split(".")[0] not in keep:
                    entry.unlink(missing_ok=True)
                    removed += not entry.name.endswith(".rows.npz")
        return removed

    # ------------------------------------------------------------------ corpus words

    def word_vectors(self, kind: str) -> dict[str, np.ndarray]:
        """word -> vector from earlier builds (``kind`` "minilm" or "e5"); {} when none."""
        names, vectors = self.folder / f"words-{kind}.json", self.folder / f"words-{kind}.npy"
        try:
            words = json.loads(names.read_text("utf-8"))
            matrix = np.load(vectors, allow_pickle=False)
        except (OSError, ValueError):
            return {}
        if not isinstance(words, list) or matrix.ndim != 2 or len(words) != len(matrix):
            return {}
        return dict(zip(words, matrix, strict=True))

    def put_word_vectors(self, kind: str, table: dict[str, np.ndarray], dim: int) -> None:
        words = sorted(table)
        matrix = np.vstack([table[w] for w in words]) if words else np.zeros((0, dim), np.float32)
        buf = io.BytesIO()
        np.save(buf, matrix.astype(np.float32), allow_pickle=False)
        self.folder.mkdir(parents=True, exist_ok=True)
        atomic_write(self.folder / f"words-{kind}.npy", buf.getvalue())
        atomic_write(
            self.folder / f"words-{kind}.json", json.dumps(words, ensure_ascii=False).encode()
        )


def _arrays(path: Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as npz:
        return {name: npz[name] for name in npz.files}


def _npz(arrays: dict[str, np.ndarray]) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def _drop_rows_inside(path: Path) -> None:
    """Rewrite an entry that keeps its rows inside as one that keeps their digest instead."""
    with np.load(path, allow_pickle=False) as npz:
        if "sentences" not in npz.files:  # the names only: no array is read
            return
    arrays = _arrays(path)
    tokens = arrays.get("tokens") if "token_counts" in arrays else None
    kept = {name: a for name, a in arrays.items() if name not in ROWS}
    kept["rows_digest"] = np.array(rows_digest(arrays["sentences"], tokens))
    atomic_write(path, _npz(kept))
