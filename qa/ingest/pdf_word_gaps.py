"""Word gaps drawn as TJ offsets become spaces, whatever pypdf guesses a space's width to be.

TeX and many other tools draw no space glyph between words: a word is a string in a TJ array
and the gap to the next one a negative number (thousandths of an em). pypdf writes a space for a
gap at least 95% of its estimate of the font's space width, and for a composite font without a
space glyph that estimate is whatever glyph sits at code 32 (pypdf issue #3978, open): in the
Debian Policy PDF every justified line set tighter than that width came out as one run of
letters ("packagesthatshouldbeincludedbydefault...": 3,736 runs of 20 letters or more). Kerning
moves glyphs closer (a positive number) or apart by a few hundredths of an em, so a gap of 0.15
em or more is a word gap in any font; pypdf's own threshold is kept when it is smaller. The hook
is a private method of pypdf's; tests/test_pdf_word_gaps.py fails when a pypdf lacks it.
"""

from __future__ import annotations

WORD_GAP = 150.0  # thousandths of an em: the smallest TJ gap that is always a word gap

_PATCHED = "_planqa_word_gap"


def count_word_gaps() -> bool:
    """Make pypdf's text extraction count every TJ gap of ``WORD_GAP`` or more as a space (once
    per process). False when this pypdf has no such hook (it then extracts as it always did)."""
    try:
        from pypdf._text_extraction._text_extractor import TextExtraction
    except ImportError:
        return False
    original = getattr(TextExtraction, "process_tj_offset", None)
    if original is None:
        return False
    if getattr(original, _PATCHED, False):
        return True

    def process_tj_offset(self, offset: float, space_width: float) -> None:
        original(self, offset, min(space_width, WORD_GAP))

    setattr(process_tj_offset, _PATCHED, True)
    process_tj_offset.__doc__ = original.__doc__
    TextExtraction.process_tj_offset = process_tj_offset
    return True
