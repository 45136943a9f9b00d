"""What a question is about, so that a date or amount counts only when it is said *of* that.

"On what date was version 4 of the licence released?" is not answered by "Version 3, 29 June
2007": the passage holds a date, but not in a sentence about version 4. The subject of a
question is its most distinctive content word (the rarest in English, by pyspellchecker's word
frequencies; a word no English list holds, such as a name, is the rarest of all) among those the
passages use at all, plus every number that names something ("version 4", "Perl 6"). A typed
value answers only from a sentence that holds them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from qa.ingest.words import content_words
from qa.query.english import word_frequency

# Words that say what kind of answer is wanted, not what it is about.
_TYPE_WORDS = frozenset(
    "date dates day days year years month months week weeks time deadline deadlines long many "
    "much number numbers amount amounts percentage percent rate rates version versions name "
    "names person people city cities country countries place places province provinces total "
    "figure figures minimum maximum exact exactly often soon period periods duration size "
    "organisation organization company agency body head heads leads penalty penalties fine "
    "fines sum cost costs price value values according text document license licence policy "
    "speech format section article billion billions million millions thousand thousands "
    "hundred hundreds dollar dollars money".split()
)
# a number that names something: "version 4", "Perl 6", "2.0"; not "by 2020" or "in 1941"
_NAMING_NUMBER = re.compile(r"(?<![\w.])(?:\d+\.\d+(?:\.\d+)*|(?<=[A-Za-z] )\d+)(?![\w.]*\d)")
_YEAR = re.compile(r"^(?:1[5-9]|20)\d{2}$")


@dataclass(frozen=True)
class Subject:
    """The terms a sentence must hold to be about what the question asks (empty: no check)."""

    words: tuple[str, ...] = ()  # content words, any one of which (stemmed) is enough
    numbers: tuple[str, ...] = ()  # every one must be there

    def __bool__(self) -> bool:
        return bool(self.words or self.numbers)


def subject_of(question: str, context: list[str], top: int = 1) -> Subject:
    """The question's ``top`` rarest content words that the context passages use, and its
    naming numbers.

    Example: subject_of("On what date was version 4 of the licence released?",
    ["Version 3 was released on 29 June 2007."]) -> words ("released",), numbers ("4",)
    """
    stem = _stemmer().stemWord
    used = {stem(w) for text in context for w in re.findall(r"[a-z][\w'-]*", text.lower())}
    candidates = []
    for word in dict.fromkeys(content_words(question)):
        if word in _TYPE_WORDS or stem(word) not in used:
            continue
        candidates.append((word_frequency(word), word))
    words = tuple(w for _, w in sorted(candidates)[:top])
    numbers = tuple(
        n for n in _NAMING_NUMBER.findall(question) if not _YEAR.match(n)
    )
    return Subject(words, numbers)


def about(sentence: str, subject: Subject) -> bool:
    """Whether a sentence holds the subject: one of its words and all of its numbers.

    Example: about("Version 3, 29 June 2007", Subject(("version",), ("4",))) -> False
    """
    stem = _stemmer().stemWord
    if subject.words:
        stems = {stem(w) for w in re.findall(r"[a-z][\w'-]*", sentence.lower())}
        if not stems & {stem(w) for w in subject.words}:
            return False
    return all(re.search(rf"(?<![\d.]){re.escape(n)}(?![\d])", sentence) for n in subject.numbers)


@cache
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")
