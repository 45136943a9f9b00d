"""Embed each text once per build, however many documents repeat it.

A library repeats itself: licence texts quoted in full by many packages, the same notice at the
head of every file, one form paragraph in every report. In the 1,000x scale corpus 7% of the
passages and 23% of the sentences are exact repeats (11% of the characters to embed). Vectors are
a pure function of the text, so a repeat takes the first one's rows. Only texts that occur again
later in the build are kept, and each is dropped after its last use, so the memory held is that
of the repeats still to come, not of the corpus.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from qa.index.embedding import empty_matrix


class RowMemo:
    """Rows of one encoding method, by text, for texts still to come."""

    def __init__(self, uses: Counter):
        self._left = Counter(uses)  # how often each text is still to be asked for
        self._kept: dict[str, object] = {}

    def rows(self, texts: Sequence[str], encode: Callable[[list[str]], Sequence]) -> list:
        """One row per text: kept rows for repeats, ``encode`` (once per distinct new text) for
        the rest."""
        new = [t for t in dict.fromkeys(texts) if t not in self._kept]
        fresh = dict(zip(new, encode(new), strict=True)) if new else {}
        out = []
        for text in texts:
            row = self._kept[text] if text in self._kept else fresh[text]
            self._left[text] -= 1
            if self._left[text] > 0:
                self._kept[text] = row
            else:
                self._kept.pop(text, None)
            out.append(row)
        return out

    @property
    def held(self) -> int:
        return len(self._kept)


class EmbedOnce:
    """An encoder (qa.index.embedding.Embedder) that embeds a repeated text once, for the
    texts of one build's jobs (``texts``: every passage and sentence text, repeats included)."""

    def __init__(self, encoder, texts: Iterable[str]):
        self.encoder = encoder
        self.name, self.dim = encoder.name, encoder.dim
        self.has_tokens = bool(getattr(encoder, "has_tokens", False))
        uses = Counter(texts)
        self._vectors, self._with_tokens, self._tokens = RowMemo(uses), RowMemo(uses), RowMemo(uses)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        rows = self._vectors.rows(texts, self.encoder.encode_passages)
        return np.vstack(rows).astype(np.float32) if rows else empty_matrix(self.dim)

    def encode_tokens(self, texts: list[str]) -> list[np.ndarray]:
        return self._tokens.rows(texts, self.encoder.encode_tokens)

    def encode_with_tokens(self, texts: list[str]) -> tuple[np.ndarray, list[np.ndarray]]:
        def both(new: list[str]) -> list[tuple[np.ndarray, np.ndarray]]:
            if hasattr(self.encoder, "encode_with_tokens"):
                vectors, tokens = self.encoder.encode_with_tokens(new)
            else:  # encoders without the one-run method: two runs, same rows
                vectors, tokens = self.encoder.encode_passages(new), self.encoder.encode_tokens(new)
            return list(zip(vectors, tokens, strict=True))

        rows = self._with_tokens.rows(texts, both)
        if not rows:
            return empty_matrix(self.dim), []
        return np.vstack([v for v, _ in rows]).astype(np.float32), [t for _, t in rows]
