"""JSON read with orjson when it is installed (it comes with gradio), json otherwise.

A large library's index holds 200k passage and sentence lines and 22 MB of passage terms:
orjson reads them twice as fast, most of what a cold start spends reading. What orjson
refuses and json accepts (a lone surrogate escape) is read by json.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict
from functools import cache


@cache
def _orjson():
    """The orjson module, or None; looked up once, not per line."""
    try:
        import orjson
    except ImportError:
        return None
    return orjson


def loads(data: bytes | str) -> object:
    orjson = _orjson()
    if orjson is None:
        return json.loads(data)
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data)


def dataclass_lines(rows: Iterable) -> bytes:
    """JSON lines of dataclass instances (UTF-8, one object a line), as json.dumps(asdict(row))
    would write them; orjson writes 200k of them in well under a second, json in seconds."""
    orjson = _orjson()
    if orjson is None:
        return "".join(json.dumps(asdict(r), ensure_ascii=False) + "\n" for r in rows).encode()
    return b"".join(orjson.dumps(r) + b"\n" for r in rows)
