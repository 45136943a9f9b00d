"""Read a question into a Query: the one stage that decides what retrieval looks up.

Reading means: drop the frame ("does the document mention X?" looks up X), read acronyms and
typos as the corpus's words, find the BM25 terms and the corpus words that stand in for words
the corpus never uses, tell a keyword from a full question, and, for a question in another
script, either find the corpus's English word for a one-concept keyword or keep its
multilingual vector for a cross-lingual search. Follow-up rewriting (qa.query.followup) comes
before this, in the chat.
"""

from __future__ import annotations

import re
from functools import cached_property

import numpy as np

from qa.config import RetrievalConfig
from qa.index.store import Index
from qa.index.word_table import WordTable
from qa.ingest.words import content_words, nearest_words, stopwords
from qa.query.acronyms import AcronymReader
from qa.query.chinese_dictionary import ChineseDictionary, bundled_dictionary
from qa.query.corpus_scan import CorpusScan
from qa.query.english import is_english_word
from qa.query.frame import chinese_topic, only_topic_words, topic_of
from qa.query.language import other_language
from qa.query.spelling import CorpusWordCounts, SpellingReader
from qa.query.vocabulary import Vocabularies, Vocabulary
from qa.types import Query, Reading

_NON_LATIN = re.compile(
    r"[\u0400-\u04ff\u0600-\u06ff\u0900-\u0dff\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]"
)
_HAN = re.compile(r"[\u3400-\u9fff]")
_TWO_CAPITALS = re.compile(r"(?<![\w&])[A-Z]{2}(?![\w&])")  # "AI", "EU"; not in "AIDS", "R&D"


def is_non_latin(text: str) -> bool:
    """Questions in Chinese and other scripts go to the multilingual encoder."""
    return bool(_NON_LATIN.search(text))


def script_language(text: str) -> str:
    """ "zh" for Han characters, "other" for another non-Latin script, else "en".

    Example: script_language("电子商务") -> "zh"
    """
    if _HAN.search(text):
        return "zh"
    return "other" if is_non_latin(text) else "en"


class QueryReader:
    """Reads questions against one loaded index: its words, acronyms, vocabulary vectors."""

    def __init__(
        self,
        index: Index,
        words: WordTable,
        e5=None,
        chinese: ChineseDictionary | None = None,
    ):
        self.index = index
        self.lexical = index.lexical
        self.words = words
        self.e5 = e5
        self._chinese = chinese  # None: the bundled CC-CEDICT, read on the first Chinese question
        self.vocabularies = Vocabularies(
            index.lexical, index.vocab, index.vocab_vectors, lambda i: index.passages[i].text
        )

    # The acronym and typo readers search the corpus's text for what a question needs
    # (qa.query.corpus_scan); the text is made on the first word that may be an acronym or a
    # typo (0.3 s for a 20 MB library), so a plain question never waits.

    @cached_property
    def _scan(self) -> CorpusScan:
        return CorpusScan([d.text for d in self.index.live_documents])

    @cached_property
    def acronyms(self) -> AcronymReader:
        return AcronymReader(self._scan)

    @cached_property
    def spelling(self) -> SpellingReader:
        return SpellingReader(CorpusWordCounts(self.index.vocab, self._scan), self._is_known_word)

    # ------------------------------------------------------------------------ the stage

    def read(
        self, text: str, config: RetrievalConfig, vocabulary: Vocabulary | None = None
    ) -> Query:
        """The Query for a validated question; ``vocabulary``: the words of the documents it
        is asked within (qa.query.vocabulary), None for the whole library's."""
        vocabulary = vocabulary or self.vocabularies.whole
        if self.e5 is not None:
            if is_non_latin(text):
                return self._read_other_script(text, config, vocabulary)
            language = (
                other_language(text, is_english_word, self.words.__contains__)
                if config.detect_language
                else ""
            )
            if language:  # French, German, ...: across languages, its words left as written
                return self._read_other_script(text, config, vocabulary, language)
        return self._read_english(text, config, vocabulary)

    def _read_english(self, text: str, config: RetrievalConfig, vocabulary: Vocabulary) -> Query:
        topic = topic_of(text)  # "does the document mention X?" looks up X
        lookup, readings = self.in_corpus_words(topic, config)
        read_as = {r.word: r.read_as for r in readings}
        terms = self.query_terms(lookup)
        # an acronym kept beside its spelling ("IPR (intellectual property rights)") is no
        # unseen word of documents that only spell it out
        read = {w.lower() for w in read_as}
        unseen = [w for w in self.unseen_words(lookup, vocabulary) if w not in read]
        expanded = self.expansions(unseen, self.words.vectors(unseen), config, vocabulary)
        expansion_terms = [t for words in expanded.values() for t in words]
        if config.expansion_per_word <= 0:
            expansion_terms = []  # expansion off: the unseen words still tell foreign_words
        vocab = vocabulary.stems
        return Query(
            text=text,
            language=script_language(text),
            topic=topic,
            lookup=lookup,
            readings=readings,
            terms=tuple(terms),
            expansions=tuple((w, tuple(words)) for w, words in expanded.items()),
            expansion_terms=tuple(expansion_terms),
            keyword=self._is_keyword_query(text, topic, read_as, terms, config),
            foreign_words=tuple(w for w, words in expanded.items() if not words),
            term_coverage=sum(t in vocab for t in terms) / len(terms) if terms else 0.0,
        )

    def _read_other_script(
        self,
        text: str,
        config: RetrievalConfig,
        vocabulary: Vocabulary,
        language: str = "",
    ) -> Query:
        language = language or script_language(text)
        topic = chinese_topic(text)  # "计划是否提到知识产权保险？" looks up 知识产权保险
        q = self.e5.encode_queries([topic])[0]
        keyword = self._bridged_keyword(topic, q, config)
        if keyword:  # "电子商务" is the corpus's "e-commerce": look that up in English
            english = self._read_english(keyword, config, vocabulary)
            return Query(
                text=text,
                language=language,
                topic=topic,
                lookup=english.lookup,
                readings=(Reading(topic, keyword, "translation"),),
                terms=english.terms,
                expansions=english.expansions,
                expansion_terms=english.expansion_terms,
                keyword=english.keyword,
                foreign_words=english.foreign_words,
                term_coverage=english.term_coverage,
            )
        lacking: list[str] = []
        judged = self._is_short_keyword(topic, config) and config.literal_max_terms > 0
        if judged:  # a keyword ("区块链") is judged by its words, as English ones are
            lacking = self._words_the_corpus_lacks(topic, config)
        terms, source = self._cross_lingual_terms(q, topic, config)
        return Query(
            text=text,
            language=language,
            topic=topic,
            lookup=topic,
            terms=tuple(terms),
            keyword=bool(lacking),
            foreign_words=tuple(lacking),
            cross_lingual=True,
            term_source=source,
            vector=q,
        )

    # ------------------------------------------------------------------------ English words

    def in_corpus_words(
        self, text: str, config: RetrievalConfig
    ) -> tuple[str, tuple[Reading, ...]]:
        """The text with acronyms spelled out and typos fixed, in the corpus's words, and what
        was read as what: "SMEs" -> "small and micro enterprises", "laons" -> "loans"."""
        if not config.read_corpus_words:
            return text, ()
        text, acronyms = self.acronyms.expand(text, is_word=self._is_english)
        text, typos = self.spelling.correct(text)
        read_as = acronyms | typos
        why = {w: "typo" if w in typos else "acronym" for w in read_as}
        return text, tuple(Reading(w, r, why[w]) for w, r in read_as.items())

    def query_terms(self, text: str) -> list[str]:
        """BM25's stemmed words of the text, stopwords dropped."""
        return self.lexical.tokenize([text])[0]

    def unseen_words(self, text: str, vocabulary: Vocabulary | None = None) -> list[str]:
        """Words the corpus (or ``vocabulary``) never uses (after stemming): candidates for
        expansion. A two-capital acronym the corpus does not spell out ("AI", "EU") counts too:
        it names a topic, though content words are 3+ letters."""
        vocabulary = vocabulary or self.vocabularies.whole
        if vocabulary.vectors is None:
            return []
        stop = stopwords()
        acronyms = [t.lower() for t in _TWO_CAPITALS.findall(text) if t.lower() not in stop]
        words = content_words(text) + acronyms
        return [w for w in words if vocabulary.unseen(w, self.lexical.stem(w))]

    def expansions(
        self,
        unseen: list[str],
        vectors: np.ndarray,
        config: RetrievalConfig,
        vocabulary: Vocabulary | None = None,
    ) -> dict[str, list[str]]:
        """BM25 terms for each unseen word (given with their MiniLM vectors): the nearest corpus
        (or ``vocabulary``) words, stemmed; an empty list when none is close to it."""
        if not unseen:
            return {}
        vocabulary = vocabulary or self.vocabularies.whole
        neighbours = nearest_words(
            vectors,
            vocabulary.words,
            vocabulary.vectors,
            config.expansion_threshold,
            max(1, config.expansion_per_word),
        )
        return {
            word: [self.lexical.stem(w) for w in words]
            for word, words in zip(unseen, neighbours, strict=True)
        }

    def _is_keyword_query(
        self,
        question: str,
        topic: str,
        read_as: dict[str, str],
        terms: list[str],
        config: RetrievalConfig,
    ) -> bool:
        """A topic of a few words, each word read as a corpus word counting as one: "SMEs"
        and "R&D" are one topic word each, though "research and development" is three and
        "R&D" alone has no word BM25 keeps. ``terms`` are the BM25 terms of the topic as read
        (reused when nothing was read)."""
        unread = topic
        for word in read_as:  # whole tokens only: reading "IP" leaves "IPR" alone
            unread = re.sub(rf"(?<![\w&]){re.escape(word)}(?![\w&])", " ", unread)
        topical = topic != question or not unread.strip(" ?.!") or only_topic_words(unread)
        unread_terms = self.query_terms(unread) if read_as else terms
        n_terms = len(set(unread_terms)) + len(read_as)
        return topical and 0 < n_terms <= config.literal_max_terms

    def _is_known_word(self, word: str) -> bool:
        """A word of the corpus or an English word: never read as a typo."""
        return self.lexical.stem(word) in self.lexical.vocab or self._is_english(word)

    def _is_english(self, word: str) -> bool:
        """A common English word (the table's, no file read) or one of the English word list."""
        return word in self.words or is_english_word(word)

    # ------------------------------------------------------------------------ other scripts

    def _is_short_keyword(self, topic: str, config: RetrievalConfig) -> bool:
        """A non-English topic short enough to be one concept ("电子商务", "区块链")."""
        return len(topic.strip()) <= config.bridge_max_chars

    def _bridged_keyword(self, topic: str, q: np.ndarray, config: RetrievalConfig) -> str:
        """The corpus's word(s) for a short non-English keyword, or "" when none stands out.

        A lone concept has one corpus word clearly nearest by e5: "电子商务" e-commerce .903,
        "展会" exhibitions .893, "保险" insurance .903. Below .88 the nearest word is often
        wrong ("审查" ensure .877, "药品" products .870) or the corpus lacks the concept ("区块链"
        .840), and no full question on the dev splits came near. Such a keyword is then looked
        up in English, where the keyword rules apply.
        """
        if self.index.vocab_e5 is None or not self._is_short_keyword(topic, config):
            return ""
        sims = self.index.vocab_e5 @ q
        order = np.argsort(-sims)[:3]
        if sims[order[0]] < config.bridge_min:
            return ""
        near = [self.index.vocab[i] for i in order if sims[i] >= sims[order[0]] - config.bridge_gap]
        return " ".join(near)

    def _cross_lingual_terms(
        self, q: np.ndarray, topic: str, config: RetrievalConfig
    ) -> tuple[list[str], str]:
        """The corpus's BM25 terms a non-English question stands for, and where they came from.

        First the dictionary's English for the question's words ("行业自律" -> industry,
        self-discipline: see qa/query/chinese_dictionary.py). When it gives no corpus word, the
        corpus words whose e5 vectors are nearest the question: "知识产权保险的试点范围会扩大吗？"
        reaches "insurance" and "risk" (before the dictionary, dev Chinese MRR .829 -> .872).
        """
        if config.dictionary_weight > 0:
            known = self._corpus_stems(self._dictionary().english_words(topic))
            if known:
                return known, "dictionary"
        if self.index.vocab_e5 is None or config.cross_lexical_weight <= 0:
            return [], "words"
        nearest = np.argsort(-(self.index.vocab_e5 @ q))[: config.cross_lexical_words]
        stems = {self.lexical.stem(self.index.vocab[i]) for i in nearest}
        return sorted(t for t in stems if t in self.lexical.vocab), "nearest"

    def _corpus_stems(self, words: list[str]) -> list[str]:
        """The corpus's BM25 terms for dictionary words, with their en-/em- verbs: CC-CEDICT
        glosses "托管" as "trust" and "强制" as "force", where the bundled plan writes
        "entrustment" and "enforcement" (dev Chinese questions: hit@W400 .964 -> 1.000, MRR
        .936 -> .953)."""
        stems = {self.lexical.stem(w) for w in words}
        verbs = {prefix + stem for stem in stems for prefix in ("en", "em")}
        return sorted((stems | verbs) & self.lexical.vocab)

    def _words_the_corpus_lacks(self, text: str, config: RetrievalConfig) -> list[str]:
        """Words of a non-English keyword with no sense whose English words are all corpus
        words or close to one: "区块链 (blockchain)", "加密货币 (cryptocurrency)". The English
        keyword rule, read through the dictionary."""
        lacking = []
        vocab = self.lexical.vocab
        for word, senses in self._dictionary().readings(text):
            unknown = {w for s in senses for w in s if self.lexical.stem(w) not in vocab}
            if not senses or not unknown:
                continue
            found = list(unknown)
            close = self.expansions(found, self.words.vectors(found), config)
            if not any(all(w not in unknown or close[w] for w in s) for s in senses):
                lacking.append(f"{word} ({', '.join(senses[0][:3])})")
        return lacking

    def _dictionary(self) -> ChineseDictionary:
        if self._chinese is None:
            self._chinese = bundled_dictionary() or ChineseDictionary({}, 1)
        return self._chinese
