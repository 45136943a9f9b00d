"""Short lines that name no section: they are content, however much they look like titles.

A line short enough for a title may still be a note, an address, a field, a list item, a
caption, a piece of a sentence or a command. Each of them, taken for a title, would head every
passage after it, so a document's sections would be cited under it.
"""

from __future__ import annotations

import re

# lines that look short enough for a title but name no part of the document: an editorial note
# wholly in brackets ("[Applause]", "(French text omitted)"), a bare web or mail address, and a
# broken-off piece of a sentence (one that opens with a stop or comma, ends on "or", "and",
# "the", or breaks off with a dash, "my predecessor declared that--": a title never does)
_EDITORIAL = re.compile(r"^\s*(?:\[[^\[\]]*\]\s*)+$|^\s*\([^()]*\)\s*$")
_ADDRESS = re.compile(
    r"^\s*<?(?:[a-z][\w+.-]*://|www\.|mailto:)\S*?>?\s*$|^\s*<?[\w.+-]+@[\w.-]+>?\s*$"
    # a mail address spelled out against harvesters: "ann at example.org", "ann [at] example
    # [dot] org"
    r"|^\s*<?[\w.+-]+\s*(?:\bat\b|\[at\]|\(at\))\s*[\w-]+"
    r"(?:(?:\.|\s*(?:\[dot\]|\(dot\))\s*)[\w-]+)+>?\s*$",
    re.IGNORECASE,
)
_FRAGMENT = re.compile(
    r"^\s*[.,;:!?]|(?<![\w-])(?:and|or|nor|but|of|the|to|for|with|by)\s*$|(?<![-—\s])(?:-{2,}|—+)\s*$"
)
# a field and its value ("Depends: foo-data (>= 1.2)", "URL: https://...", "Single-line: the
# name upstream uses"): a title after a colon goes on in capitals ("Appendix A: Sample Code"),
# and a colon set off by spaces separates a title's parts ("/var/spool/cron : cron jobs")
_FIELD = re.compile(r"^\s*[^\s:][^:\n]{0,40}(?<!\s):\s+[a-z]")
# an item of a bulleted list ("- Files (mandatory)", "· support services") is a line of a list,
# short as it may be: it heads nothing after it
_BULLETED = re.compile(r"^\s*[-*•·–]\s")
# a table's or an example's caption ("Table 2. Numeric status codes", "Example 1. tri-licensed
# files") labels what follows it, not the sections after it
_CAPTION = re.compile(r"^\s*(?:Table|Figure|Fig\.|Example|Listing)\s+[\dA-Z]+(?:\.\d+)*[.:]\s")
# a line that ends as a sentence or a clause does, a closing quote or a bracketed note after its
# stop included ('... said, "I think you're right."', "You don't want to do that? [Laughter]")
# (a note holds no stop: "Part 1. [On Our Foreign Relations.]" is a title)
_ENDS_AS_SENTENCE = re.compile(r"[.!?。:;,][\"'”’)]*(?:\s*\[[^\[\].]*\])*\s*$")
# a short line that is no title for all its shortness: a command or a code line, whose first word
# is wholly lower case ("dpkg-source -x .../path", "old-prerm upgrade"; "iPhone SDK" is a
# title), or a line holding a web address ("January 2020 http://license.example.org")
_NO_TITLE_LINE = re.compile(r"^\s*[a-z][a-z0-9_.-]*(?:\s|$)|://")
_TABLE_ROW = re.compile(r"\S \| \S")  # cells as qa.ingest.converted.table_row joins them
# a line that only dates or versions the text ("Version 1.0", "Last updated: 9 October 2018",
# "Posted Date: December 19, 2018", "Version 1.1, 3 January 2010") stamps the document: taken
# for a title it would head every section after it. A marked heading ("## Version 4.6.2" in a
# changelog) is still one: heading_level reads marks first
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE = (
    rf"(?:\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+\d{{4}}"  # 8 November 2022
    rf"|{_MONTH}\s+(?:\d{{1,2}}(?:st|nd|rd|th)?,?\s+)?\d{{4}}"  # November 8, 2022; June 2005
    r"|\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4})"  # 2022-12-17, 6/1/2020
)
_VERSION = r"(?:version|ver\.?|v\.?|revision|rev\.?|release|draft)\s*\d[\w.-]*"
_STAMP_WORD = (
    r"(?:last|latest|updated|revised|modified|amended|effective|starting|date|dated|posted"
    r"|issued|published|as|of|from|on|version|revision|release)"
)
_STAMP = re.compile(
    rf"^\s*[(\[]?(?:{_STAMP_WORD}\b[\s:,-]*){{0,4}}(?:{_VERSION}|{_DATE})"
    rf"(?:[\s,;:()-]+(?:{_VERSION}|{_DATE}|{_STAMP_WORD}\b))*\s*[.)\]]?\s*$",
    re.IGNORECASE,
)
# a copyright notice ("Copyright (c) 2001 Silver Egg Technology", "© 2004 NICTA") says who owns
# the text; "COPYRIGHT AND PERMISSION NOTICE" is a title
_COPYRIGHT = re.compile(
    r"^\s*(?:copyright\s*(?:©|\(c\))?\s*(?:\d{4}|<year>)|(?:©|\(c\))\s*\d{4})", re.IGNORECASE
)
# a footnote ("^[8]", "[4] For example, ...") notes a point of the text above it; its mark
# alone states nothing
_FOOTNOTE = re.compile(r"^\s*(?:\^\[\d+\]|\[\d+\](?=\s|$))")
_FOOTNOTE_MARK = re.compile(r"^\s*(?:\^\[\d+\]|\[\d+\])\s*$")
# an entry of a table of contents: a dot leader, then a page number ("1 Introduction . . . . 1",
# "Index........xii"); the heading it points to is elsewhere
_CONTENTS_ENTRY = re.compile(r"(?:\.\s*){4,}(?:\d+|[ivxlc]+)\s*$", re.IGNORECASE)
_LEADER = re.compile(r"(?:\.\s*){4,}(?:\d+|[ivxlc]+)\b", re.IGNORECASE)  # ". . . . 12"


def not_a_title(line: str) -> bool:
    """An editorial note, an address, a field and its value, a list item, a caption, a piece
    of a sentence, a date or version stamp, a footnote or a copyright notice: short, but no
    heading.

    Example: not_a_title("[Delivered in person before a joint session]") -> True
    """
    return bool(
        _EDITORIAL.match(line)
        or is_address(line)
        or _FIELD.match(line)
        or _BULLETED.match(line)
        or _CAPTION.match(line)
        or _FRAGMENT.search(line)
        or _STAMP.match(line)
        or _FOOTNOTE.match(line)
        or _COPYRIGHT.match(line)
        or is_contents_entry(line)
    )


def is_contents_entry(line: str) -> bool:
    """A line of a table of contents: a title, a dot leader and a page number.

    Example: is_contents_entry("2 ASN.1 structure handling . . . . . 2") -> True
    """
    return bool(_CONTENTS_ENTRY.search(line))


def is_contents(passage: str) -> bool:
    """A run of a table of contents' entries: two dot leaders or more, each ending in a page
    number, and little else ("Linux ...... 39 6.1.1. / : Root directory ...... 39").

    Example: is_contents("1 Fees . . . . 2 2 Night mooring . . . . 3") -> True
    """
    leaders = list(_LEADER.finditer(passage))
    rest = len(_LEADER.sub("", passage).split())
    return len(leaders) >= 2 and rest <= 12 * len(leaders)


def is_address(line: str) -> bool:
    """A web or mail address alone on its line, a mail address spelled out included.

    Example: is_address("ann at example.org") -> True; is_address("Life at sea") -> False
    """
    return bool(_ADDRESS.match(line))


def no_title_line(line: str) -> bool:
    """A short line that is no title line (level 0) either: it ends as a sentence does, it is
    a command or holds a web address, or it is a table's row (the converters join its cells
    with " | ": "Vessel: Boat | Fee: 10" states a fee).

    Example: no_title_line('And they said, "I think you\'re right."') -> True
    """
    return bool(
        _ENDS_AS_SENTENCE.search(line) or _NO_TITLE_LINE.search(line) or _TABLE_ROW.search(line)
    )


def stamp_or_mark(text: str) -> bool:
    """A date or version stamp, or a footnote's mark alone: content to the section path, but,
    like a heading, a label that states nothing a question asks for.

    Example: stamp_or_mark("Last updated: 9 October 2018") -> True
    """
    return bool(_STAMP.match(text) or _FOOTNOTE_MARK.match(text))


def title_page_line(line: str) -> bool:
    """A line of a title page: a date or version stamp, an address or a copyright notice.

    Example: title_page_line("<debian-policy@lists.debian.org>") -> True
    """
    return bool(_STAMP.match(line) or is_address(line) or _COPYRIGHT.match(line))
