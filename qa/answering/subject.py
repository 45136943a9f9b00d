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
import unicodedata
from dataclasses import dataclass
from functools import cache

from qa.ingest.words import content_words
from qa.query.acronyms import spells_out, typed_acronyms
from qa.query.english import word_frequency

# Words that say what kind of answer is wanted, not what it is about.
TYPE_WORDS = frozenset(
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
MIN_ROOT = 6  # letters a stem keeps when its final "i" goes (stem_word)


@dataclass(frozen=True)
class Subject:
    """The terms a sentence must hold to be about what the question asks (empty: no check)."""

    words: tuple[str, ...] = ()  # content words, any one of which (stemmed) is enough
    numbers: tuple[str, ...] = ()  # every one must be there
    acronyms: tuple[str, ...] = ()  # words typed in capitals: spelled out, they count too

    def __bool__(self) -> bool:
        return bool(self.words or self.numbers)


def subject_of(
    question: str, context: list[str], top: int = 1, parts: bool = True, acronyms: bool = True
) -> Subject:
    """The question's ``top`` rarest content words that the context passages use, and its
    naming numbers. ``parts``: a hyphenated word of the passages also uses each of its parts
    ("copyright-format" uses "copyright"; False only for the ablation). ``acronyms``: an
    acronym the question types in capitals is used where the context spells it out, and a
    sentence that spells it out holds it.

    Example: subject_of("On what date was version 4 of the licence released?",
    ["Version 3 was released on 29 June 2007."]) -> words ("released",), numbers ("4",)
    """
    stem = stem_word
    used = set().union(*(sentence_stems(text, parts) for text in context))
    typed = typed_acronyms(question) if acronyms else frozenset()
    candidates = []
    for word in dict.fromkeys(content_words(question)):
        if word in not_subject_words():
            continue
        if stem(word) not in used and not (word in typed and any(spells_out(t, word) for t in context)):
            continue
        candidates.append((word_frequency(word), word))
    words = tuple(w for _, w in sorted(candidates)[:top])
    return Subject(words, naming_numbers(question), tuple(w for w in words if w in typed))


@cache
def not_subject_words() -> frozenset[str]:
    """Words a question is never about: those naming the kind of answer, and function words."""
    return TYPE_WORDS | function_words()


@cache
def function_words() -> frozenset[str]:
    """Prepositions, pronouns and auxiliaries ("under", "once", "out", "own"; bm25s' longer
    English list): the content-word list keeps them for retrieval, but a question is never
    *about* "under"."""
    from qa.ingest.stopword_lists import bm25s_stopwords

    return frozenset(bm25s_stopwords("STOPWORDS_EN_PLUS"))


def naming_numbers(question: str) -> tuple[str, ...]:
    """The numbers that name something in a question ("version 4", "Perl 6", "2.0"; not
    "by 2020").

    Example: naming_numbers("When was version 4 released?") -> ("4",)
    """
    return tuple(n for n in _NAMING_NUMBER.findall(question) if not _YEAR.match(n))


def holds_number(sentence: str, number: str) -> bool:
    """Whether the sentence says that very number ("4" is not in "14" nor in "4.1")."""
    return bool(re.search(rf"(?<![\d.]){re.escape(number)}(?![\d])", sentence))


def about(sentence: str, subject: Subject, parts: bool = True) -> bool:
    """Whether a sentence holds the subject: one of its words (an acronym the question types
    also when the sentence spells it out) and all of its numbers.

    Example: about("Version 3, 29 June 2007", Subject(("version",), ("4",))) -> False
    """
    stem = stem_word
    if subject.words:
        held = sentence_stems(sentence, parts) & {stem(w) for w in subject.words}
        if not held and not any(spells_out(sentence, a) for a in subject.acronyms):
            return False
    return all(holds_number(sentence, n) for n in subject.numbers)


def sentence_stems(text: str, parts: bool = True) -> frozenset[str]:
    """The stems of a text's words and, with ``parts``, of each part of its hyphenated words:
    "copyright-format" holds "copyright" and "format" (a question about "the copyright format"
    is about that word, whichever way the document joins it).

    Example: "copyright" in sentence_stems("See copyright-format/1.0/.") -> True
    """
    stem = stem_word
    out = set()
    for word in re.findall(r"[a-z][\w'’-]*", without_accents(text.lower())):
        word = re.sub(r"['’]s?$", "", word)  # "contributor's" is about the contributor
        out.add(stem(word))
        if parts and "-" in word:
            out.update(stem(part) for part in word.split("-") if part)
    return frozenset(out)


def stem_word(word: str) -> str:
    """The English root of one lower-case word ("applications" -> "applic"): its Snowball
    stem, less the final "i" Snowball makes of a "-y" when MIN_ROOT letters or more are left
    of it, so that a word and its adjective meet ("economy" "econom(i)", "economic" "econom";
    "history", "historic"; "policy" stays "polici", apart from "police" "polic").

    Example: stem_word("economy") == stem_word("economic") -> True
    """
    stem = _stemmer().stemWord(without_accents(word))
    return stem[:-1] if len(stem) >= MIN_ROOT + 1 and stem.endswith("i") else stem


def without_accents(text: str) -> str:
    """The text with its letters' accents dropped: a question typed "cafe" or "resume" asks
    about the document's "café" and "résumé".

    Example: without_accents("le café à Zürich") -> 'le cafe a Zurich'
    """
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@cache
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")
