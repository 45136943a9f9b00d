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
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from qa.query.corpus_scan import CorpusScan

_WORD = re.compile(r"[A-Za-z]+")
MIN_LETTERS = 5
MAX_EDITS = 1
# Each lookup scans every corpus word; a long junk question must not cost seconds.
MAX_LOOKUPS_PER_QUESTION = 8
CACHE_SIZE = 4096


@dataclass
class SpellingReader:
    """Corrects question words against one corpus's words, remembering each answer."""

    # corpus word -> how often the corpus uses it (CorpusWordCounts counts on demand); a word
    # counted 0 is no choice (an incremental index's vocabulary keeps removed documents' words)
    counts: Mapping[str, int]
    is_known: Callable[[str], bool]  # a corpus or English word: never a typo
    _choices: tuple[str, ...] | None = field(default=None, init=False, repr=False)
    _fixed: dict[str, str] = field(init=False, repr=False, default_factory=dict)

    def _corpus(self) -> tuple[Mapping[str, int], tuple[str, ...]]:
        if self._choices is None:
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
        ranked = sorted((f[1], -counts[f[0]], f[0]) for f in found)
        return next((word for _, minus_count, word in ranked if minus_count < 0), "")

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


class CorpusWordCounts(Mapping[str, int]):
    """The index's vocabulary, each word counted in the corpus's text when a typo's choices tie:
    counting every word of a 20 MB library at the first typo took 1.7 s. The count is of
    whole words, a word beside a hyphen or a Latin letter (UTF-8) being part of another; a
    capital outside ASCII is not lowercased, so such words count a little low."""

    def __init__(self, words: Sequence[str], scan: CorpusScan):
        self._words = words
        self._scan = scan
        self._counted: dict[str, int] = {}

    def __iter__(self) -> Iterator[str]:
        return iter(self._words)

    def __len__(self) -> int:
        return len(self._words)

    def __contains__(self, word: object) -> bool:
        return word in self._known

    @cached_property
    def _known(self) -> frozenset[str]:
        return frozenset(self._words)

    def __getitem__(self, word: str) -> int:
        if word not in self:
            raise KeyError(word)
        if word not in self._counted:
            if len(self._counted) >= CACHE_SIZE:
                self._counted.clear()
            self._counted[word] = self._scan.count(_content_word(word.encode("utf-8")))
        return self._counted[word]


# before and after a word: a letter of qa.ingest.words's content words (U+00C0-U+024F in UTF-8,
# made lowercase there) or a hyphen would make it part of another
_BEFORE = (rb"[a-z\-]", rb"\xc3[\x80-\xbf]", rb"[\xc4-\xc8][\x80-\xbf]", rb"\xc9[\x80-\x8f]")
_AFTER = rb"(?!" + rb"|".join(_BEFORE) + rb")"


def _content_word(word: bytes) -> re.Pattern[bytes]:
    """``word`` as a whole word, its letters first so a search skips ahead fast."""
    w = re.escape(word)
    return re.compile(w + b"".join(rb"(?<!" + b + w + rb")" for b in _BEFORE) + _AFTER)
