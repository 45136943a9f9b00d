"""bm25s's English stopword lists, read without importing bm25s.

BM25 drops them from passages and questions, and the answer rules from a question's topic
words. Importing ``bm25s.stopwords`` imports bm25s, and scipy with it: 0.1 s of every cold
start, for two lists of words. The lists are read from bm25s's module file instead, so a
question is split into terms exactly as bm25s splits the passages it indexes.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path


@cache
def bm25s_stopwords(name: str) -> tuple[str, ...]:
    """One of bm25s's stopword lists ("STOPWORDS_EN", "STOPWORDS_EN_PLUS"), read from its
    module file: importing the module would import bm25s and scipy with it."""
    spec = importlib.util.find_spec("bm25s")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("bm25s is not installed; run `pip install bm25s`")
    path = Path(next(iter(spec.submodule_search_locations))) / "stopwords.py"
    module_spec = importlib.util.spec_from_file_location("_bm25s_stopword_lists", path)
    if module_spec is None or module_spec.loader is None:
        raise ModuleNotFoundError(f"bm25s's stopword lists are not at {path}; reinstall bm25s")
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return tuple(getattr(module, name))
