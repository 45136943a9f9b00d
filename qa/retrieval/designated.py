"""A question that names the kind of document it asks about ("What does the plan say about
...?", "Does the licence let me ...?", "计划里有...吗？") asks within the documents of that kind.

Among many documents, a question about the plan was answered from a speech or a licence that
shares its words, and "Does the plan mention tax breaks?" was answered from a speech that does.
A kind is named by a document's title or file name ("National ... Action Plan",
"ip_strategy_action_plan.txt", "Apache License", "State of the Union Address"). The question
names it as the document it reads ("does the plan ...", "in the licence", "the plan says"), not
as a thing the text talks about ("which plan will be drawn up?"). When every document or none
is of that kind, nothing changes; a scope chosen by the user (``--doc``) always wins.

A question may name one document of the kind by its name before the kind ("the Apache License",
"the Eclipse licence", "Roosevelt's speech", or an acronym alone: "the CDDL"): then it asks
within the documents of that kind whose title or file name holds every word of the name, when
some do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import PurePosixPath

from qa.ingest.titles import document_title
from qa.types import Document

# the kinds a question names, by the word it uses (singular, lower case)
_QUESTION_KINDS = {
    "plan": "plan",
    "policy": "policy",
    "licence": "licence",
    "license": "licence",
    "agreement": "agreement",
    "strategy": "strategy",
    "speech": "speech",
    "regulation": "regulation",
    "directive": "directive",
    "guideline": "guideline",
    "charter": "charter",
    "treaty": "treaty",
    "constitution": "constitution",
    "contract": "contract",
    "specification": "specification",
    "convention": "convention",
    "statute": "statute",
    "handbook": "handbook",
}
# how titles and file names name the kinds: an address or an annual message is a speech
_TITLE_KINDS = {**_QUESTION_KINDS, "eula": "licence", "address": "speech", "message": "speech"}
_CHINESE_KINDS = {
    "计划": "plan",
    "规划": "plan",
    "政策": "policy",
    "许可证": "licence",
    "许可协议": "licence",
    "协议": "agreement",
    "讲话": "speech",
    "演讲": "speech",
    "咨文": "speech",
    "合同": "contract",
}
_KIND = "|".join(
    sorted({*_QUESTION_KINDS, *(f"{w}s" for w in _QUESTION_KINDS)}, key=len, reverse=True)
)
# the kind as the document read: after an auxiliary ("does the plan ...", "is the plan ..."), a
# preposition ("in the licence", "according to the speech"), or before a verb of saying
# ("the plan says", "the licence's terms")
_NAMED = re.compile(
    rf"(?:\b(?:do|does|did|will|would|can|could|should|is|are|was|were|has|have|in|of|under"
    rf"|to|by|from|per|within|throughout)\s+(?P<a>(?:the|this|these)\s+(?:{_KIND}))\b)"
    rf"|(?:\b(?P<b>(?:the|this|these)\s+(?:{_KIND}))(?:'s|’s|\s+(?:say|says|said|mention"
    rf"|mentions|cover|covers|state|states|require|requires|allow|allows|propose|proposes|call"
    rf"|calls|want|wants|aim|aims|set|sets|define|defines|provide|provides)\b))",
    re.IGNORECASE,
)
_CHINESE_KIND = "|".join(sorted(_CHINESE_KINDS, key=len, reverse=True))
# 计划 as the document: opening the question ("计划里有...", "计划对..."), after 在/根据/按照 or a
# demonstrative ("该计划", "这份计划"), or before 里/中 ("计划中"); not the verb ("政府计划对...")
_CHINESE_NAMED = re.compile(
    rf"^(?:这份|该|本|这个)?(?P<a>{_CHINESE_KIND})(?=[里中对是有提会要怎如])"
    rf"|(?:在|根据|按照|这份|该|本)(?P<b>{_CHINESE_KIND})"
    rf"|(?P<c>{_CHINESE_KIND})(?=[里中])"
)
_WORD = re.compile(r"[a-z]+")
# a document's name: capitalised words after "the" or as a possessive, before its kind in the
# singular ("the Mozilla Public License", "Roosevelt's speech"; "new IP agreements" are many
# agreements, not one document), or an acronym alone ("the CDDL", "under the GPL")
_ONE_KIND = "|".join(sorted(_QUESTION_KINDS, key=len, reverse=True))
_NAME_BEFORE_KIND = re.compile(
    rf"(?:\b[Tt]he\s+((?:[A-Z][\w.+-]*\s+){{0,3}}[A-Z][\w.+-]*)"
    rf"|\b((?:[A-Z][\w.+-]*\s+){{0,2}}[A-Z][\w.+-]*)(?:'s|’s))\s+(?i:({_ONE_KIND}))\b"
)
_ACRONYM = re.compile(r"\b(?:the|under|in|of)\s+([A-Z][A-Z0-9]{2,})\b")
_NOT_NAMES = frozenset(
    "the this these that a an in of under to by from per within does do did is are was what "
    "which how who when where why will would can could should".split()
)
_TOKEN = re.compile(r"[a-z0-9]+")
OPENING_CHARS = 300  # the opening lines read for a kind, up to the first blank line
SELF_NAMED_PER_1000 = 5  # a licence: 1,392 of 1,505 licences; the plan says "plan" 2.7 times


def named_kind(question: str) -> tuple[str, str] | None:
    """The kind of document the question names, and the words that name it, or None.

    Example: named_kind("What does the plan say about pledge loans?") -> ("plan", "the plan")
    """
    m = _CHINESE_NAMED.search(question)
    if m:
        word = m.group("a") or m.group("b") or m.group("c")
        return _CHINESE_KINDS[word], word
    m = _NAMED.search(question)
    if not m:
        return None
    words = m.group("a") or m.group("b")
    word = words.split()[-1].lower()
    kind = _QUESTION_KINDS.get(word) or _QUESTION_KINDS.get(word[:-1])
    return (kind, words) if kind else None


def document_name(question: str) -> tuple[tuple[str, ...], str | None]:
    """The words (lower case) of a document's name the question gives, and the kind they name:
    capitalised words before a kind word ("the Mozilla Public License"), or an acronym after
    "the" (no kind); ((), None) when none.

    Example: document_name("Under the Mozilla Public License, may I ...?") ->
    (("mozilla", "public"), "licence")
    """
    for m in _NAME_BEFORE_KIND.finditer(question):
        kind = _QUESTION_KINDS[m.group(3).lower()]
        run: list[str] = []
        for word in reversed((m.group(1) or m.group(2)).split()):  # the words next to the kind
            if word.lower() in _NOT_NAMES:
                break
            run.insert(0, word.lower().strip("."))
        if run:
            return tuple(run), kind
    m = _ACRONYM.search(question)
    return ((m.group(1).lower(),), None) if m else ((), None)


def _as_said(question: str, name: tuple[str, ...]) -> str:
    """The name as the question writes it, with its kind word ("the Apache License")."""
    words = r"\s+".join(re.escape(w) for w in name)
    m = re.search(rf"(?:\bthe\s+)?{words}(?:'s|’s)?(?:\s+(?:{_ONE_KIND})\b)?", question, re.I)
    return m.group(0) if m else " ".join(name)


def without_document_name(question: str) -> str:
    """The question without the words that name its document ("Under the CDDL, how long ...?"
    -> "Under the , how long ...?"): they frame the question, and an answer need not say them
    (the subject and coverage rules of qa.answering read what is left).

    Example: without_document_name("Which courts hear disputes under the CDDL?") ->
    'Which courts hear disputes under the ?'
    """
    name, _ = document_name(question)
    if not name:
        return question
    words = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in name) + r")\b(?:'s|’s)?", re.I)
    return " ".join(words.sub("", question).split()).replace(" ,", ",")


def naming_tokens(document: Document) -> frozenset[str]:
    """The words a document's title and file name call it by (lower case)."""
    stem = PurePosixPath(document.source).stem.replace("_", " ")
    return frozenset(_TOKEN.findall(f"{document_title(document)} {stem}".lower()))


def document_kinds(document: Document) -> set[str]:
    """The kinds a document's title, its opening lines and its file name call it.

    Example: document_kinds(Document("licences/apache.txt", "Apache License\\n\\n...")) -> {"licence"}
    """
    opening = document.text.lstrip()[:OPENING_CHARS].split("\n\n", 1)[0]
    stem = PurePosixPath(document.source).stem
    text = f"{document_title(document)} {opening} {stem}".lower().replace("_", " ")
    kinds = set()
    for word in _WORD.findall(text):
        singular = word[:-1] if word not in _TITLE_KINDS and word.endswith("s") else word
        if singular in _TITLE_KINDS:
            kinds.add(_TITLE_KINDS[singular])
    return kinds


def calls_itself(text: str, kind: str) -> bool:
    """Whether a text names its kind throughout, as a licence says "License" in every clause:
    at least ``SELF_NAMED_PER_1000`` of every 1,000 words are the kind's words."""
    found = _kind_words(kind).findall(text)
    return len(found) * 1000 >= SELF_NAMED_PER_1000 * max(1, text.count(" "))


@cache
def _kind_words(kind: str) -> re.Pattern:
    """The words that name a kind, singular or plural ("licence", "licenses", ...)."""
    words = [w for w, k in _QUESTION_KINDS.items() if k == kind]
    return re.compile(rf"\b(?:{'|'.join(words)})s?\b", re.IGNORECASE)


@dataclass(frozen=True)
class Designation:
    """The documents a question names by their kind, and how the answer says so."""

    kind: str
    words: str  # as the question says it: "the plan", "计划"
    sources: tuple[str, ...]

    def note(self) -> str:
        """What a reading note shows: "the document a.txt", or "the 4 documents of that kind:
        a.txt, b.txt, c.txt and 1 more"."""
        if len(self.sources) == 1:
            return f"the document {self.sources[0]}"
        shown = ", ".join(self.sources[:3])
        more = f" and {len(self.sources) - 3} more" if len(self.sources) > 3 else ""
        return f"the {len(self.sources)} documents of that kind: {shown}{more}"


class DocumentKinds:
    """Each live document's kinds: by its title, opening lines and file name (read once, when
    a question first names a kind or a name), or, for the kind a question names, by how often
    the document names it (read when asked)."""

    def __init__(self, documents: list[Document]):
        self.documents = documents
        self._of_kind: dict[str, tuple[str, ...]] = {}

    @cached_property
    def kinds(self) -> dict[str, set[str]]:
        """Each document's kinds by its source: most questions name none, and reading the
        titles of a library's thousands of documents would cost them 0.1 s (1,717 files)."""
        return {d.source: document_kinds(d) for d in self.documents}

    def of_kind(self, kind: str) -> tuple[str, ...]:
        """The sources of the documents of that kind."""
        if kind not in self._of_kind:
            self._of_kind[kind] = tuple(
                d.source
                for d in self.documents
                if kind in self.kinds[d.source] or calls_itself(d.text, kind)
            )
        return self._of_kind[kind]

    def designated(self, question: str, by_name: bool = True) -> Designation | None:
        """The documents the question names by kind, when some but not all are of it; with
        ``by_name``, those of them its name names ("the Apache License"), when some are."""
        name, name_kind = document_name(question) if by_name else ((), None)
        if name:
            pool = self.of_kind(name_kind) if name_kind else self.kinds
            called = tuple(s for s in pool if set(name) <= self._names[s])
            if called and len(called) < len(self.documents):
                return Designation(name_kind or "document", _as_said(question, name), called)
        named = named_kind(question)
        if named is None:
            return None
        kind, words = named
        sources = self.of_kind(kind)
        if not sources or len(sources) == len(self.documents):
            return None
        return Designation(kind, words, sources)

    @cached_property
    def _names(self) -> dict[str, frozenset[str]]:
        return {d.source: naming_tokens(d) for d in self.documents}
