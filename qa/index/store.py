"""Build, save and load the passage index.

Layout of the index folder (no pickle; metadata is JSON, vectors are FAISS / .npy):

    manifest.json        format, models, dimension, counts, corpus and file checksums (written last)
    documents.jsonl      each document's text as indexed (a PDF's, Word or HTML file's converted
                         text: what offsets point into) and a PDF's page starts
    passages.npy, sections.json, sentences.npy   passages and sentence spans as columns
                         (qa.index.passage_table); their text is sliced from the documents'
    minilm.faiss         IndexFlatIP over normalised MiniLM passage vectors (score = cosine),
                         memory-mapped: its rows are the passage matrix, never copied;
    minilm.npy           or, with another vector backend (Qdrant), planqa's copy of those vectors
                         (see qa.index.vector_store; the manifest's "vector_store" says which)
    minilm-sentences.npy MiniLM sentence vectors
    e5.npy, e5-sentences.npy   multilingual-e5 vectors (questions in other languages)
    vocab-e5.npy         e5 vectors of the corpus words (a Chinese question's English words)
    minilm-tokens.npy    MiniLM content-token vectors of every passage (token matching), with
    minilm-token-starts.npy    each passage's first row
    bm25-*.json, bm25-*.npy    the BM25 model (bm25s files) and each passage's term ids, see
                         qa.index.lexical
    vector-keys.json     each document's sentence and token rows by vector-cache key, which the
                         cache reads back instead of keeping a copy (qa.index.indexed_rows)
    encoder/minilm.onnx  the MiniLM encoder exported for torch-free queries, reused across rebuilds
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from qa.config import Settings
from qa.errors import IndexMismatchError, IndexNotFoundError
from qa.index import fast_json, lexical, passage_table
from qa.index.file_check import sample_digest_of_file
from qa.index.lexical import LexicalIndex
from qa.index.npy_io import load_npy
from qa.index.passage_table import PassageTable, SentenceSpan, SentenceTable
from qa.index.vector_store import backend_change, open_store, store_files
from qa.ingest.chunking import SECTION_SEP, sentences
from qa.ingest.corpus import corpus_checksums, load_corpus
from qa.types import Document, Passage

FORMAT = "qa-index v4"
# older formats this version recognises: reported stale (rebuilt), not broken
OLDER_FORMATS = {
    "qa-index v1": "index predates the saved BM25 model",
    "qa-index v2": "index predates stored document text (PDF, Word and HTML documents)",
    "qa-index v3": "index predates passages stored as columns (a faster start)",
}
EMBED_TEXT_VERSION = "title+text v1"
MANIFEST = "manifest.json"
STAGING_PREFIX = ".staging-"  # a build writes here first, then renames into the index folder
ENCODER_DIR = "encoder"


__all__ = ["Index", "IndexStatus", "SentenceSpan", "load_index", "read_manifest"]


@dataclass
class Index:
    """Everything retrieval needs: small parts in memory, large arrays memory-mapped."""

    documents: list[Document]
    passages: Sequence[Passage]  # a PassageTable once built (lists are converted)
    sentences: Sequence[SentenceSpan]  # a SentenceTable likewise
    minilm: np.ndarray  # (n_passages, dim)
    minilm_sentences: np.ndarray  # (n_sentences, dim)
    e5: np.ndarray | None
    e5_sentences: np.ndarray | None
    manifest: dict
    vector_store: object = None  # qa.index.vector_store.VectorStore: dense top-k search
    vocab: list[str] = field(default_factory=list)  # corpus words, for query expansion
    vocab_vectors: np.ndarray | None = None  # their MiniLM vectors
    tokens: np.ndarray | None = None  # (n_tokens, dim) MiniLM content-token vectors
    token_starts: np.ndarray | None = None  # (n_passages,) first row of each passage in tokens
    vocab_e5: np.ndarray | None = None  # e5 vectors of vocab (questions in other languages)
    lexical: LexicalIndex | None = None  # the BM25 model; set by build_index and load_index
    # documents (by number) of files removed or changed since the last full build: their rows
    # stay in the arrays, and no search returns them (qa.index.retire)
    retired: frozenset[int] = frozenset()
    # (vector cache key, sentence rows, token rows) per embedded document in row order, set by
    # a build: written as vector-keys.json so the cache can read those rows back from here
    row_keys: list[tuple[str, int, int]] | None = None

    def __post_init__(self):
        self.passages = PassageTable.from_passages(self.passages, self.documents)
        self.sentences = SentenceTable.from_spans(self.sentences)

    @property
    def live_documents(self) -> list[Document]:
        """The corpus's documents: all but the retired ones."""
        if not self.retired:
            return self.documents
        return [d for i, d in enumerate(self.documents) if i not in self.retired]

    @cached_property
    def retired_ids(self) -> np.ndarray:
        """The retired documents' passage ids (ascending; empty when none)."""
        if not self.retired:
            return np.zeros(0, np.int64)
        numbers = np.fromiter(self.retired, np.int64, len(self.retired))
        return np.flatnonzero(np.isin(self.passages.document_numbers, numbers)).astype(np.int64)

    @cached_property
    def live_ids(self) -> np.ndarray:
        """The passage ids no search skips (ascending): all but the retired ones."""
        live = np.ones(len(self.passages), dtype=bool)
        live[self.retired_ids] = False
        return np.flatnonzero(live).astype(np.int64)

    @cached_property
    def live_passages(self) -> Sequence[Passage]:
        """The corpus's passages: the table itself, or the passages of documents not retired
        (ids as in the table)."""
        if not self.retired:
            return self.passages
        return tuple(self.passages[i] for i in self.live_ids.tolist())

    @property
    def faiss_index(self):
        """The FAISS index when the store is embedded FAISS (it scores every passage at once)."""
        return getattr(self.vector_store, "flat", None)

    def sentence_text(self, s: SentenceSpan) -> str:
        document = self.passages.document_numbers[s.passage]
        return self.documents[document].text[s.start : s.end]


@dataclass(frozen=True)
class IndexStatus:
    state: str  # "fresh" | "missing" | "stale" | "broken"
    reason: str


# ---------------------------------------------------------------------------- building


def embed_text(passage: Passage) -> str:
    """Text given to the encoders: the item title gives a continuation passage its topic."""
    title = passage.section.split(SECTION_SEP)[-1] if passage.section else ""
    if title and not passage.text.lstrip("—").startswith(title):
        return f"{title}. {passage.text}"
    return passage.text


def sentence_spans(passages: list[Passage]) -> list[SentenceSpan]:
    out = []
    for p in passages:
        for s in sentences(p.text):
            out.append(SentenceSpan(p.id, p.start + s.start, p.start + s.end))
    return out


# ---------------------------------------------------------------------------- saving


def read_manifest(index_dir: Path) -> dict:
    """The manifest of the index at ``index_dir``, in this version's format, or it raises."""
    path = Path(index_dir) / MANIFEST
    manifest = _read_json_manifest(index_dir)
    if manifest.get("format") != FORMAT:
        raise IndexMismatchError(
            f"{path} has format {manifest.get('format')!r}, this version reads {FORMAT!r}; "
            "run `qa index --force` to rebuild"
        )
    return manifest


def _read_json_manifest(index_dir: Path) -> dict:
    path = Path(index_dir) / MANIFEST
    if not path.is_file():
        raise IndexNotFoundError(f"no index at {index_dir}; run `qa index` to build it")
    try:
        manifest = json.loads(path.read_text("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise IndexMismatchError(
            f"{path} is corrupt ({e}); run `qa index --force` to rebuild"
        ) from None
    if not isinstance(manifest, dict):
        raise IndexMismatchError(f"{path} is not a JSON object; run `qa index --force` to rebuild")
    return manifest


def load_index(index_dir: Path, documents: list[Document] | None) -> Index:
    """Load and verify: checksums, counts and shapes must match the manifest, or it raises.
    ``documents``: the corpus as read now, which the index must match (None: not compared)."""
    index_dir = Path(index_dir)
    manifest = read_manifest(index_dir)
    rebuild = "run `qa index --force` to rebuild"
    blobs = _checked_files(index_dir, manifest)
    listed = set(manifest.get("files", {}))
    promised = {"minilm-tokens.npy", "minilm-token-starts.npy"} if manifest.get("tokens") else set()
    promised |= {"vocab-e5.npy"} if manifest.get("vocab_e5") else set()
    promised |= set(lexical.FILES) | set(passage_table.FILES)
    promised |= store_files(manifest.get("vector_store"))
    if promised - listed:
        missing = ", ".join(sorted(promised - listed))
        raise IndexMismatchError(f"index at {index_dir} lacks {missing}; {rebuild}")
    n, dim = manifest["count"], manifest["dim"]
    try:
        loads = fast_json.loads
        stored = [_document(loads(line)) for line in blobs["documents.jsonl"].splitlines()]
        passages = PassageTable.from_files(stored, blobs)
        spans = SentenceTable.from_files(blobs, len(passages))
        store, minilm = open_store(manifest.get("vector_store"), blobs, n, dim)
        minilm_s = load_npy(blobs["minilm-sentences.npy"])
        e5 = load_npy(blobs["e5.npy"]) if "e5.npy" in blobs else None
        e5_s = load_npy(blobs["e5-sentences.npy"]) if "e5-sentences.npy" in blobs else None
        vocab = loads(blobs["vocab.json"])
        vocab_vectors = load_npy(blobs["vocab-minilm.npy"])
        vocab_e5 = load_npy(blobs["vocab-e5.npy"]) if "vocab-e5.npy" in blobs else None
        tokens = starts = None
        if "minilm-tokens.npy" in blobs:
            tokens = load_npy(blobs["minilm-tokens.npy"])
            starts = load_npy(blobs["minilm-token-starts.npy"])
        lexical_index = LexicalIndex.from_files(blobs)
    except (KeyError, ValueError, TypeError, RuntimeError, OSError) as e:
        raise IndexMismatchError(f"index at {index_dir} is unreadable ({e}); {rebuild}") from None
    if len(passages) != n or minilm.shape != (n, dim) or len(spans) != manifest["sentences"]:
        raise IndexMismatchError(f"index at {index_dir} has inconsistent counts; {rebuild}")
    if len(lexical_index) != n:
        raise IndexMismatchError(f"index at {index_dir} has inconsistent counts; {rebuild}")
    if len(vocab) != manifest["vocab"] or vocab_vectors.shape != (len(vocab), dim):
        raise IndexMismatchError(f"index at {index_dir} has an inconsistent vocabulary; {rebuild}")
    if vocab_e5 is not None and (e5 is None or vocab_e5.shape != (len(vocab), e5.shape[1])):
        raise IndexMismatchError(f"index at {index_dir} has an inconsistent vocabulary; {rebuild}")
    if e5 is not None and e5.shape[0] != n:
        raise IndexMismatchError(f"index at {index_dir} has inconsistent e5 vectors; {rebuild}")
    if tokens is not None and not _valid_tokens(tokens, starts, n, dim, manifest.get("tokens")):
        raise IndexMismatchError(f"index at {index_dir} has inconsistent token vectors; {rebuild}")
    retired = _retired(manifest, len(stored), index_dir)
    if documents is not None:
        live = [d for i, d in enumerate(stored) if i not in retired]
        _check_stored_documents(live, documents, index_dir)
    return Index(
        stored,
        passages,
        spans,
        minilm,
        minilm_s,
        e5,
        e5_s,
        manifest,
        vector_store=store,
        vocab=vocab,
        vocab_vectors=vocab_vectors,
        tokens=tokens,
        token_starts=starts,
        vocab_e5=vocab_e5,
        lexical=lexical_index,
        retired=retired,
    )


def _retired(manifest: dict, documents: int, index_dir: Path) -> frozenset[int]:
    """The manifest's retired document numbers, each one of the stored documents."""
    numbers = manifest.get("retired") or []
    if not isinstance(numbers, list) or not all(
        isinstance(n, int) and 0 <= n < documents for n in numbers
    ):
        raise IndexMismatchError(
            f"index at {index_dir} lists retired documents it lacks; run `qa index --force` "
            "to rebuild"
        )
    return frozenset(numbers)


def _checked_files(index_dir: Path, manifest: dict) -> dict[str, bytes | Path]:
    """Every file the manifest lists, checked: small ones read and hashed whole (their bytes),
    large ones by size and sampled blocks (their path, to be memory-mapped)."""
    rebuild = "run `qa index --force` to rebuild"
    blobs: dict[str, bytes | Path] = {}
    large = manifest.get("large_files") or {}
    for name, digest in manifest.get("files", {}).items():
        path = index_dir / name
        if not path.is_file():
            raise IndexMismatchError(f"{path} is missing from the index; {rebuild}")
        if name in large:
            if not _large_file_intact(path, large[name]):
                raise IndexMismatchError(
                    f"{path} does not match its size or sampled checksum (truncated or "
                    f"changed); {rebuild}"
                )
            blobs[name] = path if name.endswith((".npy", ".faiss")) else path.read_bytes()
            continue
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != digest:
            raise IndexMismatchError(
                f"{path} does not match its checksum (truncated or changed); {rebuild}"
            )
        blobs[name] = data
    return blobs


def _valid_tokens(tokens: np.ndarray, starts: np.ndarray, n: int, dim: int, count) -> bool:
    """Shapes agree with the manifest and every passage owns at least one row, in order."""
    if tokens.shape != (count, dim) or starts.shape != (n,) or not n:
        return False
    bounds = np.append(starts, len(tokens))
    return bool(starts[0] == 0 and np.all(np.diff(bounds) > 0))


def _document(row: dict) -> Document:
    return Document(row["source"], row["text"], tuple(row.get("pages") or ()))


def _check_stored_documents(
    stored: list[Document], current: list[Document], index_dir: Path
) -> None:
    """The documents as indexed must be the corpus as read now (same sources and text;
    compared as they are, which is quicker than hashing both)."""
    if {d.source: d for d in stored} != {d.source: d for d in current}:
        changed = sorted(
            {d.source for d in stored} ^ {d.source for d in current}
            or {d.source for d in stored if d not in current}
        )
        raise IndexMismatchError(
            f"index at {index_dir} no longer matches {', '.join(changed)}; "
            "run `qa index --force` to rebuild"
        )


def check_encoders(index: Index, minilm, e5, index_dir: Path) -> None:
    """The index's vectors must come from the encoders that embed the questions: another
    model's vectors (another name or dimension) would rank nonsense or crash FAISS.

    Example: an index built with hash-64 opened with MiniLM -> IndexMismatchError
    """
    m = index.manifest
    built = (m.get("model"), m.get("dim"), m.get("e5_model"))
    now = (minilm.name, int(minilm.dim), e5.name if e5 is not None else None)
    if built[:2] != now[:2] or (built[2] and built[2] != now[2]):
        raise IndexMismatchError(
            f"index at {index_dir} was built with {built[0]} ({built[1]} dims), but questions are "
            f"embedded with {now[0]} ({now[1]} dims); run `qa index --force` to rebuild it"
        )


def _large_file_intact(path: Path, expected) -> bool:
    try:
        size_ok = path.stat().st_size == expected["size"]
        return size_ok and sample_digest_of_file(path) == expected["sample"]
    except (OSError, KeyError, TypeError):
        return False


def index_status(
    settings: Settings, documents: list[Document] | None = None, corpus_unchanged: bool = False
) -> IndexStatus:
    """Is the index on disk usable for this corpus and these settings, and if not, why.
    ``corpus_unchanged``: the corpus is known unchanged since the build (qa.index.corpus_stat),
    so it is not read or compared."""
    try:
        manifest = _read_json_manifest(settings.index_dir)
        if manifest.get("format") in OLDER_FORMATS:
            return IndexStatus("stale", OLDER_FORMATS[manifest["format"]])
        manifest = read_manifest(settings.index_dir)
    except IndexNotFoundError:
        return IndexStatus("missing", f"no index at {settings.index_dir}")
    except IndexMismatchError as e:
        return IndexStatus("broken", str(e))
    if not corpus_unchanged:
        documents = documents if documents is not None else load_corpus(settings.corpus_dir)
        indexed, current = manifest.get("corpus") or {}, corpus_checksums(documents)
        if indexed != current:
            changed = sorted(
                s for s in indexed.keys() | current.keys() if indexed.get(s) != current.get(s)
            )
            return IndexStatus("stale", f"corpus changed: {', '.join(changed)}")
    if manifest.get("chunking") != asdict(settings.chunking):
        return IndexStatus("stale", "chunking settings changed")
    if "vocab" not in manifest:
        return IndexStatus("stale", "index predates query expansion")
    if "tokens" not in manifest:
        return IndexStatus("stale", "index predates token matching")
    if manifest.get("e5_model") and "vocab_e5" not in manifest:
        return IndexStatus("stale", "index predates multilingual word vectors")
    if manifest.get("embed_text") != EMBED_TEXT_VERSION:
        return IndexStatus("stale", "passage embedding text changed")
    if bool(manifest.get("e5_model")) != settings.use_e5:
        return IndexStatus("stale", "multilingual vectors setting changed")
    moved = backend_change(settings.vector_store, manifest.get("vector_store"))
    if moved:
        return IndexStatus("stale", moved)
    return IndexStatus("fresh", f"index at {settings.index_dir} is up to date")
