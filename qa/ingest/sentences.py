"""Sentences and word counts: where a passage may be cut, and how long it is.

Offsets always index the document's text, so every span can be cited exactly.
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass

# A sentence ends at . ! ? (plus closing quotes) before a capital, a quote, a bullet or the end;
# "No. 6)" and "e.g. the" do not end one, nor does the stop of a title before a name ("Mr.
# Speaker") or of an initial ("John F. Kennedy", "U.S. Government"). CJK full stops end one
# wherever they stand.
_TITLES = ("Mr", "Mrs", "Ms", "Messrs", "Dr", "Prof", "St", "Hon", "Gen", "Gov", "Sen", "Rep", "Rev", "Pres")
# words that open sentences, not names: after one, an initial's stop ends the sentence
# ("Exhibit A. You must ...", "in the U.S. Neither ...")
_OPENERS = (
    "The|This|That|These|Those|There|It|Its|You|Your|We|Our|They|He|She|If|So|But|Neither|Nor|"
    "In|For|Such|Any|Each|No|Nothing|All|As|When|Where|Unless|Upon"
)
_SENTENCE_END = re.compile(
    r"(?<=[.!?])" + "".join(rf"(?<!\b{a}\.)" for a in _TITLES)
    + rf"(?:(?<![\s.(][A-Z]\.)|(?=\s+(?:{_OPENERS})\b))"
    r"[\"”’)]*(?=\s+(?:[A-Z“\"‘(\[\u3400-\u9fff]|——)|\s*$)|(?<=[。！？])[”’」）]*"
)
# a table's row as the converters write it ("Name: Heikkinen, Miss. Laina | Age: 26"): one record,
# never cut inside; an ASCII-drawn table's line opens with "|" and is left to the rule above
_TABLE_ROW_LINE = re.compile(r"^(?![ \t]*\|)[^\n]*\S \| \S[^\n]*$", re.MULTILINE)
_CJK_CHAR = re.compile(r"[\u3400-\u9fff]")
_WORD_TOKEN = re.compile(r"[\u3400-\u9fff]|[^\s\u3400-\u9fff]+")  # what word_count counts
_CLAUSE_END = re.compile(r"[,;:](?=\s)|[，；：、]")


@dataclass(frozen=True)
class Span:
    """A [start, end) range of the document text."""

    start: int
    end: int


def sentences(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Sentence spans of text[start:end], covering every non-space character of it.

    Example: sentences("One. Two!") -> [Span(0, 4), Span(5, 9)]
    """
    end = len(text) if end is None else end
    rows = [(m.start(), m.end()) for m in _TABLE_ROW_LINE.finditer(text, start, end)]
    row_starts = [a for a, _ in rows]
    spans, cursor = [], start
    for m in _SENTENCE_END.finditer(text, start, end):
        cut = m.end()
        row = bisect.bisect_left(row_starts, cut) - 1  # the last row that starts before the cut
        if row >= 0 and cut < rows[row][1]:
            continue  # inside a table's row
        s, e = trim(text, cursor, cut)
        if s < e:
            spans.append(Span(s, e))
        cursor = cut
    s, e = trim(text, cursor, end)
    if s < e:
        spans.append(Span(s, e))
    return spans


def word_count(text: str) -> int:
    """Words for budgets; CJK characters count as one word each since they have no spaces."""
    return len(_CJK_CHAR.sub(" ", text).split()) + len(_CJK_CHAR.findall(text))


def split_long(text: str, span: Span, max_words: int) -> list[Span]:
    """Cut a sentence longer than max_words, preferring clause marks (, ; :), else between
    words, so that no passage outgrows what the encoder reads (256 word pieces).

    Example: split_long("a b c, d e f", Span(0, 12), 4) -> [Span(0, 6), Span(7, 12)]
    """
    total = word_count(text[span.start : span.end])
    budget = math.ceil(total / math.ceil(total / max_words))  # even pieces, none over max
    pieces, begin = [], span.start
    while word_count(text[begin : span.end]) > max_words:
        tokens = list(_WORD_TOKEN.finditer(text, begin, span.end))
        limit = tokens[budget - 1].end()
        clauses = list(_CLAUSE_END.finditer(text, begin, limit))
        keep = [m for m in clauses if word_count(text[begin : m.end()]) >= budget // 2]
        cut = keep[-1].end() if keep else limit
        pieces.append(Span(*trim(text, begin, cut)))
        begin = cut
    pieces.append(Span(*trim(text, begin, span.end)))
    return [p for p in pieces if p.start < p.end]


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` without the whitespace at either end, a byte-order mark counted as
    whitespace (a file saved "UTF-8 with BOM" starts with one: "\\ufeff# Title" is a heading).

    Example: trim("\\ufeff# Title ", 0, 9) -> (1, 8)
    """
    while start < end and (text[start].isspace() or text[start] == "\ufeff"):
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
