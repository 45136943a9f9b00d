"""Arrays to and from .npy bytes: what the index writer stores, and what the loader reads back
(bytes already read and checked, or a large file memory-mapped). Never pickled."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np


def npy_bytes(arr: np.ndarray) -> bytes:
    out = io.BytesIO()
    np.save(out, np.ascontiguousarray(arr), allow_pickle=False)
    return out.getvalue()


def load_npy(data: bytes | Path | str) -> np.ndarray:
    """An array from bytes already read and checked, or memory-mapped from a large file."""
    if isinstance(data, bytes):
        return np.load(io.BytesIO(data), allow_pickle=False)
    return np.load(data, mmap_mode="r", allow_pickle=False)
