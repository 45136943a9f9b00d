"""Token-level matching (MaxSim, as in ColBERT) over MiniLM's contextual token vectors.

A passage vector averages every word, so one paraphrased phrase ("hand off ... to outside
specialists") is diluted by the rest of a 100-word passage. MaxSim instead lets each content token
of the question find its best-matching token in the passage and averages those best matches.
The token vectors come from the same MiniLM run as the question vector, so it costs no second
model call (dev + dev2: hit@W150 .897 -> .916 as a fourth fused signal).
Pure numpy; the encoder supplies the vectors (qa.index.onnx_minilm.OnnxMiniLM.encode_tokens).
"""

from __future__ import annotations

from functools import cache

import numpy as np

SPECIAL_TOKENS = frozenset({"[CLS]", "[SEP]", "[PAD]", "[UNK]", "[MASK]"})


def content_token_mask(vocab: dict[str, int], stopwords: frozenset[str]) -> np.ndarray:
    """For each WordPiece id: does the token carry content (not punctuation, a stopword or a
    special token)? Word continuations ("##ing") always count.

    Example: content_token_mask({"[CLS]": 0, "the": 1, "loan": 2, ",": 3}, frozenset({"the"}))
    -> array([False, False,  True, False])
    """
    keep = np.zeros(max(vocab.values(), default=-1) + 1, dtype=bool)
    for token, i in vocab.items():
        if token in SPECIAL_TOKENS:
            continue
        bare = token.removeprefix("##")
        keep[i] = bare.lower() not in stopwords and (token.startswith("##") or bare.isalnum())
    return keep


def content_vectors(
    hidden: np.ndarray, ids: list[int], keep: np.ndarray, at_least_one: bool = False
) -> np.ndarray:
    """Unit vectors of a text's content tokens (``hidden`` holds one row per id, padding
    excluded; ids start with [CLS] and end with [SEP]).

    A question without content tokens ("what is it?") gets none, so it scores 0 everywhere;
    a passage (``at_least_one``) keeps its word pieces instead, as every passage needs a row.
    """
    rows = hidden[: len(ids)]
    chosen = rows[keep[np.asarray(ids, dtype=np.int64)]] if len(ids) else rows[:0]
    if len(chosen) == 0 and at_least_one:
        chosen = rows[1:-1] if len(rows) > 2 else rows
    norms = np.linalg.norm(chosen, axis=1, keepdims=True)
    return (chosen / np.maximum(norms, 1e-12)).astype(np.float32)


def pack(token_vectors: list[np.ndarray], dim: int) -> tuple[np.ndarray, np.ndarray]:
    """Stack per-passage token vectors into one matrix plus each passage's first row.

    Example: pack([np.ones((2, 3)), np.ones((1, 3))], 3)[1].tolist() == [0, 2]
    """
    if any(len(v) == 0 for v in token_vectors):
        raise ValueError("every passage needs at least one token vector")
    if not token_vectors:
        return np.zeros((0, dim), np.float32), np.zeros(0, np.int64)
    starts = np.cumsum([0] + [len(v) for v in token_vectors[:-1]]).astype(np.int64)
    return np.ascontiguousarray(np.vstack(token_vectors), dtype=np.float32), starts


def maxsim(query_tokens: np.ndarray, tokens: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Per passage: the mean over query tokens of their best cosine with the passage's tokens.

    Example: maxsim(np.eye(2)[:1], np.eye(2), np.array([0, 1])).tolist() == [1.0, 0.0]
    """
    if len(query_tokens) == 0 or len(starts) == 0:
        return np.zeros(len(starts))
    best = np.maximum.reduceat(query_tokens @ tokens.T, starts, axis=1)
    return best.mean(axis=0).astype(np.float64)


@cache
def _half_decoder(dim: int):
    import faiss

    return faiss.IndexScalarQuantizer(dim, faiss.ScalarQuantizer.QT_fp16)


def widened(rows: np.ndarray) -> np.ndarray:
    """Half-precision rows as float32, the values numpy's astype gives. A question's candidate
    token rows (5,000-8,000 of 384 at 1,000x) are widened by faiss's SIMD decoder: numpy
    converts half floats one by one (9-15 ms for 2.9M values on a slow machine, faiss 6 ms).

    Example: widened(np.ones((2, 4), np.float16)).dtype == np.float32
    """
    if rows.dtype != np.float16 or rows.ndim != 2 or not len(rows):
        return np.asarray(rows, dtype=np.float32)
    codes = np.ascontiguousarray(rows).view(np.uint8)
    return _half_decoder(rows.shape[1]).sa_decode(codes)
