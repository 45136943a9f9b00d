"""Names of people, organisations and places in English text, without a list of names.

A "who heads X?" question needs a person's name in the passages, "in which city?" a place. No
gazetteer and no NLP model: a name is read from its shape. A person: an honorific or title
before a capitalised name ("Director Wang", "Mr. Hopkins", not "Mr. President"), or a full name
with an initial ("Franklin D. Roosevelt"). An organisation: capitalised words ending in an
organisation word ("Mozilla Foundation", "State Council", "Acme Ltd.") or followed by a legal
form after a comma ("Sun Microsystems, Inc."). A place: capitalised words after a preposition
of place ("in Shanghai", "across Europe") or ending in a place word ("Hainan Province").
Capitalised words the same text also uses in lower case ("Source Code Form" beside "source
code") are defined terms, not names.
"""

from __future__ import annotations

import re

from qa.answering.values import Value

PERSON, ORGANISATION, PLACE = "person", "organisation", "place"

_TITLES = (
    "Mr|Mrs|Ms|Miss|Dr|Prof|Professor|Sir|Dame|Lord|Lady|Madam|Minister|Commissioner|Director"
    "|Premier|President|Chairman|Chairwoman|Chair|Senator|Secretary|General|Admiral|Colonel"
    "|Governor|Mayor|Judge|Justice|Ambassador|Vice|King|Queen|Prince|Princess|Pope|Rev|Father"
)
# words that follow a title without being a name ("Mr. President", "Madam Speaker")
_ROLE_WORDS = frozenset(
    (
        _TITLES + "|Speaker|Chief|Deputy|Members|Member|Vice-President|Vice-Premier|Office"
        "|Council|House|Committee|Department|Ministry|State|Court|General|Assembly"
    ).split("|")
)
_ORG_WORDS = (
    "Foundation|Inc|Ltd|LLC|LLP|PLC|GmbH|Corporation|Corp|Company|Co|Group|Committee|Commission"
    "|Council|Office|Ministry|Department|Agency|Administration|Authority|Bureau|Association"
    "|Society|Institute|Institution|University|College|Academy|Court|Congress|Parliament"
    "|Assembly|Senate|Bank|Fund|Organization|Organisation|Union|Board|Team|Project|Consortium"
    "|Federation|League|Party|Army|Navy|Force|Forces|Service|Trust|Alliance|Centre|Center"
)
_PLACE_WORDS = (
    "City|Province|County|District|Region|State|States|Republic|Kingdom|Island|Islands|Valley"
    "|River|Mountains|Bay|Sea|Ocean|Zone|Prefecture|Municipality|Territory|Coast|Peninsula"
)
# the last word of a law's or a document's title ("the Foreign Trade Law", "the Patent Act")
_TITLE_WORDS = (
    "Law|Laws|Act|Acts|Code|Regulation|Regulations|Rules|Measures|Provisions|Directive|Treaty"
    "|Convention|Agreement|Protocol|Charter|Constitution|Plan|Strategy|Program|Programme|Policy"
    "|Notice|Opinions|Decision|Guidelines|License|Licence|Standard|Specification|Format|Manual"
)
# capitalised words that name parts of a document or address the reader, never a place or person
_STRUCTURAL = frozenset(
    "Section Sections Article Articles Clause Chapter Part Paragraph Exhibit Annex Appendix "
    "Table Figure Schedule Item Note Notes You Your We I It This That These Those The A An "
    "If When Where In On At For To From By Such Any All Each No Not Please See".split()
)
# words an organisation's name does not start with
_LEADING = r"The|A|An|This|That|Our|Their|(?:" + _TITLES + r")\.?(?:\s+[A-Z][a-z]+\s+of)?"
_CAP = r"[A-Z][a-z][\w'’-]*"  # a capitalised word ("Shanghai", "Xi'an", "Saint-Denis")
_CAPS = rf"{_CAP}(?:\s+(?:of\s+(?:the\s+)?|de\s+|and\s+)?{_CAP})*"

_PERSON = re.compile(
    rf"\b(?:{_TITLES})\.?\s+(?P<name>{_CAP}(?:\s+{_CAP})*)"
    rf"|\b(?P<full>{_CAP}\s+(?:[A-Z]\.\s+)+{_CAP})"  # Franklin D. Roosevelt
)
# a company's legal form, which often follows its name after a comma ("Sun Microsystems, Inc.")
_LEGAL_FORMS = "Inc|Ltd|LLC|LLP|PLC|GmbH|Corp"
_ORGANISATION = re.compile(
    rf"\b(?:{_CAPS}\s+)?(?:{_CAP}\s+)*(?:{_ORG_WORDS})\b\.?"
    rf"|\b(?:{_CAP}\s+)*{_CAP},\s+(?:{_LEGAL_FORMS})\b\.?"
)
_PLACE = re.compile(
    r"\b(?:in|at|from|to|across|throughout|near|within|into|outside|inside|around)\s+"
    rf"(?:the\s+)?(?P<name>{_CAPS})"
    rf"|\b(?P<suffixed>(?:{_CAP}\s+)+(?:{_PLACE_WORDS}))\b"
)


def find_names(text: str) -> list[Value]:
    """People, organisations and places named in text, in order.

    Example: [v.kind for v in find_names("Director Wang of the State Council met in Geneva.")]
    -> ["person", "organisation", "place"]
    """
    lower_words = set(re.findall(r"\b[a-z][\w'-]*", text))
    found: list[Value] = []
    for m in _PERSON.finditer(text):
        group = "name" if m.group("name") else "full"
        words = m.group(group).split()
        if words[0] in _ROLE_WORDS or words[0] in _STRUCTURAL:
            continue  # "Mr. President", "Director General"
        if re.search(r"[A-Z][\w-]*\s+$", text[: m.start()]) or not _is_proper(
            m.group(group), lower_words
        ):
            continue  # "GNU General Public License": the title word is part of a longer name
        found.append(Value(PERSON, m.start(group), m.end(group), m.group(group)))
    for m in _ORGANISATION.finditer(text):
        start = m.start()
        while lead := re.match(rf"(?:{_LEADING})\s+", text[start : m.end()]):
            start += lead.end()  # "The Mozilla Foundation", "Director Wang of the State Council"
        words = text[start : m.end()].split()
        if len(words) < 2 or all(w in _STRUCTURAL or w == "of" for w in words[:-1]):
            continue  # a bare "Office" or "The Board" names no organisation
        found.append(Value(ORGANISATION, start, m.end(), text[start : m.end()]))
    for m in _PLACE.finditer(text):
        group = "name" if m.group("name") else "suffixed"
        name = m.group(group)
        if _is_proper(name, lower_words) and not _overlaps(found, m.start(group), m.end(group)):
            found.append(Value(PLACE, m.start(group), m.end(group), name))
    return sorted(found, key=lambda v: v.start)


def _is_proper(name: str, lower_words: set[str]) -> bool:
    """A name, not a defined term or a heading word: no word of it is structural, and its
    head word is not used in lower case in the same text."""
    words = [w for w in name.split() if w not in {"of", "the", "de", "and"}]
    if not words or any(w in _STRUCTURAL for w in words):
        return False
    if re.search(rf"\b(?:{_ORG_WORDS}|{_TITLE_WORDS})$", name):
        return False  # "in the State Council" is an organisation, "in the Trade Law" a title
    return words[-1].lower() not in lower_words


def _overlaps(found: list[Value], start: int, end: int) -> bool:
    return any(v.start < end and start < v.end for v in found)
