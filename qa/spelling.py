"""Read a misspelt question word as the corpus word it was meant to be: "laons" -> "loans".

A typo hides a word from BM25 and blurs it for MiniLM; in a keyword query it made the word one
"the plan never uses", so "pledge laons" and "counterfiet goods" were declined. A word is read
as a corpus word only when it is neither a corpus word nor a common English word (the MiniLM
vocabulary's whole words) and one corpus word is within one edit (two for words of 9+ letters;
"startups" is two edits from "status"), a swap of neighbouring letters counting as one. Then "collateral", an English word the plan does
not use, is left alone, and so are short words, where one edit is too often another word.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

_WORD = re.compile(r"[A-Za-z]+")
MIN_LETTERS = 5


def max_edits(word: str) -> int:
    """Edits allowed between a typo and its corpus word.

    Example: max_edits("startups") -> 1; max_edits("examinaton") -> 2
    """
    return 1 if len(word) < 9 else 2


@dataclass
class SpellingReader:
    """Corrects question words against one corpus's words, remembering each answer."""

    counts: Counter[str]  # corpus word -> how often the corpus uses it
    is_known: Callable[[str], bool]  # a corpus or common English word: never a typo
    _choices: tuple[str, ...] = field(init=False, repr=False)
    _fixed: dict[str, str] = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._choices = tuple(self.counts)

    def correction(self, word: str) -> str:
        """The corpus word ``word`` was meant to be, lowercase; "" when there is none or it is
        no typo. Closest first, then the word the corpus uses most."""
        word = word.lower()
        if len(word) < MIN_LETTERS or self.is_known(word):
            return ""
        if word not in self._fixed:
            from rapidfuzz import process
            from rapidfuzz.distance import OSA

            found = process.extract(
                word,
                self._choices,
                scorer=OSA.distance,
                score_cutoff=max_edits(word),
                limit=None,
            )
            best = min(found, key=lambda f: (f[1], -self.counts[f[0]], f[0]), default=None)
            self._fixed[word] = best[0] if best else ""
        return self._fixed[word]

    def correct(self, question: str) -> tuple[str, dict[str, str]]:
        """The question with its typos replaced by corpus words, and what was replaced.

        Example: correct("pledge laons") -> ("pledge loans", {"laons": "loans"}) on the plan.
        """
        read: dict[str, str] = {}

        def replace(m: re.Match) -> str:
            fix = self.correction(m.group(0))
            if not fix:
                return m.group(0)
            read[m.group(0)] = fix
            return fix

        return _WORD.sub(replace, question), read
