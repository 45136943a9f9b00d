"""Fusion: each scorer's scores over the candidates, min-max normalised, in one weighted mean."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class Part(NamedTuple):
    """One scorer's share of the fused score. ``normalise`` False for scores already in [0, 1]
    that mean the same on every question (the share of a query's word pairs found)."""

    weight: float
    scores: np.ndarray
    normalise: bool = True


def minmax(x: np.ndarray) -> np.ndarray:
    """Scale to [0, 1]; a constant vector maps to zeros.

    Example: minmax(np.array([1.0, 3.0])) -> array([0., 1.])
    """
    if x.size == 0:
        return x
    lo, hi = float(x.min()), float(x.max())
    return (x - lo) / (hi - lo) if hi > lo else np.zeros_like(x)


def fuse(parts: list[Part]) -> np.ndarray:
    """The weighted mean of the parts' (normalised) scores, so fused scores stay in [0, 1].

    Example: fuse([Part(1.0, np.array([0.0, 2.0])), Part(1.0, np.array([1.0, 1.0]))])
    -> array([0. , 0.5])
    """
    total = sum(p.weight * (minmax(p.scores) if p.normalise else p.scores) for p in parts)
    weight = sum(p.weight for p in parts)
    return total / (weight or 1.0)


def mix(own: np.ndarray, best_sentence: np.ndarray, sentence_weight: float) -> np.ndarray:
    """A passage's score from its own vector's and its best sentence's: a passage is as
    relevant as its best sentence, steadied by the whole."""
    return (1 - sentence_weight) * own + sentence_weight * best_sentence
