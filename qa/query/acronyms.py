"""Read a question's acronyms in the corpus's own words: "SMEs" -> "small and micro enterprises".

People write "SMEs", "R&D" or "IPR"; a document often spells them out and never uses the short form.
BM25 cannot match the acronym, MiniLM matches it weakly, and the keyword rule declined "SMEs" as
a word the documents never use. The corpus itself says what an acronym stands for: a run of its words
whose initials spell it ("small and micro enterprises" spells S-M-E, skipping "and"). No
dictionary is needed, so this works on any corpus. Pure functions, no model.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from functools import lru_cache

from qa.ingest.words import stopwords
from qa.query.corpus_scan import CorpusScan

# An acronym as people type it: 2-6 capitals, "&" allowed inside, an optional plural "s" or
# possessive "'s" (read away with it); or in lowercase, 3-5 letters or two around "&"
# ("smes", "ipr", "r&d"; "me" is a word).
_ANY_ACRONYM = re.compile(
    r"(?<![\w&])(?:([A-Z](?:&?[A-Z]){1,5})(s|['’]s)?|([a-z](?:&[a-z]|(?:&?[a-z]){2,4})))(?![\w&])"
)
_WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*|&")  # "research & development" spells R&D
# Words an expansion may skip inside it ("research AND development", "rule OF law").
_LINKS = frozenset({"and", "of", "for", "in", "on", "&"})  # not "the", "to": verb phrases
_AND = frozenset({"and", "&"})
# Each new acronym walks the corpus's words: a junk question must not cost seconds.
MAX_LOOKUPS_PER_QUESTION = 8
CACHE_SIZE = 4096
# A run of words ends at punctuation: an expansion never crosses a comma or a full stop.
_RUN_BREAK = re.compile(r"[^A-Za-z\-\s&]+")


# ---- pure helpers


def acronym_readings(token: str) -> list[str]:
    """The letters an acronym may spell, lowercase, "&" kept; [] for no acronym.

    Example: acronym_readings("SMEs") -> ["sme"]; acronym_readings("SMES") -> ["smes", "sme"]
    """
    m = _ANY_ACRONYM.fullmatch(token)
    if not m:
        return []
    letters = (m.group(1) or m.group(3)).lower()
    if m.group(2) or len(letters) < 3 or not letters.endswith("s"):
        return [letters]
    return [letters, letters[:-1]]  # "SMES", "smes": a plural typed in one case


def spelled_by(words: list[str], letters: str, links: bool = True) -> int:
    """How many of ``words`` (from the start) spell ``letters`` by their initials; 0 when they
    do not. With ``links``, a linking word may sit between two letters; an "&" in ``letters``
    must be an "and". Each part of a hyphenated word may carry a letter or ride on the first
    ("state-owned enterprises" and "medium-sized" both work).

    Example: spelled_by(["small", "and", "micro", "enterprises", "will"], "sme") -> 4
    """

    def carries(word: str, letter: str) -> bool:
        return word[0].lower() == letter and word.lower() not in stopwords()

    def match(i: int, n: int) -> int:  # words[i:] must spell letters[n:]
        if n == len(letters):
            return i
        if letters[n] == "&":
            return match(i + 1, n + 1) if i < len(words) and words[i].lower() in _AND else 0
        candidates = [i]
        if links and n > 0 and i < len(words) and words[i].lower() in _LINKS:
            candidates.append(i + 1)  # one linking word between two letters
        for j in candidates:
            if j >= len(words):
                continue
            parts = words[j].split("-")
            for used in range(1, len(parts) + 1):  # the word's first `used` parts carry letters
                if n + used > len(letters):
                    break
                if all(carries(part, letters[n + k]) for k, part in enumerate(parts[:used])):
                    end = match(j + 1, n + used)
                    if end:
                        return end
        return 0

    return match(0, 0)


@lru_cache(maxsize=256)  # read again for every sentence a question's value is checked in
def typed_acronyms(question: str) -> frozenset[str]:
    """The letters of the acronyms a question types in capitals, 3 or more letters, lowercase
    ("GPL", "SMEs"; not "IT" or "US": two capitals match a text's initials by chance).

    Example: typed_acronyms("Which GPL versions count?") -> frozenset({"gpl"})
    """
    out = set()
    for m in _ANY_ACRONYM.finditer(question):
        if m.group(1) and "&" not in m.group(1):
            out.update(r for r in acronym_readings(m.group(0)) if len(r) >= 3)
    return frozenset(out)


def spells_out(text: str, letters: str) -> bool:
    """Whether a run of the text's words spells ``letters`` by their initials: a sentence
    that says "the GNU General Public License" holds "GPL".

    Example: spells_out("either the GNU General Public License, Version 2.0", "gpl") -> True
    """
    for run in word_runs(text):
        for i, word in enumerate(run):
            if word[0].lower() == letters[0] and spelled_by(run[i : i + 2 * len(letters)], letters):
                return True
    return False


def word_runs(text: str) -> list[list[str]]:
    """The text's words, cut into runs at punctuation."""
    return [_WORD.findall(run) for run in _RUN_BREAK.split(text) if run.strip()]


# ---- the corpus searched as bytes (qa.query.corpus_scan: ASCII letters lowercased)

_LETTERS = re.compile(r"[a-z]+")
_WORD_BYTES = re.compile(rb"[a-z]+(?:-[a-z]+)*|&")  # _WORD, lowercase
_RUN_BREAK_BYTES = re.compile(rb"[^a-z\-\s&]")  # _RUN_BREAK, lowercase
_GAP = rb"[\s\-&]+"  # what parts two words of a run ("&" is a word, a link)


@lru_cache(maxsize=CACHE_SIZE)
def _whole_word(word: bytes) -> re.Pattern[bytes]:
    """``word`` as a whole word of _WORD_BYTES (literal first: a search skips ahead fast)."""
    w = re.escape(word)
    return re.compile(w + rb"(?<![a-z]" + w + rb")(?<![a-z]-" + w + rb")(?![a-z])(?!-[a-z])")


def _may_spell(letters: str) -> re.Pattern[bytes]:
    """Where a word starts with letters[0] and the next word (or the word's next part, or
    the word after a linking word) starts with letters[1]: every start spelled_by can accept,
    and few others, so only those are read word by word.

    Example: _may_spell("sme") finds the "s" of "small and micro", not of "small business"."""
    first, second = re.escape(letters[0].encode()), re.escape(letters[1].encode())
    start = first + rb"(?<![a-z]" + first + rb")(?<![a-z]-" + first + rb")"
    if letters[1] == "&":
        return re.compile(start + rb"(?=[a-z]*(?:-[a-z]+)*[\s\-]*(?:&|and))")
    links = rb"(?:(?:and|of|for|in|on)" + _GAP + rb")?"
    return re.compile(
        start + rb"(?=[a-z]*(?:-" + second + rb"|(?:-[a-z]+)*" + _GAP + links + second + rb"))"
    )


# ---- the table


class AcronymReader:
    """Finds what each acronym stands for in one corpus, remembering answers per acronym.

    Each lookup searches the corpus's text (qa.query.corpus_scan) for what it needs: no table is
    built at start or on the first acronym, so `qa ask` over a large library stays quick."""

    def __init__(self, scan: CorpusScan):
        self._scan = scan
        self._found: dict[str, str] = {}
        self._known: dict[str, bool] = {}

    @classmethod
    def from_texts(cls, texts: list[str]) -> AcronymReader:
        return cls(CorpusScan(texts))

    def is_corpus_word(self, word: str) -> bool:
        """Whether the corpus uses lowercase ``word`` as a word of its own: "IT" or "PLEDGE"
        is no acronym. A hyphenated word is one word ("ip" is not in "ip-based")."""
        if word not in self._known:
            if len(self._known) >= CACHE_SIZE:
                self._known.clear()
            self._known[word] = bool(_LETTERS.fullmatch(word)) and self._scan.search(
                _whole_word(word.encode("ascii"))
            )
        return self._known[word]

    def expansion(self, letters: str) -> str:
        """The commonest run of corpus words spelling ``letters``, lowercase; "" if none.

        Two initials match by chance too often ("IT" read as "import trade", "US" as
        "universities and scientific"), so a two-letter acronym must be two adjacent words found
        at least three times, unless an "&" (as in "R&D") says it is an acronym.
        """
        if letters not in self._found:
            if len(self._found) >= CACHE_SIZE:
                self._found.clear()
            weak = len(letters) == 2
            counts: Counter[str] = Counter()
            for m in self._scan.finditer(_may_spell(letters)):
                words = self._scan.words_from(
                    m.start(), _WORD_BYTES, _RUN_BREAK_BYTES, 2 * len(letters)
                )
                length = spelled_by(words, letters, links=not weak)
                if length:
                    counts[" ".join(words[:length])] += 1
            best = counts.most_common(1)
            self._found[letters] = best[0][0] if best and (not weak or best[0][1] >= 3) else ""
        return self._found[letters]

    def expand(
        self, question: str, is_word: Callable[[str], bool] = lambda w: False
    ) -> tuple[str, dict[str, str]]:
        """The question with each acronym the corpus spells out replaced by its expansion,
        and what was replaced. A question of several words, all in capitals, is left alone.

        People type acronyms in lowercase too ("smes", "ipr"): a short lowercase word counts
        when it is no word at all, neither a corpus word nor one ``is_word`` knows (common
        English), so "cost" is never read as initials.

        Example: expand("How are SMEs helped?") -> ("How are small and micro enterprises
        helped?", {"SMEs": "small and micro enterprises"}) on the bundled plan.
        """
        if len(question.split()) > 1 and not re.search(r"[a-z]", question):
            return question, {}  # "WHAT ABOUT PLEDGE" is shouting, not acronyms
        read: dict[str, str] = {}
        candidates = 0

        def replace(m: re.Match) -> str:
            nonlocal candidates
            token = m.group(0)
            lower = token.lower()
            if lower in stopwords() or (token.islower() and is_word(lower)):  # "cost", "bank"
                return token
            if self.is_corpus_word(lower):  # "PLEDGE", "IT", "US"
                return token
            candidates += 1
            if candidates > MAX_LOOKUPS_PER_QUESTION:  # each lookup walks the corpus
                return token
            for short in acronym_readings(token):
                if short in stopwords() or self.is_corpus_word(short):
                    return token
                words = self.expansion(short)
                if words:
                    read[token] = words
                    return words
            return token

        return _ANY_ACRONYM.sub(replace, question), read


def reading_note(read: dict[str, str]) -> str:
    """Tells the user how their acronyms (and typos, qa.query.spelling) were read, so a wrong
    reading is visible.

    Example: reading_note({"SMEs": "small and micro enterprises"})
    -> 'Read "SMEs" as "small and micro enterprises".'
    """
    parts = [f'"{short}" as "{long}"' for short, long in read.items()]
    return f"Read {' and '.join(parts)}." if parts else ""
