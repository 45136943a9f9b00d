"""The models a build and a retriever need: MiniLM (its ONNX export, made once from the bundled
model), its common-word table, and e5 with the Chinese dictionary when enabled.

A process loads them once; opening an index loads them in a thread beside reading the index
(``load_in_background``), since onnxruntime builds its session without holding the GIL.
"""

from __future__ import annotations

import os
import warnings
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from qa.config import Settings
from qa.errors import ModelNotFoundError
from qa.index.word_table import WordTable, build_word_table, common_words
from qa.progress import Progress


@dataclass(frozen=True)
class Encoders:
    """The models a build and a retriever need, loaded once per process."""

    minilm: Any
    words: WordTable
    e5: Any = None
    export_seconds: float = 0.0  # spent exporting MiniLM to ONNX while loading, if it was
    chinese: Any = None  # CC-CEDICT's table beside the encoder (qa.query.cedict_table), or None


def load_encoders(
    settings: Settings, *, allow_export: bool, progress: Progress | None = None
) -> Encoders:
    """MiniLM (ONNX, exported from the bundled model on first build) and, if enabled, e5."""
    from qa.index.e5 import E5Small
    from qa.index.embedding import ONNX_FILE, bundled_model_dir
    from qa.index.onnx_export import export_minilm_onnx
    from qa.index.onnx_minilm import load_minilm

    encoder_dir = settings.encoder_path
    export_seconds = 0.0
    minilm = load_minilm(encoder_dir) if (encoder_dir / ONNX_FILE).is_file() else None
    # An export from before token matching lacks the token output: export it again (once).
    if allow_export and not getattr(minilm, "has_tokens", False):
        if progress:
            progress("exporting MiniLM to ONNX (once)", 0.02)
        try:
            export_seconds = export_minilm_onnx(bundled_model_dir(), encoder_dir).seconds
            minilm = None
        except (OSError, RuntimeError, ModelNotFoundError) as e:
            if minilm is None:
                raise
            # e.g. a read-only shared encoder folder: keep the old export, without token matching
            warnings.warn(f"kept the MiniLM export in {encoder_dir} ({e})", stacklevel=2)
    minilm = minilm or load_minilm(encoder_dir)
    if not (encoder_dir / ONNX_FILE).is_file():  # only when not allowed to export one
        warnings.warn(
            f"no MiniLM export in {encoder_dir}: questions are embedded by the torch model, "
            "slower to load and without token matching, so rankings can differ from those of a "
            "normal run; run `qa index` (it exports the model there) or set QA_ENCODER_DIR to "
            "the folder the index was built with",
            stacklevel=3,
        )
    words = _word_table(encoder_dir, minilm, allow_export, progress)
    e5 = E5Small() if settings.use_e5 else None
    chinese = None
    if e5 is not None:  # only the multilingual path reads Chinese questions
        from qa.query.cedict_table import stored_dictionary

        chinese = stored_dictionary(encoder_dir)  # written by `qa index` (qa.assistant)
    return Encoders(minilm, words, e5, export_seconds, chinese)


def _word_table(encoder_dir, minilm, allow_build: bool, progress: Progress | None) -> WordTable:
    """The common-word vectors beside the ONNX export, built there once (about 10 s)."""
    from qa.index.embedding import ONNX_FILE, TOKENIZER_FILE
    from qa.index.onnx_minilm import OnnxMiniLM

    table = WordTable.load(encoder_dir, minilm.encode_queries, minilm.dim)
    if len(table) or not allow_build or not (encoder_dir / ONNX_FILE).is_file():
        return table
    bulk = OnnxMiniLM(encoder_dir, batch_size=256, threads=os.cpu_count() or 1)
    words = common_words(encoder_dir / TOKENIZER_FILE)
    say = (lambda msg, frac: progress(msg, 0.02 + 0.1 * frac)) if progress else None
    build_word_table(bulk.encode_passages, words, encoder_dir, say)
    return WordTable.load(encoder_dir, minilm.encode_queries, minilm.dim)


def load_in_background(
    pool: ThreadPoolExecutor, settings: Settings, *, allow_export: bool, progress: Progress | None
) -> Future[Encoders] | None:
    """``load_encoders`` on the pool's thread, when the ONNX export is there to load (about
    0.5 s); None when loading would mean exporting the model or importing torch (seconds),
    which waits until an index is known to be wanted. qa's modules it imports are imported
    here first: two threads importing modules that import each other can deadlock."""
    from qa.index.embedding import ONNX_FILE

    if not (settings.encoder_path / ONNX_FILE).is_file():
        return None
    import qa.index.e5
    import qa.index.onnx_export
    import qa.index.onnx_minilm
    import qa.query.cedict_table  # noqa: F401

    return pool.submit(load_encoders, settings, allow_export=allow_export, progress=progress)
