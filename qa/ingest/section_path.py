"""The heading path above a passage: which open headings a new heading closes.

A heading closes those of its level or deeper; a numbered one also nests under the heading its
number extends, so a licence's "4.1" is cited under its section "4." whatever the lines' levels.
"""

from __future__ import annotations

import re

# the level of a document's title: its first block, when that is a heading with no number ("# Debian
# Perl Policy", "Apache License"). The short lines after it ("Version 1.0", "TERMS AND
# CONDITIONS") are its parts, not its successors; a heading marked as the title was ("# Usage")
# closes it
TITLE_LEVEL = -1
# a contents list names the sections that follow; it is never their parent
_CONTENTS = re.compile(r"^(?:table of )?contents$", re.IGNORECASE)
# the number a label opens with ("4.1. Single-line values", "2.0 Use", "## 3. Scope"): sections
# numbered 4.1 and 4.2 sit under section 4
_SECTION_NUMBER = re.compile(r"^(?:#{1,6}\s+)?(\d+(?:\.\d+)*)\.?(?=\s|$)")
# a part numbered in Roman numerals ("V. GENERAL TERMS") holds the sections numbered "1.", "2."
# that follow it
_ROMAN = re.compile(r"^(?:#{1,6}\s+)?[IVX]+\.\s")


def opened(headings: list[tuple[float, str]], level: float, label: str) -> list[tuple[float, str]]:
    """The heading path once a heading opens: those of its level or deeper close. A contents
    list heads only itself: the heading after it closes it, whatever its level. A dotted
    number nests under the open heading its number extends ("4.1" under "4."), closing what
    was open under that one, whatever the levels of the lines say; a section numbered "1."
    nests under an open part of its level numbered in Roman numerals.

    Example: opened([(0, "Title"), (1, "1. Scope")], 1, "2. Terms") -> [(0, "Title"), (1, "2. Terms")]
    Example: opened([(1, "4. Syntax"), (1.1, "4.1 Values")], 1, "4.2 Fields")
            -> [(1, "4. Syntax"), (1.1, "4.2 Fields")]
    """
    number = section_number(label)
    for i in range(len(headings) - 1, -1, -1) if number else ():
        parent_level, parent = headings[i]
        above = section_number(parent)
        if above and len(above) < len(number) and number[: len(above)] == above:
            headings, level = headings[: i + 1], parent_level + 0.1 * (len(number) - len(above))
            break
        if len(number) == 1 and parent_level == level and _ROMAN.match(parent):
            headings, level = headings[: i + 1], level + 0.05
            break
    kept = [h for h in headings if h[0] < level and not _CONTENTS.match(h[1])]
    if any(h[1].casefold() == label.casefold() for h in kept):
        return kept  # the title said again ("JDBM LICENSE v1.00" under "JDBM License v1.00")
    return [*kept, (level, label)]


def section_number(label: str) -> tuple[str, ...]:
    """The parts of the number a heading opens with, trailing zeros dropped ("2.0" is section 2).

    Example: section_number("4.1. Single-line values") -> ("4", "1")
    """
    m = _SECTION_NUMBER.match(label)
    parts = m.group(1).split(".") if m else []
    while len(parts) > 1 and parts[-1].strip("0") == "":
        parts.pop()
    return tuple(parts)
