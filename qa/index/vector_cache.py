"""Vectors of each document kept by the hash of exactly what was embedded, so a rebuild
re-embeds only the files that were added or changed, and a build killed half-way resumes
from the documents it had finished (each is written as soon as it is embedded).

Layout (inside the index folder unless Settings.cache_dir says otherwise):

    cache/<models>/<sha256 of the embedded texts>.npz   one document's vectors (no pickle)
    cache/<models>/words.json + words-*.npy             vectors of corpus words, by word

``<models>`` names the encoders, so vectors of another model are never mixed in. A damaged or
mismatched entry is a cache miss (the document is embedded again), never an error.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.atomic import atomic_write

TOKEN_DTYPE = np.float16  # token vectors are only compared by MaxSim; half the disk


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
    """Per-document vectors on disk, looked up by EmbeddingJob.key."""

    def __init__(self, root: Path, models: str):
        self.root = Path(root)
        self.folder = self.root / models

    def get(self, job: EmbeddingJob, with_tokens: bool, with_e5: bool) -> DocumentVectors | None:
        path = self.folder / f"{job.key}.npz"
        if not path.is_file():
            return None
        try:
            with np.load(path, allow_pickle=False) as npz:
                arrays = {name: npz[name] for name in npz.files}
            vectors = DocumentVectors(
                arrays["passages"],
                arrays["sentences"],
                arrays.get("token_counts"),
                arrays.get("tokens"),
                arrays.get("e5"),
                arrays.get("e5_sentences"),
            )
        except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError):
            return None  # damaged: embed again
        return vectors if vectors.fits(job, with_tokens, with_e5) else None

    def put(self, job: EmbeddingJob, vectors: DocumentVectors) -> None:
        arrays = {"passages": vectors.passages, "sentences": vectors.sentences}
        if vectors.tokens is not None and vectors.token_counts is not None:
            arrays["tokens"] = vectors.tokens.astype(TOKEN_DTYPE)
            arrays["token_counts"] = vectors.token_counts.astype(np.int64)
        if vectors.e5 is not None and vectors.e5_sentences is not None:
            arrays["e5"] = vectors.e5
            arrays["e5_sentences"] = vectors.e5_sentences
        buf = io.BytesIO()
        np.savez(buf, **arrays)
        self.folder.mkdir(parents=True, exist_ok=True)
        atomic_write(self.folder / f"{job.key}.npz", buf.getvalue())

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
                if entry.stem not in keep:
                    entry.unlink(missing_ok=True)
                    removed += 1
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
