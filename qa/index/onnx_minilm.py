"""MiniLM through onnxruntime + tokenizers, the encoder at runtime (no torch import)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from qa.errors import ModelNotFoundError
from qa.index.embedding import (
    MAX_TOKENS,
    MINILM_DIM,
    MINILM_NAME,
    ONNX_FILE,
    SENTENCE_OUTPUT,
    TOKEN_OUTPUT,
    TOKENIZER_FILE,
    Embedder,
    empty_matrix,
    length_batches,
    pad_batch,
    require,
    safe_text,
)
from qa.index.token_vectors import content_token_mask, content_vectors
from qa.index.torch_minilm import SentenceTransformerMiniLM
from qa.ingest.words import stopwords


def load_tokenizer(path: Path) -> Any:
    """Load a tokenizers.Tokenizer with ST's limits: truncate at 256, pad nothing.

    The bundled tokenizer.json truncates and pads to 128, which silently disagrees with
    sentence-transformers on long texts; we pad per batch ourselves.
    """
    tokenizers = require("tokenizers", "tokenizers")
    tok = tokenizers.Tokenizer.from_file(str(path))
    tok.enable_truncation(MAX_TOKENS)
    tok.no_padding()
    return tok


class OnnxMiniLM:
    """MiniLM through onnxruntime + tokenizers: ~3 ms a query and no torch import."""

    name = MINILM_NAME
    dim = MINILM_DIM

    def __init__(self, onnx_dir: Path, batch_size: int = 32, threads: int = 1) -> None:
        onnx_dir = Path(onnx_dir)
        missing = [f for f in (ONNX_FILE, TOKENIZER_FILE) if not (onnx_dir / f).is_file()]
        if missing:
            raise ModelNotFoundError(
                f"no {' or '.join(missing)} in {onnx_dir}; create them with "
                f"qa.index.onnx_export.export_minilm_onnx(bundled_model_dir(), Path('{onnx_dir}'))"
            )
        self._setup(onnx_dir / ONNX_FILE, onnx_dir / TOKENIZER_FILE, batch_size, threads)

    @classmethod
    def from_files(cls, model_path: Path, tokenizer_path: Path, batch_size: int = 32) -> OnnxMiniLM:
        """Open a model under any file names, e.g. temp files being verified at export."""
        self = cls.__new__(cls)
        self._setup(Path(model_path), Path(tokenizer_path), batch_size)
        return self

    def _setup(
        self, model_path: Path, tokenizer_path: Path, batch_size: int, threads: int = 1
    ) -> None:
        if batch_size < 1:
            raise ValueError(
                f"batch_size must be at least 1. Currently, batch_size is {batch_size}"
            )
        ort = require("onnxruntime", "onnxruntime")
        opts = ort.SessionOptions()
        # Measured fastest on 2 cores for queries: one thread, no busy-wait spinning between
        # calls. Bulk work (the word table) asks for more threads.
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.batch_size = batch_size
        self._model_path, self._tokenizer_path = model_path, tokenizer_path
        self._session = ort.InferenceSession(
            str(model_path), sess_options=opts, providers=["CPUExecutionProvider"]
        )
        self._inputs = [i.name for i in self._session.get_inputs()]
        self.has_tokens = TOKEN_OUTPUT in {o.name for o in self._session.get_outputs()}
        self._tok = load_tokenizer(tokenizer_path)
        self._content = content_token_mask(self._tok.get_vocab(), stopwords())

    def _run(
        self, texts: list[str], outputs: list[str]
    ) -> Iterator[tuple[list[int], list[list[int]], list[np.ndarray]]]:
        """Model outputs for batches of similar length: (indices into texts, their token ids,
        the requested output arrays)."""
        encs = self._tok.encode_batch([safe_text(t) for t in texts])
        for idx in length_batches([len(e.ids) for e in encs], self.batch_size):
            feeds = pad_batch([encs[i].ids for i in idx], [encs[i].type_ids for i in idx])
            arrays = self._session.run(outputs, {k: feeds[k] for k in self._inputs})
            yield idx, [encs[i].ids for i in idx], arrays

    def _encode(self, texts: list[str]) -> np.ndarray:
        out = empty_matrix(self.dim) if not texts else np.empty((len(texts), self.dim), np.float32)
        for idx, _, (vecs,) in self._run(texts, [SENTENCE_OUTPUT]):
            out[idx] = vecs
        return out

    def encode_tokens(self, texts: list[str]) -> list[np.ndarray]:
        """Each passage's content-token vectors, unit length, at least one (qa.index.token_vectors)."""
        out: list[np.ndarray] = [empty_matrix(self.dim)] * len(texts)
        for idx, ids, (hidden,) in self._run(texts, [TOKEN_OUTPUT]):
            for row, (i, row_ids) in enumerate(zip(idx, ids, strict=True)):
                out[i] = content_vectors(hidden[row], row_ids, self._content, at_least_one=True)
        return out

    def encode_with_tokens(self, texts: list[str]) -> tuple[np.ndarray, list[np.ndarray]]:
        """Passage vectors and content-token vectors from one model run (indexing runs the
        model once per passage instead of twice)."""
        vecs_out = empty_matrix(self.dim) if not texts else np.empty((len(texts), self.dim), np.float32)
        tokens: list[np.ndarray] = [empty_matrix(self.dim)] * len(texts)
        for idx, ids, (vecs, hidden) in self._run(texts, [SENTENCE_OUTPUT, TOKEN_OUTPUT]):
            vecs_out[idx] = vecs
            for row, (i, row_ids) in enumerate(zip(idx, ids, strict=True)):
                tokens[i] = content_vectors(hidden[row], row_ids, self._content, at_least_one=True)
        return vecs_out, tokens

    def for_bulk(self) -> Embedder:
        """The same model for indexing: in numpy, a part of each batch on each core
        (qa.index.minilm_numpy, about 1.5 times faster), or this export with every core and
        larger batches where the numpy weights are missing or disagree. Queries keep this
        one-thread session, measured fastest for a single short text."""
        import os

        from qa.index.minilm_numpy import bulk_minilm

        bulk = OnnxMiniLM.__new__(OnnxMiniLM)
        bulk._setup(self._model_path, self._tokenizer_path, 64, os.cpu_count() or 1)
        return bulk_minilm(bulk)

    def encode_query_tokens(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The query vector and its content-token vectors from one model run."""
        for _, ids, (vecs, hidden) in self._run([text], [SENTENCE_OUTPUT, TOKEN_OUTPUT]):
            return vecs[0], content_vectors(hidden[0], ids[0], self._content)
        raise AssertionError("one text gives one batch")

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts)


def load_minilm(onnx_dir: Path | None) -> Embedder:
    """The fast ONNX MiniLM if onnx_dir holds an export, else the torch one (same vectors)."""
    if onnx_dir is not None:
        onnx_dir = Path(onnx_dir)
        if (onnx_dir / ONNX_FILE).is_file() and (onnx_dir / TOKENIZER_FILE).is_file():
            return OnnxMiniLM(onnx_dir)
    return SentenceTransformerMiniLM()
