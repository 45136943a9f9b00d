"""Is this an English word? The question readers (qa.query.acronyms, qa.query.spelling) must not "fix" one.

The MiniLM vocabulary's 21k whole words missed plurals and rarer words, so "vases" was read as
the initials of "value analysis standards and evaluation" and "unprotected" was corrected to
"protected". pyspellchecker ships a 160k-word English list (frequencies from subtitles) inside
its wheel: offline, and loaded (about 0.1 s) only when a question has a word to check.
"""

from __future__ import annotations

from functools import cache


@cache
def _checker():
    from spellchecker import SpellChecker

    return SpellChecker(language="en", distance=1)


def is_english_word(word: str) -> bool:
    """Whether ``word`` (any case) is in the English word list.

    Example: is_english_word("vases") -> True; is_english_word("smes") -> False
    """
    return bool(word) and word.lower() in _checker()


def word_frequency(word: str) -> int:
    """How often a word occurs in the list's English (0 for a word it does not hold: a name,
    a term); the answer-type check reads a question's rarest word as its subject.

    Example: word_frequency("version") > word_frequency("mozilla")
    """
    return _checker().word_frequency[word.lower()] if word else 0
