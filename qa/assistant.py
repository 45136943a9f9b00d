"""The Python API: ``Assistant.open()`` then ``search()`` / ``ask()``.

Opens the index for the corpus, building it first when it is missing or stale, and keeps the
encoders warm so each question costs a few milliseconds.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from qa.answering.compose import compose
from qa.atomic import index_lock
from qa.config import Settings
from qa.encoders import Encoders, load_encoders, load_in_background
from qa.errors import (
    EmptyQueryError,
    IndexMismatchError,
    IndexNotFoundError,
    InvalidQuestionError,
    QueryTooLongError,
)
from qa.index.build import CorpusChanges, EmbeddingTally, build_index
from qa.index.corpus_stat import indexed_corpus, read_unless_unchanged, remember_corpus
from qa.index.memory import return_freed_arrays_to_the_os
from qa.index.store import Index, check_encoders, index_status, load_index
from qa.index.vector_cache import VectorCache, models_key
from qa.index.vector_store import preflight
from qa.index.writer import clean_staging, save_index
from qa.ingest.conversion_cache import ConversionCache
from qa.ingest.corpus import Corpus, corpus_checksums, read_corpus
from qa.progress import Progress
from qa.retrieval.retriever import Retrieval, Retriever
from qa.types import Answer, Document, Hit, Passage

if TYPE_CHECKING:
    from qa.answering.generate_backends import Generator


@dataclass(frozen=True)
class BuildReport:
    """What `qa index` did, for the user and for benchmarks."""

    rebuilt: bool
    reason: str
    files: int
    passages: int
    dim: int
    seconds: float
    min_words: int = 0
    max_words: int = 0
    export_seconds: float = 0.0
    skipped: tuple[str, ...] = ()  # "file: skipped, why" for each PDF/Word/HTML file left out
    vector_store: dict | None = None  # the manifest's entry: backend and where (never a key)
    changes: CorpusChanges | None = None  # files added, changed, removed, kept since the last build
    documents_embedded: int = 0  # the rest came from the vector cache
    passages_embedded: int = 0
    e5_scope: str | None = None  # "all" passages, "candidates" (a large library) or None (no e5)
    retired_passages: int = 0  # of removed or changed files, set aside until a full build
    left_out: tuple[str, ...] = ()  # files of other kinds in the corpus folder (not documents)
    windows_1252: tuple[str, ...] = ()  # text files read as Windows-1252, not UTF-8
    chinese_code_page: tuple[str, ...] = ()  # text files read as GB18030 or Big5, not UTF-8


def live_passage_count(manifest: dict) -> int:
    """The passages an index answers from: all but those set aside (qa.index.retire)."""
    return manifest.get("count", 0) - manifest.get("retired_passages", 0)


def validate_question(question: str, max_chars: int) -> str:
    """Untrusted text: must be non-empty and bounded. Returns it stripped."""
    if not isinstance(question, str) or not question.strip():
        raise EmptyQueryError("the question is empty; type a question about the document")
    if len(question) > max_chars:
        raise QueryTooLongError(
            f"the question is {len(question):,} characters; the limit is {max_chars:,}. Shorten it"
        )
    try:
        question.encode("utf-8")
    except UnicodeEncodeError as e:  # a lone surrogate: bytes that were not UTF-8 (argv, a form)
        raise InvalidQuestionError(
            f"the question is not valid text: character {e.start + 1} ({question[e.start]!r}) "
            "is half of a surrogate pair, as left by text that was not UTF-8; type it again"
        ) from None
    if not re.search(r"[^\W_]", question):  # "???" or "🙂": nothing to look up
        raise EmptyQueryError("the question has no words; type a question about the document")
    return question.strip()


def build(
    settings: Settings,
    force: bool = False,
    progress: Progress | None = None,
    encoders: Encoders | None = None,
    on_wait: Callable[[str], None] | None = None,
    embed_many_factory: Callable | None = None,
) -> BuildReport:
    """Build the index unless it is already fresh for this corpus (then a no-op that says so).

    Runs under the index lock (qa.atomic.index_lock): a second build waits, telling ``on_wait``,
    then finds the index the first one made. ``encoders`` already loaded are reused.
    Documents already embedded by an earlier build come from the vector cache;
    ``embed_many_factory(minilm, e5)`` may embed the others elsewhere (qa.index.distributed).
    """
    with index_lock(settings.index_dir, settings.lock_timeout, on_wait):
        return _build_locked(settings, force, progress, encoders, embed_many_factory)


def _build_locked(
    settings: Settings,
    force: bool,
    progress: Progress | None,
    encoders: Encoders | None,
    embed_many_factory: Callable | None = None,
) -> BuildReport:
    t0 = time.perf_counter()
    if settings.use_e5:  # CC-CEDICT's table for Chinese questions, once per encoder folder
        from qa.query.cedict_table import stored_dictionary

        stored_dictionary(settings.encoder_path, build=True)
    conversions = ConversionCache(settings.cache_path / "converted")
    corpus = read_corpus(settings.corpus_dir, conversions, progress)
    report = _build_for(
        settings, corpus, conversions, force, progress, encoders, embed_many_factory, t0
    )
    remember_corpus(settings.index_dir, corpus)  # the next open need not read it again
    return replace(
        report,
        left_out=corpus.left_out,
        windows_1252=corpus.windows_1252,
        chinese_code_page=corpus.chinese_code_page,
    )


def _build_for(
    settings: Settings,
    corpus: Corpus,
    conversions: ConversionCache,
    force: bool,
    progress: Progress | None,
    encoders: Encoders | None,
    embed_many_factory: Callable | None,
    t0: float,
) -> BuildReport:
    documents, skipped = corpus.documents, tuple(str(s) for s in corpus.skipped)
    status = index_status(settings, documents)
    if status.state == "fresh" and not force:
        from qa.index.store import read_manifest

        m = read_manifest(settings.index_dir)
        return BuildReport(
            False,
            status.reason,
            len(documents),
            live_passage_count(m),
            m["dim"],
            0.0,
            skipped=skipped,
            vector_store=m.get("vector_store") or {"backend": "faiss"},
            retired_passages=m.get("retired_passages", 0),
        )
    preflight(settings.vector_store)  # a missing package or server fails before embedding
    return_freed_arrays_to_the_os()  # peak RSS of a large build (qa.index.memory)
    clean_staging(settings.index_dir)  # what a killed build left behind
    indexed = indexed_corpus(settings.index_dir)
    changes = CorpusChanges.between(indexed, corpus_checksums(documents))
    encoders = encoders or load_encoders(settings, allow_export=True, progress=progress)
    cache = vector_cache(settings, encoders)
    # an index to update (with none, a first build: no "updating the index" step to show)
    changed = bool(changes.added or changes.changed or changes.removed)
    incremental = bool(indexed) and not force and changed
    if incremental and embed_many_factory is None:  # a Dask build embeds on its workers
        grown = _grow(settings, documents, encoders, cache, progress)
        if grown is not None:
            return BuildReport(
                True,
                status.reason,
                len(documents),
                live_passage_count(grown.manifest),
                grown.manifest["dim"],
                time.perf_counter() - t0,
                grown.min_words,
                grown.max_words,
                encoders.export_seconds,
                skipped,
                grown.manifest["vector_store"],
                changes,
                grown.documents_embedded,
                grown.passages_embedded,
                grown.manifest.get("e5_scope"),
                grown.manifest.get("retired_passages", 0),
            )
    tally = EmbeddingTally()
    bulk = encoders.minilm.for_bulk() if hasattr(encoders.minilm, "for_bulk") else encoders.minilm
    index = build_index(
        documents, settings, bulk, encoders.e5, progress, cache, embed_many_factory, tally
    )
    seconds = time.perf_counter() - t0
    manifest = save_index(index, settings.index_dir, seconds, settings.vector_store)
    cache.release_rows(settings.index_dir)  # the index holds them now
    cache.prune(keep=set(tally.keys))
    conversions.prune()
    if progress:
        progress("done", 1.0)
    words = index.passages.words.tolist() or [0]
    reason = "forced rebuild" if force and status.state == "fresh" else status.reason
    return BuildReport(
        True,
        reason,
        len(documents),
        len(index.passages),
        int(index.minilm.shape[1]),
        seconds,
        min(words),
        max(words),
        encoders.export_seconds,
        skipped,
        manifest["vector_store"],
        changes,
        tally.documents_embedded,
        tally.passages_embedded,
        manifest.get("e5_scope"),
    )


def _grow(settings: Settings, documents, encoders: Encoders, cache, progress: Progress | None):
    """Files added, changed or removed since the last build: append the new ones and retire
    the old ones (qa.index.grow, qa.index.retire), or None when a full build is needed."""
    from qa.index.grow import grow_index

    bulk = encoders.minilm.for_bulk() if hasattr(encoders.minilm, "for_bulk") else encoders.minilm
    grown = grow_index(settings, documents, bulk, encoders.e5, cache, progress)
    if grown is not None:
        cache.release_rows(settings.index_dir)  # the grown index holds the new rows
    if grown is not None and progress:
        progress("done", 1.0)
    return grown


def vector_cache(settings: Settings, encoders: Encoders) -> VectorCache:
    from qa.index.store import EMBED_TEXT_VERSION

    e5 = encoders.e5.name if encoders.e5 is not None else None
    key = models_key(encoders.minilm.name, encoders.minilm.dim, e5, EMBED_TEXT_VERSION)
    # rows released to an index are read back from the one being updated, or from the one the
    # cache sits in (an upload builds a trial index elsewhere with the live index's cache)
    indexes = (Path(settings.index_dir), settings.cache_path.parent)
    return VectorCache(settings.cache_path, key, indexes)


def _readable(
    settings: Settings, documents: list[Document] | None, auto_build: bool
) -> Index | None:
    """The index as loaded, or None when it is unreadable and may be rebuilt."""
    try:
        return load_index(settings.index_dir, documents)
    except IndexMismatchError:
        if not auto_build:
            raise
        return None


class Assistant:
    """Search and ask over one corpus. Create with ``Assistant.open(settings)``."""

    def __init__(self, index: Index, retriever: Retriever, settings: Settings):
        self.index = index
        self.retriever = retriever
        self.settings = settings

    @classmethod
    def open(
        cls,
        settings: Settings | None = None,
        auto_build: bool = True,
        progress: Progress | None = None,
        on_wait: Callable[[str], None] | None = None,
    ) -> Assistant:
        """Load the index, building it first if it is missing or stale (or raise if auto_build=False).

        Holds the index lock while it reads, so it never loads files a concurrent build is
        replacing; ``on_wait`` hears when it has to wait for one.
        """
        settings = settings or Settings.from_env()
        with index_lock(settings.index_dir, settings.lock_timeout, on_wait):
            return cls._open_locked(settings, auto_build, progress)

    @classmethod
    def _open_locked(
        cls, settings: Settings, auto_build: bool, progress: Progress | None
    ) -> Assistant:
        with ThreadPoolExecutor(1, thread_name_prefix="planqa-encoders") as pool:
            # the encoders load beside the corpus listing and the index reading (qa.encoders)
            loading = load_in_background(pool, settings, allow_export=auto_build, progress=progress)
            conversions = ConversionCache(settings.cache_path / "converted")
            # None: unchanged since the build, so not read (qa.index.corpus_stat)
            documents = read_unless_unchanged(settings.index_dir, settings.corpus_dir, conversions)
            status = index_status(settings, documents, corpus_unchanged=documents is None)
            if status.state != "fresh" and not auto_build:
                error = IndexNotFoundError if status.state == "missing" else IndexMismatchError
                raise error(f"{status.reason}; run `qa index` to build it")
            index = _readable(settings, documents, auto_build) if status.state == "fresh" else None
            # loaded once, for a build (if one is needed) and for the retriever
            encoders = (
                loading.result()
                if loading
                else load_encoders(settings, allow_export=auto_build, progress=progress)
            )
        if index is not None:
            try:
                check_encoders(index, encoders.minilm, encoders.e5, settings.index_dir)
            except IndexMismatchError:
                if not auto_build:
                    raise
                index = None
        if index is None:
            _build_locked(settings, True, progress, encoders)
            index = load_index(settings.index_dir, documents)
        retriever = Retriever(
            index,
            encoders.minilm,
            encoders.e5,
            settings.retrieval,
            words=encoders.words,
            chinese=encoders.chinese,
        )
        return cls(index, retriever, settings)

    @property
    def info(self) -> dict:
        """What answered: recorded in eval reports so runs can be compared fairly."""
        m = self.index.manifest
        return {
            "model": m.get("model"),
            "e5_model": m.get("e5_model"),
            "passages": live_passage_count(m),
            "chunking": m.get("chunking"),
            "index_built_at": m.get("built_at"),
            "vector_store": (m.get("vector_store") or {"backend": "faiss"}).get("backend"),
            "retrieval": asdict(self.settings.retrieval),
            "answer": asdict(self.settings.answer),
        }

    @property
    def documents(self) -> list[Document]:
        return self.index.live_documents

    @property
    def passages(self) -> list[Passage]:
        return self.index.live_passages

    def search(
        self, query: str, k: int | None = None, documents: Collection[str] | None = None
    ) -> list[Hit]:
        """Ranked passages for a query (at most the number of passages that exist)."""
        return self.retrieve(query, k, documents).hits

    def retrieve(
        self, query: str, k: int | None = None, documents: Collection[str] | None = None
    ) -> Retrieval:
        """Ranked passages plus how the query was read (``signals.read_as``): a search
        shows the user that "SMEs" was looked up as "small and micro enterprises".
        ``documents``: sources or glob patterns ("licences/*") to search within."""
        query = validate_question(query, self.settings.max_question_chars)
        return self.retriever.retrieve(query, k or self.settings.answer.k, documents)

    def ask(
        self,
        question: str,
        k: int | None = None,
        generator: Generator | None = None,
        documents: Collection[str] | None = None,
    ) -> Answer:
        """Extractive answer with [n] citations, or a plain decline when the documents lack it.

        With a generator (see qa.answering.generate), the answer is written by the model from the cited
        passages, and only sentences the passages support are kept. ``documents``: as in search.
        """
        question = validate_question(question, self.settings.max_question_chars)
        retrieval = self.retriever.retrieve(question, k or self.settings.answer.k, documents)
        answer = compose(
            question, retrieval, self.settings.answer, self.settings.retrieval, self.retriever.words
        )
        if generator is None:
            return answer
        from qa.answering.generate import generate_answer  # only with a language model

        return generate_answer(question, retrieval.hits, generator, answer)
