"""Each document's sentence and token vectors, found in an index folder by the document's cache
key, so the vector cache need not keep a second copy of them.

Those two arrays are 93% of a library's vectors (2.18 of 2.35 GB at 1,000x the plan). The cache
keeps a document's rows only until an index that holds them is written (they are the
checkpoint of a build killed half-way); from then on its entry keeps the small rest and a digest
of the rows, and a later build takes the rows from the index. Rows that no longer match the
digest (another index, a damaged file) are a cache miss: the document is embedded again.

    vector-keys.json   [{"key", "sentences": [first, end], "tokens": [first, end]}, ...]
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

KEYS_FILE = "vector-keys.json"
SENTENCES_FILE = "minilm-sentences.npy"
TOKENS_FILE = "minilm-tokens.npy"
TOKEN_DTYPE = np.float16  # as the index stores them (qa.index.writer)


def rows_digest(sentences: np.ndarray, tokens: np.ndarray | None) -> str:
    """What the rows must hash to, computed on the dtypes the index stores."""
    digest = hashlib.sha256(np.ascontiguousarray(sentences, dtype=np.float32).tobytes())
    if tokens is not None:
        digest.update(np.ascontiguousarray(tokens, dtype=TOKEN_DTYPE).tobytes())
    return digest.hexdigest()


def key_rows(counts: Iterable[tuple[str, int, int]], sentence_row: int = 0, token_row: int = 0):
    """The vector-keys.json entries of documents laid out one after another from the given rows;
    ``counts``: (cache key, sentences, token vectors) per document in row order.

    Example: key_rows([("a", 2, 5), ("b", 1, 3)])[1] == {"key": "b", "sentences": [2, 3],
    "tokens": [5, 8]}
    """
    out = []
    for key, sentences, tokens in counts:
        out.append(
            {
                "key": key,
                "sentences": [sentence_row, sentence_row + sentences],
                "tokens": [token_row, token_row + tokens],
            }
        )
        sentence_row, token_row = sentence_row + sentences, token_row + tokens
    return out


def keys_bytes(entries: list[dict]) -> bytes:
    return json.dumps(entries, separators=(",", ":")).encode("utf-8")


def read_keys(index_dir: Path) -> list[dict]:
    """The folder's entries; [] when it has none or they are unreadable."""
    try:
        entries = json.loads((Path(index_dir) / KEYS_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return []
    return entries if isinstance(entries, list) else []


class IndexedRows:
    """Rows by cache key from index folders (the first that holds a key with matching rows)."""

    def __init__(self, folders: Sequence[Path]):
        self.folders = list(dict.fromkeys(Path(f) for f in folders))
        self._keys: list[dict[str, dict]] | None = None
        self._arrays: dict[Path, np.ndarray | None] = {}

    def _by_key(self) -> list[dict[str, dict]]:
        if self._keys is None:
            self._keys = [
                {e["key"]: e for e in read_keys(folder) if isinstance(e, dict) and "key" in e}
                for folder in self.folders
            ]
        return self._keys

    def rows(
        self, key: str, digest: str, with_tokens: bool
    ) -> tuple[np.ndarray, np.ndarray | None] | None:
        """(sentence rows, token rows or None) of the document, or None when no folder holds
        rows that hash to ``digest``."""
        for folder, keys in zip(self.folders, self._by_key(), strict=True):
            entry = keys.get(key)
            found = self._read(folder, entry, with_tokens) if entry else None
            if found is not None and rows_digest(*found) == digest:
                return found
        return None

    def _read(self, folder: Path, entry: dict, with_tokens: bool):
        """The entry's rows, copied out of the memory-mapped arrays; None when not there."""
        try:
            sentences = self._slice(folder / SENTENCES_FILE, entry["sentences"])
            tokens = self._slice(folder / TOKENS_FILE, entry["tokens"]) if with_tokens else None
        except (ValueError, KeyError, TypeError):
            return None
        if sentences is None or (with_tokens and tokens is None):
            return None
        return sentences, tokens

    def _slice(self, path: Path, span) -> np.ndarray | None:
        if path not in self._arrays:
            try:  # a grown file may have more rows than its index lists: they are not read
                self._arrays[path] = np.load(path, mmap_mode="r", allow_pickle=False)
            except (OSError, ValueError):
                self._arrays[path] = None
        matrix = self._arrays[path]
        first, end = (int(x) for x in span)
        if matrix is None or matrix.ndim != 2 or not 0 <= first <= end <= len(matrix):
            return None
        return np.array(matrix[first:end])
