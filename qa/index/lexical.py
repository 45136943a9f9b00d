"""The BM25 model over the passages, with English Snowball stemming, saved with the index.

Files (bm25s's own ``save`` / ``load``, arrays with ``allow_pickle=False``; no pickle):

    bm25-params.index.json         k1, b, method, dtype, number of passages
    bm25-vocab.index.json          stemmed term -> column
    bm25-data.csc.index.npy        the passage x term score matrix, CSC
    bm25-indices.csc.index.npy
    bm25-indptr.csc.index.npy
    bm25-terms.npy                 each passage's stemmed terms in order (stopwords dropped), as
    bm25-term-starts.npy           int32 columns of the vocabulary, and where each passage's begin

``files()`` gives their bytes so qa.index.store writes them atomically and checksums them in
the manifest; ``from_files()`` reads the checked bytes back. The terms were a 22 MB JSON list
in a large library, half a second of every cold start; as ids a passage's terms are read when
it is first a candidate.

bm25s holds and saves the model, its scores computed over whole arrays (qa.index.bm25_build);
answering never imports it: the saved matrix is scored as
it lies (qa.index.bm25_matrix), and questions are split into terms here as bm25s splits
passages (tests/test_lexical.py holds the two to the same terms and scores).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from qa.atomic import atomic_write
from qa.index.bm25_build import FlatTermIds, indexed_model
from qa.index.bm25_matrix import Bm25Matrix
from qa.index.npy_io import load_npy, npy_bytes
from qa.index.ranges import concatenated_ranges
from qa.ingest.chunking import SECTION_SEP
from qa.ingest.stopword_lists import bm25s_stopwords
from qa.types import Passage

if TYPE_CHECKING:
    import bm25s

# bm25s's file names, each with our prefix so they sit plainly among the other index files
_BM25_NAMES = {
    "params_name": "bm25-params.index.json",
    "vocab_name": "bm25-vocab.index.json",
    "data_name": "bm25-data.csc.index.npy",
    "indices_name": "bm25-indices.csc.index.npy",
    "indptr_name": "bm25-indptr.csc.index.npy",
}
TERMS_FILE = "bm25-terms.npy"
TERM_STARTS_FILE = "bm25-term-starts.npy"
FILES = (*_BM25_NAMES.values(), TERMS_FILE, TERM_STARTS_FILE)
_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # bm25s.tokenize's default, after scikit-learn


class TermLists(Sequence[list[str]]):
    """Each passage's terms, decoded from vocabulary ids when asked: ``terms[i]`` is a list."""

    def __init__(self, ids: np.ndarray, starts: np.ndarray, vocab: dict[str, int]):
        if starts.ndim != 1 or not len(starts) or starts[0] != 0 or starts[-1] != len(ids):
            raise ValueError("passage term starts do not cover the term ids")
        if len(ids) and (ids.min() < 0 or ids.max() >= len(vocab)):
            raise ValueError("passage terms name ids outside the BM25 vocabulary")
        self.ids, self.starts, self._vocab = ids, starts, vocab
        self._words: list[str] | None = None

    @classmethod
    def encode(cls, terms: list[list[str]], vocab: dict[str, int]) -> TermLists:
        counts = np.array([len(t) for t in terms], dtype=np.int64)
        starts = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        ids = np.array([vocab[w] for t in terms for w in t], dtype=np.int32)
        return cls(ids, starts, vocab)

    def __len__(self) -> int:
        return len(self.starts) - 1

    def __eq__(self, other) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]

    @property
    def names(self) -> list[str]:
        """Each vocabulary id's term, made on first use."""
        if self._words is None:
            self._words = [""] * len(self._vocab)
            for word, number in self._vocab.items():
                self._words[number] = word
        return self._words

    def ids_of(self, passages: np.ndarray) -> np.ndarray:
        """The term ids of these passages, one after the other."""
        starts = np.asarray(self.starts)
        return np.asarray(self.ids)[concatenated_ranges(starts[passages], starts[passages + 1])]

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        words = self.names
        return [words[t] for t in self.ids[self.starts[i] : self.starts[i + 1]].tolist()]


def bm25_text(passage: Passage) -> str:
    """The text BM25 indexes: the item title is searchable too (it names the topic of
    continuation passages).

    Example: a passage under "1. Crops" reads "1. Crops\\n——Grow wheat in spring. ..."
    """
    title = passage.section.split(SECTION_SEP)[-1] if passage.section else ""
    return f"{title}\n{passage.text}"


def numbered(
    old: FlatTermIds, vocab: dict[str, int], terms: list[list[str]]
) -> tuple[FlatTermIds, dict[str, int]]:
    """The held passages' term ids followed by the new passages' terms, numbered in a copy of
    ``vocab`` (a word it lacks takes the next number)."""
    vocab = dict(vocab)
    new = np.array([vocab.setdefault(w, len(vocab)) for words in terms for w in words], np.int64)
    counts = np.array([len(words) for words in terms], np.int64)
    ids = np.concatenate([np.asarray(old.ids, np.int64), new])
    starts = np.concatenate([old.starts, old.starts[-1] + np.cumsum(counts)]).astype(np.int64)
    return FlatTermIds(ids, starts), vocab


def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


class LexicalIndex:
    """BM25 scores of every passage for stemmed query terms."""

    def __init__(
        self,
        matrix: Bm25Matrix,
        passage_terms: Sequence[list[str]],
        settings: dict[str, bytes] | None = None,
        bm25: bm25s.BM25 | None = None,
    ):
        """``bm25``: the bm25s model just indexed, which saves the files; else ``settings``,
        the parameter and vocabulary files a loaded model was read from, which it writes back
        with its arrays as held (not as the folder may hold them by then)."""
        if settings is None and bm25 is None:
            raise ValueError("a BM25 model needs its bm25s model or its saved settings")
        self.matrix = matrix
        self.vocab: frozenset[str] = frozenset(matrix.vocab)  # bm25s adds "" to it
        if not isinstance(passage_terms, TermLists):
            passage_terms = TermLists.encode(list(passage_terms), matrix.vocab)
        self.passage_terms = passage_terms
        self._settings, self._bm25 = settings, bm25
        self._stemmer = _stemmer()

    @classmethod
    def _indexed(cls, terms: FlatTermIds, vocab: dict[str, int]) -> LexicalIndex:
        """bm25s's model of passages given as term ids of ``vocab``, its scores computed over
        whole arrays (qa.index.bm25_build; bm25s adds "", the term of an empty passage, to that
        very dict when it lacks it)."""
        bm25 = indexed_model(terms, vocab)
        if bm25.vocab_dict != vocab:
            raise ValueError("bm25s renumbered the vocabulary; build the model from scratch")
        matrix = Bm25Matrix.from_bm25(bm25)
        ids, starts = terms.ids.astype(np.int32), terms.starts.astype(np.int64)
        return cls(matrix, TermLists(ids, starts, bm25.vocab_dict), bm25=bm25)

    @classmethod
    def build(cls, passages: list[Passage]) -> LexicalIndex:
        """Tokenize (stopwords dropped, stemmed) and index the passages."""
        none = FlatTermIds(np.zeros(0, np.int32), np.zeros(1, np.int64))
        return cls._from_terms(none, {}, tokenize([bm25_text(p) for p in passages], _stemmer()))

    @classmethod
    def _from_terms(
        cls, old: FlatTermIds, vocab: dict[str, int], terms: list[list[str]]
    ) -> LexicalIndex:
        """The model over passages already numbered (``old``, ids of ``vocab``) and new ones."""
        return cls._indexed(*numbered(old, vocab, terms))

    def __len__(self) -> int:
        return len(self.passage_terms)

    def extended(self, passages: list[Passage]) -> LexicalIndex:
        """The model over the indexed passages and these new ones: the old passages' terms are
        reused as they are (not tokenized again), the BM25 statistics computed over all."""
        old = self.passage_terms
        held = FlatTermIds(np.asarray(old.ids), np.asarray(old.starts, np.int64))
        new = self.tokenize([bm25_text(p) for p in passages])
        return self._from_terms(held, self.matrix.vocab, new)

    def stem(self, word: str) -> str:
        """The English Snowball stem. Example: stem("loans") -> "loan"."""
        return self._stemmer.stemWord(word)

    def stems(self, words: list[str]) -> list[str]:
        """Each word's stem, in one call (a library's 37,000 words in 0.1 s)."""
        return self._stemmer.stemWords(words)

    def tokenize(self, texts: list[str]) -> list[list[str]]:
        """BM25's stemmed terms of each text, stopwords dropped, in order."""
        return tokenize(texts, self._stemmer)

    def scores(self, terms: list[str]) -> np.ndarray:
        """The BM25 score of every passage; terms not in the corpus are ignored (all zeros
        when none is in it). A term given twice counts twice."""
        known = [t for t in terms if t in self.vocab]
        return self.matrix.scores(known) if known else np.zeros(len(self))

    # ------------------------------------------------------------------------ saving

    def files(self) -> dict[str, bytes]:
        """Every file of the model, by name: what ``save`` writes."""
        if self._bm25 is None:
            m, names = self.matrix, _BM25_NAMES
            out = {
                **self._settings,
                names["data_name"]: npy_bytes(m.data),
                names["indices_name"]: npy_bytes(m.indices),
                names["indptr_name"]: npy_bytes(m.indptr),
            }
        else:
            with tempfile.TemporaryDirectory(prefix="bm25-") as tmp:
                self._bm25.save(tmp, show_progress=False, **_BM25_NAMES)
                out = {name: (Path(tmp) / name).read_bytes() for name in _BM25_NAMES.values()}
        out[TERMS_FILE] = npy_bytes(self.passage_terms.ids)
        out[TERM_STARTS_FILE] = npy_bytes(self.passage_terms.starts)
        return out

    def save(self, folder: Path) -> dict[str, bytes]:
        """Write the files into ``folder`` atomically; returns them by name."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        files = self.files()
        for name, data in files.items():
            atomic_write(folder / name, data)
        return files

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        """Read a model saved by ``save``. Raises ValueError when its parts disagree."""

        folder = Path(folder)
        return cls.from_files({name: (folder / name).read_bytes() for name in FILES})

    @classmethod
    def from_files(cls, files: dict[str, bytes | Path]) -> LexicalIndex:
        """Read the model from its files' bytes (already checked against a manifest; a large
        file may be given as its path, memory-mapped). Raises ValueError when parts disagree."""
        names = _BM25_NAMES
        settings = {names[k]: _read(files[names[k]]) for k in ("params_name", "vocab_name")}
        matrix = Bm25Matrix.from_files(
            settings[names["params_name"]],
            settings[names["vocab_name"]],
            files[names["data_name"]],
            files[names["indices_name"]],
            files[names["indptr_name"]],
        )
        terms = TermLists(
            load_npy(files[TERMS_FILE]), load_npy(files[TERM_STARTS_FILE]), matrix.vocab
        )
        if matrix.passages != len(terms):
            raise ValueError(
                f"{TERMS_FILE} lists {len(terms)} passages, the BM25 model "
                f"{matrix.passages}; save the model again"
            )
        return cls(matrix, terms, settings=settings)


def tokenize(texts: list[str], stemmer) -> list[list[str]]:
    """Each text's stemmed terms in order, stopwords dropped: bm25s.tokenize's split (lower
    case, words of two or more characters, its English stopwords), without importing bm25s.

    Example: tokenize(["The loans of enterprises"], _stemmer()) -> [["loan", "enterpris"]]
    """
    if isinstance(texts, str):  # as bm25s.tokenize takes one text
        texts = [texts]
    stop = frozenset(bm25s_stopwords("STOPWORDS_EN"))
    return [
        stemmer.stemWords([w for w in _TOKEN.findall(text.lower()) if w not in stop])
        for text in texts
    ]


def _read(data: bytes | Path) -> bytes:
    return data if isinstance(data, bytes) else Path(data).read_bytes()
