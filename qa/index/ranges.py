"""Rows of many stored ranges at once: a passage's sentences, its token vectors, its terms."""

from __future__ import annotations

import numpy as np


def concatenated_ranges(first: np.ndarray, stop: np.ndarray) -> np.ndarray:
    """The row numbers first[0]..stop[0]-1, first[1]..stop[1]-1, ... in one array.

    Example: concatenated_ranges(np.array([0, 5]), np.array([2, 6])).tolist() == [0, 1, 5]
    """
    counts = (stop - first).astype(np.int64)
    before = np.cumsum(counts) - counts  # rows taken by the earlier ranges
    return (np.arange(int(counts.sum())) + np.repeat(first - before, counts)).astype(np.int64)
