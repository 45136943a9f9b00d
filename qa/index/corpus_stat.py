"""Tell a corpus unchanged since its index was built without reading it.

Opening an index checks it against the corpus: at 1,000 times the plan's text that meant reading
and hashing 1,717 files (20 MB) before every cold `qa ask`. Each build now leaves, beside the
manifest, every file's size and modification time (ns) as they were just before it read them;
when the corpus folder lists the same files with the same size and time, the index is taken as
fresh for it without reading them, as make and rsync decide. Anything else (a file added,
removed, touched or rewritten, or a hint left by another index) falls back to reading and
hashing. `qa index` always reads and hashes.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from qa.atomic import atomic_write
from qa.errors import CorpusError
from qa.ingest.corpus import Corpus, corpus_checksums, corpus_stats

HINT = "corpus-stat.json"


def _indexed(index_dir: Path) -> dict[str, str]:
    """The manifest's corpus map (source -> checksum), {} when there is none readable."""
    from qa.index.store import MANIFEST

    try:
        manifest = json.loads((Path(index_dir) / MANIFEST).read_bytes())
        return dict(manifest.get("corpus") or {})
    except (OSError, ValueError, TypeError, AttributeError):
        return {}


def _key(indexed: dict[str, str]) -> str:
    """A digest of the manifest's corpus map: ties a hint to the index it was written for."""
    return hashlib.sha256(json.dumps(indexed, sort_keys=True).encode()).hexdigest()


def remember_corpus(index_dir: Path, corpus: Corpus) -> None:
    """After a build: record ``corpus.stats`` if the index on disk is the one for
    ``corpus.documents`` (a hint that cannot be written only costs the next open a full check)."""
    indexed = _indexed(index_dir)
    if not indexed or indexed != corpus_checksums(corpus.documents):
        return
    hint = {"corpus": _key(indexed), "files": {s: list(v) for s, v in corpus.stats.items()}}
    try:
        atomic_write(Path(index_dir) / HINT, json.dumps(hint, sort_keys=True).encode())
    except OSError:
        pass


def unchanged_since_build(index_dir: Path, corpus_dir: Path) -> bool:
    """Does the corpus folder hold exactly the files the hint lists, each with the same size
    and modification time, and is the hint the index's own?"""
    try:
        hint = json.loads((Path(index_dir) / HINT).read_bytes())
        recorded = {s: tuple(v) for s, v in hint["files"].items()}
        indexed = _indexed(index_dir)
        if not indexed or hint["corpus"] != _key(indexed):
            return False
        return corpus_stats(corpus_dir) == recorded
    except (OSError, ValueError, KeyError, TypeError, AttributeError, CorpusError):
        return False
