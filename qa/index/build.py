"""Chunk and embed the corpus into an Index, one document at a time through the vector cache:
a rebuild embeds only the documents whose text changed, and a build killed half-way resumes
from the documents it had finished. Embedding a document is a pure function of its texts
(``embed_job``), so the same unit runs in this process or as a task on other workers
(qa.index.distributed)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from qa.config import Settings
from qa.index.embed_once import EmbedOnce
from qa.index.lexical import LexicalIndex
from qa.index.store import EMBED_TEXT_VERSION, FORMAT, Index, embed_text, sentence_spans
from qa.index.token_vectors import pack
from qa.index.vector_cache import TOKEN_DTYPE, DocumentVectors, EmbeddingJob, VectorCache
from qa.ingest.chunking import chunk_corpus
from qa.ingest.corpus import corpus_checksums
from qa.ingest.words import vocabulary
from qa.progress import Progress, time_left
from qa.types import Document

# Embeds the jobs not in the cache, yielding (job, vectors) as each is done, in any order.
EmbedMany = Callable[[list[EmbeddingJob]], Iterable[tuple[EmbeddingJob, DocumentVectors]]]
# Given the encoders a build uses (minilm, e5 or None), the EmbedMany that runs them.
EmbedManyFactory = Callable[[Any, Any], EmbedMany]


@dataclass(frozen=True)
class CorpusChanges:
    """What changed since the index on disk was built, by source."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()

    @classmethod
    def between(cls, indexed: dict[str, str], current: dict[str, str]) -> CorpusChanges:
        """Compare two manifest ``corpus`` maps (source -> checksum)."""
        return cls(
            tuple(sorted(current.keys() - indexed.keys())),
            tuple(sorted(s for s in current.keys() & indexed.keys() if current[s] != indexed[s])),
            tuple(sorted(indexed.keys() - current.keys())),
            tuple(sorted(s for s in current.keys() & indexed.keys() if current[s] == indexed[s])),
        )

    def summary(self) -> str:
        """Example: CorpusChanges(("a.txt",), (), (), ("b.txt",)).summary()
        -> 'added 1, changed 0, removed 0, kept 1'"""
        return (
            f"added {len(self.added)}, changed {len(self.changed)}, "
            f"removed {len(self.removed)}, kept {len(self.kept)}"
        )


@dataclass
class EmbeddingTally:
    """How much embedding a build did and how much it took from the cache."""

    documents_embedded: int = 0
    passages_embedded: int = 0
    documents_cached: int = 0
    sources_embedded: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)  # the cache entries this index uses


def embed_job(job: EmbeddingJob, minilm, e5=None, with_tokens: bool = True) -> DocumentVectors:
    """One document's vectors. Token vectors are kept in half precision from here on, whether
    they are then cached or not, so an index is the same built at once or from the cache (and
    a large build holds half the memory)."""
    tokens = counts = None
    if with_tokens and job.passages and hasattr(minilm, "encode_with_tokens"):
        vec, per_passage = minilm.encode_with_tokens(job.passages)
    else:
        vec = minilm.encode_passages(job.passages)
        per_passage = minilm.encode_tokens(job.passages) if with_tokens and job.passages else None
    if per_passage is not None:
        tokens, _ = pack(per_passage, minilm.dim)
        tokens = tokens.astype(TOKEN_DTYPE)
        counts = np.array([len(t) for t in per_passage], np.int64)
    sentences = minilm.encode_passages(job.sentences)
    e5_vec = e5_sentences = None
    if e5 is not None:
        e5_vec, e5_sentences = e5.encode_passages(job.passages), e5.encode_passages(job.sentences)
    return DocumentVectors(vec, sentences, counts, tokens, e5_vec, e5_sentences)


def local_embed_many(minilm, e5, with_tokens: bool) -> EmbedMany:
    """Here, one document after another; a text repeated across the documents is embedded
    once (qa.index.embed_once)."""

    def run(jobs: list[EmbeddingJob]) -> Iterator[tuple[EmbeddingJob, DocumentVectors]]:
        texts = [t for job in jobs for t in (*job.passages, *job.sentences)]
        once_minilm = EmbedOnce(minilm, texts)
        once_e5 = EmbedOnce(e5, texts) if e5 is not None else None
        for job in jobs:
            yield job, embed_job(job, once_minilm, once_e5, with_tokens)

    return run


def build_index(
    documents: list[Document],
    settings: Settings,
    minilm,
    e5=None,
    progress: Progress | None = None,
    cache: VectorCache | None = None,
    embed_many_factory: EmbedManyFactory | None = None,
    tally: EmbeddingTally | None = None,
) -> Index:
    """Chunk and embed the corpus. ``minilm`` / ``e5`` are Embedders (qa.index.embedding);
    ``cache`` keeps each document's vectors for the next build; ``embed_many_factory(minilm,
    e5)`` gives what embeds the documents the cache lacks (default: here, one after another).

    e5 embeds every passage only up to ``settings.e5_max_passages`` (it costs ~5x MiniLM:
    about 49 min per 65k passages on 2 cores); above, questions in other languages have their
    candidates scored by e5 at query time (qa.retrieval.cross_lingual)."""
    say = progress or (lambda msg, frac: None)
    tally = tally if tally is not None else EmbeddingTally()
    say("chunking", 0.02)
    passages = chunk_corpus(documents, settings.chunking)
    e5_name, e5_scope = (e5.name, "all") if e5 is not None else (None, None)
    if e5 is not None and len(passages) > settings.e5_max_passages:
        say(
            f"{len(passages)} passages, more than e5_max_passages={settings.e5_max_passages}: "
            "e5 scores each question's candidates when it is asked",
            0.03,
        )
        e5, e5_scope = None, "candidates"
    spans = sentence_spans(passages)
    probe = Index(documents, passages, spans, np.zeros((0, 1)), np.zeros((0, 1)), None, None, {})
    with_tokens = bool(getattr(minilm, "has_tokens", False))
    jobs = _jobs(documents, passages, spans, [probe.sentence_text(s) for s in spans])
    found: dict[str, DocumentVectors] = {}
    todo = []
    for job in jobs:
        hit = cache.get(job, with_tokens, e5 is not None) if cache else None
        if hit is None:
            todo.append(job)
        else:
            found[job.key] = hit
    tally.documents_cached = len(jobs) - len(todo)
    tally.keys = [job.key for job in jobs]
    if embed_many_factory is not None:
        runner = embed_many_factory(minilm, e5)
    else:
        runner = local_embed_many(minilm, e5, with_tokens)
    for job, vectors in with_eta(runner(todo), todo, say, lo=0.05, hi=0.85):
        if not vectors.fits(job, with_tokens, e5 is not None):
            raise RuntimeError(f"the encoder returned vectors of the wrong shape for {job.source}")
        if cache:
            cache.put(job, vectors)  # the checkpoint: a killed build resumes after it
        found[job.key] = vectors
        tally.documents_embedded += 1
        tally.passages_embedded += len(job.passages)
        tally.sources_embedded.append(job.source)
    parts = [found[job.key] for job in jobs]
    vec = stack_blocks([p.passages for p in parts], minilm.dim)
    svec = stack_blocks([p.sentences for p in parts], minilm.dim)
    e5_vec = e5_svec = None
    if e5 is not None:
        e5_vec = stack_blocks([p.e5 for p in parts], e5.dim)
        e5_svec = stack_blocks([p.e5_sentences for p in parts], e5.dim)
    row_keys = row_counts(jobs, parts, with_tokens)
    tokens = starts = None
    if with_tokens and passages:
        counts = np.concatenate([p.token_counts for p in parts])
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
        blocks = [p.tokens for p in parts]
        parts = None
        found.clear()  # the blocks list holds the only references now
        tokens = _stack_releasing(blocks, minilm.dim, TOKEN_DTYPE)
    say("embedding the corpus words for query expansion", 0.88)
    words = vocabulary([p.text for p in passages])
    word_vec = cached_word_vectors(words, minilm, "minilm", cache, queries=False)
    e5_words = None
    if e5 is not None:
        e5_words = cached_word_vectors(words, e5, "e5", cache, queries=True)
    say("indexing passages for BM25", 0.96)
    lexical_index = LexicalIndex.build(passages)
    manifest = {
        "format": FORMAT,
        "model": minilm.name,
        "dim": int(vec.shape[1]),
        "count": len(passages),
        "sentences": len(spans),
        "e5_model": e5_name,
        "e5_scope": e5_scope,  # "all" passages, or "candidates" (scored at query time)
        "chunking": asdict(settings.chunking),
        "embed_text": EMBED_TEXT_VERSION,
        "vocab": len(words),
        "tokens": len(tokens) if tokens is not None else 0,
        "vocab_e5": e5_words is not None,
        "corpus": corpus_checksums(documents),
    }
    return Index(
        documents,
        probe.passages,
        probe.sentences,
        vec,
        svec,
        e5_vec,
        e5_svec,
        manifest,
        vocab=words,
        vocab_vectors=word_vec,
        tokens=tokens,
        token_starts=starts,
        vocab_e5=e5_words,
        lexical=lexical_index,
        row_keys=row_keys,
    )


def row_counts(
    jobs: list[EmbeddingJob], parts: list[DocumentVectors], with_tokens: bool
) -> list[tuple[str, int, int]]:
    """(cache key, sentence rows, token rows) of each document, in row order: what the index
    lists so the cache can read those rows back (qa.index.indexed_rows)."""
    return [
        (job.key, len(job.sentences), int(p.token_counts.sum()) if with_tokens else 0)
        for job, p in zip(jobs, parts, strict=True)
    ]


def _jobs(
    documents: list[Document], passages, spans, sentence_texts: list[str]
) -> list[EmbeddingJob]:
    """One job per document with passages, in corpus order (chunking keeps that order)."""
    by_source: dict[str, tuple[list[str], list[str]]] = {d.source: ([], []) for d in documents}
    owner = []
    for p in passages:
        by_source[p.source][0].append(embed_text(p))
        owner.append(p.source)
    for s, text in zip(spans, sentence_texts, strict=True):
        by_source[owner[s.passage]][1].append(text)
    return [
        EmbeddingJob.of(d.source, *by_source[d.source]) for d in documents if by_source[d.source][0]
    ]


def with_eta(
    results: Iterable[tuple[EmbeddingJob, DocumentVectors]],
    todo: list[EmbeddingJob],
    say: Progress,
    lo: float,
    hi: float,
) -> Iterator[tuple[EmbeddingJob, DocumentVectors]]:
    """Pass results through, telling progress: documents and passages done and the time left."""
    total = sum(len(j.passages) for j in todo) or 1
    if todo:
        say(f"embedding {len(todo)} document(s), {total} passages", lo)
    done, t0 = 0, time.perf_counter()
    for n, (job, vectors) in enumerate(results, 1):
        done += len(job.passages)
        elapsed = max(time.perf_counter() - t0, 1e-6)
        say(
            f"embedding: {n}/{len(todo)} documents, {done}/{total} passages, "
            f"{done / elapsed:.0f}/s, about {time_left(done, total, elapsed)} left",
            lo + (hi - lo) * done / total,
        )
        yield job, vectors


def stack_blocks(blocks: list, dim: int, dtype=np.float32) -> np.ndarray:
    """The blocks' rows in one array (empty and missing blocks skipped)."""
    blocks = [b for b in blocks if b is not None and len(b)]
    return np.vstack(blocks).astype(dtype, copy=False) if blocks else np.zeros((0, dim), dtype)


def _stack_releasing(blocks: list, dim: int, dtype) -> np.ndarray:
    """Stack the blocks, letting each go once copied: a large library's token vectors (2 GB)
    are held once, not per document and stacked at the same time."""
    total = sum(len(b) for b in blocks if b is not None)
    out = np.empty((total, dim), dtype)
    row = 0
    for i, block in enumerate(blocks):
        if block is not None and len(block):
            out[row : row + len(block)] = block
            row += len(block)
        blocks[i] = None
    return out


def cached_word_vectors(
    words: list[str], encoder, kind: str, cache: VectorCache | None, queries: bool
) -> np.ndarray:
    """Vectors of the corpus words, embedding only words no earlier build embedded."""
    if not words:  # a grow that brings no new word reads no word table
        return np.zeros((0, encoder.dim), np.float32)
    encode = encoder.encode_queries if queries else encoder.encode_passages
    known = cache.word_vectors(kind) if cache else {}
    missing = [w for w in words if w not in known]
    if missing:
        fresh = encode(missing)
        known.update(zip(missing, fresh, strict=True))
        if cache:
            cache.put_word_vectors(kind, known, encoder.dim)
    return stack_blocks([np.asarray([known[w] for w in words])], encoder.dim)
