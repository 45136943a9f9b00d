"""Which language a Latin-script question is in: English goes to the English path, a question
in French, German, Spanish, ... to the multilingual (e5) path, where the typo reader does not
rewrite its words into English corpus words.

Two checks must agree, because a short English query often looks foreign to a detector alone
(lingua's fast mode calls "IP insurance pilots" French at .86 and "Will it rain in Shanghai this
weekend?" French at 1.0): fewer than ``max_english_share`` of its words (acronyms aside) are in
an English word list, and lingua names another language with at least ``min_confidence``.
Lingua's low-accuracy models load in ~0.1 s, only when the first check already says "not
English"; without the package every Latin-script question is English.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

_WORD = re.compile(r"[^\W\d_]+")

# Latin-script languages lingua tells apart from English (more languages, more false alarms)
LANGUAGES = ("FRENCH", "GERMAN", "SPANISH", "ITALIAN", "PORTUGUESE", "DUTCH")


@lru_cache(maxsize=1)
def _detector():
    try:
        from lingua import Language, LanguageDetectorBuilder
    except ImportError:
        return None
    languages = [Language.ENGLISH, *(getattr(Language, name) for name in LANGUAGES)]
    return LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()


def english_share(text: str, is_english: Callable[[str], bool]) -> tuple[float, int]:
    """The share of the text's words (acronyms aside) that are English words, and their count.

    Example: english_share("Wer ist zuständig?", is_english) -> (0.0, 3)
    """
    words = [w.lower() for w in _WORD.findall(text) if not w.isupper()]
    if not words:
        return 1.0, 0
    return sum(map(is_english, words)) / len(words), len(words)


def other_language(
    text: str,
    is_english: Callable[[str], bool],
    is_common: Callable[[str], bool] | None = None,
    min_words: int = 3,
    min_common_share: float = 0.8,
    max_english_share: float = 0.7,
    min_confidence: float = 0.7,
) -> str:
    """The ISO 639-1 code of a question's language when it is not English ("fr", "de"), else "".

    ``is_common`` is a cheaper check tried first (common words, no word list to load): two
    thirds of the English eval questions have ``min_common_share`` of such words, and no French,
    German, Spanish, Italian, Portuguese or Dutch question written to test this had over half.

    Example: other_language("Wie werden kleine Unternehmen unterstützt?", is_english) -> "de"
    """
    if is_common is not None:
        share, n = english_share(text, is_common)
        if n < min_words or share >= min_common_share:
            return ""
    share, n = english_share(text, is_english)
    if n < min_words or share >= max_english_share:
        return ""
    detector = _detector()
    if detector is None:
        return ""
    best = detector.compute_language_confidence_values(text)[0]
    if best.language.name == "ENGLISH" or best.value < min_confidence:
        return ""
    return best.language.iso_code_639_1.name.lower()
