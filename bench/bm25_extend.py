"""BM25 when files are added to a built index: bm25s's passage-by-passage build against the
whole-array one planqa uses (qa.index.bm25_build), on the same term ids; seconds per run and
whether the two matrices are identical.

    QA_INDEX_DIR=/tmp/scale/1000x/index python bench/bm25_extend.py added.md --runs 3
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qa.index.bm25_build import FlatTermIds, indexed_model  # noqa: E402
from qa.index.lexical import LexicalIndex, bm25_text, numbered  # noqa: E402
from qa.types import Passage  # noqa: E402


def added_passages(path: Path) -> list[Passage]:
    """The file's paragraphs as passages (BM25 reads only their text and section)."""
    text = path.read_text("utf-8")
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    return [
        Passage(id=i, text=p, source=path.name, start=0, end=len(p), section="")
        for i, p in enumerate(paragraphs)
    ]


def with_added(lexical: LexicalIndex, passages: list[Passage]) -> tuple[FlatTermIds, dict]:
    """The held passages' term ids and the new ones', numbered as an incremental build does."""
    held = lexical.passage_terms
    old = FlatTermIds(np.asarray(held.ids), np.asarray(held.starts, np.int64))
    return numbered(old, lexical.matrix.vocab, lexical.tokenize([bm25_text(p) for p in passages]))


def bm25s_model(terms: FlatTermIds, vocab: dict):
    """bm25s's own build, from the lists of ids it takes."""
    import bm25s

    rows = [r.tolist() for r in np.split(terms.ids, terms.starts[1:-1])] if len(terms) else []
    model = bm25s.BM25()
    model.index(bm25s.tokenization.Tokenized(ids=rows, vocab=vocab), show_progress=False)
    return model


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("added", type=Path, help="a text file whose paragraphs are the new passages")
    ap.add_argument("--index-dir", type=Path, default=Path(os.environ.get("QA_INDEX_DIR", "index")))
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    lexical = LexicalIndex.load(args.index_dir)
    passages = added_passages(args.added)
    terms, vocab = with_added(lexical, passages)
    print(f"{len(lexical)} passages held, {len(passages)} added, {len(terms.ids)} term ids")
    models = {}
    for name, build in (("bm25s", bm25s_model), ("arrays", indexed_model)):
        seconds = []
        for _ in range(args.runs):
            t = time.perf_counter()
            models[name] = build(terms, dict(vocab))
            seconds.append(time.perf_counter() - t)
        print(f"{name:7s} " + " ".join(f"{s:.2f}" for s in seconds) + " s")
    same = all(
        np.array_equal(models["bm25s"].scores[k], models["arrays"].scores[k])
        for k in ("data", "indices", "indptr")
    )
    print(f"identical matrices: {same}")


if __name__ == "__main__":
    main()
