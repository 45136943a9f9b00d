"""Settings: every default lives here, and nowhere else (CLI and app read them from here)."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from qa.errors import ConfigError

# the source checkout; kept for tools run from a clone, never a default for data (an installed
# package lives in site-packages, which is no place to write an index or feedback)
REPO_ROOT = Path(__file__).resolve().parents[1]
MAX_QUESTION_CHARS = 2000
# e5 for every passage costs ~49 min per 65k passages on 2 cores; 10k keeps a library of a few
# hundred documents (the 100x scale corpus: 7.4k passages) fully multilingual
E5_MAX_PASSAGES = 10_000
# below this many passages a removed file's library is built again rather than retiring its rows
# (a full build from the vector cache takes seconds there; qa.index.retire)
RETIRE_MIN_PASSAGES = 10_000
LOCK_TIMEOUT = 600.0  # seconds a second `qa index` waits for the first before it gives up


def data_home() -> Path:
    """Where corpus/, index/ and feedback/ live by default: $QA_HOME, else the working folder
    (so `python app.py` in a clone uses the clone's corpus/ and index/).

    Example: with QA_HOME=/srv/qa, data_home() -> /srv/qa
    """
    home = os.environ.get("QA_HOME")
    return Path(home).expanduser().absolute() if home else Path.cwd()


def default_feedback_path() -> Path:
    """Where the app appends thumbs up/down: $QA_FEEDBACK, else <data home>/feedback/feedback.jsonl."""
    if os.environ.get("QA_FEEDBACK"):
        return Path(os.environ["QA_FEEDBACK"]).expanduser().absolute()
    return data_home() / "feedback" / "feedback.jsonl"


@dataclass(frozen=True)
class ChunkingConfig:
    """How documents are cut into passages; stored in the manifest so a change forces a rebuild."""

    target_words: int = 70  # 70/120 beat 90/130, 55/80, 60/90, 80/110 on the dev split
    max_words: int = 120
    # one sentence is cut only past this (MiniLM reads 256 word pieces, about 190 English words):
    # a long legal sentence stays whole, so its evidence is never split between two passages
    sentence_max_words: int = 160
    # v2: CRLF paragraphs; v3: long sentences are cut; v4: provisions; v5: underlined headings,
    # rules dropped, a lead-in ending in ":" kept with its list; v6: editorial notes, addresses
    # and sentence pieces are no headings, a contents list heads nothing; v7: "Mr." and initials
    # end no sentence; v8: "1.5 Modifications" is numbered too; v9: numbered clauses ("3.1 copy,
    # publish ...;") are no headings, a contents list closes what precedes it, "Inc." ends no title;
    # v10: "4.1" nests under "4."; v11: Roman parts hold "1." sections, fields, bulleted items and
    # captions are no headings; v12: a document's title heads all of it; v13: short lines ending
    # as sentences, with would/could/can/might, commands and addresses are no titles; v14: date
    # and version stamps ("Version 1.0", "Last updated: 9 October 2018") and footnotes neither;
    # v15: a numbered heading glued to the paragraph before it is a block of its own; v16: a
    # copyright notice is no heading, nor is a title page's author or publisher; v17: a title
    # over its version and address lines in one paragraph is the title; v18: in a document that
    # marks its section headings ("## Fees"), a line only its shape makes a title is content;
    # v19: a table of contents' entry ("1 Introduction . . . . 1") is no heading; v20: a text
    # file's byte-order mark is no part of its first block ("\ufeff# Title" is a heading); v21: a
    # table's row ("Vessel: Boat | Fee: 10") is no title line, so no label either
    version: str = "chunk v21"


@dataclass(frozen=True)
class RetrievalConfig:
    """Fusion weights and the abstention threshold, calibrated on eval/dev.jsonl."""

    # first stage: the top N passages of each first-stage retriever (MiniLM via FAISS, BM25,
    # e5) are the candidates every later scorer scores; N >= the passages scores them all
    candidates: int = 100
    # copies of one text in several documents count once in a ranking (qa.retrieval.copies)
    collapse_copies: bool = True
    dense_weight: float = 0.7
    bm25_weight: float = 0.2
    expansion_threshold: float = 0.6  # query words the corpus lacks -> nearest corpus words
    expansion_per_word: int = 3  # (0 turns expansion off)
    token_weight: float = (
        1.0  # token-level MaxSim of MiniLM token vectors (qa/index/token_vectors.py)
    )
    phrase_weight: float = 0.2  # exact multi-word names (query word pairs found in a passage)
    heading_weight: float = 0.1  # a passage whose own heading the question names in full
    quoted_weight: float = 0.2  # a passage holding the question's "quoted phrase" (when one does)
    sentence_weight: float = 0.7  # passage score = mix of its own cosine and its best sentence's
    e5_weight: float = 1.0  # e5 on English questions (finds paraphrases MiniLM misses)
    e5_below: float = 0.6  # ...only when the best MiniLM sentence cosine is below this
    feedback_sentences: int = 5  # cross-lingual pseudo-feedback (see Retriever._cross_lingual)
    feedback_weight: float = 0.5
    cross_sentence_weight: float = 0.2  # best-sentence share in cross-lingual passage scores
    # an index without e5 vectors (Settings.e5_max_passages): e5 embeds this many of a
    # cross-lingual question's best candidates when it is asked (40-110 ms each on 2 cores)
    e5_on_demand: int = 24
    # ...reading each one's first this many words (0 = all), a trade of quality for time: at
    # 1,000x, 40 words kept the Chinese dev + dev2 rows' hit@W400 (.857) in 62% of the time but
    # cost the test rows' hit@W150 (.929 -> .857; README "A large library")
    e5_on_demand_words: int = 0
    # ...and for an unsure English question asked within a few documents, e5 embeds this many
    # best candidates and their sentences for its second opinion (qa.retrieval.e5_opinion)
    e5_opinion_passages: int = 3
    cross_lexical_words: int = 7  # corpus words nearest a non-English question (e5), for BM25
    cross_lexical_weight: float = 0.2  # ...and their weight beside e5 and feedback (0 = off)
    # BM25 over the dictionary's English for a Chinese question's words (qa/query/chinese_dictionary.py;
    # used instead of e5's nearest words when it finds corpus words): .4 and .5 beat .2-1.0 on
    # the 54 dev Chinese questions (hit@W150 .889 -> .963, MRR .824 -> .941)
    dictionary_weight: float = 0.4
    read_corpus_words: bool = (
        True  # acronyms and typos read as corpus words (qa/query/acronyms.py, ...)
    )
    bridge_min: float = 0.88  # a short non-English keyword whose nearest corpus word (e5) is this
    bridge_gap: float = 0.02  # ...close is looked up in English as that word (and any within gap)
    bridge_max_chars: int = 8  # ...keywords this short only
    # a Latin-script question in another language (qa/query/language.py) goes the e5 way
    detect_language: bool = True
    # among many documents, each candidate gains this times its document's support (the mean
    # of the document's best document_depth candidate scores; qa.retrieval.documents)
    document_weight: float = 0.0
    document_depth: int = 3
    # among many documents, the cosine of the question to each candidate's document (the mean
    # of its passage vectors) joins the fusion with this weight (qa.retrieval.documents); off:
    # at 1,000x it helped the bundled document's dev rows and cost the other documents' (README)
    document_topic_weight: float = 0.0
    # a question that names a kind of document ("does the plan ...", "in the licence") asks
    # within the documents whose title or file name is of that kind (qa.retrieval.designated)
    designated_documents: bool = True
    # ...and one named by its name before the kind ("the Apache License", "the CDDL") asks
    # within the documents of that kind whose title or file name holds the name
    named_documents: bool = True
    # a question asked within a few documents (named by kind, or `--doc`; at most
    # qa.retrieval.scope.SCORE_ALL passages) is read against their words, not the library's:
    # unseen words, expansions and term coverage as if they were the library (qa.query.vocabulary)
    scope_vocabulary: bool = True
    topic_documents: int = 0  # the passages nearest the question in its nearest documents...
    topic_passages: int = 20  # ...this many per document, join the candidates
    length_penalty: float = 0.04  # share of the top score taken per 70 words of a passage
    headings_last: bool = True  # a bare heading ranks after every passage with content
    merge_depth: int = 5  # adjacent passages of one item both in the top 5 become one hit
    merge_max_words: int = 170  # ...up to this size (merge_depth 0 turns merging off)
    min_score: float = 0.35
    # ...raised by this where e5 cannot give its English second opinion (a library above
    # QA_E5_MAX_PASSAGES): among 1,000x the text, an off-topic question's best sentence is
    # closer by chance (the plan's dev rows at 1,000x: declined .56 -> .84, answerable declined
    # 0 -> .012; README "Declining in a large library")
    min_score_raise_without_e5: float = 0.10
    min_e5_score: float = 0.78
    min_e5_english: float = 0.81
    lexical_coverage: float = 0.5  # share of question terms found in the corpus that vetoes e5
    literal_max_terms: int = 3  # keyword queries this short are judged by their words:
    literal_depth: int = 3  # ...answered when one sentence of the top passages holds them all
    # quoted sentences: share of their passage's score (.5 beat .3-.7 on dev and dev2 once item
    # titles were no longer quoted: dev F1 .374 -> .376, evidence .941 -> .959; dev2 .237 -> .241,
    # .841 -> .856)
    answer_passage_weight: float = 0.5
    type_check_depth: int = 3  # passages searched for the kind of answer a question asks for
    # the asked kind counts only in a sentence holding the question's rarest content word(s)
    # used by the passages (and its naming numbers: "version 4"); 0 turns the check off
    subject_words: int = 1
    type_kinds_apart: bool = True  # False: any number answers a date, amount, version question
    # issue 17, declining what a document does not say (bench/ablate.py "decline" rows):
    # "who wrote/maintains X?" asks for a person's or an organisation's name, "which court?"
    # for a court's or a place's
    name_questions: bool = True
    # "how many X?" is answered by a count that stands near an X ("two requirements" does not
    # answer "how many applications ...?")
    counted_words: bool = True
    # a value given as an example ("(e.g., 2.0.0 ...)") answers nothing
    examples_answer: bool = False
    # the value's sentence must hold this share of the question's idf-weighted content words
    # (qa.answering.coverage); 0 turns it off
    value_coverage: float = 0.5
    # ...where a question word counts as held by a sentence word this close to it in MiniLM's
    # single-word vectors (qa.answering.coverage): "disputes" ~ "litigation" .756, "growing" ~
    # "growth" .827; not "patent" ~ "trademark" .527, "shortfall" ~ "deficit" .321; 0: off
    close_words: float = 0.75
    # a hyphenated word ("copyright-format") holds its parts for the subject rule
    subject_word_parts: bool = True
    # an acronym the question types ("GPL") is held where a sentence spells it out
    acronyms_spelled: bool = True
    # two questions in one ("which versions count, and what must I attach?"): a value answers
    # the part asking for its kind, and must cover that part's words, not the whole's
    value_clause: bool = True


@dataclass(frozen=True)
class AnswerConfig:
    """How many passages to show and how many sentences to quote."""

    k: int = 5
    max_sentences: int = 3
    relative_cut: float = (
        0.93  # with answer_passage_weight .4, dev: F1 .329 -> .367, evidence .734 -> .858
    )


@dataclass(frozen=True)
class VectorStoreSpec:
    """Where the passage vectors are searched: embedded FAISS (a file in the index folder) or a
    Qdrant collection, local (``path``: a folder, one process at a time) or a server (``url``).
    The API key never appears here: only the environment variable or file that holds it."""

    backend: str = "faiss"  # "faiss" | "qdrant"
    path: str | None = None  # Qdrant local mode: its storage folder
    url: str | None = None  # Qdrant server or cluster, e.g. http://qdrant:6333
    api_key_env: str | None = None  # environment variable holding the server's API key
    api_key_file: str | None = None  # or a file holding it
    # each build writes a new collection named <prefix>-<build id>; default prefix from the folder
    collection_prefix: str | None = None
    shards: int | None = None  # a new collection's shard number (None: the server's default)
    replicas: int | None = None  # and its replication factor (local mode ignores both)

    def to_manifest(self) -> dict:
        """The manifest's "vector_store" entry (only what is set; the store adds its collection)."""
        return {k: v for k, v in self.__dict__.items() if v is not None}

    @classmethod
    def from_manifest(cls, entry: dict | None) -> VectorStoreSpec:
        """The spec a manifest recorded; an index from before backends existed used FAISS."""
        entry = entry or {}
        return cls(**{k: entry.get(k) for k in cls.__dataclass_fields__ if k in entry})


def _passages_from_env(variable: str) -> int:
    """A whole number of passages from the environment, or a ConfigError that says so."""
    raw = os.environ[variable]
    if not raw.isdigit():
        raise ConfigError(
            f"{variable} must be a whole number of passages, got {raw!r}; e.g. {variable}=10000"
        )
    return int(raw)


@dataclass(frozen=True)
class Settings:
    # resolved when Settings is made (not at import), from $QA_HOME or the working folder
    corpus_dir: Path = field(default_factory=lambda: data_home() / "corpus")
    index_dir: Path = field(default_factory=lambda: data_home() / "index")
    feedback_path: Path = field(default_factory=default_feedback_path)
    encoder_dir: Path | None = None  # where the ONNX export lives; default index_dir/encoder
    cache_dir: Path | None = None  # per-document vectors (qa.index.vector_cache); default index_dir/cache
    use_e5: bool = True
    # e5 vectors for every passage up to this many passages (e5 costs ~5x MiniLM to index);
    # above, e5 scores each cross-lingual question's candidates at query time. QA_E5_MAX_PASSAGES
    e5_max_passages: int = E5_MAX_PASSAGES
    # a removed or changed file retires its rows (qa.index.retire) in a library of at least this
    # many passages; a smaller one is built again (seconds). QA_RETIRE_MIN_PASSAGES
    retire_min_passages: int = RETIRE_MIN_PASSAGES
    chunking: ChunkingConfig = field(default_factory=ChunkingConfig)
    retrieval: RetrievalConfig = field(default_factory=RetrievalConfig)
    answer: AnswerConfig = field(default_factory=AnswerConfig)
    max_question_chars: int = MAX_QUESTION_CHARS
    lock_timeout: float = LOCK_TIMEOUT  # see qa.atomic.index_lock
    # None: the backend the index's manifest records (FAISS for a new index); `qa index --backend`
    vector_store: VectorStoreSpec | None = None

    @classmethod
    def from_env(cls, **overrides) -> Settings:
        """Defaults (under $QA_HOME or the working folder), then QA_CORPUS_DIR / QA_INDEX_DIR /
        QA_ENCODER_DIR / QA_LOCK_TIMEOUT, then explicit overrides (None = unset)."""
        s = cls()
        env: dict = {}
        if os.environ.get("QA_LOCK_TIMEOUT"):
            raw = os.environ["QA_LOCK_TIMEOUT"]
            try:
                env["lock_timeout"] = float(raw)
            except ValueError:
                raise ConfigError(
                    f"QA_LOCK_TIMEOUT must be a number of seconds, got {raw!r}; e.g. QA_LOCK_TIMEOUT=600"
                ) from None
        for variable, key in (
            ("QA_E5_MAX_PASSAGES", "e5_max_passages"),
            ("QA_RETIRE_MIN_PASSAGES", "retire_min_passages"),
        ):
            if os.environ.get(variable):
                env[key] = _passages_from_env(variable)
        if os.environ.get("QA_CORPUS_DIR"):
            env["corpus_dir"] = Path(os.environ["QA_CORPUS_DIR"])
        if os.environ.get("QA_INDEX_DIR"):
            env["index_dir"] = Path(os.environ["QA_INDEX_DIR"])
        if os.environ.get("QA_ENCODER_DIR"):
            env["encoder_dir"] = Path(os.environ["QA_ENCODER_DIR"])
        given = {k: v for k, v in overrides.items() if v is not None}
        for key in ("corpus_dir", "index_dir", "encoder_dir", "feedback_path"):
            if key in given:
                given[key] = Path(given[key])
        return replace(s, **{**env, **given})

    @property
    def encoder_path(self) -> Path:
        return Path(self.encoder_dir) if self.encoder_dir else Path(self.index_dir) / "encoder"

    @property
    def cache_path(self) -> Path:
        return Path(self.cache_dir) if self.cache_dir else Path(self.index_dir) / "cache"


def add_location_args(parser: argparse.ArgumentParser) -> None:
    """--corpus and --index-dir, shared by the CLI and the web app."""
    parser.add_argument(
        "--corpus",
        metavar="DIR",
        help="corpus folder (default: ./corpus, $QA_HOME/corpus or $QA_CORPUS_DIR)",
    )
    parser.add_argument(
        "--index-dir",
        metavar="DIR",
        help="index folder (default: ./index, $QA_HOME/index or $QA_INDEX_DIR)",
    )
