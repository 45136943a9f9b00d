"""The numpy MiniLM that `qa index` embeds with, against the ONNX export questions go through."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from qa.config import ChunkingConfig
from qa.index.embedding import bundled_model_dir
from qa.index.minilm_numpy import MiniLMWeights, NumpyMiniLM, bulk_minilm
from qa.index.onnx_minilm import OnnxMiniLM
from qa.index.store import embed_text
from qa.ingest.chunking import chunk
from qa.ingest.corpus import load_corpus

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def onnx(encoder_dir: Path) -> OnnxMiniLM:
    return OnnxMiniLM(encoder_dir)


@pytest.fixture(scope="module")
def numpy_minilm(onnx: OnnxMiniLM) -> NumpyMiniLM:
    return NumpyMiniLM(MiniLMWeights(bundled_model_dir() / "model.safetensors"), onnx._tok)


def real_texts() -> list[str]:
    """The plan's passages and a licence's, a text over the 256-token limit, an empty one,
    Chinese: the lengths and scripts a build meets."""
    docs = load_corpus(REPO / "corpus")
    licence = sorted((REPO / "eval" / "other" / "corpus").glob("*.txt"))[0]
    passages = [embed_text(p) for d in docs for p in chunk(d, ChunkingConfig())]
    long_text = licence.read_text(encoding="utf-8")[:6000]
    return [*passages[:40], long_text, "", "知识产权质押融资", "loans"]


def test_agrees_with_the_onnx_export(onnx: OnnxMiniLM, numpy_minilm: NumpyMiniLM) -> None:
    texts = real_texts()
    want_vectors, want_tokens = onnx.encode_with_tokens(texts)
    got_vectors, got_tokens = numpy_minilm.encode_with_tokens(texts)
    assert np.allclose(np.linalg.norm(got_vectors, axis=1), 1.0, atol=1e-5)
    assert np.min(np.sum(got_vectors * want_vectors, axis=1)) >= 0.9999
    for got, want in zip(got_tokens, want_tokens, strict=True):
        assert got.shape == want.shape  # the same content tokens, truncated alike
        assert np.min(np.sum(got * want, axis=1)) >= 0.9999
    sentences = numpy_minilm.encode_passages(texts)
    assert np.allclose(sentences, got_vectors, atol=1e-6)


def test_a_batch_equals_its_texts_one_at_a_time(numpy_minilm: NumpyMiniLM) -> None:
    texts = real_texts()  # parts run on threads, shortest first: rows must come back in place
    batch = numpy_minilm.encode_passages(texts)
    alone = np.vstack([numpy_minilm.encode_passages([t]) for t in texts])
    assert np.allclose(batch, alone, atol=1e-5)
    assert numpy_minilm.encode_passages([]).shape == (0, numpy_minilm.dim)
    assert numpy_minilm.encode_with_tokens([])[0].shape == (0, numpy_minilm.dim)


def test_indexing_uses_numpy_when_it_agrees(onnx: OnnxMiniLM) -> None:
    assert isinstance(onnx.for_bulk(), NumpyMiniLM)


def test_weights_that_disagree_fall_back_to_onnx(onnx: OnnxMiniLM, tmp_path: Path) -> None:
    from safetensors.numpy import load_file, save_file

    tensors = load_file(str(bundled_model_dir() / "model.safetensors"))
    rng = np.random.default_rng(0)
    key = "embeddings.word_embeddings.weight"
    tensors[key] = rng.normal(size=tensors[key].shape).astype(np.float32)
    save_file(tensors, str(tmp_path / "model.safetensors"))
    shutil.copy(bundled_model_dir() / "config.json", tmp_path / "config.json")
    with pytest.warns(UserWarning, match="differ from the ONNX export"):
        assert bulk_minilm(onnx, tmp_path) is onnx


def test_missing_weights_fall_back_to_onnx(onnx: OnnxMiniLM, tmp_path: Path) -> None:
    with pytest.warns(UserWarning, match="cannot read MiniLM's weights"):
        assert bulk_minilm(onnx, tmp_path) is onnx
