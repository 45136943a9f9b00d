"""HNSW32 against exact (flat) search over a built index's MiniLM vectors: build seconds, time
per query, recall of the first stage's top 100, and the retrieval figures of an eval split with
each (qa.index.vector_store picks flat up to HNSW_MIN_PASSAGES, HNSW above), at one or more
efSearch values (how many neighbours a search keeps; more: slower, nearer exact).

    QA_CORPUS_DIR=... QA_INDEX_DIR=... python bench/hnsw.py eval/dev.jsonl [--ef 128 256]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.tune import evaluate, summary  # noqa: E402
from qa.assistant import Assistant  # noqa: E402
from qa.evaluation.evalset import load_eval_file, locate_evidence  # noqa: E402
from qa.index import vector_store  # noqa: E402
from qa.index.vector_store import HNSW_EF_SEARCH, HNSW_NEIGHBOURS  # noqa: E402


def main() -> None:
    import faiss

    ap = argparse.ArgumentParser()
    ap.add_argument("files", type=Path, nargs="+", help="eval splits (dev only), pooled")
    ap.add_argument("--depth", type=int, default=100, help="first-stage candidates compared")
    ap.add_argument("--ef", type=int, nargs="+", default=[HNSW_EF_SEARCH], help="efSearch values")
    args = ap.parse_args()
    assistant = Assistant.open(auto_build=False)
    retriever = assistant.retriever
    vectors = np.ascontiguousarray(assistant.index.minilm, dtype=np.float32)
    print(f"{len(vectors):,} passage vectors of {vectors.shape[1]} dimensions")
    start = time.perf_counter()
    hnsw = faiss.IndexHNSWFlat(vectors.shape[1], HNSW_NEIGHBOURS, faiss.METRIC_INNER_PRODUCT)
    hnsw.add(vectors)
    hnsw.hnsw.efSearch = HNSW_EF_SEARCH
    print(f"HNSW{HNSW_NEIGHBOURS} built in {time.perf_counter() - start:.1f} s")
    flat = faiss.IndexFlatIP(vectors.shape[1])
    flat.add(vectors)
    items = [item for path in args.files for item in load_eval_file(path)[0]]
    reads = [retriever.read(item.question) for item in items]
    queries = np.vstack(
        [retriever.minilm.encode_queries([q.lookup])[0] for q in reads if not q.cross_lingual]
    ).astype(np.float32)
    faiss.omp_set_num_threads(1)  # as a question is searched
    _, exact = flat.search(queries, args.depth)
    spans, _ = locate_evidence([i for i in items if i.answerable], assistant.documents)
    store = assistant.index.vector_store
    stores = [("flat", flat, None)] + [
        (f"hnsw{HNSW_NEIGHBOURS} ef{ef}", hnsw, ef) for ef in args.ef
    ]
    for name, index, ef in stores:
        if ef is not None:  # the built store's own searches pass efSearch too (a selector's)
            hnsw.hnsw.efSearch = vector_store.HNSW_EF_SEARCH = ef
        start = time.perf_counter()
        for q in queries:
            index.search(q[None, :], args.depth)
        each = 1000 * (time.perf_counter() - start) / len(queries)
        _, found = index.search(queries, args.depth)
        recall = np.mean(
            [len(set(e) & set(a)) / args.depth for e, a in zip(exact, found, strict=True)]
        )
        store.flat, store._excluding = index, None  # search parameters made again
        figures = summary(evaluate(assistant, items, spans))
        print(
            f"{name:16s} {each:.2f} ms a query, recall@{args.depth} {recall:.3f}  "
            + " ".join(f"{k}={v:.3f}" for k, v in figures.items()),
            flush=True,
        )
    print(f"({len(queries)} English questions timed; recall against exact search)")


if __name__ == "__main__":
    main()
