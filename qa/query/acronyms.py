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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from qa.ingest.stopword_lists import bm25s_stopwords
from qa.ingest.words import content_words, stopwords
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
# A question's other words may choose a rarer run spelling its acronym: counted within
# CONTEXT_REACH bytes (about a passage) of the run's places, a few in each of its documents.
CONTEXT_REACH = 400
CONTEXT_MARGIN = 2
DOCUMENTS_SAMPLED = 100
PLACES_PER_DOCUMENT = 3
MAX_CONTEXT_WORDS = 8
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
        return word[0].lower() == letter and word.lower() not in function_words()

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


@cache
def function_words() -> frozenset[str]:
    """Words that carry no letter of an acronym: an acronym's words are content words. In a
    library "SMEs" spelled "since my election", "IP" "its power" and "WTO" "way toward our"
    by chance. NLTK's English stopwords (bm25s's larger list: pronouns, determiners,
    auxiliaries, prepositions; no noun) and the question words."""
    return stopwords() | frozenset(bm25s_stopwords("STOPWORDS_EN_PLUS"))


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


@lru_cache(maxsize=CACHE_SIZE)
def _word_start(word: bytes) -> re.Pattern[bytes]:
    """A word that begins as ``word`` does, most of its ending dropped: "loans" finds
    "loan", "supported" finds "support"."""
    w = re.escape(word[: max(4, len(word) - 3)])
    return re.compile(w + rb"(?<![a-z]" + w + rb")")


def _defines(letters: str) -> re.Pattern[bytes]:
    """The acronym in brackets right after a run: "Intellectual Property Rights (IPR)"."""
    return re.compile(rb"[ \t]*[(\[][ \t]*" + re.escape(letters.encode()) + rb"s?[ \t]*[)\]]")


def _may_spell(letters: str) -> re.Pattern[bytes]:
    """Where a word starts with letters[0] and the next word (or the word's next part, or
    the word after a linking word) starts with letters[1]: every start spelled_by can accept,
    and few others, so only those are read word by word.

    Example: _may_spell("sme") finds the "s" of "small and micro", not of "small business".
    A function word carries no letter (function_words): "in", "is", "it" start most of the
    places "ip" could, and are skipped by the pattern, not read word by word."""
    first, second = re.escape(letters[0].encode()), re.escape(letters[1].encode())
    start = first + rb"(?<![a-z]" + first + rb")(?<![a-z]-" + first + rb")"
    skipped = sorted(
        (w[1:].encode() for w in function_words() if _LETTERS.fullmatch(w) and w[0] == letters[0]),
        key=len,
        reverse=True,
    )
    if skipped:
        start += rb"(?!(?:" + b"|".join(map(re.escape, skipped)) + rb")(?![a-z]))"
    if letters[1] == "&":
        return re.compile(start + rb"(?=[a-z]*(?:-[a-z]+)*[\s\-]*(?:&|and))")
    links = rb"(?:(?:and|of|for|in|on)" + _GAP + rb")?"
    return re.compile(
        start + rb"(?=[a-z]*(?:-" + second + rb"|(?:-[a-z]+)*" + _GAP + links + second + rb"))"
    )


# ---- the table


@dataclass(frozen=True)
class Spelling:
    """A run of corpus words that spells an acronym, how often, and (some of) where."""

    words: str
    count: int
    offsets: tuple[int, ...]  # some of its byte offsets in the corpus scan's text
    documents: tuple[int, ...]  # every document it is in, by number
    defined: int = 0  # how often the acronym follows it in brackets: "European Union (EU)"


def _most_defined(spellings: list[Spelling]) -> Spelling | None:
    """The run the corpus defines the acronym as most often ("European Union (EU)"), if any:
    the corpus's own word beats any count."""
    defined = [s for s in spellings if s.defined]
    return max(defined, key=lambda s: (s.defined, s.count)) if defined else None


class AcronymReader:
    """Finds what each acronym stands for in one corpus, remembering answers per acronym.

    Each lookup searches the corpus's text (qa.query.corpus_scan) for what it needs: no table is
    built at start or on the first acronym, so `qa ask` over a large library stays quick."""

    def __init__(self, scan: CorpusScan):
        self._scan = scan
        self._found: dict[str, list[Spelling]] = {}
        self._known: dict[str, bool] = {}
        self._added: dict[tuple[str, str], str] = {}  # an acronym used too -> what is added

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

    def expansion(self, letters: str, context: Sequence[str] = ()) -> str:
        spelling = self.spelling(letters, context)
        return spelling.words if spelling else ""

    def spelling(self, letters: str, context: Sequence[str] = ()) -> Spelling | None:
        """The run of corpus words spelling ``letters`` that the corpus uses most (its words
        lowercase), None if none. A rarer run of 3+ letters wins when ``context`` (the question's other
        words) says so clearly: CONTEXT_MARGIN more of them found near it (within
        CONTEXT_REACH bytes) than near the commonest. In a library "SMEs" spells "sometimes
        make exceptions" in licences, and "small and micro enterprises" in a plan about loans;
        "How are SMEs supported in pledge loans?" means the second. Two letters spell too many
        runs by chance for a question's words to choose ("IP" near "investment" in speeches
        is "inflationary pressures").

        Two initials match by chance too often ("IT" read as "import trade", "US" as
        "universities and scientific"), so a two-letter acronym must be two adjacent words found
        at least three times, unless an "&" (as in "R&D") or a definition ("European Union
        (EU)") says it is an acronym.
        """
        spellings = self._spellings(letters)
        if not spellings:
            return None
        defined = _most_defined(spellings)
        if defined is not None:
            return defined
        commonest = spellings[0]
        if len(spellings) == 1 or not context or len(letters) < 3:
            return commonest
        patterns = [_word_start(w.encode("ascii")) for w in context[:MAX_CONTEXT_WORDS]]

        near = {  # the most of the question's words found near one of its places
            s.words: max(
                sum(self._scan.near(p, at, CONTEXT_REACH) for p in patterns) for at in s.offsets
            )
            for s in spellings
        }
        best = max(spellings, key=lambda s: (near[s.words], s.count))
        return best if near[best.words] >= near[commonest.words] + CONTEXT_MARGIN else commonest

    def spelling_beside(self, letters: str, acronyms: set[str]) -> Spelling | None:
        """For an acronym the corpus uses itself: the run it defines it as ("European Union
        (EU)"), else the run found in the most documents that use the acronym, if at least half
        of them (licences write "IP" beside "intellectual property"; in speeches "WTO" is
        beside no one run); None otherwise."""
        using = {
            self._scan.document_at(m.start())
            for a in acronyms
            if _LETTERS.fullmatch(a)
            for m in self._scan.finditer(_whole_word(a.encode("ascii")))
        }
        spellings = self._spellings(letters)
        defined = _most_defined(spellings)
        if defined is not None:
            return defined
        shared = {s.words: len(using.intersection(s.documents)) for s in spellings}
        best = max(spellings, key=lambda s: (shared[s.words], s.count), default=None)
        if best is None or 2 * shared[best.words] < len(using):
            return None  # not beside it in half the documents that use it: no reading of it
        return best

    def _added_reading(self, letters: str, typed: str) -> str:
        """What is added to an acronym the corpus uses too ("" for nothing), remembered: it
        does not depend on the question, and finding it reads every place the acronym is."""
        key = (letters, typed)
        if key not in self._added:
            if len(self._added) >= CACHE_SIZE:
                self._added.clear()
            acronyms = {typed, letters}
            spelling = self.spelling_beside(letters, acronyms)
            alone = spelling is not None and self._spelled_out_alone(spelling, acronyms)
            self._added[key] = spelling.words if alone else ""
        return self._added[key]

    def _spelled_out_alone(self, spelling: Spelling, acronyms: set[str]) -> bool:
        """Whether some document spells the acronym out and never uses it: only there does
        reading it spelled out find what the acronym itself would not."""
        patterns = [_whole_word(a.encode("ascii")) for a in acronyms if _LETTERS.fullmatch(a)]
        return any(not any(self._scan.holds(p, d) for p in patterns) for d in spelling.documents)

    def _spellings(self, letters: str) -> list[Spelling]:
        """The runs spelling ``letters``, commonest first, each with some of its places (up to
        PLACES_PER_DOCUMENT in each of its first DOCUMENTS_SAMPLED documents)."""
        if letters not in self._found:
            if len(self._found) >= CACHE_SIZE:
                self._found.clear()
            weak = len(letters) == 2
            places: dict[str, dict[int, list[int]]] = {}
            documents: dict[str, dict[int, None]] = {}
            counts: Counter[str] = Counter()
            defined: Counter[str] = Counter()
            defines = _defines(letters)
            for m in self._scan.finditer(_may_spell(letters)):
                found = self._scan.words_from(
                    m.start(), _WORD_BYTES, _RUN_BREAK_BYTES, 2 * len(letters)
                )
                words = [w.group().decode("ascii") for w in found]
                length = spelled_by(words, letters, links=not weak)
                if length:
                    run = " ".join(words[:length])
                    counts[run] += 1
                    if defines.match(self._scan.data, found[length - 1].end()):
                        defined[run] += 1
                    by_document = places.setdefault(run, {})
                    document = self._scan.document_at(m.start())
                    documents.setdefault(run, {})[document] = None
                    if document in by_document or len(by_document) < DOCUMENTS_SAMPLED:
                        at = by_document.setdefault(document, [])
                        if len(at) < PLACES_PER_DOCUMENT:
                            at.append(m.start())
            self._found[letters] = [
                Spelling(
                    run,
                    n,
                    tuple(o for at in places[run].values() for o in at),
                    tuple(documents[run]),
                    defined[run],
                )
                for run, n in counts.most_common()
                if not weak or n >= 3 or defined[run]  # a definition says it is no chance
            ]
        return self._found[letters]

    def expand(
        self, question: str, is_word: Callable[[str], bool] = lambda w: False
    ) -> tuple[str, dict[str, str]]:
        """The question with each acronym the corpus spells out replaced by its expansion,
        and what was replaced. A question of several words, all in capitals, is left alone.

        People type acronyms in lowercase too ("smes", "ipr"): a short lowercase word counts
        when it is no word at all, neither a corpus word nor one ``is_word`` knows (common
        English), so "cost" is never read as initials. An acronym in capitals that the corpus
        uses as a word too is kept and its expansion added ("IP (intellectual property)"), when
        some document spells it out and never uses it: in a library, licences write "IP" and a
        plan writes "intellectual property" only.

        Example: expand("How are SMEs helped?") -> ("How are small and micro enterprises
        helped?", {"SMEs": "small and micro enterprises"}) on the bundled plan.
        """
        if len(question.split()) > 1 and not re.search(r"[a-z]", question):
            return question, {}  # "WHAT ABOUT PLEDGE" is shouting, not acronyms
        read: dict[str, str] = {}
        candidates = 0
        typed = {m.group(0).lower() for m in _ANY_ACRONYM.finditer(question) if m.group(1)}
        words = [w for w in content_words(question) if w.isascii() and w not in typed]

        def replace(m: re.Match) -> str:
            nonlocal candidates
            token = m.group(0)
            lower = token.lower()
            if lower in stopwords() or (token.islower() and is_word(lower)):  # "cost", "bank"
                return token
            in_capitals = bool(m.group(1))
            if not in_capitals and self.is_corpus_word(lower):  # "pledge": a word, not initials
                return token
            candidates += 1
            if candidates > MAX_LOOKUPS_PER_QUESTION:  # each lookup walks the corpus
                return token
            for short in acronym_readings(token):
                if short in stopwords():
                    return token
                used = self.is_corpus_word(lower) or self.is_corpus_word(short)
                if used and not in_capitals:
                    return token
                if not used:
                    spelling = self.spelling(short, [w for w in words if w != lower])
                    if spelling is None:
                        continue
                    read[token] = spelling.words
                    return read[token]
                added = self._added_reading(short, lower)
                if not added:
                    return token  # each document that spells out "CDDL" uses it too
                read[token] = f"{token} ({added})"  # "IP" and the plan's words
                return read[token]
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
