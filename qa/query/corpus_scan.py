"""The corpus's text, searched when a question needs it, so the question readers build no table.

The acronym and typo readers (qa.query.acronyms, qa.query.spelling) once read every word of the
corpus into tables on their first question: 5-7 s for a 20 MB library, paid again by every
`qa ask` whose question held an acronym. What one question needs (is "ip" a corpus word? where do
words start with "s" then "m"?) a byte pattern finds in 20 MB in 10-150 ms.

The text is one bytes string: UTF-8, ASCII letters lowercased (the readers' words are ASCII
letters, and bytes.lower() changes nothing else, so a search is case-blind at bytes speed),
Unicode spaces made ASCII spaces first (a no-break space parts words as ``\\s`` does in a str
pattern), documents joined by a full stop so that no run of words crosses from one to the next.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from functools import cached_property
from itertools import islice

# Every character str.isspace() knows that a bytes pattern's \s does not: they are all below U+3001.
_OTHER_SPACES = re.compile(
    "["
    + "".join(
        re.escape(c) for c in map(chr, range(0x3001)) if c.isspace() and c not in " \t\n\r\v\f"
    )
    + "]"
)
_SEPARATORS = bytes.maketrans(bytes(range(0x1C, 0x20)), b" " * 4)  # str.isspace(), not \s
DOCUMENT_BREAK = b"\n.\n"


class CorpusScan:
    """One corpus's text as lowercased bytes, made on the first search (0.3 s for 20 MB)."""

    def __init__(self, texts: Sequence[str]):
        self._texts = texts

    @cached_property
    def _joined(self) -> tuple[bytes, list[int]]:
        parts = [
            t.encode()
            if t.isascii()
            else _OTHER_SPACES.sub(" ", t).encode("utf-8", "surrogatepass")
            for t in self._texts
        ]  # an ASCII text's only other spaces are \x1c-\x1f, translated below (0.28 -> 0.16 s)
        starts, at = [], 0
        for part in parts:
            starts.append(at)
            at += len(part) + len(DOCUMENT_BREAK)
        return DOCUMENT_BREAK.join(parts).translate(_SEPARATORS).lower(), starts

    @property
    def data(self) -> bytes:
        return self._joined[0]

    def document_at(self, offset: int) -> int:
        """The number of the document (in the order given) that holds byte ``offset``."""
        return bisect_right(self._joined[1], offset) - 1

    def _span(self, document: int) -> tuple[int, int]:
        """Where document number ``document`` starts and ends in ``data``."""
        data, starts = self._joined
        last = document + 1 == len(starts)
        return starts[document], len(data) if last else starts[document + 1] - len(DOCUMENT_BREAK)

    def holds(self, pattern: re.Pattern[bytes], document: int) -> bool:
        """Whether document number ``document`` holds a match of ``pattern``."""
        return pattern.search(self.data, *self._span(document)) is not None

    def near(self, pattern: re.Pattern[bytes], offset: int, reach: int) -> bool:
        """Whether ``pattern`` matches within ``reach`` bytes of ``offset`` in its document."""
        first, stop = self._span(self.document_at(offset))
        found = pattern.search(self.data, max(first, offset - reach), min(stop, offset + reach))
        return found is not None

    def search(self, pattern: re.Pattern[bytes]) -> bool:
        return pattern.search(self.data) is not None

    def finditer(self, pattern: re.Pattern[bytes]) -> Iterator[re.Match[bytes]]:
        return pattern.finditer(self.data)

    def count(self, pattern: re.Pattern[bytes]) -> int:
        return sum(1 for _ in pattern.finditer(self.data))

    def words_from(
        self, start: int, word: re.Pattern[bytes], run_end: re.Pattern[bytes], most: int
    ) -> list[re.Match[bytes]]:
        """Up to ``most`` words from ``start`` until the run ends (the first match of
        ``run_end``, which must not match inside a word), as matches in ``data``."""
        stop = run_end.search(self.data, start)
        end = stop.start() if stop else len(self.data)
        return list(islice(word.finditer(self.data, start, end), most))
