"""Escaped HTML with marked character ranges, shared by the app and the evaluation report."""

from __future__ import annotations

import html
from collections.abc import Iterable


def esc(text: object) -> str:
    """HTML-escape any value, quotes included (safe in text and in attributes).

    Example: esc('<script>"x"') -> '&lt;script&gt;&quot;x&quot;'
    """
    return html.escape("" if text is None else str(text), quote=True)


def marked(text: str, offset: int, ranges: Iterable[tuple[int, int]], tag: str = "mark") -> str:
    """``text`` (which starts at document offset ``offset``) escaped, with the given document
    ranges wrapped in ``<tag>``. Overlapping ranges are merged; ranges outside are clipped.

    Example: marked("abcdef", 10, [(11, 13)]) -> 'a<mark>bc</mark>def'
    """
    local = sorted(
        (max(0, a - offset), min(len(text), b - offset))
        for a, b in ranges
        if min(len(text), b - offset) > max(0, a - offset)
    )
    out, pos = [], 0
    for a, b in local:
        a = max(a, pos)
        if a >= b:
            continue
        out.append(esc(text[pos:a]))
        out.append(f"<{tag}>{esc(text[a:b])}</{tag}>")
        pos = b
    out.append(esc(text[pos:]))
    return "".join(out)
