"""MiniLM vectors of common English words, computed once beside the exported encoder.

Query expansion (qa.ingest.words) needs a vector for each question word the corpus never uses.
Encoding those words was a second model call on 3 questions in 4 (about 3 ms of a 13 ms ask);
looking them up here makes it free for the ~92% of such words that are whole words of the
MiniLM vocabulary. Other words are encoded as before and remembered.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

from qa.atomic import atomic_write

WORDS_FILE = "minilm-words.json"
VECTORS_FILE = "minilm-words.npy"
CHUNK = 1024
MAX_REMEMBERED = 4096  # words encoded at query time and kept, so memory stays bounded

Encode = Callable[[list[str]], np.ndarray]


def common_words(tokenizer_path: Path) -> list[str]:
    """Whole-word entries of the WordPiece vocabulary: alphabetic, at least 3 letters.

    Example: a vocabulary {"[CLS]", "##ing", "of", "patent"} gives ["patent"].
    """
    vocab = json.loads(Path(tokenizer_path).read_text("utf-8"))["model"]["vocab"]
    return sorted(w for w in vocab if w.isascii() and w.isalpha() and len(w) >= 3)


def build_word_table(
    encode: Encode,
    words: list[str],
    out_dir: Path,
    progress: Callable[[str, float], None] | None = None,
) -> None:
    """Encode ``words`` in chunks (reporting progress) and write both files atomically."""
    parts = []
    for i in range(0, len(words), CHUNK):
        parts.append(encode(words[i : i + CHUNK]).astype(np.float16))
        if progress:
            done = min(i + CHUNK, len(words))
            progress(
                f"embedding common words for query expansion: {done:,}/{len(words):,}",
                done / len(words),
            )
    vectors = np.vstack(parts) if parts else np.zeros((0, 0), np.float16)
    buf = io.BytesIO()
    np.save(buf, vectors, allow_pickle=False)
    atomic_write(Path(out_dir) / VECTORS_FILE, buf.getvalue())
    atomic_write(Path(out_dir) / WORDS_FILE, json.dumps(words).encode("utf-8"))


class WordTable:
    """Word -> unit vector, from the table when the word is in it, else from the encoder."""

    def __init__(self, words: list[str], vectors: np.ndarray, encode: Encode) -> None:
        self._row = {w: i for i, w in enumerate(words)}
        self._vectors = vectors
        self._encode = encode
        self._remembered: dict[str, np.ndarray] = {}

    def __contains__(self, word: str) -> bool:
        """Whether ``word`` is one of the table's common English words."""
        return word in self._row

    @classmethod
    def empty(cls, encode: Encode, dim: int) -> WordTable:
        """No table: every word goes to the encoder (and is remembered)."""
        return cls([], np.zeros((0, dim), np.float16), encode)

    @classmethod
    def load(cls, folder: Path, encode: Encode, dim: int) -> WordTable:
        """The table in ``folder``; an empty one (encoder only) if it is missing or does not fit."""
        try:
            words = json.loads((Path(folder) / WORDS_FILE).read_text("utf-8"))
            vectors = np.load(Path(folder) / VECTORS_FILE, allow_pickle=False)
        except (OSError, ValueError):
            return cls.empty(encode, dim)
        if vectors.shape != (len(words), dim):
            return cls.empty(encode, dim)
        return cls(words, vectors, encode)

    def __len__(self) -> int:
        return len(self._row)

    def vectors(self, words: list[str]) -> np.ndarray:
        """One float32 row per word, in order; unknown words cost one encoder call together."""
        missing = [
            w for w in dict.fromkeys(words) if w not in self._row and w not in self._remembered
        ]
        if missing:
            if len(self._remembered) + len(missing) > MAX_REMEMBERED:
                self._remembered.clear()
            for w, v in zip(missing, self._encode(missing), strict=True):
                self._remembered[w] = np.asarray(v, dtype=np.float32)
        out = np.empty((len(words), self._vectors.shape[1]), dtype=np.float32)
        for i, w in enumerate(words):
            row = self._row.get(w)
            out[i] = self._vectors[row] if row is not None else self._remembered[w]
        return out
