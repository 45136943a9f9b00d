"""Do two candidate decline signals tell unanswerable questions from answerable ones?

    QA_CORPUS_DIR=... QA_INDEX_DIR=... python bench/decline_signals.py --tag dev eval/other/*.jsonl

For each English question: the idf-weighted coverage of the question by its three best quoted
sentences (qa.answering.coverage), and the best sentence's MiniLM cosine as a z-score against
every sentence of its own document (a document-relative margin). Prints each signal's AUC: the
share of (unanswerable, answerable) pairs in which the unanswerable question scores lower (1.0
separates them perfectly, .5 is chance). Used to decide which of them a decline rule may use.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qa.answering.coverage import coverage  # noqa: E402
from qa.assistant import Assistant  # noqa: E402
from qa.evaluation.evalset import load_eval_file  # noqa: E402


def auc(low: list[float], high: list[float]) -> float:
    """Share of pairs (a from low, b from high) with a < b (ties count half).

    Example: auc([0.1, 0.2], [0.3]) -> 1.0
    """
    pairs = [(a < b) + 0.5 * (a == b) for a in low for b in high]
    return sum(pairs) / len(pairs) if pairs else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", type=Path, nargs="+")
    ap.add_argument("--tag", help="only the questions with this tag (e.g. dev)")
    args = ap.parse_args()
    assistant = Assistant.open()
    retriever, index = assistant.retriever, assistant.retriever.index
    source = np.array([index.passages[s.passage].source for s in index.sentences])
    rows = []
    for path in args.files:
        for item in load_eval_file(path)[0]:
            if args.tag and args.tag not in item.tags:
                continue
            r = retriever.retrieve(item.question, 5)
            if r.signals.non_latin or not r.hits:
                continue
            said = max((coverage(item.question, s.text) for s in r.sentences[:3]), default=0.0)
            q = retriever.minilm.encode_queries([r.query.lookup])[0]
            own = index.minilm_sentences[source == r.hits[0].passage.source] @ q
            z = float((own.max() - own.mean()) / (own.std() or 1.0))
            rows.append((item.answerable, said, z))
    for i, name in ((1, "coverage by the 3 best sentences"), (2, "document-relative z-score")):
        un = [r[i] for r in rows if not r[0]]
        an = [r[i] for r in rows if r[0]]
        print(
            f"{name:34s} AUC {auc(un, an):.3f}  unanswerable {np.median(un):.2f} "
            f"[{min(un):.2f}-{max(un):.2f}] (n={len(un)})  answerable {np.median(an):.2f} "
            f"[{min(an):.2f}-{max(an):.2f}] (n={len(an)})"
        )


if __name__ == "__main__":
    main()
