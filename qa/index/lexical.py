"""The BM25 model over the passages, with English Snowball stemming, saved with the index.

Files (bm25s's own ``save`` / ``load``, arrays with ``allow_pickle=False``; no pickle):

    bm25-params.index.json         k1, b, method, dtype, number of passages
    bm25-vocab.index.json          stemmed term -> column
    bm25-data.csc.index.npy        the passage x term score matrix, CSC
    bm25-indices.csc.index.npy
    bm25-indptr.csc.index.npy
    bm25-terms.json                each passage's stemmed terms in order (stopwords dropped)

``files()`` gives their bytes so qa.index.store writes them atomically and checksums them in
the manifest; ``from_files()`` reads the checked bytes back.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from qa.atomic import atomic_write
from qa.index import fast_json
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
TERMS_FILE = "bm25-terms.json"
FILES = (*_BM25_NAMES.values(), TERMS_FILE)


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

    def __init__(self, bm25: bm25s.BM25, passage_terms: list[list[str]]):
        self.bm25 = bm25
        self.vocab: frozenset[str] = frozenset(bm25.vocab_dict)  # bm25s adds "" to it
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
        out[TERMS_FILE] = json.dumps(self.passage_terms, ensure_ascii=False).encode("utf-8")
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
        import bm25s

        folder = Path(folder)
        bm25 = bm25s.BM25.load(folder, show_progress=False, allow_pickle=False, **_BM25_NAMES)
        terms = fast_json.loads((folder / TERMS_FILE).read_bytes())
        if not isinstance(terms, list) or bm25.scores["num_docs"] != len(terms):
            raise ValueError(
                f"{folder / TERMS_FILE} lists {len(terms)} passages, the BM25 model "
                f"{bm25.scores['num_docs']}; save the model again"
            )
        return cls(bm25, terms)

    @classmethod
    def from_files(cls, files: dict[str, bytes]) -> LexicalIndex:
        """Read the model from the bytes of its files (already checked against a manifest)."""
        with tempfile.TemporaryDirectory(prefix="bm25-") as tmp:
            for name in FILES:
                (Path(tmp) / name).write_bytes(files[name])
            return cls.load(Path(tmp))
