"""Bytes that can only be Chinese text in a legacy code page: GB18030 (GBK, GB2312: what Notepad
and Excel write on a mainland Chinese Windows, and how many agencies' .txt and .csv files come)
or Big5 (Windows code page 950: Taiwan and Hong Kong). Tried after UTF-8 and Windows-1252
(qa.ingest.formats.read_text), since a wrong guess is worse than a skip.

A legacy code page decodes many byte strings that are not text in it, and Big5 bytes read as
GB18030 are Chinese characters too, only the wrong ones. What tells them apart is how common the
characters are: each standard lists its most frequent characters first (GB2312's 3,755 "level 1"
characters, Big5's 5,401), which make up nearly all of running text (over 97% of the Han
characters of the plan's Chinese questions, either way), while a misread gives rare ones (under
50%). So the bytes are read in a code page only when they decode strictly, the characters
beyond ASCII are mostly Chinese, and at least MIN_COMMON_SHARE of its Han characters are among
its level-1 characters.
"""

from __future__ import annotations

import re

GB18030, BIG5 = "gb18030", "cp950"
CHINESE_CODE_PAGES = (GB18030, BIG5)
MIN_HAN = 10  # fewer Han characters tell too little
MIN_HAN_SHARE = 0.5  # of the characters beyond ASCII (the rest: Chinese punctuation, symbols)
MIN_COMMON_SHARE = 0.8  # of the Han characters, among the code page's level-1 characters
MAX_SPACED_SHARE = 0.05  # of the Han characters, with a space before the next Han character
MAX_KANA_SHARE = 0.05  # of the characters beyond ASCII, Japanese kana
MIN_JAPANESE_KANA = 0.2  # of the characters beyond ASCII when read as Japanese: it is Japanese
_HAN = r"[\u4e00-\u9fff]"  # compiled when first needed (qa.cli imports this module): ~9 ms
# Korean in EUC-KR shares GB2312's and Big5's byte layout and reads as their common characters,
# but spaced between words as Chinese is not ("中国 知识" is rare); Japanese reads with its kana
_SPACED_HAN = _HAN + " (?=" + _HAN + ")"
_KANA = re.compile(r"[\u3040-\u30ff]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
# each code page's level-1 characters as the lead bytes of their encoding (GB2312 0xB0-0xD7;
# Big5 0xA440-0xC67E), and the codec that encodes into that table
_LEVEL_ONE = {GB18030: ("gb2312", 0xB0, 0xD7), BIG5: ("big5", 0xA4, 0xC6)}


def chinese_text(data: bytes) -> tuple[str, str] | None:
    """The bytes read as Chinese in GB18030 or Big5 (cp950), with the code page, when that can
    only be right (see the module's docstring); None otherwise.

    Example: chinese_text("知识产权质押融资试点工作将进一步扩大。".encode("gbk")) ->
    ('知识产权质押融资试点工作将进一步扩大。', 'gb18030')
    """
    if _japanese(data):
        return None
    best = None
    for code_page in (GB18030, BIG5):
        try:
            text = data.decode(code_page)
        except UnicodeDecodeError:
            continue
        share = _common_share(text, code_page)
        if share is not None and (best is None or share > best[0]):
            best = (share, text, code_page)
    return (best[1], best[2]) if best else None


def _japanese(data: bytes) -> bool:
    """Whether the bytes read as Japanese (EUC-JP or Shift-JIS) with kana among the characters:
    Japanese in EUC-JP also decodes as Big5 level-1 characters, its kana among them."""
    for codec in ("euc_jp", "cp932"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        beyond_ascii = sum(ord(c) > 0x7F for c in text)
        if len(_KANA.findall(text)) >= MIN_JAPANESE_KANA * max(beyond_ascii, 1):
            return True
    return False


def _common_share(text: str, code_page: str) -> float | None:
    """The share of the text's Han characters among the code page's level-1 ones, or None when
    the text is no Chinese text (too few Han characters, controls, or mostly other scripts)."""
    han = re.findall(_HAN, text)  # re's cache keeps the compiled pattern
    beyond_ascii = sum(ord(c) > 0x7F for c in text)
    if len(han) < MIN_HAN or len(han) < MIN_HAN_SHARE * beyond_ascii or _CONTROL.search(text):
        return None
    spaced, kana = len(re.findall(_SPACED_HAN, text)), len(_KANA.findall(text))
    if spaced > MAX_SPACED_SHARE * len(han) or kana > MAX_KANA_SHARE * beyond_ascii:
        return None
    codec, first, last = _LEVEL_ONE[code_page]
    common = 0
    for character in han:
        try:
            encoded = character.encode(codec)
        except UnicodeEncodeError:
            continue
        common += first <= encoded[0] <= last and (codec != "big5" or encoded <= b"\xc6\x7e")
    share = common / len(han)
    return share if share >= MIN_COMMON_SHARE else None
