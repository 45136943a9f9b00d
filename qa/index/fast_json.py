"""JSON read with orjson when it is installed (it comes with gradio), json otherwise.

A large library's index holds 200k passage and sentence lines and 22 MB of passage terms:
orjson reads them twice as fast, most of what a cold start spends reading. What orjson
refuses and json accepts (a lone surrogate escape) is read by json.
"""

from __future__ import annotations

import json


def loads(data: bytes | str) -> object:
    try:
        import orjson
    except ImportError:
        return json.loads(data)
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data)
