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
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from qa.atomic import atomic_write
from qa.index.npy_io import load_npy, npy_bytes
from qa.ingest.chunking import SECTION_SEP
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

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if self._words is None:
            self._words = [""] * len(self._vocab)
            for word, number in self._vocab.items():
                self._words[number] = word
        if i < 0:
            i += len(self)
        words = self._words
        return [words[t] for t in self.ids[self.starts[i] : self.starts[i + 1]].tolist()]


def bm25_text(passage: Passage) -> str:
    """The text BM25 indexes: the item title is searchable too (it names the topic of
    continuation passages).

    Example: a passage under "1. Crops" reads "1. Crops\\n——Grow wheat in spring. ..."
    """
    title = passage.section.split(SECTION_SEP)[-1] if passage.section else ""
    return f"{title}\n{passage.text}"


def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


class LexicalIndex:
    """BM25 scores of every passage for stemmed query terms."""

    def __init__(self, bm25: bm25s.BM25, passage_terms: Sequence[list[str]]):
        self.bm25 = bm25
        self.vocab: frozenset[str] = frozenset(bm25.vocab_dict)  # bm25s adds "" to it
        if not isinstance(passage_terms, TermLists):
            passage_terms = TermLists.encode(list(passage_terms), bm25.vocab_dict)
        self.passage_terms = passage_terms
        self._stemmer = _stemmer()

    @classmethod
    def build(cls, passages: list[Passage]) -> LexicalIndex:
        """Tokenize (stopwords dropped, stemmed) and index the passages."""
        import bm25s

        texts = [bm25_text(p) for p in passages]
        tokens = bm25s.tokenize(texts, stopwords="en", stemmer=_stemmer(), show_progress=False)
        bm25 = bm25s.BM25()
        bm25.index(tokens, show_progress=False)
        word_of = {i: w for w, i in tokens.vocab.items()}
        return cls(bm25, [[word_of[i] for i in ids] for ids in tokens.ids])

    def __len__(self) -> int:
        return len(self.passage_terms)

    def extended(self, passages: list[Passage]) -> LexicalIndex:
        """The model over the indexed passages and these new ones: the old passages' terms are
        reused as they are (not tokenized again), the BM25 statistics computed over all."""
        import bm25s

        old = self.passage_terms
        vocab = dict(self.bm25.vocab_dict)
        new = self.tokenize([bm25_text(p) for p in passages])
        ids = [row.tolist() for row in np.split(np.asarray(old.ids), np.asarray(old.starts)[1:-1])]
        ids = ids if len(old) else []
        ids += [[vocab.setdefault(w, len(vocab)) for w in terms] for terms in new]
        bm25 = bm25s.BM25()
        bm25.index(bm25s.tokenization.Tokenized(ids=ids, vocab=vocab), show_progress=False)
        if bm25.vocab_dict != vocab:
            raise ValueError("bm25s renumbered the vocabulary; build the model from scratch")
        flat = np.array([t for row in ids for t in row], dtype=np.int32)
        starts = np.concatenate([[0], np.cumsum([len(row) for row in ids])]).astype(np.int64)
        return LexicalIndex(bm25, TermLists(flat, starts, bm25.vocab_dict))

    def stem(self, word: str) -> str:
        """The English Snowball stem. Example: stem("loans") -> "loan"."""
        return self._stemmer.stemWord(word)

    def tokenize(self, texts: list[str]) -> list[list[str]]:
        """BM25's stemmed terms of each text, stopwords dropped, in order."""
        import bm25s

        return bm25s.tokenize(
            texts, stopwords="en", stemmer=self._stemmer, show_progress=False, return_ids=False
        )

    def scores(self, terms: list[str]) -> np.ndarray:
        """The BM25 score of every passage; terms not in the corpus are ignored (all zeros
        when none is in it). A term given twice counts twice."""
        known = [t for t in terms if t in self.vocab]
        return self.bm25.get_scores(known) if known else np.zeros(len(self))

    # ------------------------------------------------------------------------ saving

    def files(self) -> dict[str, bytes]:
        """Every file of the model, by name: what ``save`` writes."""
        with tempfile.TemporaryDirectory(prefix="bm25-") as tmp:
            self.bm25.save(tmp, show_progress=False, **_BM25_NAMES)
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
        import bm25s

        with tempfile.TemporaryDirectory(prefix="bm25-") as tmp:
            for name in _BM25_NAMES.values():  # bm25s reads a folder: 15 MB in a large library
                data = files[name]
                (Path(tmp) / name).write_bytes(
                    data if isinstance(data, bytes) else data.read_bytes()
                )
            bm25 = bm25s.BM25.load(tmp, show_progress=False, allow_pickle=False, **_BM25_NAMES)
        terms = TermLists(
            load_npy(files[TERMS_FILE]), load_npy(files[TERM_STARTS_FILE]), bm25.vocab_dict
        )
        if bm25.scores["num_docs"] != len(terms):
            raise ValueError(
                f"{TERMS_FILE} lists {len(terms)} passages, the BM25 model "
                f"{bm25.scores['num_docs']}; save the model again"
            )
        return cls(bm25, terms)
