"""MiniLM in numpy (qa.index.bert_numpy) for bulk embedding: what `qa index` embeds with.

Queries stay on the ONNX export (qa.index.onnx_minilm: one short text, and no weights to read at
start); a build embeds each document's passages, of mixed lengths, about 1.5 times faster here on
2 cores than onnxruntime, which pads them (README, "Which MiniLM runtime"). The weights are the
bundled model's safetensors, the ones the ONNX export is made from; ``bulk_minilm`` checks both
runtimes agree on probe texts before it hands this encoder out, so an index never mixes vectors
of two models.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from qa.index.bert_numpy import Layer, Shape, forward, in_parts
from qa.index.embedding import MINILM_DIM, MINILM_NAME, empty_matrix, safe_text
from qa.index.token_vectors import content_token_mask, content_vectors
from qa.ingest.words import stopwords

AGREEMENT = 0.999  # issue 18's rule for any encoder: minimum cosine to the reference vectors
PROBES = (
    "Small and medium-sized enterprises may pledge patent rights to obtain loans.",
    "Section 4. The licensee shall not sublicense the work without written consent.",
    "知识产权质押融资",
)


class MiniLMWeights:
    """A BERT model's float32 weights from its safetensors file (any ``bert.`` prefix)."""

    def __init__(self, path: Path):
        import json

        from safetensors.numpy import load_file

        tensors = load_file(str(path))
        config = json.loads((path.parent / "config.json").read_text(encoding="utf-8"))
        prefix = "bert." if "bert.embeddings.word_embeddings.weight" in tensors else ""

        def get(name: str) -> np.ndarray:
            return np.ascontiguousarray(tensors[prefix + name], dtype=np.float32)

        self.shape = Shape(
            config["hidden_size"],
            config["num_hidden_layers"],
            config["num_attention_heads"],
            config["intermediate_size"],
            config["vocab_size"],
            config["max_position_embeddings"],
            float(config.get("layer_norm_eps", 1e-12)),
        )
        self.words = get("embeddings.word_embeddings.weight")
        self.positions = get("embeddings.position_embeddings.weight")
        self.token_type = get("embeddings.token_type_embeddings.weight")[0]
        self.embedding_norm = (get("embeddings.LayerNorm.weight"), get("embeddings.LayerNorm.bias"))
        self.layers = [self._layer(f"encoder.layer.{i}.", get) for i in range(self.shape.layers)]

    @staticmethod
    def _layer(p: str, get) -> Layer:
        qkv = ("query", "key", "value")
        # stored (outputs, inputs); their transposes are views BLAS reads as they are
        return Layer(
            qkv=np.concatenate([get(f"{p}attention.self.{k}.weight") for k in qkv]).T,
            qkv_bias=np.concatenate([get(f"{p}attention.self.{k}.bias") for k in qkv]),
            attention_out=get(p + "attention.output.dense.weight").T,
            attention_out_bias=get(p + "attention.output.dense.bias"),
            attention_norm=(
                get(p + "attention.output.LayerNorm.weight"),
                get(p + "attention.output.LayerNorm.bias"),
            ),
            ffn_in=get(p + "intermediate.dense.weight").T,
            ffn_in_bias=get(p + "intermediate.dense.bias"),
            ffn_out=get(p + "output.dense.weight").T,
            ffn_out_bias=get(p + "output.dense.bias"),
            output_norm=(get(p + "output.LayerNorm.weight"), get(p + "output.LayerNorm.bias")),
        )

    def word_vectors(self, ids: np.ndarray) -> np.ndarray:
        return self.words[ids]


class NumpyMiniLM:
    """An Embedder (qa.index.embedding) with MiniLM's vectors and content-token vectors:
    mean-pooled last states, L2-normalised, as sentence-transformers pools all-MiniLM-L6-v2."""

    name = MINILM_NAME
    dim = MINILM_DIM
    has_tokens = True

    def __init__(self, weights: MiniLMWeights, tokenizer) -> None:
        self.weights = weights
        self._tok = tokenizer
        self._content = content_token_mask(tokenizer.get_vocab(), stopwords())

    def _states(self, texts: list[str]):
        """(token ids, their States) per part of the batch, shortest texts first."""
        ids = [e.ids for e in self._tok.encode_batch([safe_text(t) for t in texts])]
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        return ids, in_parts(lambda s: forward(self.weights, s), ids, order)

    def encode_with_tokens(self, texts: list[str]) -> tuple[np.ndarray, list[np.ndarray]]:
        vectors = np.empty((len(texts), self.dim), np.float32)
        tokens: list[np.ndarray] = [empty_matrix(self.dim)] * len(texts)
        ids, parts = self._states(texts) if texts else ([], [])
        for part, states in parts:
            vectors[part] = states.means()
            for j, i in enumerate(part):
                tokens[i] = content_vectors(states.of(j), ids[i], self._content, at_least_one=True)
        return _unit(vectors), tokens

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return empty_matrix(self.dim)
        vectors = np.empty((len(texts), self.dim), np.float32)
        for part, states in self._states(texts)[1]:
            vectors[part] = states.means()
        return _unit(vectors)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self.encode_passages(texts)

    def encode_tokens(self, texts: list[str]) -> list[np.ndarray]:
        return self.encode_with_tokens(texts)[1]


def bulk_minilm(onnx, model_dir: Path | None = None):
    """The numpy MiniLM if its weights give the ONNX export's vectors (minimum cosine AGREEMENT
    on PROBES), else ``onnx`` itself (with a warning naming why)."""
    from qa.index.embedding import bundled_model_dir

    path = Path(model_dir or bundled_model_dir()) / "model.safetensors"
    try:
        numpy_minilm = NumpyMiniLM(MiniLMWeights(path), onnx._tok)
        got, want = numpy_minilm.encode_passages(list(PROBES)), onnx.encode_passages(list(PROBES))
    except (OSError, KeyError, ValueError, ImportError) as e:
        warnings.warn(
            f"indexing with onnxruntime: cannot read MiniLM's weights ({e})", stacklevel=2
        )
        return onnx
    cosine = float(np.min(np.sum(got * want, axis=1)))
    if cosine < AGREEMENT:
        warnings.warn(
            f"indexing with onnxruntime: {path}'s vectors differ from the ONNX export's "
            f"(cosine {cosine:.4f}); export it again from that model to index faster",
            stacklevel=2,
        )
        return onnx
    return numpy_minilm


def _unit(vectors: np.ndarray) -> np.ndarray:
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    return vectors
