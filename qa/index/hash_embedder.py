"""A deterministic, dependency-free Embedder for tests: hashed words, no model."""

from __future__ import annotations

import hashlib
import re

import numpy as np

from qa.index.embedding import empty_matrix


def hash_vector(text: str, dim: int) -> np.ndarray:
    """Signed feature hashing of lowercase word tokens into a unit vector.

    Stable across processes (hashlib, not hash()), so test indexes are reproducible.
    A text with no words gets a fixed unit vector rather than a zero row.
    Example: hash_vector("Tax tax", 8) equals hash_vector("tax", 8)
    """
    vec = np.zeros(dim, dtype=np.float64)
    for token in re.findall(r"\w+", text.lower()):
        digest = hashlib.blake2b(token.encode("utf-8", "replace"), digest_size=8).digest()
        value = int.from_bytes(digest, "little")
        vec[value % dim] += 1.0 if (value >> 63) & 1 else -1.0
    norm = float(np.linalg.norm(vec))
    if norm == 0.0:
        return np.full(dim, 1.0 / np.sqrt(dim), dtype=np.float32)
    return (vec / norm).astype(np.float32)


class HashEmbedder:
    """Deterministic, dependency-free stand-in for tests: shared words mean high cosine."""

    def __init__(self, dim: int = 64) -> None:
        if dim < 1:
            raise ValueError(f"dim must be at least 1. Currently, dim is {dim}")
        self.dim = dim
        self.name = f"hash-{dim}"

    def _encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return empty_matrix(self.dim)
        return np.stack([hash_vector(t, self.dim) for t in texts])

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts)
