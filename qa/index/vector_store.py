"""The passage vectors' search engine behind one interface: embedded FAISS (the default, a file
in the index folder) or Qdrant (qa.index.qdrant_store: local folder, server or cluster).

A store answers the dense first stage: the top k passage ids of a query vector. Passage text,
offsets and the full passage matrix stay planqa's (``Index.minilm`` scores the candidates), so a
store only ever holds ids, vectors and a small payload (document source and section, for filters).
The manifest's "vector_store" entry records the backend and where it lives (never an API key),
so `qa ask`, `qa search` and the app open the same store without a flag.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np

from qa.config import VectorStoreSpec
from qa.errors import ConfigError

FAISS_FILE = "minilm.faiss"  # FAISS: IndexFlatIP over the unit passage vectors (score = cosine)
MATRIX_FILE = "minilm.npy"  # any other backend: planqa's own copy of the passage vectors
BACKENDS = ("faiss", "qdrant")


class VectorStore(Protocol):
    """What retrieval and the index writer need from a vector engine."""

    name: str

    def add(self, vectors: np.ndarray, payloads: list[dict]) -> None:
        """Append vectors; their ids are their row numbers, continuing from count()."""

    def search(
        self, queries: np.ndarray, k: int, exclude: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(scores, ids), each (len(queries), k), best first; -1 ids pad a short result.
        ``exclude``: ids never returned (a retired document's rows, qa.index.retire)."""

    def count(self) -> int:
        """How many vectors the store holds."""

    def save(self) -> dict[str, bytes]:
        """Files for the index folder (an engine that persists by itself returns none)."""

    def location(self) -> dict:
        """The manifest's "vector_store" entry: backend and where it lives, never a key."""

    def drop(self) -> None:
        """Delete what this store wrote outside the index folder (a failed or replaced build)."""


# ---------------------------------------------------------------------------- FAISS


# Exact (flat) search up to this many passages, HNSW above. An exact search reads every vector
# (100 MB at 68k passages: 13 ms a query on a slow 2-core machine, 3.5 ms on a fast one, and
# 0.19 ms more per 1,000 passages); HNSW32 at efSearch 512 took 3.0 ms at 68k with recall .98 of
# the exact top 100 and the same dev figures (`bench/hnsw.py --ef 128 256 512`; 128: 1.0 ms,
# recall .92, hit@W400 .707 -> .696). Below about 20,000 passages exact search is as fast.
HNSW_MIN_PASSAGES = 20_000
HNSW_NEIGHBOURS = 32
HNSW_EF_SEARCH = 512


def hnsw_advice(passages: int, entry: dict | None) -> str:
    """How to switch an index that searches more passages exactly than a build now gives HNSW
    (built before HNSW took over from HNSW_MIN_PASSAGES); "" for any other index."""
    entry = entry or {}
    exact = entry.get("backend") == "faiss" and entry.get("index") == "flat"
    if not exact or passages <= HNSW_MIN_PASSAGES:
        return ""
    return (
        f"this index searches its {passages:,} passages exactly (built before HNSW took over "
        f"from {HNSW_MIN_PASSAGES:,}); `qa index --force` rebuilds it with HNSW, which searches "
        "it several times faster"
    )


class FaissStore:
    """Inner-product search in process (flat, or HNSW for a large library); saved as
    minilm.faiss in the index folder."""

    name = "faiss"

    def __init__(self, flat):
        self.flat = flat  # faiss.IndexFlatIP or faiss.IndexHNSWFlat (inner product)
        if hasattr(flat, "hnsw"):
            flat.hnsw.efSearch = HNSW_EF_SEARCH
        self._excluding: tuple[np.ndarray, object] | None = None  # (ids, search parameters)

    @classmethod
    def empty(cls, dim: int, count: int = 0) -> FaissStore:
        """An empty store for ``count`` vectors: flat up to HNSW_MIN_PASSAGES, HNSW above."""
        import faiss

        if count > HNSW_MIN_PASSAGES:
            return cls(faiss.IndexHNSWFlat(dim, HNSW_NEIGHBOURS, faiss.METRIC_INNER_PRODUCT))
        return cls(faiss.IndexFlatIP(dim))

    @classmethod
    def from_bytes(cls, data: bytes) -> FaissStore:
        import faiss

        return cls(faiss.deserialize_index(np.frombuffer(data, dtype=np.uint8)))

    @classmethod
    def from_file(cls, path: Path) -> FaissStore:
        """Memory-mapped: a large library's 100 MB of vectors are not read at start, and pages
        not searched are never read (an exact search reads them all, once, from the page cache)."""
        import faiss

        return cls(faiss.read_index(str(path), faiss.IO_FLAG_MMAP_IFC))

    @property
    def kind(self) -> str:
        return f"hnsw{HNSW_NEIGHBOURS}" if hasattr(self.flat, "hnsw") else "flat"

    def add(self, vectors: np.ndarray, payloads: list[dict] | None = None) -> None:
        self.flat.add(np.ascontiguousarray(vectors, dtype=np.float32))

    def search(
        self, queries: np.ndarray, k: int, exclude: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        if exclude is None or not len(exclude):
            scores, ids = self.flat.search(queries, k)
        else:
            scores, ids = self.flat.search(queries, k, params=self._parameters(exclude))
        return scores, ids.astype(np.int64)

    def _parameters(self, exclude: np.ndarray):
        """FAISS search parameters that skip ``exclude`` (made once per array: the index's
        retired ids are one array for its life)."""
        if self._excluding is None or self._excluding[0] is not exclude:
            import faiss

            batch = faiss.IDSelectorBatch(np.ascontiguousarray(exclude, dtype=np.int64))
            selector = faiss.IDSelectorNot(batch)
            if hasattr(self.flat, "hnsw"):
                params = faiss.SearchParametersHNSW(sel=selector, efSearch=HNSW_EF_SEARCH)
            else:
                params = faiss.SearchParameters(sel=selector)
            params.keep = (batch, selector)  # the selectors must outlive the parameters
            self._excluding = (exclude, params)
        return self._excluding[1]

    def count(self) -> int:
        return int(self.flat.ntotal)

    def vectors(self) -> np.ndarray:
        """Every stored vector, in id order: a read-only view of the index's own rows (the
        index keeps no other copy, and copying them cost a large library's start 0.4 s)."""
        import faiss

        flat = faiss.downcast_index(self.flat.storage) if hasattr(self.flat, "hnsw") else self.flat
        n, dim = int(flat.ntotal), int(flat.d)
        if not n or not hasattr(flat, "get_xb"):
            return flat.reconstruct_n(0, n)
        rows = faiss.rev_swig_ptr(flat.get_xb(), n * dim).reshape(n, dim)
        view = np.asarray(_Owned(rows, self.flat))  # the view's base keeps the index alive
        view.flags.writeable = False
        return view

    def save(self) -> dict[str, bytes]:
        import faiss

        return {FAISS_FILE: faiss.serialize_index(self.flat).tobytes()}

    def location(self) -> dict:
        return {"backend": self.name, "index": self.kind}

    def drop(self) -> None:
        """Nothing to do: the store is one file of the staged index folder."""


class _Owned:
    """An array's memory with the object that owns it: numpy keeps this as the view's base."""

    def __init__(self, rows: np.ndarray, owner):
        self.__array_interface__ = rows.__array_interface__
        self.owner = owner


# ---------------------------------------------------------------------------- choosing


def check_backend(spec: VectorStoreSpec) -> None:
    """Refuse an unknown backend or a Qdrant one with no (or two) locations, naming the fix."""
    if spec.backend not in BACKENDS:
        raise ConfigError(
            f"unknown vector backend {spec.backend!r}; use one of {', '.join(BACKENDS)}"
        )
    for name in ("shards", "replicas"):
        value = getattr(spec, name)
        if value is not None and value < 1:
            raise ConfigError(f"--qdrant-{name} must be at least 1, got {value}")
    if spec.backend == "qdrant" and bool(spec.path) == bool(spec.url):
        raise ConfigError(
            "the qdrant backend needs exactly one of --qdrant-path DIR (local mode) or "
            "--qdrant-url URL (a Qdrant server or cluster)"
        )


def preflight(spec: VectorStoreSpec | None) -> None:
    """Before minutes of embedding: the backend is valid, installed and reachable."""
    if spec is None or spec.backend == "faiss":
        return
    check_backend(spec)
    from qa.index.qdrant_store import QdrantStore

    QdrantStore.preflight(spec)


def create_store(spec: VectorStoreSpec, index_dir: Path, dim: int, count: int = 0) -> VectorStore:
    """A new, empty store for one build of ``count`` passages (Qdrant: a new collection,
    switched to by the manifest)."""
    check_backend(spec)
    if spec.backend == "faiss":
        return FaissStore.empty(dim, count)
    from qa.index.qdrant_store import QdrantStore

    return QdrantStore.create(spec, index_dir, dim)


def open_store(
    entry: dict | None, blobs: dict[str, bytes | Path], count: int, dim: int
) -> tuple[VectorStore, np.ndarray]:
    """The store a manifest entry names and the passage matrix: FAISS reads both from
    minilm.faiss; another engine is checked to hold ``count`` vectors of ``dim``, the matrix
    comes from minilm.npy. A missing collection raises IndexMismatchError (rebuild)."""
    spec = VectorStoreSpec.from_manifest(entry)
    check_backend(spec)
    if spec.backend == "faiss":
        data = blobs[FAISS_FILE]
        store = (
            FaissStore.from_file(data) if isinstance(data, Path) else FaissStore.from_bytes(data)
        )
        return store, store.vectors()

    from qa.index.npy_io import load_npy
    from qa.index.qdrant_store import QdrantStore

    matrix = load_npy(blobs[MATRIX_FILE])  # a large file is left on disk and memory-mapped
    return QdrantStore.open(spec, str((entry or {}).get("collection", "")), count, dim), matrix


def store_files(entry: dict | None) -> set[str]:
    """The index-folder files a manifest entry's backend needs."""
    backend = VectorStoreSpec.from_manifest(entry).backend
    return {FAISS_FILE} if backend == "faiss" else {MATRIX_FILE}


def backend_change(requested: VectorStoreSpec | None, entry: dict | None) -> str | None:
    """Why the index must be rebuilt for the requested store, or None (None: keep the manifest's).

    Example: backend_change(VectorStoreSpec("qdrant", path="/q"), None) == "vector backend faiss -> qdrant"
    """
    if requested is None:
        return None
    recorded = VectorStoreSpec.from_manifest(entry)
    if requested.backend != recorded.backend:
        return f"vector backend {recorded.backend} -> {requested.backend}"
    where = (_resolved(requested.path), (requested.url or "").rstrip("/"))
    if where != (_resolved(recorded.path), (recorded.url or "").rstrip("/")):
        return f"vector store moved to {requested.url or requested.path}"
    if requested.collection_prefix and requested.collection_prefix != recorded.collection_prefix:
        return f"collection prefix changed to {requested.collection_prefix}"
    for name in ("shards", "replicas"):
        value = getattr(requested, name)
        if value is not None and value != getattr(recorded, name):
            return f"Qdrant {name} changed to {value}"
    return None


def _resolved(path: str | None) -> str | None:
    return str(Path(path).expanduser().resolve()) if path else None
