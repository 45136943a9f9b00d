"""Tell a corpus unchanged since its index was built without reading it.

Opening an index checks it against the corpus: at 1,000 times the plan's text that meant reading
and hashing 1,717 files (20 MB) before every cold `qa ask`. Each build now leaves, beside the
manifest, every file's size and modification time (ns) as they were just before it read them;
when the corpus folder lists the same files with the same size and time, the index is taken as
fresh for it without reading them, as make and rsync decide. Anything else (a file added,
removed, touched or rewritten, or a hint left by another index) falls back to reading and
hashing (and, when the index matches what it read, records the new stats). So does a hint left
by other converters (qa.ingest.conversion_cache.CONVERTERS_VERSION): after an upgrade that reads
a kind of file differently, the first open reads the corpus, finds the changed texts by their
checksums and builds again what changed, as `qa index` would. `qa index` always reads and
hashes.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from pathlib import Path

from qa.atomic import atomic_write
from qa.errors import CorpusError, IndexMismatchError, IndexNotFoundError
from qa.index.store import read_manifest
from qa.ingest.conversion_cache import CONVERTERS_VERSION, ConversionCache
from qa.ingest.corpus import (
    Corpus,
    CorpusWarning,
    SkippedFile,
    corpus_checksums,
    corpus_stats,
    read_corpus,
)
from qa.types import Document

HINT = "corpus-stat.json"


def indexed_corpus(index_dir: Path) -> dict[str, str]:
    """source -> checksum of the index on disk (its manifest's corpus map), {} when there is
    none readable."""
    try:
        return dict(read_manifest(index_dir).get("corpus") or {})
    except (IndexNotFoundError, IndexMismatchError, OSError, TypeError, ValueError):
        return {}


def _key(indexed: dict[str, str]) -> str:
    """A digest of the manifest's corpus map: ties a hint to the index it was written for."""
    return hashlib.sha256(json.dumps(indexed, sort_keys=True).encode()).hexdigest()


def remember_corpus(index_dir: Path, corpus: Corpus) -> None:
    """After a build: record ``corpus.stats`` if the index on disk is the one for
    ``corpus.documents`` (a hint that cannot be written only costs the next open a full check)."""
    indexed = indexed_corpus(index_dir)
    if not indexed or indexed != corpus_checksums(corpus.documents):
        return
    hint = {
        "corpus": _key(indexed),
        "converters": CONVERTERS_VERSION,
        "files": {s: list(v) for s, v in corpus.stats.items()},
        "skipped": [str(s) for s in corpus.skipped],
    }
    try:
        atomic_write(Path(index_dir) / HINT, json.dumps(hint, sort_keys=True).encode())
    except OSError:
        pass


def read_unless_unchanged(
    index_dir: Path, corpus_dir: Path, conversions: ConversionCache | None = None
) -> list[Document] | None:
    """The corpus's documents, or None when it is unchanged since the index was built. Files
    skipped (a scanned PDF) are warned about (CorpusWarning) either way. A corpus read in full
    that the index matches (its files touched, not changed) is remembered, so the next open
    need not read it."""
    hint = _hint_if_unchanged(index_dir, corpus_dir)
    if hint is None:
        corpus = read_corpus(corpus_dir, conversions)
        remember_corpus(index_dir, corpus)
        skipped = [str(s) for s in corpus.skipped]
    else:
        skipped = [str(message) for message in hint.get("skipped", [])]
    for message in shown_skipped(skipped):
        warnings.warn(CorpusWarning(message), stacklevel=2)
    return corpus.documents if hint is None else None


def skipped_when_built(index_dir: Path) -> list[SkippedFile]:
    """The files the last build of this index skipped (a scanned PDF), as it recorded them, so
    the app can list them beside the documents; none when the record cannot be read."""
    messages = (_read_hint(index_dir) or {}).get("skipped") or []
    if not isinstance(messages, list):
        return []
    parsed = (SkippedFile.parse(m) for m in messages if isinstance(m, str))
    return [s for s in parsed if s is not None]


def shown_skipped(messages: list[str], most: int = 10) -> list[str]:
    """The skipped files an open warns about: each, or the first few and how many more (a shared
    drive's hundreds of scans would bury the answer at every question; `qa index` names all).

    Example: len(shown_skipped([f"{i}.pdf: skipped, ..." for i in range(50)])) -> 10
    """
    if len(messages) <= most:
        return messages
    more = len(messages) - (most - 1)
    return [*messages[: most - 1], f"{more} more file(s) skipped; `qa index` names each and why"]


def unchanged_since_build(index_dir: Path, corpus_dir: Path) -> bool:
    return _hint_if_unchanged(index_dir, corpus_dir) is not None


def _hint_if_unchanged(index_dir: Path, corpus_dir: Path) -> dict | None:
    """The hint, if the corpus folder holds exactly the files it lists, each with the same
    size and modification time, and it is the index's own; else None."""
    hint = _read_hint(index_dir)
    if hint is None:
        return None
    try:
        recorded = {s: tuple(v) for s, v in hint["files"].items()}
        indexed = indexed_corpus(index_dir)
        if not indexed or hint["corpus"] != _key(indexed):
            return None
        if hint.get("converters") != CONVERTERS_VERSION:
            return None  # files converted by other readers: their text may have changed
        return hint if corpus_stats(corpus_dir) == recorded else None
    except (OSError, ValueError, KeyError, TypeError, AttributeError, CorpusError):
        return None


def _read_hint(index_dir: Path) -> dict | None:
    """The hint file as written, or None when there is none readable."""
    try:
        hint = json.loads((Path(index_dir) / HINT).read_bytes())
    except (OSError, ValueError):
        return None
    return hint if isinstance(hint, dict) else None
