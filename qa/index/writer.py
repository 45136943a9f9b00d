"""Write an Index to its folder: every file staged, checksummed in the manifest, then renamed
into place with the manifest last, so an interrupted write leaves the old index or one that
fails its checksums (and is rebuilt), never a mixed one that loads."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from qa.atomic import atomic_write, fsync_dir
from qa.config import VectorStoreSpec
from qa.errors import IndexWriteError, QAError
from qa.index import fast_json
from qa.index.file_check import WHOLE_CHECK_BYTES, sample_digest_of_bytes, sample_digest_of_file
from qa.index.indexed_rows import KEYS_FILE, key_rows, keys_bytes
from qa.index.store import MANIFEST, STAGING_PREFIX, Index
from qa.index.vector_store import MATRIX_FILE, create_store


def save_index(
    index: Index,
    index_dir: Path,
    build_seconds: float | None = None,
    vector_store: VectorStoreSpec | None = None,
) -> dict:
    """Write every file into a staging folder, then rename them over the old ones, manifest last.

    A failure while writing (disk full, permission denied) leaves the previous index as it was
    and raises IndexWriteError; a process killed at any point leaves either the old index or
    files the manifest's checksums reject on load (then rebuilt), never a mixed index in use.
    ``vector_store`` (default: the backend the folder's manifest records, else embedded FAISS):
    an engine such as Qdrant gets a new collection, which the new manifest switches to; the
    collection it replaced is then dropped.
    """
    index_dir = Path(index_dir)
    previous = _previous_store(index_dir)
    previous_files = _previous_files(index_dir)
    spec = vector_store or VectorStoreSpec.from_manifest(previous)  # keep the folder's backend
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=index_dir))
    except OSError as e:
        raise _write_error(index_dir, e, kept=True) from None
    files: dict[str, str] = {}
    store = None
    large: dict[str, dict] = {}  # checked by size and sampled blocks on load (qa.index.file_check)

    def put(name: str, data: bytes) -> None:
        atomic_write(stage / name, data)
        files[name] = hashlib.sha256(data).hexdigest()
        if len(data) > WHOLE_CHECK_BYTES:
            large[name] = {"size": len(data), "sample": sample_digest_of_bytes(data)}

    def put_array(name: str, arr: np.ndarray, dtype=np.float32) -> None:
        """An array streamed to its file and hashed on the way (a large library's token
        vectors are 2 GB: as bytes in memory they were two more copies, and 8 GB peak RSS)."""
        path = stage / name
        size, digest = _save_npy(path, arr, dtype)
        files[name] = digest
        if size > WHOLE_CHECK_BYTES:
            large[name] = {"size": size, "sample": sample_digest_of_file(path)}

    try:
        put("documents.jsonl", fast_json.dataclass_lines(index.documents))
        for name, data in {**index.passages.files(), **index.sentences.files()}.items():
            put(name, data)
        store = create_store(spec, index_dir, int(index.minilm.shape[1]), len(index.passages))
        sections = index.passages.sections
        store.add(
            index.minilm,
            [
                {"source": source, "section": sections[number]}
                for source, number in zip(
                    index.passages.sources(), index.passages.columns[:, 3].tolist(), strict=True
                )
            ],
        )
        for name, data in store.save().items():
            put(name, data)
        if store.name != "faiss":  # the engine searches; planqa keeps the matrix to score with
            put_array(MATRIX_FILE, index.minilm)
        put_array("minilm-sentences.npy", index.minilm_sentences)
        put("vocab.json", json.dumps(index.vocab, ensure_ascii=False).encode("utf-8"))
        put_array("vocab-minilm.npy", index.vocab_vectors)
        if index.tokens is not None:
            put_array("minilm-tokens.npy", index.tokens, np.float16)  # MaxSim only; half the disk
            put_array("minilm-token-starts.npy", index.token_starts, np.int64)
        if index.e5 is not None:
            put_array("e5.npy", index.e5)
            put_array("e5-sentences.npy", index.e5_sentences)
        if index.vocab_e5 is not None:
            put_array("vocab-e5.npy", index.vocab_e5)
        for name, data in index.lexical.files().items():
            put(name, data)
        if index.row_keys is not None:
            put(KEYS_FILE, keys_bytes(key_rows(index.row_keys)))
        entry, retired = store.location(), []
        if previous and previous.get("backend") == "qdrant":
            from qa.index.qdrant_store import succession

            entry, retired = succession(previous, entry)
        manifest = {
            **index.manifest,
            "files": dict(files),
            "vector_store": entry,
            "large_files": large,
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "build_seconds": round(build_seconds, 2) if build_seconds is not None else None,
        }
        atomic_write(stage / MANIFEST, json.dumps(manifest, indent=2).encode())
    except (OSError, QAError) as e:
        shutil.rmtree(stage, ignore_errors=True)
        if store is not None:
            _drop_quietly(store)
        if isinstance(e, QAError):
            raise
        raise _write_error(index_dir, e, kept=True) from None
    try:  # renames only from here: no new disk space needed
        for name in [*files, MANIFEST]:
            os.replace(stage / name, index_dir / name)
        fsync_dir(index_dir)
    except OSError as e:
        raise _write_error(index_dir, e, kept=False) from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    for name in previous_files - set(files):  # an older format's files (passages.jsonl, ...)
        (index_dir / name).unlink(missing_ok=True)
    index.manifest = manifest
    if retired:
        from qa.index.qdrant_store import drop_collections

        try:
            drop_collections(entry, retired)
        except QAError:
            pass  # the new index is in place; a leftover collection only costs space
    return manifest


def _previous_store(index_dir: Path) -> dict | None:
    """The "vector_store" entry of the manifest about to be replaced (None: none or unreadable)."""
    try:
        entry = json.loads((index_dir / MANIFEST).read_text("utf-8")).get("vector_store")
    except (OSError, ValueError, AttributeError):
        return None
    return entry if isinstance(entry, dict) else None


def _previous_files(index_dir: Path) -> set[str]:
    """The plain file names the manifest about to be replaced lists (none if unreadable)."""
    try:
        files = json.loads((index_dir / MANIFEST).read_text("utf-8")).get("files")
    except (OSError, ValueError, AttributeError):
        return set()
    if not isinstance(files, dict):
        return set()
    return {n for n in files if isinstance(n, str) and n == Path(n).name and n != MANIFEST}


def _drop_quietly(store) -> None:
    """A failed build's new collection is deleted; if that fails too the first error wins."""
    try:
        store.drop()
    except QAError:
        pass


def _write_error(index_dir: Path, e: OSError, kept: bool) -> IndexWriteError:
    where = f"{e.filename}: " if e.filename else ""
    state = "the previous index is unchanged" if kept else "the index will be rebuilt on next use"
    return IndexWriteError(
        f"could not write the index in {index_dir} ({where}{e.strerror or e}); {state}. "
        "Free disk space or give write permission on that folder, then run `qa index` again"
    )


def clean_staging(index_dir: Path) -> list[str]:
    """Remove what an interrupted build left (staging folders, temp files); call under the
    index lock. Returns the names removed."""
    index_dir = Path(index_dir)
    if not index_dir.is_dir():
        return []
    removed = []
    for p in index_dir.iterdir():
        if p.name.startswith(STAGING_PREFIX) and p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
            removed.append(p.name)
        elif p.name.startswith(".") and ".tmp-" in p.name and p.is_file():
            p.unlink(missing_ok=True)
            removed.append(p.name)
    return removed


class _HashingFile:
    """A write-only file that hashes what passes through (np.save writes in blocks)."""

    def __init__(self, f):
        self.f, self.sha, self.size = f, hashlib.sha256(), 0

    def write(self, data) -> int:
        view = memoryview(data).cast("B")
        self.sha.update(view)
        self.size += len(view)
        return self.f.write(view)


def _save_npy(path: Path, arr: np.ndarray, dtype) -> tuple[int, str]:
    """Write ``arr`` as ``dtype`` to a new .npy file (fsynced); returns (bytes, sha256)."""
    with open(path, "xb") as f:  # "x": the staging folder is this build's own
        out = _HashingFile(f)
        np.save(out, np.ascontiguousarray(arr, dtype=dtype), allow_pickle=False)
        f.flush()
        os.fsync(f.fileno())
    return out.size, out.sha.hexdigest()
