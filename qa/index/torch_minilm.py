"""MiniLM through sentence-transformers (torch): the fallback when no ONNX export exists."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from qa.index.embedding import (
    MAX_TOKENS,
    MINILM_DIM,
    MINILM_NAME,
    bundled_model_dir,
    empty_matrix,
    offline,
    require,
    safe_text,
)


class SentenceTransformerMiniLM:
    """The same MiniLM through torch; slower to load, used when no ONNX export exists."""

    name = MINILM_NAME
    dim = MINILM_DIM

    def __init__(self, model_dir: Path | None = None) -> None:
        offline()
        st = require("sentence_transformers", "sentence-transformers")
        path = Path(model_dir) if model_dir is not None else bundled_model_dir()
        self._model = st.SentenceTransformer(str(path), device="cpu")
        self._model.max_seq_length = MAX_TOKENS

    def _encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return empty_matrix(self.dim)
        vecs = self._model.encode(
            [safe_text(t) for t in texts],
            batch_size=32,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.asarray(vecs, dtype=np.float32).reshape(len(texts), self.dim)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts)
