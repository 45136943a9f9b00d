"""Qdrant as the passage vector store (extra ``planqa[qdrant]``; qdrant-client imported lazily).

The same client code serves local mode (``path``: in process, exact search, one process per
folder: tests, CI, a laptop) and a Qdrant server or cluster (``url``). Each build writes a new
collection ``<prefix>-<build id>``; the manifest then switches to it and the writer drops the
collection it replaced, so readers never see a half-written collection. Points are the passage
ids with their vector and ``{"source", "section"}`` as payload (for a filter by document).
"""

from __future__ import annotations

import atexit
import hashlib
import os
import re
import uuid
from functools import cache
from pathlib import Path

import numpy as np

from qa.config import VectorStoreSpec
from qa.errors import ConfigError, IndexMismatchError, VectorStoreError

INSTALL_HINT = "pip install 'planqa[qdrant]'"
BATCH = 256  # points per upsert: small requests, steady progress on a server


def _qdrant():
    """The qdrant-client module and its models, or a message saying what to install."""
    try:
        import qdrant_client
        from qdrant_client import models
    except ImportError:
        raise VectorStoreError(
            f"the qdrant backend needs qdrant-client; install it with `{INSTALL_HINT}`"
        ) from None
    return qdrant_client, models


def _engine_errors() -> tuple[type[BaseException], ...]:
    """What the client raises when the engine refuses or cannot be reached."""
    from qdrant_client.http.exceptions import ApiException

    return (ApiException, OSError, RuntimeError, ValueError, TimeoutError)


@cache
def _client(path: str | None, url: str | None, api_key: str | None):
    """One client per place per process: local mode locks its folder against a second one."""
    qdrant_client, _ = _qdrant()
    if path:
        try:  # the app builds and answers on different threads: the storage is shared
            client = qdrant_client.QdrantClient(path=path, force_disable_check_same_thread=True)
        except RuntimeError as e:
            if "already accessed" not in str(e):
                raise
            raise VectorStoreError(
                f"the Qdrant folder {path} is open in another process (the app, or another "
                "`qa index`); local mode allows one process at a time: stop that process, or "
                "run a Qdrant server and use --qdrant-url"
            ) from None
    else:
        client = qdrant_client.QdrantClient(url=url, api_key=api_key, timeout=30)
    atexit.register(client.close)  # closed while Python still works, not in __del__ at exit
    return client


def api_key(spec: VectorStoreSpec) -> str | None:
    """The server's API key, from the environment variable or file the spec names."""
    if spec.api_key_env:
        value = os.environ.get(spec.api_key_env, "").strip()
        if not value:
            raise ConfigError(
                f"the Qdrant API key is read from ${spec.api_key_env}, which is not set; "
                f"export {spec.api_key_env}=... before running qa"
            )
        return value
    if spec.api_key_file:
        try:
            value = Path(spec.api_key_file).expanduser().read_text("utf-8").strip()
        except (OSError, UnicodeDecodeError) as e:
            raise ConfigError(
                f"cannot read the Qdrant API key file {spec.api_key_file} ({e})"
            ) from None
        if not value:
            raise ConfigError(f"the Qdrant API key file {spec.api_key_file} is empty")
        return value
    return None


def client_for(spec: VectorStoreSpec):
    """The (cached) client for a spec's place."""
    path = str(Path(spec.path).expanduser().resolve()) if spec.path else None
    return _client(path, None if path else spec.url, None if path else api_key(spec))


def collection_prefix(spec: VectorStoreSpec, index_dir: Path) -> str:
    """The flag's prefix, or one made from the index folder: its name and a hash of its path
    (two folders both called ``index`` on one cluster stay apart).

    Example: collection_prefix(VectorStoreSpec("qdrant", collection_prefix="hr"), p) == "hr"
    """
    if spec.collection_prefix:
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,100}", spec.collection_prefix):
            raise ConfigError(
                f"Qdrant collection prefix {spec.collection_prefix!r} may only hold letters, "
                "digits, _ and - (at most 100)"
            )
        return spec.collection_prefix
    folder = Path(index_dir).expanduser().resolve()
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", folder.name).strip("-")[:40] or "index"
    digest = hashlib.sha256(str(folder).encode("utf-8")).hexdigest()[:8]
    return f"planqa-{name}-{digest}"


class QdrantStore:
    """One collection of passage vectors (dot product over unit vectors = FAISS's scores)."""

    name = "qdrant"

    def __init__(self, client, collection: str, spec: VectorStoreSpec):
        self.client = client
        self.collection = collection
        self.spec = spec

    @property
    def where(self) -> str:
        return (
            f"Qdrant at {self.spec.url}" if self.spec.url else f"the Qdrant folder {self.spec.path}"
        )

    @classmethod
    def preflight(cls, spec: VectorStoreSpec) -> None:
        """Installed, the folder free or the server answering (a build checks before embedding)."""
        store = cls(client_for(spec), "", spec)
        with _EngineErrors(f"could not reach {store.where}"):
            store.client.get_collections()

    @classmethod
    def create(cls, spec: VectorStoreSpec, index_dir: Path, dim: int) -> QdrantStore:
        """A new empty collection for one build."""
        _, models = _qdrant()
        name = f"{collection_prefix(spec, index_dir)}-{uuid.uuid4().hex[:12]}"
        store = cls(client_for(spec), name, spec)
        params = models.VectorParams(size=dim, distance=models.Distance.DOT)
        with store._engine("create the collection"):
            store.client.create_collection(
                name,
                vectors_config=params,
                shard_number=spec.shards,
                replication_factor=spec.replicas,
            )
            if spec.url:  # a server filters by document faster with it; local mode has none
                keyword = models.PayloadSchemaType.KEYWORD
                store.client.create_payload_index(name, "source", keyword)
        return store

    @classmethod
    def open(cls, spec: VectorStoreSpec, collection: str, count: int, dim: int) -> QdrantStore:
        """The manifest's collection, checked to exist with ``count`` vectors of ``dim``."""
        store = cls(client_for(spec), collection, spec)
        rebuild = "run `qa index --force` to rebuild it"
        with store._engine("open the collection"):
            exists = bool(collection) and store.client.collection_exists(collection)
            if not exists:
                raise IndexMismatchError(
                    f"the index's Qdrant collection {collection!r} is missing from {store.where}; "
                    f"{rebuild}"
                )
            info = store.client.get_collection(collection)
            size = info.config.params.vectors.size
            held = store.count()
        if held != count or size != dim:
            raise IndexMismatchError(
                f"the Qdrant collection {collection!r} holds {held} vectors of {size}, the index "
                f"has {count} of {dim}; {rebuild}"
            )
        return store

    def _engine(self, doing: str):
        return _EngineErrors(f"could not {doing} {self.collection!r} in {self.where}")

    def add(self, vectors: np.ndarray, payloads: list[dict]) -> None:
        _, models = _qdrant()
        start = self.count()
        vectors = np.asarray(vectors, dtype=np.float32)
        with self._engine("write to"):
            for lo in range(0, len(vectors), BATCH):
                hi = min(lo + BATCH, len(vectors))
                batch = models.Batch(
                    ids=list(range(start + lo, start + hi)),
                    vectors=vectors[lo:hi].tolist(),
                    payloads=payloads[lo:hi],
                )
                self.client.upsert(self.collection, points=batch, wait=True)

    def search(
        self, queries: np.ndarray, k: int, exclude: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        if exclude is not None and len(exclude):  # only an embedded FAISS index retires rows
            raise ValueError("a Qdrant collection holds no retired rows to exclude")
        _, models = _qdrant()
        queries = np.asarray(queries, dtype=np.float32)
        scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
        ids = np.full((len(queries), k), -1, dtype=np.int64)
        requests = [
            models.QueryRequest(query=q.tolist(), limit=k, with_payload=False) for q in queries
        ]
        with self._engine("search"):
            if len(requests) == 1:  # one request: no batch envelope
                responses = [
                    self.client.query_points(
                        self.collection, query=requests[0].query, limit=k, with_payload=False
                    )
                ]
            else:
                responses = self.client.query_batch_points(self.collection, requests=requests)
        for row, response in enumerate(responses):
            for col, point in enumerate(response.points[:k]):
                scores[row, col], ids[row, col] = point.score, int(point.id)
        return scores, ids

    def count(self) -> int:
        with self._engine("count"):
            return int(self.client.count(self.collection, exact=True).count)

    def save(self) -> dict[str, bytes]:
        return {}  # the engine persisted every upsert

    def location(self) -> dict:
        spec = self.spec
        if spec.path:  # recorded absolute: `qa ask` may run from another folder
            path = str(Path(spec.path).expanduser().resolve())
            spec = VectorStoreSpec(
                spec.backend,
                path,
                None,
                None,
                None,
                spec.collection_prefix,
                spec.shards,
                spec.replicas,
            )
        return {**spec.to_manifest(), "collection": self.collection}

    def drop(self) -> None:
        with self._engine("delete"):
            if self.client.collection_exists(self.collection):
                self.client.delete_collection(self.collection)


class _EngineErrors:
    """Turns the client's errors (server down, refused, storage trouble) into VectorStoreError."""

    def __init__(self, message: str):
        self.message = message

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, error, tb) -> bool:
        if error is not None and isinstance(error, _engine_errors()):
            raise VectorStoreError(f"{self.message}: {error}") from error
        return False


def succession(
    previous: dict | None, entry: dict, keep_previous: bool | None = None
) -> tuple[dict, list[str]]:
    """The new manifest entry and the collections to drop once the manifest switched to it.

    Local mode (one process) drops the collection it replaced at once. A server keeps it until
    the next build (recorded as "previous_collection"), so app replicas still holding the old
    manifest keep answering until they restart; the one before it is dropped. A collection in
    another place (other folder or server) is not ours to delete. ``keep_previous``: override.
    """
    if not previous or previous.get("backend") != "qdrant" or not previous.get("collection"):
        return entry, []
    old, new = VectorStoreSpec.from_manifest(previous), VectorStoreSpec.from_manifest(entry)
    if (old.path, (old.url or "").rstrip("/")) != (new.path, (new.url or "").rstrip("/")):
        return entry, []
    replaced = [previous["collection"], previous.get("previous_collection")]
    replaced = [c for c in replaced if c and c != entry.get("collection")]
    if not (bool(new.url) if keep_previous is None else keep_previous):
        return entry, replaced
    return {**entry, "previous_collection": replaced[0]} if replaced else entry, replaced[1:]


def drop_collections(entry: dict, names: list[str]) -> None:
    """Delete these collections from the place ``entry`` names."""
    spec = VectorStoreSpec.from_manifest(entry)
    for name in names:
        QdrantStore(client_for(spec), name, spec).drop()
