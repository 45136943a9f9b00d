"""Cut a document into passages that respect its structure.

Policy documents are built of numbered headings (``2. Main actions``, ``(1) Promote ...``), bullet items that
start with ``——`` (whose first sentence is the item's title) and plain paragraphs. A passage is a run
of whole sentences inside one paragraph, about 40-130 words, so the encoder never truncates it, and it
carries the heading path above it. Everything here is pure: offsets index the document text.
"""

from __future__ import annotations

import re

from qa.config import ChunkingConfig
from qa.ingest.grouping import group_sentences
from qa.ingest.non_titles import (
    is_address,
    is_contents,
    no_title_line,
    not_a_title,
    stamp_or_mark,
    title_page_line,
)
from qa.ingest.section_path import TITLE_LEVEL, opened, section_number
from qa.ingest.sentences import Span, sentences, split_long, trim, word_count
from qa.types import Document, Passage

SECTION_SEP = " > "
BULLET = "——"

_PARAGRAPH = re.compile(r"[^\n]+(?:\n(?![ \t\r]*\n)[^\n]*)*")
_LINE = re.compile(r"[^\n]+")
# "2.", "2)", "II." and "1.5" ("1.5 Modifications": a dotted number needs no closing stop)
_NUMBER = r"(?:\d+(?:\.\d+)*[.)]|\d+(?:\.\d+)+|[IVX]+\.)"
_NUMBERED = re.compile(rf"^\s*{_NUMBER}\s+\S")
# "2. Grant of Copyright License. Subject to ..." (a lone capital before the stop, as in "U.S.",
# or a company's "Inc." ends no title, nor does a stop the sentence runs on from in lower case;
# a list letter may follow: "3. TERMS FOR SPECIFIC COMPONENTS. a. ...")
_INLINE_TITLE = re.compile(
    rf"^\s*({_NUMBER}|[(（]\d+[)）])[ \t]+([^\n]{{1,80}}?)(?<![.\s][A-Z])"
    r"(?<!\bInc)(?<!\bLtd)(?<!\bCo)(?<!\bCorp)\.[ \t\n]+(?=\S)(?![a-z]{2})"
)
_NUMBERED_PREFIX = re.compile(rf"^\s*{_NUMBER}\s+")
_PARENTHESISED = re.compile(r"^\s*[(（]\s*\d+\s*[)）]\s*\S")
_MARKDOWN = re.compile(r"^\s*(#{1,6})\s+\S")
# a short line underlined by a line of - or = (setext headings, plain-text licences)
_UNDERLINED = re.compile(r"^[ \t]*(\S[^\n]{0,150}?)[ \t]*\r?\n[ \t]*(-{3,}|={3,})[ \t]*$")
_LIST_MARKER = re.compile(r"^\s*(?:[(（]?(?:\d+|[a-z]|[ivx]+)[.)）]|[*•·\-–]|——)\s*\S")
_RULE = re.compile(r"^[\s\-=*_~#+|.·•]*$")  # a paragraph of only lines, rules or dots
# a line that ends a sentence or a clause ("... the Terms URL.", "... and (b);")
_ENDS_CLAUSE = re.compile(r"[.!?;][\"'”’)]*$")
# a line that breaks off, its sentence going on in the next ("2.8 RECIPIENT UNDERSTANDS THAT
# ALTHOUGH EACH CONTRIBUTOR AND")
_BREAKS_OFF = re.compile(r"\b(?:and|or|nor|but|of|the|a|an|to|for|with|by|in|on|that)$", re.I)
# the verbs of a statement: a line holding one is a provision or a sentence, never a heading
_STATEMENT = re.compile(
    r"\b(?:shall|must|may|should|will|would|could|can|might|is|are|was|were)\b", re.IGNORECASE
)
# a definition ("1.2 'Compatible Licence' means ...") states, as a modal or copular verb does
_DEFINES = re.compile(r"\bmeans\b")
# zero-width spaces and marks: no part of a label
_FORMAT_CHARS = re.compile("[\u200b-\u200f\u2060\ufeff]")


# ---------------------------------------------------------------------------- pure helpers


def paragraphs(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Blocks of text[start:end] separated by blank lines, trimmed of surrounding whitespace; a
    numbered heading glued to the lines around it is a block of its own (_glued_headings).

    Example: paragraphs("a\\n\\nb c") -> [Span(0, 1), Span(3, 6)]
    """
    spans = []
    for m in _PARAGRAPH.finditer(text, start, len(text) if end is None else end):
        for cut_start, cut_end in _glued_headings(text, m.start(), m.end()):
            s, e = trim(text, cut_start, cut_end)
            if s < e:
                spans.append(Span(s, e))
    return spans


def _glued_headings(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """text[start:end] cut before and after each numbered heading glued to it with no blank
    line ("... to the Terms URL.\\n2. Payment Terms."): the line after a sentence's end, a
    numbered title by itself. A run of numbered items of one depth is a list, and a line the
    next one continues in lower case is a wrapped sentence: neither is cut.
    """
    found = list(_LINE.finditer(text, start, end))
    lines = [m.group().strip() for m in found]
    cuts = [start]
    for i, line in enumerate(lines):
        if i == 0 or not _NUMBERED.match(line) or heading_level(line) != 1:
            continue
        before, after = lines[i - 1], lines[i + 1] if i + 1 < len(lines) else ""
        depth = len(section_number(line))
        if (
            _ENDS_CLAUSE.search(before)
            and _title_cased(_NUMBERED_PREFIX.sub("", line, count=1).split())
            and not after[:1].islower()
            and not _BREAKS_OFF.search(line)
            and not (line.isupper() and after.isupper())
            and depth not in (len(section_number(before)), len(section_number(after)))
        ):
            cuts += [found[i].start(), found[i].end()]
    cuts.append(end)
    return list(zip(cuts[:-1], cuts[1:], strict=True))


def heading_level(paragraph: str) -> int | None:
    """1 for ``2. Main actions`` or ``# Title``, 2 for ``(1) ...``, 0 for a short title line, else None.

    A line underlined with ``----`` is a heading of the line's own level (1 when it has none),
    one underlined with ``====`` a title (0).

    A numbered line that states something ("1. Member States shall ensure that penalties are
    effective.", "(3) The Commission may ...") is a provision, not a heading: headings name a
    topic or an action ("(2) Strengthen intellectual property protection ...") and carry no
    modal or copular verb.
    """
    first_line = paragraph.split("\n", 1)[0]
    if _RULE.match(paragraph):
        return None  # a horizontal rule names nothing
    if m := _UNDERLINED.match(paragraph):  # "1. Definitions" over a line of ---- (or ====)
        if m.group(2)[0] == "=":
            return 0
        return heading_level(m.group(1)) or 1
    if "\n" in paragraph.strip():
        return None
    if m := _MARKDOWN.match(first_line):
        return len(m.group(1))
    if _STATEMENT.search(paragraph) or _DEFINES.search(paragraph) or not_a_title(paragraph):
        return None
    if inline_title(paragraph):
        return None  # a provision that opens with its title is content
    words = word_count(paragraph)
    if _NUMBERED.match(paragraph) and words <= 25:
        return None if _numbered_clause(paragraph, words) else 1
    if _PARENTHESISED.match(paragraph) and words <= 30:
        return 2
    if words <= 12 and not paragraph.startswith(BULLET) and not no_title_line(paragraph):
        return 0
    return None


def is_label(passage_text: str) -> bool:
    """A passage that labels rather than states: a heading, a stamp, a footnote mark, a table
    of contents or an address alone ("Version 1.0", "^[8]", "2.1 Syntax ...... 7 2.2 Fields
    ...... 9", "http://www.apache.org/licenses/LICENSE-2.0"). Ranking puts labels last and a
    declined answer lists others first: a label echoes many questions (a web address holds
    the words "licenses", "policy", "standards"), or (a mark) is near every question to an
    encoder.
    """
    return (
        heading_level(passage_text) is not None
        or stamp_or_mark(passage_text)
        or is_contents(passage_text)
        or is_address(passage_text)
    )


def _numbered_clause(line: str, words: int) -> bool:
    """A numbered line that is a clause of the text, not a title: it ends in ";" or ",", or in
    ":" unless it reads as a title ("3. LICENSE CONDITIONS:"), its first word is lower case
    ("3.1 copy, publish and transmit ..."), or past 12 words it ends as a sentence does ("2.2
    By clicking to accept ..., you agree to the terms.")."""
    body = _NUMBERED_PREFIX.sub("", line, count=1).rstrip()
    return bool(
        body[-1:] in (";", ",")
        or (body.endswith(":") and not _title_cased(body.rstrip(":").split()))
        or body[:1].islower()
        or (words > 12 and body.endswith("."))
    )


def _title_cased(words: list[str]) -> bool:
    """The first word and every word of four letters or more capitalised ("Grant of Copyright
    License", "LICENSE CONDITIONS")."""
    long_words = [w for w in words if len(w.strip("\"'()“”")) >= 4]
    return bool(words) and all(w.lstrip("\"'(“")[:1].isupper() for w in [words[0], *long_words])


def inline_title(paragraph: str) -> tuple[int, str] | None:
    """The level and label of a title that opens a numbered provision ("2. Grant of Copyright
    License. Subject to the terms ..."), or None. Such a paragraph is content, and it opens the
    section its title names: the provisions of a licence are cited under their own numbers.

    Example: inline_title("2. Grant of License. You may copy it.") -> (1, "2. Grant of License")
    """
    m = _INLINE_TITLE.match(paragraph)
    if not m:
        return None
    title = m.group(2)
    words = title.split()
    if len(words) > 8 or _STATEMENT.search(title) or not _title_cased(words):
        return None
    label = heading_label(f"{m.group(1)} {title}")
    return heading_level(label) or 1, label


def is_item_title(sentence: str) -> bool:
    """The first sentence of a ``——`` item, which chunk() puts in the section path as the
    item's title.

    Example: is_item_title("——Promote the legalization of software.") -> True
    """
    return sentence.startswith(BULLET)


def heading_label(paragraph: str) -> str:
    """The heading as shown in a section path: markdown hashes and a final period dropped."""
    if m := _UNDERLINED.match(paragraph):
        paragraph = m.group(1)
    label = re.sub(r"^\s*#{1,6}\s+", "", paragraph.strip())
    label = _FORMAT_CHARS.sub("", label)  # a zero-width space is no part of a title
    return " ".join(label.split()).rstrip(" .。")  # "5.2.\xa0Program" as "5.2. Program"


# ---------------------------------------------------------------------------- chunking


def chunk(
    document: Document, config: ChunkingConfig | None = None, first_id: int = 0
) -> list[Passage]:
    """Passages of one document, in order, each with its heading path and exact offsets."""
    config = config or ChunkingConfig()
    text = document.text
    headings: list[tuple[float, str]] = []  # stack of (level, label)
    item_title = ""
    title_mark = None  # how the document's title is marked, once its first block is one
    title_page = 0  # the last block of the title page after it (_title_page_end)
    passages: list[Passage] = []
    paras = blocks(text, config.max_words)
    marks_sections = _marks_sections(text, paras)
    for n, para in enumerate(paras):
        body = text[para.start : para.end]
        level = section_heading_level(body, n == 0, marks_sections)
        if 0 < n <= title_page and level == 0:
            level = None  # an author's name on the title page heads nothing
        titled = inline_title(body) if level is None else None
        block = _title_block(body) if n == 0 and level is None and not titled else None
        if level is not None or titled or block:
            level, label = titled or block or (level, heading_label(body))
            if n == 0 and not titled and level <= 1 and not section_number(label):
                title_mark = _title_mark(body)
                title_page = _title_page_end(text, paras)
                level = TITLE_LEVEL
            elif title_mark and _title_mark(body) == title_mark:
                level = TITLE_LEVEL  # "# Usage" after "# Introduction": the title was a section
            headings = opened(headings, level, label)
            item_title = ""
        elif body.startswith(BULLET):
            first = sentences(text, para.start + len(BULLET), para.end)
            item_title = heading_label(text[first[0].start : first[0].end]) if first else ""
        section = SECTION_SEP.join(
            [label for _, label in headings] + ([item_title] if item_title else [])
        )
        # a long (legal) sentence stays whole up to what the encoder reads; longer ones are cut
        sents = [
            piece
            for sent in sentences(text, para.start, para.end)
            for piece in split_long(text, sent, config.sentence_max_words)
        ]
        counts = [word_count(text[s.start : s.end]) for s in sents]
        for a, b in group_sentences(counts, config.target_words, config.max_words):
            start, end = sents[a].start, sents[b - 1].end
            passages.append(
                Passage(
                    id=first_id + len(passages),
                    source=document.source,
                    start=start,
                    end=end,
                    section=section,
                    text=text[start:end],
                    page=document.page_at(start),
                )
            )
    return passages


def section_heading_level(paragraph: str, first: bool, marks_sections: bool) -> int | None:
    """heading_level, but in a document that marks its headings (marks_sections) a line only
    its shape makes a title heads nothing: "Harbour Office" signing a mail, a short line of a
    web page. What the chunker and the app's reader both take for a heading."""
    level = heading_level(paragraph)
    if not first and level == 0 and marks_sections and _title_mark(paragraph) == "":
        return None
    return level


def marks_sections(text: str) -> bool:
    """Whether a document marks its section headings (see _marks_sections), as chunk reads it."""
    return _marks_sections(text, blocks(text))


def _marks_sections(text: str, paras: list[Span]) -> bool:
    """Whether the document marks its section headings (``## Fees``, as HTML, Word and Markdown
    give them), not only its title: at least two marked headings after the first block."""
    marked = 0
    for p in paras[1:]:
        marked += bool(_MARKDOWN.match(text[p.start : p.end]))
        if marked == 2:
            return True
    return False


def _title_block(paragraph: str) -> tuple[int, str] | None:
    """A first paragraph that is a title over its stamp and address lines, with no blank line
    between ("Apache License\\nVersion 2.0, January 2004\\nhttp://www.apache.org/licenses/"):
    the title's level and label, else None."""
    first, *rest = [line.strip() for line in paragraph.splitlines() if line.strip()]
    level = heading_level(first)
    if not rest or len(rest) > 3 or level not in (0, 1) or section_number(first):
        return None
    return (level, heading_label(first)) if all(title_page_line(r) for r in rest) else None


def _title_page_end(text: str, paras: list[Span]) -> int:
    """The last block of the title page after a document's title: its short lines up to the
    last that dates, versions, addresses or copyrights the text ("Raphaël Hertzog", "The Debian
    Policy Mailing List", "<debian-policy@lists.debian.org>", "version 4.6.2.0") are its parts,
    not headings. A short line after that ("TERMS AND CONDITIONS") may head the text; 0 when
    there is no such page."""
    end = 0
    for n in range(1, len(paras)):
        line = text[paras[n].start : paras[n].end].strip()
        if "\n" in line or word_count(line) > 12 or _NUMBERED.match(line):
            break
        if title_page_line(line):
            end = n
    return end


def _title_mark(paragraph: str) -> str:
    """How a heading is marked: "#" or "=" (underlined), or "" for a line only its shape tells."""
    if m := _UNDERLINED.match(paragraph):
        return "=" if m.group(2)[0] == "=" else ""
    m = _MARKDOWN.match(paragraph)
    return "#" if m and len(m.group(1)) == 1 else ""


def blocks(text: str, max_words: int = 130) -> list[Span]:
    """Paragraphs as chunk() reads them: rules (``-----``) dropped, and a lead-in ending in
    ":" kept with the list it introduces (its first paragraph, then items that look like list
    items, while the lead-in's last sentence and the items fit in max_words).

    Example: blocks("We should:\n\n(a) act; and\n\n(b) wait.\n\nNext.") -> [Span(0, 35), Span(37, 42)]
    """
    paras = [p for p in paragraphs(text) if not _RULE.match(text[p.start : p.end])]
    out: list[Span] = []
    i = 0
    while i < len(paras):
        start, end = paras[i].start, paras[i].end
        i += 1
        if heading_level(text[start:end]) is not None or not text[start:end].endswith(":"):
            out.append(Span(start, end))
            continue
        lead = sentences(text, start, end)[-1]
        words, first = word_count(text[lead.start : end]), None
        while i < len(paras):
            item = text[paras[i].start : paras[i].end]
            level = heading_level(item)
            # a short line after "is:" is what it introduces (" Format: https://..."), but a
            # numbered or underlined heading starts the next section
            heading = level is not None and (
                level > 0 or (first is not None and not _LIST_MARKER.match(item))
            )
            if heading or words + word_count(item) > max_words:
                break
            if first is not None and not _continues_list(item, first):
                break
            first = first or item
            words += word_count(item)
            end = paras[i].end
            i += 1
            if item.endswith(":"):
                break  # a new lead-in starts its own list
        out.append(Span(start, end))
    return out


def _continues_list(item: str, first: str) -> bool:
    """Whether a paragraph is another item of the list that ``first`` began: a list marker
    (``(b)``, ``2.``, ``*``, ``-``) or the same opening word ("We should ...")."""
    if _LIST_MARKER.match(item):
        return True
    head = first.split(maxsplit=1)[0] if first.split() else ""
    return bool(head) and item.split(maxsplit=1)[0] == head


def chunk_corpus(documents: list[Document], config: ChunkingConfig | None = None) -> list[Passage]:
    """Passages of all documents with ids 0..N-1 in corpus order."""
    out: list[Passage] = []
    for doc in documents:
        out.extend(chunk(doc, config, first_id=len(out)))
    return out
