from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from qa.errors import IndexMismatchError
from qa.index.build import build_index
from qa.index.hash_embedder import HashEmbedder
from qa.index.onnx_minilm import OnnxMiniLM
from qa.index.store import _valid_tokens, index_status, load_index
from qa.index.token_vectors import content_token_mask, content_vectors, maxsim, pack
from qa.index.writer import save_index
from tests.conftest import stale_reason_without


def test_content_tokens_skip_stopwords_punctuation_and_specials():
    vocab = {"[CLS]": 0, "[SEP]": 1, "the": 2, "loan": 3, ",": 4, "##s": 5, "pledge": 6}
    keep = content_token_mask(vocab, frozenset({"the"}))
    assert keep.tolist() == [False, False, False, True, False, True, True]


def test_content_vectors_are_unit_and_a_passage_never_has_none():
    hidden = np.array([[3.0, 4.0], [1.0, 0.0], [0.0, 2.0], [5.0, 0.0], [9.0, 9.0]])  # padded
    keep = np.array([False, True, False])  # ids: 0 [CLS], 1 a content word, 2 a stopword
    got = content_vectors(hidden, [0, 1, 2, 0], keep)
    np.testing.assert_allclose(got, [[1.0, 0.0]])  # only the token with id 1, normalised
    # no content token: a question gets none, a passage keeps its word pieces (not [CLS]/[SEP])
    assert content_vectors(hidden, [0, 2, 2, 0], keep).shape == (0, 2)
    passage = content_vectors(hidden, [0, 2, 2, 0], keep, at_least_one=True)
    np.testing.assert_allclose(passage, [[1.0, 0.0], [0.0, 1.0]])


def test_pack_and_maxsim_agree_with_a_plain_loop():
    rng = np.random.default_rng(7)
    per_passage = [rng.normal(size=(n, 8)) for n in (3, 1, 5, 2)]
    per_passage = [v / np.linalg.norm(v, axis=1, keepdims=True) for v in per_passage]
    tokens, starts = pack(per_passage, 8)
    assert starts.tolist() == [0, 3, 4, 9] and tokens.shape == (11, 8)
    query = rng.normal(size=(4, 8))
    query /= np.linalg.norm(query, axis=1, keepdims=True)
    want = [np.mean([max(q @ t for t in p) for q in query]) for p in per_passage]
    np.testing.assert_allclose(maxsim(query, tokens, starts), want, rtol=1e-5)
    assert maxsim(np.zeros((0, 8)), tokens, starts).tolist() == [0.0] * 4


def test_pack_rejects_a_passage_without_tokens_and_handles_none():
    with pytest.raises(ValueError, match="at least one token"):
        pack([np.ones((1, 2)), np.zeros((0, 2))], 2)
    tokens, starts = pack([], 2)
    assert tokens.shape == (0, 2) and starts.shape == (0,)


def test_token_rows_are_checked_on_load():
    tokens = np.ones((5, 2), np.float32)
    assert _valid_tokens(tokens, np.array([0, 2, 4]), 3, 2, 5)
    assert not _valid_tokens(tokens, np.array([0, 2, 5]), 3, 2, 5)  # last passage owns no row
    assert not _valid_tokens(tokens, np.array([0, 3, 2]), 3, 2, 5)  # out of order
    assert not _valid_tokens(tokens, np.array([1, 2, 4]), 3, 2, 5)  # rows before the first
    assert not _valid_tokens(tokens, np.array([0, 2]), 3, 2, 5)  # a passage missing
    assert not _valid_tokens(tokens, np.array([0, 2, 4]), 3, 2, 6)  # count != manifest


class TokenHash(HashEmbedder):
    """HashEmbedder with one vector per word: enough to exercise storing token vectors."""

    has_tokens = True

    def encode_tokens(self, texts):
        return [self._encode(t.split() or [t]) for t in texts]

    def encode_query_tokens(self, text):
        return self._encode([text])[0], self.encode_tokens([text])[0]


def test_token_vectors_survive_save_and_load(tmp_path, tiny_corpus):
    from qa.config import Settings
    from qa.ingest.corpus import load_corpus

    settings = Settings(corpus_dir=tiny_corpus, index_dir=tmp_path / "index", use_e5=False)
    docs = load_corpus(tiny_corpus)
    index = build_index(docs, settings, TokenHash(32))
    assert index.manifest["tokens"] == len(index.tokens) > len(index.passages)
    save_index(index, settings.index_dir)
    loaded = load_index(settings.index_dir, docs)
    np.testing.assert_array_equal(loaded.tokens, index.tokens)
    np.testing.assert_array_equal(loaded.token_starts, index.token_starts)
    assert index_status(settings, docs).state == "fresh"
    # the manifest promises token vectors: an index whose file list lost them is refused
    path = settings.index_dir / "manifest.json"
    manifest = json.loads(path.read_text())
    kept = dict(manifest["files"])
    del manifest["files"]["minilm-tokens.npy"]
    path.write_text(json.dumps(manifest))
    with pytest.raises(IndexMismatchError, match="lacks minilm-tokens.npy"):
        load_index(settings.index_dir, docs)
    manifest["files"] = kept
    path.write_text(json.dumps(manifest))
    # an index written before token matching is stale, so the next open rebuilds it
    assert "token matching" in stale_reason_without(settings, docs, "tokens")


def test_onnx_gives_query_and_token_vectors_in_one_run(encoder_dir):
    model = OnnxMiniLM(encoder_dir)
    assert model.has_tokens
    text = "How are the pledge loans of small firms supported?"
    vec, toks = model.encode_query_tokens(text)
    np.testing.assert_allclose(vec, model.encode_queries([text])[0], atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(toks, axis=1), 1.0, rtol=1e-5)
    ids = model._tok.encode(text).ids
    assert len(toks) == int(model._content[ids].sum()) < len(ids)  # "the", "?", [CLS] dropped
    batch = model.encode_tokens([text, "Goats give milk."])
    np.testing.assert_allclose(batch[0], toks, atol=1e-5)


def english_scores(retriever, question: str) -> np.ndarray:
    """The fused scores of the English path (every passage is a candidate on the plan)."""
    from qa.retrieval.english import search_english

    return search_english(retriever, retriever.read(question), retriever.config).fused


def test_retrieval_uses_token_matching_and_works_without_it(plan_assistant):
    r = plan_assistant.retriever
    assert r.index.tokens is not None and r.config.token_weight > 0
    question = "Can startups hand off the handling of their patents to outside specialists?"
    with_tokens = english_scores(r, question)
    base = r.config
    try:
        r.config = replace(base, token_weight=0.0)
        without = english_scores(r, question)

        class QueriesOnly:  # an encoder that cannot give token vectors (e.g. torch fallback)
            dim, encode_queries = r.minilm.dim, r.minilm.encode_queries

        r.config, minilm, r.minilm = base, r.minilm, QueriesOnly()
        try:
            np.testing.assert_allclose(english_scores(r, question), without)
        finally:
            r.minilm = minilm
    finally:
        r.config = base
    assert not np.allclose(with_tokens, without)


def test_an_export_without_token_vectors_is_exported_again(tmp_path, monkeypatch):
    """Exports made before token matching lack the token output: the next build redoes them."""
    import qa.encoders as encoders
    import qa.index.embedding as embedding
    import qa.index.onnx_export as onnx_export
    import qa.index.onnx_minilm as onnx_minilm
    from qa.config import Settings

    encoder = tmp_path / "encoder"
    encoder.mkdir()
    (encoder / embedding.ONNX_FILE).write_bytes(b"old export")
    exports = []

    class Old:
        has_tokens = False

    class New:
        has_tokens = True

    def export(model_dir, out_dir):
        exports.append(out_dir)
        return onnx_export.ExportReport(out_dir / embedding.ONNX_FILE, 1.0, 0.5)

    monkeypatch.setattr(onnx_minilm, "load_minilm", lambda d: New() if exports else Old())
    monkeypatch.setattr(onnx_export, "export_minilm_onnx", export)
    monkeypatch.setattr(embedding, "bundled_model_dir", lambda: tmp_path)
    monkeypatch.setattr(encoders, "_word_table", lambda *a: None)
    settings = Settings(index_dir=tmp_path / "index", encoder_dir=encoder, use_e5=False)
    loaded = encoders.load_encoders(settings, allow_export=True)
    assert exports == [encoder] and loaded.minilm.has_tokens and loaded.export_seconds == 0.5
    exports.clear()
    monkeypatch.setattr(onnx_minilm, "load_minilm", lambda d: New())
    encoders.load_encoders(settings, allow_export=True)
    assert exports == []  # an export that has token vectors is kept

    def read_only(model_dir, out_dir):
        raise PermissionError(f"{out_dir} is read-only")

    monkeypatch.setattr(onnx_minilm, "load_minilm", lambda d: Old())
    monkeypatch.setattr(onnx_export, "export_minilm_onnx", read_only)
    with pytest.warns(UserWarning, match="read-only"):
        kept = encoders.load_encoders(settings, allow_export=True)
    assert isinstance(kept.minilm, Old)  # still answers, without token matching


def test_half_precision_rows_widen_to_the_values_numpy_gives():
    """MaxSim widens the candidates' half-precision token rows with faiss's decoder: the same
    float32 values as numpy's astype, zeros, subnormals, large values and strided rows too."""
    from qa.index.token_vectors import widened

    rng = np.random.default_rng(3)
    for shape in [(50, 384), (1, 8), (0, 384), (7, 3)]:
        scale = rng.choice([1e-6, 1e-3, 1.0, 100.0], size=shape)  # 1e-6: subnormal halves
        half = (rng.normal(size=shape) * scale).astype(np.float16)
        if half.size:
            half.flat[0], half.flat[-1] = 0.0, -0.0
        wide = widened(half)
        assert wide.dtype == np.float32 and wide.shape == half.shape
        assert np.array_equal(wide, half.astype(np.float32))
    strided = rng.normal(size=(10, 64)).astype(np.float16)[::2]
    assert np.array_equal(widened(strided), strided.astype(np.float32))
    assert widened(np.ones((2, 3), np.float32)).dtype == np.float32
