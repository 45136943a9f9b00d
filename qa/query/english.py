"""Is this an English word? The question readers (qa.query.acronyms, qa.query.spelling) must not "fix" one.

The MiniLM vocabulary's 21k whole words missed plurals and rarer words, so "vases" was read as
the initials of "value analysis standards and evaluation" and "unprotected" was corrected to
"protected". pyspellchecker ships a 160k-word English list (frequencies from subtitles) inside
its wheel: offline. Its SpellChecker takes 0.2-0.35 s to load (a JSON parse, then tables a
spelling corrector needs and this does not), paid by a cold `qa ask` with an uncommon word. The
list is one JSON object, one ``"word": frequency,`` per line, sorted by word: a binary search
over its lines finds a word in microseconds after a 20 ms decompression. A list in any other
layout is read whole with json (as SpellChecker would).
"""

from __future__ import annotations

import gzip
import json
import pkgutil
import re
from bisect import bisect_left
from functools import cache, lru_cache
from itertools import pairwise

import numpy as np

_LINE = re.compile(rb'"([^"\\]*)": (\d+),?')
SAMPLED_LINES = 200  # lines checked for order on load; a test checks every line


class WordList:
    """Words and their frequencies, lowercase; ``data`` the list's JSON text."""

    def __init__(self, data: bytes):
        text = np.frombuffer(data, np.uint8)
        starts = np.flatnonzero(text == ord("\n")) + 1
        starts = starts[starts < len(data)]
        self._data = data
        self._starts = starts[text[starts] == ord('"')].tolist()  # the lines of words
        self._whole: dict[str, int] | None = None
        if not self._sorted_one_per_line():  # words told apart by case only count as one
            self._whole = {}
            for word, count in json.loads(data).items():
                key = word.lower()
                self._whole[key] = self._whole.get(key, 0) + count

    def _key(self, line: int) -> bytes:
        start = self._starts[line] + 1
        return self._data[start : self._data.index(b'"', start)]

    def _sorted_one_per_line(self) -> bool:
        n = len(self._starts)
        if n < 2 or not self._data.startswith(b"{\n"):
            return False
        sample = sorted({round(i * (n - 1) / SAMPLED_LINES) for i in range(SAMPLED_LINES + 1)})
        if not all(_LINE.fullmatch(self._line(i)) for i in sample):
            return False
        keys = [self._key(i) for i in sample]
        return all(a < b and a == a.lower() for a, b in pairwise(keys))

    def _line(self, i: int) -> bytes:
        end = self._data.find(b"\n", self._starts[i])
        return self._data[self._starts[i] : end if end >= 0 else len(self._data)]

    def frequency(self, word: str) -> int:
        """The word's frequency in the list, 0 when it is not in it."""
        word = word.lower()
        if self._whole is not None:
            return self._whole.get(word, 0)
        key = word.encode("utf-8", "surrogatepass")
        i = bisect_left(range(len(self._starts)), key, key=self._key)
        if i < len(self._starts) and self._key(i) == key:
            return int(_LINE.fullmatch(self._line(i)).group(2))
        return 0


@cache
def _english() -> WordList:
    return WordList(gzip.decompress(pkgutil.get_data("spellchecker", "resources/en.json.gz")))


@lru_cache(maxsize=65536)
def word_frequency(word: str) -> int:
    """How often a word occurs in the list's English (0 for a word it does not hold: a name,
    a term); the answer-type check reads a question's rarest word as its subject.

    Example: word_frequency("version") > word_frequency("mozilla")
    """
    return _english().frequency(word) if word else 0


def is_english_word(word: str) -> bool:
    """Whether ``word`` (any case) is in the English word list.

    Example: is_english_word("vases") -> True; is_english_word("smes") -> False
    """
    return word_frequency(word) > 0
