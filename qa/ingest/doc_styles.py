"""The paragraph styles of a Word 97-2003 .doc, so headings become headings (qa.ingest.doc_text).

A paragraph's style is found as [MS-DOC] gives it: the style sheet (STSH) lists the styles, each
with its built-in identifier (sti: 1-9 for "heading 1"-"heading 9", 62 for "Title", 19-27 for
the table of contents' levels, whatever the style is called in the user's language) and the style
it is based on; the paragraph properties sit in 512-byte pages (PapxFkp) of the WordDocument
stream, listed by the PlcBtePapx, each page mapping file-offset ranges of paragraphs to a style
index. A custom style based on a heading style ranks as that heading.
"""

from __future__ import annotations

import bisect
import struct
from dataclasses import dataclass

_FC_STSHF, _FC_PLCF_BTE_PAPX = 0xA2, 0x102  # FibRgFcLcb97: style sheet, paragraph pages
_PAGE = 512
_STI_TITLE, _STI_TOC = 62, range(19, 28)
MAX_BASES = 10  # styles followed up the based-on chain


@dataclass(frozen=True)
class Style:
    sti: int  # built-in identifier (0x0FFE for a user-defined style)
    base: int  # istd of the style it is based on (0x0FFF: none)


def heading_prefix_of(styles: list[Style | None], istd: int) -> str | None:
    """'# ' for the title, '## ' for heading 1 ... (a style based on a heading ranks as it), ''
    for body text, None for an entry of a table of contents (not read).

    Example: heading_prefix_of([Style(0, 0xFFF), Style(1, 0)], 1) -> '## '
    """
    for _ in range(MAX_BASES):
        style = styles[istd] if 0 <= istd < len(styles) else None
        if style is None:
            return ""
        if 1 <= style.sti <= 9:
            return "#" * min(style.sti + 1, 6) + " "
        if style.sti == _STI_TITLE:
            return "# "
        if style.sti in _STI_TOC:
            return None
        istd = style.base
    return ""


def read_styles(word: bytes, table: bytes) -> list[Style | None]:
    """The style sheet's styles by index (None for an empty slot); [] if it cannot be read."""
    try:
        fc, lcb = struct.unpack_from("<II", word, _FC_STSHF)
        stsh = table[fc : fc + lcb]
        (cb_stshi,) = struct.unpack_from("<H", stsh, 0)
        count, cb_base = struct.unpack_from("<HH", stsh, 2)
        at, styles = 2 + cb_stshi, []
        for _ in range(count):
            (cb_std,) = struct.unpack_from("<H", stsh, at)
            if cb_std >= 4 and cb_base >= 4:
                sti_word, base_word = struct.unpack_from("<HH", stsh, at + 2)
                styles.append(Style(sti_word & 0x0FFF, base_word >> 4))
            else:
                styles.append(None)
            at += 2 + cb_std
        return styles
    except (struct.error, IndexError):
        return []


def paragraph_styles(word: bytes, table: bytes) -> tuple[list[int], list[int], list[int]]:
    """(starts, ends, style indexes) of the file-offset ranges the paragraph pages cover, sorted;
    empty lists if they cannot be read."""
    runs = []
    try:
        fc, lcb = struct.unpack_from("<II", word, _FC_PLCF_BTE_PAPX)
        plc = table[fc : fc + lcb]
        pages = (len(plc) - 4) // 8
        for i in range(max(pages, 0)):
            (pn,) = struct.unpack_from("<I", plc, 4 * (pages + 1) + 4 * i)
            runs += _page_runs(word[(pn & 0x3FFFFF) * _PAGE :][:_PAGE])
    except (struct.error, IndexError):  # damaged tables: every paragraph is body text
        return [], [], []
    runs.sort()
    return [r[0] for r in runs], [r[1] for r in runs], [r[2] for r in runs]


def _page_runs(page: bytes) -> list[tuple[int, int, int]]:
    if len(page) < _PAGE:
        return []
    crun = page[_PAGE - 1]
    if 4 * (crun + 1) + 13 * crun > _PAGE - 1:  # more runs than a page holds: damaged
        return []
    fcs = struct.unpack_from(f"<{crun + 1}I", page, 0)
    out = []
    for i in range(crun):
        offset = page[4 * (crun + 1) + 13 * i] * 2
        istd = 0
        if offset:
            cb = page[offset]
            start = offset + (2 if cb == 0 else 1)
            if start + 2 <= _PAGE - 1:
                (istd,) = struct.unpack_from("<H", page, start)
        out.append((fcs[i], fcs[i + 1], istd))
    return out


def style_at(runs: tuple[list[int], list[int], list[int]], fc: int) -> int:
    """The style index of the paragraph whose range holds file offset ``fc`` (0, Normal, if
    none does)."""
    starts, ends, istds = runs
    i = bisect.bisect_right(starts, fc) - 1
    return istds[i] if i >= 0 and fc < ends[i] else 0
