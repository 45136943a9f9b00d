"""Bytes that can only be Western text in Windows-1252: what a .txt (qa.ingest.formats) or a
Word 6/95 file (qa.ingest.doc_text) that is not UTF-8 is read as, and when that guess is refused.
"""

from __future__ import annotations

import re

WINDOWS_1252 = "cp1252"  # Windows' "ANSI" code page of Western Europe and the Americas
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]{4,}")  # Chinese read as Windows-1252: "¹ú¼Ò"
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
MAX_LEGACY_SHARE = 0.3  # of a Windows-1252 file's characters that are not ASCII (French: 2-4%)


def western_text(data: bytes) -> str | None:
    """The bytes read as Windows-1252 when that can only be right: every byte defined there,
    at most MAX_LEGACY_SHARE of the characters not ASCII and never four of them in a row
    (Chinese in GB18030 or Big5 read this way gives such runs: "¹ú¼Ò"), and no UTF-8 sequence
    among them (a UTF-8 file with one bad byte is not Windows-1252: its "é" would read "Ã©")."""
    if _UTF8_SEQUENCE.search(data):
        return None
    try:
        text = data.decode(WINDOWS_1252)
    except UnicodeDecodeError:  # 0x81, 0x8d, 0x8f, 0x90, 0x9d are undefined in Windows-1252
        return None
    others = sum(ord(c) > 0x7F for c in text)
    if others > MAX_LEGACY_SHARE * len(text) or _NON_ASCII_RUN.search(text):
        return None
    return text
