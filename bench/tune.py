"""Retrieval and abstention figures on an eval split, fast, for tuning (no answers, no reports).

    python bench/tune.py eval/dev.jsonl                 # current settings
    python bench/tune.py eval/dev.jsonl --grid          # sweep fusion weights

Tune on eval/dev.jsonl only; report on eval/test.jsonl with `qa eval`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qa.answering.abstain import decide  # noqa: E402
from qa.assistant import Assistant  # noqa: E402
from qa.config import ChunkingConfig, Settings  # noqa: E402
from qa.evaluation.evalset import load_eval_file, locate_evidence  # noqa: E402
from qa.evaluation.metrics import retrieval_metrics  # noqa: E402

KEYS = ["hit@W150", "hit@W400", "recall@W400", "mrr@10"]


def evaluate(assistant, items, spans, k=20):
    rows = []
    for item in items:
        r = assistant.retriever.retrieve(item.question, k, item.documents or None)
        ranked = [h.passage for h in r.hits]
        config, words = assistant.retriever.config, assistant.retriever.words
        abstain = decide(item.question, r.hits, r.signals, config, words).abstain
        row = {
            "id": item.id,
            "kind": item.kind,
            "answerable": item.answerable,
            "abstain": abstain,
            "signals": r.signals.to_dict(),
        }
        if item.answerable and spans.get(item.id):
            row.update(retrieval_metrics(spans[item.id], ranked, k))
        rows.append(row)
    return rows


def summary(rows):
    out = {}
    scored = [r for r in rows if "hit@W150" in r]
    for key in KEYS:
        out[key] = statistics.mean(r[key] for r in scored) if scored else float("nan")
    un = [r for r in rows if not r["answerable"]]
    an = [r for r in rows if r["answerable"]]
    out["abstain"] = statistics.mean(r["abstain"] for r in un) if un else float("nan")
    out["false_abstain"] = statistics.mean(r["abstain"] for r in an) if an else float("nan")
    return out


def show(label, rows):
    s = summary(rows)
    print(f"{label:40s} " + " ".join(f"{k}={v:.3f}" for k, v in s.items()))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("files", type=Path, nargs="+", help="eval splits (dev only), pooled")
    ap.add_argument("--target", type=int, help="chunk target words (builds a temp index)")
    ap.add_argument("--max-words", type=int, default=130)
    ap.add_argument("--grid", action="store_true")
    ap.add_argument("--kind", help="with --grid: only questions of this kind")
    ap.add_argument("--signals", action="store_true", help="abstention signals, sorted")
    ap.add_argument("--misses", action="store_true", help="list questions missed at W400")
    args = ap.parse_args()
    settings = Settings.from_env()
    if args.target:
        chunking = ChunkingConfig(target_words=args.target, max_words=args.max_words)
        settings = replace(
            settings,
            chunking=chunking,
            index_dir=Path(f"/tmp/planqa-tune-{args.target}-{args.max_words}"),
            encoder_dir=settings.encoder_path,
        )
    assistant = Assistant.open(settings)
    items = [item for path in args.files for item in load_eval_file(path)[0]]
    spans, problems = locate_evidence(items, assistant.documents)
    assert not problems, problems
    rows = evaluate(assistant, items, spans)
    show("current", rows)
    by_kind = defaultdict(list)
    for r in rows:
        by_kind[r["kind"]].append(r)
    for kind, rs in sorted(by_kind.items()):
        show(f"  {kind} ({len(rs)})", rs)
    if args.misses:
        q = {i.id: i.question for i in items}
        for r in rows:
            if r.get("hit@W400") == 0 or (r.get("hit@W150") == 0):
                print(
                    f"MISS {r['id']} {r['kind']} W150={r['hit@W150']} W400={r['hit@W400']} {q[r['id']]}"
                )
        for r in rows:
            wrong = r["abstain"] == r["answerable"]
            if wrong:
                sig = {k: round(v, 3) for k, v in r["signals"].items() if isinstance(v, float)}
                print(f"ABST {r['id']} {r['kind']} abstain={r['abstain']} {sig} {q[r['id']]}")
    if args.signals:
        for r in sorted(rows, key=lambda r: r["signals"].get("sentence_top", 0)):
            sig = {k: round(v, 3) for k, v in r["signals"].items() if isinstance(v, float)}
            print(f"SIG {r['kind']:12s} {r['answerable']!s:5s} abstain={r['abstain']!s:5s} {sig}")
    if args.grid:
        base = assistant.retriever.config
        grid = [
            dict(cross_sentence_weight=xw, feedback_weight=fw, feedback_sentences=fs)
            for xw in (0.0, 0.1, 0.2, 0.3)
            for fw in (0.5, 0.7)
            for fs in (5,)
        ]
        if args.kind:
            items = [i for i in items if i.kind == args.kind]
        for change in grid:
            assistant.retriever.config = replace(base, **change)
            show(
                " ".join(f"{k[:5]}={v}" for k, v in change.items()),
                evaluate(assistant, items, spans),
            )
        assistant.retriever.config = base


if __name__ == "__main__":
    main()
