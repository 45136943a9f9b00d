"""Read a misspelt question word as the corpus word it was meant to be: "laons" -> "loans".

A typo hides a word from BM25 and blurs it for MiniLM; in a keyword query it made the word one
"the documents never use", so "pledge laons" and "counterfiet goods" were declined. A word is read
as a corpus word only when it is neither a corpus word nor an English word (qa.query.english) and
one corpus word is within one edit, a swap of neighbouring letters counting as one. Then
"collateral", an English word the bundled plan does not use, is left alone, and so are derived words
("unprotected", "pledgee", "patentees") and short words, where one edit is too often another
word. Two edits were allowed for long words once: they read "reworking" as
"reporting".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

_WORD = re.compile(r"[A-Za-z]+")
MIN_LETTERS = 5
MAX_EDITS = 1
# Each lookup scans every corpus word; a long junk question must not cost seconds.
MAX_LOOKUPS_PER_QUESTION = 8
CACHE_SIZE = 4096


@dataclass
class SpellingReader:
    """Corrects question words against one corpus's words, remembering each answer."""

    # corpus word -> how often the corpus uses it; or what counts them, called on the first
    # word that may be a typo (counting scans the whole corpus: seconds for a large library)
    counts: Counter[str] | Callable[[], Counter[str]]
    is_known: Callable[[str], bool]  # a corpus or English word: never a typo
    _choices: tuple[str, ...] | None = field(default=None, init=False, repr=False)
    _fixed: dict[str, str] = field(init=False, repr=False, default_factory=dict)

    def _corpus(self) -> tuple[Counter[str], tuple[str, ...]]:
        if self._choices is None:
            if callable(self.counts):
                self.counts = self.counts()
            self._choices = tuple(self.counts)
        return self.counts, self._choices

    def correction(self, word: str) -> str:
        """The corpus word ``word`` was meant to be, lowercase; "" when there is none or it is
        no typo. Closest first, then the word the corpus uses most."""
        word = word.lower()
        return self._remembered(word) if self._may_be_typo(word) else ""

    def _may_be_typo(self, word: str) -> bool:
        """Lowercase ``word`` is long enough to guess at and no known word."""
        return len(word) >= MIN_LETTERS and not self.is_known(word)

    def _remembered(self, word: str) -> str:
        if word not in self._fixed:
            if len(self._fixed) >= CACHE_SIZE:
                self._fixed.clear()
            self._fixed[word] = self._closest(word)
        return self._fixed[word]

    def _closest(self, word: str) -> str:
        """A scan of every corpus word: the cost ``correct`` bounds per question."""
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        counts, choices = self._corpus()
        found = process.extract(
            word, choices, scorer=OSA.distance, score_cutoff=MAX_EDITS, limit=None
        )
        best = min(found, key=lambda f: (f[1], -counts[f[0]], f[0]), default=None)
        return best[0] if best else ""

    def correct(self, question: str) -> tuple[str, dict[str, str]]:
        """The question with its typos replaced by corpus words, and what was replaced. Only
        the first MAX_LOOKUPS_PER_QUESTION candidate words are looked up.

        Example: correct("pledge laons") -> ("pledge loans", {"laons": "loans"}) on the bundled plan.
        """
        read: dict[str, str] = {}
        candidates = 0

        def replace(m: re.Match) -> str:
            nonlocal candidates
            word = m.group(0)
            if not self._may_be_typo(word.lower()):
                return word
            candidates += 1
            fix = self._remembered(word.lower()) if candidates <= MAX_LOOKUPS_PER_QUESTION else ""
            if not fix:
                return word
            read[word] = fix
            return fix

        return _WORD.sub(replace, question), read
