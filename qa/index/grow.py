"""Add documents to an index on disk without reading or rewriting what did not change.

A full build of a large library reads every document's vectors from the cache, stacks them and
rewrites 2.4 GB (about 25 s to add one 20 KB file). Growing embeds only the new documents, gives
their passages the next ids, and appends their rows: the large vector files (sentence and token
vectors) get rows at their end and a new .npy header, in place; the rest (passages, BM25 from
the passages' stored terms, the FAISS file, the vocabulary) is small enough to write again.

Safety: new files are staged and renamed in with the manifest last, as a full build does. An
error before the renames (a full disk) truncates the appended rows away again, so the old index
stays whole. A process killed in between leaves appended files that no longer match the old
manifest's size: the index fails its check on load and is rebuilt from the vector cache (about
a minute), never a mixed one that loads.

A removed or changed file's document retires (qa.index.retire): its rows stay, set aside, and a
changed file is added again as a new document; a removal alone rewrites only the manifest.
Other settings, another vector backend, a library crossing a size where the index changes kind
(e5 for every passage, flat to HNSW), or a removal the retirement rules leave to a full build
(a small library, too many retired rows) take the full build. ``grow_index`` returns None in
those cases.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from qa.atomic import atomic_write, fsync_dir
from qa.config import Settings
from qa.errors import IndexMismatchError, IndexNotFoundError
from qa.index import fast_json
from qa.index.build import cached_word_vectors, embed_job, row_counts, stack_blocks, with_eta
from qa.index.file_check import WHOLE_CHECK_BYTES, sample_digest_of_bytes, sample_digest_of_file
from qa.index.indexed_rows import KEYS_FILE, key_rows, keys_bytes, read_keys
from qa.index.npy_io import npy_bytes
from qa.index.passage_table import PassageTable, SentenceTable
from qa.index.retire import Retirement, retirement_for
from qa.index.store import (
    EMBED_TEXT_VERSION,
    MANIFEST,
    STAGING_PREFIX,
    embed_text,
    load_index,
    read_manifest,
    sentence_spans,
)
from qa.index.vector_cache import TOKEN_DTYPE, EmbeddingJob, VectorCache
from qa.index.vector_store import FAISS_FILE, HNSW_MIN_PASSAGES, backend_change
from qa.ingest.chunking import chunk
from qa.ingest.words import vocabulary
from qa.progress import Progress
from qa.types import Document

# the arrays that grow by rows at their end, in place when their file is large
APPENDED = ("minilm-sentences.npy", "minilm-tokens.npy", "e5.npy", "e5-sentences.npy")


@dataclass(frozen=True)
class Grown:
    """What growing wrote: the new manifest, and what was embedded."""

    manifest: dict
    documents_embedded: int  # the others added came from the vector cache
    passages_embedded: int
    min_words: int  # of any passage of the grown index
    max_words: int


def grow_index(
    settings: Settings,
    documents: list[Document],
    minilm,
    e5=None,
    cache: VectorCache | None = None,
    progress: Progress | None = None,
) -> Grown | None:
    """Bring the index up to ``documents``: add the new and changed ones, retire the removed
    and changed ones; returns what was written, or None when only a full build can bring the
    index up to date (see the module's docstring)."""
    say = progress or (lambda message, fraction: None)
    index_dir = Path(settings.index_dir)
    try:
        manifest = read_manifest(index_dir)
    except (IndexNotFoundError, IndexMismatchError):
        return None
    if not _can_grow(manifest, settings, minilm, e5):
        return None
    from qa.ingest.corpus import corpus_checksums

    indexed = manifest.get("corpus") or {}
    now = corpus_checksums(documents)
    leaving = {s for s in indexed if now.get(s) != indexed[s]}  # removed or changed
    added = [d for d in documents if indexed.get(d.source) != now[d.source]]  # new or changed
    if not added and not leaving:
        return None
    try:
        old = load_index(index_dir, None)
    except IndexMismatchError:
        return None
    passages, first = [], len(old.passages)
    for doc in added:
        passages += chunk(doc, settings.chunking, first_id=first + len(passages))
    total = first + len(passages)
    retirement = Retirement(old.retired, len(old.retired_ids))
    if leaving:
        if manifest.get("e5_scope") == "all":  # a small library: rebuilt in seconds
            return None
        sources = [d.source for d in old.documents]
        numbers = old.passages.document_numbers
        least = settings.retire_min_passages
        retirement = retirement_for(sources, old.retired, numbers, leaving, len(passages), least)
        if retirement is None:
            return None
    corpus = {s: c for s, c in indexed.items() if s not in leaving} | {
        d.source: now[d.source] for d in added
    }
    retired = {"retired": sorted(retirement.documents), "retired_passages": retirement.passages}
    if not added:  # only removals: the arrays stay as they are, the manifest says what is out
        updated = {
            **manifest,
            "corpus": dict(sorted(corpus.items())),
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "grown_by": [],  # this update added no file (an earlier list could name a removed one)
            **retired,
        }
        words = _live_words(old.passages, retirement.documents)
        written = _write(index_dir, manifest, updated, {}, {})
        return Grown(written, 0, 0, int(words.min(initial=0)), int(words.max(initial=0)))
    if manifest.get("e5_scope") == "all" and total > settings.e5_max_passages:
        return None
    if (first > HNSW_MIN_PASSAGES) != (total > HNSW_MIN_PASSAGES):
        return None
    # said only now: a change a full build must make starts over at "chunking" (2%)
    say("updating the index with the changed files", 0.05)
    table = old.passages.extended(added, passages)
    spans = sentence_spans(passages)
    texts = [
        table.documents[table.document_numbers[s.passage]].text[s.start : s.end] for s in spans
    ]
    with_e5 = old.e5 is not None
    with_tokens = old.tokens is not None
    e5 = e5 if with_e5 else None
    vectors = _embed(added, passages, spans, texts, minilm, e5, with_tokens, cache, say)
    sentences = SentenceTable(
        np.vstack([old.sentences.columns, SentenceTable.from_spans(spans).columns])
    )
    words = sorted(set(old.vocab) | set(vocabulary([p.text for p in passages])))
    new_words = sorted(set(words) - set(old.vocab))
    word_rows = _word_rows(words, old.vocab_vectors, new_words, minilm, "minilm", cache)
    vocab_e5 = None
    if old.vocab_e5 is not None:
        vocab_e5 = _word_rows(words, old.vocab_e5, new_words, e5, "e5", cache)
    say("indexing passages for BM25", 0.85)
    lexical = old.lexical.extended(passages)

    files: dict[str, np.ndarray | bytes] = {
        "documents.jsonl": fast_json.dataclass_lines(table.documents),
        **table.files(),
        **sentences.files(),
        "vocab.json": json.dumps(words, ensure_ascii=False).encode("utf-8"),
        "vocab-minilm.npy": word_rows,
        **lexical.files(),
    }
    if vocab_e5 is not None:
        files["vocab-e5.npy"] = vocab_e5
    token_rows = len(old.tokens) if with_tokens else 0
    keys = read_keys(index_dir) + key_rows(vectors["row_keys"], len(old.sentences), token_rows)
    files[KEYS_FILE] = keys_bytes(keys)
    appended = {"minilm-sentences.npy": vectors["sentences"]}
    if with_tokens:
        counts = vectors["token_counts"]
        files["minilm-token-starts.npy"] = np.concatenate(
            [old.token_starts, len(old.tokens) + np.concatenate([[0], np.cumsum(counts)[:-1]])]
        ).astype(np.int64)
        appended["minilm-tokens.npy"] = vectors["tokens"]
    if with_e5:
        appended["e5.npy"], appended["e5-sentences.npy"] = vectors["e5"], vectors["e5_sentences"]
    import faiss

    grown = faiss.read_index(str(index_dir / FAISS_FILE))  # in memory (the old one is mapped)
    grown.add(np.ascontiguousarray(vectors["passages"], dtype=np.float32))
    files[FAISS_FILE] = faiss.serialize_index(grown).tobytes()
    del grown
    updated = {
        **{k: v for k, v in manifest.items() if k not in ("files", "large_files")},
        "count": total,
        "sentences": len(sentences),
        "vocab": len(words),
        "tokens": int(len(old.tokens) + len(vectors["tokens"])) if with_tokens else 0,
        "corpus": dict(sorted(corpus.items())),
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "grown_by": sorted(d.source for d in added),
        **retired,
    }
    words_per_passage = _live_words(table, retirement.documents).tolist() or [0]
    old = table = None
    say("writing the index", 0.92)
    written = _write(index_dir, manifest, updated, files, appended)
    done, passages_done = vectors["embedded"]
    return Grown(written, done, passages_done, min(words_per_passage), max(words_per_passage))


def _live_words(table: PassageTable, retired: frozenset[int]) -> np.ndarray:
    """Each live passage's word count."""
    if not retired:
        return table.words
    return table.words[~np.isin(table.document_numbers, sorted(retired))]


def _can_grow(manifest: dict, settings: Settings, minilm, e5) -> bool:
    """Every setting but the corpus is as the index was built with, on embedded FAISS."""
    entry = manifest.get("vector_store") or {"backend": "faiss"}
    return (
        manifest.get("chunking") == asdict(settings.chunking)
        and manifest.get("embed_text") == EMBED_TEXT_VERSION
        and bool(manifest.get("e5_model")) == settings.use_e5
        and "vocab" in manifest
        and "tokens" in manifest
        and entry.get("backend") == "faiss"
        and backend_change(settings.vector_store, entry) is None
        and (manifest.get("model"), manifest.get("dim")) == (minilm.name, int(minilm.dim))
        and (not manifest.get("e5_model") or e5 is not None and manifest["e5_model"] == e5.name)
    )


def _embed(documents, passages, spans, texts, minilm, e5, with_tokens, cache, say) -> dict:
    """The new documents' vectors (from the cache when an earlier build embedded them),
    stacked in passage order; each document is put in the cache as it is done."""
    by_source: dict[str, tuple[list[str], list[str]]] = {d.source: ([], []) for d in documents}
    for p in passages:
        by_source[p.source][0].append(embed_text(p))
    for s, text in zip(spans, texts, strict=True):
        by_source[passages[s.passage - passages[0].id].source][1].append(text)
    jobs = [EmbeddingJob.of(d.source, *by_source[d.source]) for d in documents]
    jobs = [job for job in jobs if job.passages]
    found = {
        job.key: cache.get(job, with_tokens, e5 is not None) if cache else None for job in jobs
    }
    todo = [job for job in jobs if found[job.key] is None]
    embedded = (len(todo), sum(len(job.passages) for job in todo))
    done = ((job, embed_job(job, minilm, e5, with_tokens)) for job in todo)
    for job, vectors in with_eta(done, todo, say, lo=0.1, hi=0.8):
        if cache:
            cache.put(job, vectors)
        found[job.key] = vectors
    parts = [found[job.key] for job in jobs]
    dim = minilm.dim
    out = {
        "row_keys": row_counts(jobs, parts, with_tokens),
        "passages": stack_blocks([p.passages for p in parts], dim),
        "sentences": stack_blocks([p.sentences for p in parts], dim),
        "embedded": embedded,  # (documents, passages) embedded now, not from the cache
    }
    if with_tokens:
        out["tokens"] = stack_blocks([p.tokens for p in parts], dim, TOKEN_DTYPE)
        out["token_counts"] = np.concatenate(
            [p.token_counts for p in parts] or [np.zeros(0, np.int64)]
        )
    if e5 is not None:
        out["e5"] = stack_blocks([p.e5 for p in parts], e5.dim)
        out["e5_sentences"] = stack_blocks([p.e5_sentences for p in parts], e5.dim)
    return out


def _word_rows(
    words: list[str],
    old_rows: np.ndarray,
    new_words: list[str],
    encoder,
    kind: str,
    cache: VectorCache | None,
) -> np.ndarray:
    """Vectors of the grown vocabulary (sorted): old words' rows reused, new words taken from
    the cache's word table or embedded, and put there, so the next full build embeds none of
    them again."""
    dim = old_rows.shape[1]
    fresh = cached_word_vectors(new_words, encoder, kind, cache, queries=kind == "e5")
    new = set(new_words)
    is_new = np.fromiter((w in new for w in words), dtype=bool, count=len(words))
    out = np.empty((len(words), dim), np.float32)
    out[~is_new] = old_rows  # both sorted: the old words keep their order
    out[is_new] = fresh
    return out


# ---------------------------------------------------------------------------- writing


def _write(index_dir: Path, old: dict, manifest: dict, files: dict, appended: dict) -> dict:
    """Stage the rewritten files, append rows to the large arrays in place, then rename the
    staged files in, manifest last."""
    stage = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=index_dir))
    digests: dict[str, str] = {}
    large: dict[str, dict] = {}
    undo: list[tuple[Path, int, bytes]] = []  # arrays grown in place: (path, size, head)
    try:
        for name, data in files.items():
            if isinstance(data, np.ndarray):
                data = npy_bytes(data)
            atomic_write(stage / name, data)
            digests[name] = hashlib.sha256(data).hexdigest()
            if len(data) > WHOLE_CHECK_BYTES:
                large[name] = {"size": len(data), "sample": sample_digest_of_bytes(data)}
        for name, rows in appended.items():
            path = index_dir / name
            dtype = TOKEN_DTYPE if name == "minilm-tokens.npy" else np.float32
            in_place = name in (old.get("large_files") or {})
            if in_place:
                with open(path, "rb") as f:
                    undo.append((path, path.stat().st_size, f.read(_HEAD_BYTES)))
            if in_place and _append_rows(path, rows, dtype):
                sample = sample_digest_of_file(path)
                digests[name] = sample  # too large to hash whole; checked by its samples
                large[name] = {"size": path.stat().st_size, "sample": sample}
                continue
            whole = np.concatenate([np.load(path, allow_pickle=False), rows.astype(dtype)])
            data = npy_bytes(whole.astype(dtype))
            atomic_write(stage / name, data)
            digests[name] = hashlib.sha256(data).hexdigest()
            if len(data) > WHOLE_CHECK_BYTES:
                large[name] = {"size": len(data), "sample": sample_digest_of_bytes(data)}
        kept = {n: d for n, d in old["files"].items() if n not in digests}
        manifest = {**manifest, "files": {**kept, **digests}}
        manifest["large_files"] = {
            **{n: v for n, v in (old.get("large_files") or {}).items() if n in kept},
            **large,
        }
        atomic_write(stage / MANIFEST, json.dumps(manifest, indent=2).encode())
    except BaseException as e:
        if isinstance(e, Exception):  # an error before any rename: the old index stays whole
            _truncate(undo)
        shutil.rmtree(stage, ignore_errors=True)
        raise
    try:
        for name in [*files, *(n for n in appended if (stage / n).exists()), MANIFEST]:
            os.replace(stage / name, index_dir / name)
        fsync_dir(index_dir)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return manifest


_HEAD_BYTES = 4096  # more than any .npy header this index writes


def _truncate(grown: list[tuple[Path, int, bytes]]) -> None:
    """Put arrays grown in place back as they were: their old size and header. A process
    killed before this runs leaves arrays that fail the old manifest's size check instead (the
    index is then built again from the vector cache)."""
    for path, size, head in grown:
        with open(path, "r+b") as f:
            f.truncate(size)
            f.seek(0)
            f.write(head)
            f.flush()
            os.fsync(f.fileno())


def _append_rows(path: Path, rows: np.ndarray, dtype) -> bool:
    """Append rows to a 2-D C-order .npy file and rewrite its header's row count in place;
    False (nothing written) when the new header would not fit in the old one's bytes."""
    from numpy.lib import format as npy

    rows = np.ascontiguousarray(rows, dtype=dtype)
    with open(path, "r+b") as f:
        version = npy.read_magic(f)
        read = npy.read_array_header_1_0 if version == (1, 0) else npy.read_array_header_2_0
        write = npy.write_array_header_1_0 if version == (1, 0) else npy.write_array_header_2_0
        shape, fortran, stored = read(f)
        offset = f.tell()
        if fortran or stored != np.dtype(dtype) or len(shape) != 2 or shape[1] != rows.shape[1]:
            return False
        header = io.BytesIO()
        header_dict = {"descr": npy.dtype_to_descr(stored), "fortran_order": False}
        write(header, {**header_dict, "shape": (shape[0] + len(rows), shape[1])})
        if header.tell() != offset:
            return False
        f.seek(0, os.SEEK_END)
        f.write(rows.tobytes())
        f.flush()
        os.fsync(f.fileno())
        f.seek(0)
        f.write(header.getvalue())
        f.flush()
        os.fsync(f.fileno())
    return True
