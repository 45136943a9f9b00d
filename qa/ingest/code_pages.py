"""The Windows code page of a language: what 8-bit text was written in where a file names only
its language (a Word 6/95 document's lid, an Outlook message's locale), both Windows language
ids (LCIDs) whose low 10 bits are the primary language.
"""

from __future__ import annotations

from qa.ingest.western import WINDOWS_1252

# by primary language; every other language wrote Windows-1252
_BY_LANGUAGE = {
    **dict.fromkeys((0x19, 0x22, 0x02, 0x23, 0x2F), "cp1251"),  # Russian, Ukrainian, Bulgarian, ...
    **dict.fromkeys((0x05, 0x15, 0x0E, 0x1B, 0x24, 0x18, 0x1C, 0x1A), "cp1250"),  # Czech, Polish
    0x08: "cp1253", 0x1F: "cp1254", 0x0D: "cp1255", 0x01: "cp1256",  # Greek ... Arabic
    **dict.fromkeys((0x25, 0x26, 0x27), "cp1257"), 0x2A: "cp1258", 0x1E: "cp874",
    0x11: "cp932", 0x12: "cp949",  # Japanese, Korean
}  # fmt: skip
_CHINESE, _SIMPLIFIED = (
    0x04,
    (0x0804, 0x1004),
)  # simplified in China and Singapore, else traditional


def language_code_page(lcid: int) -> str:
    """The codec of the code page a language's Windows wrote 8-bit text in.

    Example: [language_code_page(n) for n in (0x0419, 0x0804, 0x0404, 0x0407)] ->
    ['cp1251', 'gbk', 'cp950', 'cp1252']
    """
    if lcid & 0x3FF == _CHINESE:
        return "gbk" if lcid in _SIMPLIFIED else "cp950"
    return _BY_LANGUAGE.get(lcid & 0x3FF, WINDOWS_1252)
