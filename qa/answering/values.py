"""Typed values in text: dates, durations, amounts, percentages, versions, and the numbers that
only point somewhere (section numbers, legal citations, document numbers).

The answer-type check (qa.answering.answer_type) needs to know what a number *is*: "17 CFR
240.13a-1" and "5.1." are no amounts, "Version 3" is no date, "within 30 days" is a deadline.
Compiled patterns find the candidates; `dateparser` confirms the date-like ones (its
`search_dates` costs milliseconds a passage, its `parse` on one short candidate well under one).
Names of people, organisations and places are in qa.answering.names.

Example: [v.kind for v in find_values("Version 3, 29 June 2007; within 30 days.")]
-> ["version", "date", "duration"]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

DATE, DURATION, YEAR = "date", "duration", "year"
PERCENTAGE, MONEY, COUNT, VERSION = "percentage", "money", "count", "version"
CITATION, SECTION = "citation", "section"  # numbers that point somewhere and count nothing

_NUMBER_WORD = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen"
    r"|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy"
    r"|eighty|ninety|hundred|thousand|million|billion|trillion|dozen|half|several|a few)"
)
_NUM = rf"(?:\d[\d,]*(?:\.\d+)?|{_NUMBER_WORD}(?:[- ]{_NUMBER_WORD})*)"
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t|tember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_UNIT = r"(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?)"
# a word between a duration's number and its unit: "30 business days", "37 straight months",
# "three consecutive years", "two more years"
_UNIT_MODIFIER = (
    r"(?:business|calendar|working|full|straight|consecutive|successive|whole|additional"
    r"|more|further)"
)
# "the first of February", "the thirtieth of June", "the 30th of September"
_ORDINAL = (
    r"(?:\d{1,2}(?:st|nd|rd|th)|(?:(?:twenty|thirty)[- ]?)?(?:first|second|third|fourth|fifth"
    r"|sixth|seventh|eighth|ninth)|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth"
    r"|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|thirtieth)"
)

# Order matters: a span claimed by an earlier kind is not read again by a later one.
_PATTERNS: list[tuple[str, re.Pattern]] = [
    (
        CITATION,
        re.compile(
            r"\b\d+\s+(?:CFR|C\.F\.R\.|U\.?S\.?C\.?|Stat\.|Fed\.\s*Reg\.|F\.R\.|O\.?J\.?)\s+"
            r"(?:§+\s*)?\d[\w.\-()]*"
            r"|§+\s*\d[\w.\-()]*"
            r"|[\[〔]\s*\d{4}\s*[\]〕]|\d{4}\s*[\]〕]|\bNo\.\s*\d+"  # Guofa [2014] No. 64
            r"|\(\d{4}\s*[-–]\s*\d{4}\)"  # (2014-2020) in a document's title
            r"|\^?\[\d+\]",  # footnote markers
            re.I,
        ),
    ),
    (
        SECTION,
        re.compile(
            r"^[ \t]*(?:\d+(?:\.\d+)*\.|\d+(?:\.\d+)+|\(\d+\)|（\d+）|\([a-z]{1,4}\))(?=\s)"  # labels
            r"|\b(?:sections?|articles?|clauses?|chapters?|paragraphs?|parts?|annex|appendix"
            r"|exhibit|table|figure|item|rule|regulation|directive)\s+"
            r"\d+(?:\.\d+)*[a-z]?(?:\([a-z0-9]+\))*",
            re.I | re.M,
        ),
    ),
    (
        VERSION,
        re.compile(
            r"\b(?:version|v|release|revision|rev\.)\s?\d+(?:\.\d+)*[a-z]?\b"
            r"|\b\d+\.\d+(?:\.\d+)+(?:[-~+]\w+)?\b"  # 3.0.18
            r"|[<>]=?\s*\d+(?:[.:~+-]\w+)*"  # (>= 3.0.18)
            r"|\b\d+(?:\.\d+)+(?=\s+or\s+(?:earlier|later|newer|above|higher))",
            re.I,
        ),
    ),
    (
        DATE,
        re.compile(
            rf"\b{_ORDINAL}\s+of\s+{_MONTH}(?:,?\s+\d{{4}})?\b"
            rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}(?:,?\s+\d{{4}})?\b"
            rf"|\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?\b"
            rf"|\b{_MONTH},?\s+\d{{4}}\b"
            r"|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b"
        ),
    ),
    (
        DURATION,  # durations and deadlines: "within 30 days", "not later than sixty (60) days"
        re.compile(
            r"\b(?:(?:with)?in|for|after|before|(?:not|no) (?:later|earlier|more|less) than"
            r"|at (?:least|most)|up to|over|under|every)?\s*"
            rf"{_NUM}(?:\s*\(\d+\))?[- ](?:{_UNIT_MODIFIER}\s+)?{_UNIT}\b"
            rf"|\bby the end of (?:the |this |that )?(?:year|month|\d{{4}})\b"
            r"|\b(?:annually|yearly|monthly|weekly|daily|quarterly)\b",
            re.I,
        ),
    ),
    (YEAR, re.compile(r"(?<![\d.,])\b(?:1[5-9]|20)\d{2}s?\b(?![.,]\d)|\d+\s*年")),
    (
        PERCENTAGE,
        re.compile(
            rf"{_NUM}\s*(?:%|percent\b|per cent\b|percentage points?\b)"
            r"|\b(?:half|a third|one[- ]third|two[- ]thirds|a quarter|three[- ]quarters)\s+of\b"
            r"|百分之[\d一二三四五六七八九十]+|[\d.]+\s*％",
            re.I,
        ),
    ),
    (
        MONEY,
        re.compile(
            r"[$€£¥]\s*\d[\d,.]*(?:\s*(?:thousand|million|billion|trillion))?"
            rf"|{_NUM}\s+(?:(?:thousand|million|billion|trillion)s?\s+(?:of\s+)?)?"
            r"(?:dollars|yuan|RMB|euros?|pounds sterling|pounds|cents)\b"
            r"|\b(?:millions|billions|trillions) of (?:dollars|yuan|euros|pounds)\b"
            r"|[\d.]+\s*(?:万|亿)?元",
            re.I,
        ),
    ),
    (
        COUNT,
        re.compile(
            rf"(?<![\w.-])\d[\d,]*(?:\.\d+)?(?![\w-])|\b{_NUMBER_WORD}\b(?!-)"
            r"|[一二三四五六七八九十百千万亿两]+(?:[个项家所批名次倍])",
            re.I,
        ),
    ),
]
# "one" as a pronoun ("no one", "one of the", "any one") counts nothing.
_PRONOUN_ONE = re.compile(r"\b(?:no|any|every|each|some|the|this|that|which|a) one\b|\bone of\b", re.I)
_NAMED_DAY = re.compile(r"(?<![\d,])(\d{1,2})(?:st|nd|rd|th)?\b(?![,.]?\s*\d{3})")
NUMERIC = frozenset({DATE, DURATION, YEAR, PERCENTAGE, MONEY, COUNT, VERSION})


@dataclass(frozen=True)
class Value:
    """One typed value: its kind and where it stands in the text it was found in."""

    kind: str
    start: int
    end: int
    text: str


def find_values(text: str) -> list[Value]:
    """Every typed value of text, in order; each character belongs to at most one value.

    Example: find_values("Raise it to 3.5 percent by 2020.") -> [percentage "3.5 percent", year "2020"]
    """
    taken = bytearray(len(text))
    found: list[Value] = []
    for m in _PRONOUN_ONE.finditer(text):
        taken[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            start, end = _strip(text, m.start(), m.end())
            if start >= end or any(taken[start:end]):
                continue
            if kind == DATE and not is_date(text[start:end]):
                continue
            taken[start:end] = b"\x01" * (end - start)
            found.append(Value(kind, start, end, text[start:end]))
    return sorted(found, key=lambda v: v.start)


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in " \t\n":
        start += 1
    return start, end


# An example illustrates a rule and answers nothing: '(e.g., "2.0.0" is considered equal to
# "2.0")' names no version anything is compatible with. A parenthesis opened by an example
# marker, or the rest of the clause after one (to ";", a sentence end or a blank line).
_EXAMPLE = re.compile(
    r"\(\s*(?:e\.\s?g\.|eg\.|for example|for instance)[^()]*\)"
    r"|\b(?:e\.\s?g\.|for example|for instance)(?:(?!\.\s|;|\n\s*\n).)*",
    re.I | re.S,
)


def example_spans(text: str) -> list[tuple[int, int]]:
    """Where text gives examples (their values are illustrations, not answers).

    Example: example_spans("Versions (e.g. 2.0) match.") -> [(9, 19)]
    """
    return [(m.start(), m.end()) for m in _EXAMPLE.finditer(text)]


@lru_cache(maxsize=4096)
def is_date(candidate: str) -> bool:
    """Whether the candidate is a calendar date ("29 June 2007", "May 5", "2007-06-29" yes;
    "31/31/2007", "June 45" no). A month name with a day in range is one without asking; other
    forms (numeric ones) are confirmed by dateparser, once per distinct string, so its
    language data (about 0.3 s) loads only for them.

    Example: is_date("29 June 2007") -> True
    """
    if re.search(r"[A-Za-z]", candidate):  # a month name
        named = _NAMED_DAY.search(candidate)
        return not named or 1 <= int(named.group(1)) <= 31  # "June 2007" has no day
    import dateparser

    settings = {"PREFER_DATES_FROM": "past", "RETURN_AS_TIMEZONE_AWARE": False}
    return dateparser.parse(candidate, languages=["en"], settings=settings) is not None
