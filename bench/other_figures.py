"""Figures table and misses from `qa eval` reports of several question files, batch by batch.

    python bench/other_figures.py /tmp/other/mpl2 /tmp/other/sotu1941 ...   # report folders
    python bench/other_figures.py --misses 40 /tmp/other/*/                   # also list misses

One Markdown row per report and batch tag (dev, blind, or all when a file has no batch tags):
hit@W150, hit@W400, MRR@10, abstain, false_abstain, and hit@W400 of the Chinese questions.
A miss is an answerable question whose evidence is not within the first 400 words of the
ranking (hit@W400 = 0), one answered from the documents though they do not hold the answer, or
one declined though they do; each is printed with what ranked first.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

BATCHES = ("dev", "blind")


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def figures(rows: list[dict]) -> dict[str, float | None]:
    """The table's figures over report rows.

    Example: figures([{"answerable": False, "abstained": True, "kind": "unanswerable"}])
    -> {"n": 1, ..., "abstain": 1.0, ...}
    """
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    chinese = [r for r in answerable if r["kind"] == "chinese"]
    return {
        "n": len(rows),
        "hit@W150": _mean([r["metrics"]["hit@W150"] for r in answerable]),
        "hit@W400": _mean([r["metrics"]["hit@W400"] for r in answerable]),
        "mrr@10": _mean([r["metrics"]["mrr@10"] for r in answerable]),
        "abstain": _mean([float(r["abstained"]) for r in unanswerable]),
        "false_abstain": _mean([float(r["abstained"]) for r in answerable]),
        "chinese hit@W400": _mean([r["metrics"]["hit@W400"] for r in chinese]),
    }


def _cell(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def table(reports: dict[str, list[dict]]) -> list[str]:
    keys = ["hit@W150", "hit@W400", "mrr@10", "abstain", "false_abstain", "chinese hit@W400"]
    lines = ["| file | batch | n | " + " | ".join(keys) + " |", "|---" * (len(keys) + 3) + "|"]
    for name, rows in reports.items():
        batches = [b for b in BATCHES if any(b in r.get("tags", []) for r in rows)] or ["all"]
        for batch in batches:
            part = rows if batch == "all" else [r for r in rows if batch in r.get("tags", [])]
            f = figures(part)
            cells = " | ".join(_cell(f[k]) for k in keys)
            lines.append(f"| {name} | {batch} | {f['n']} | {cells} |")
    batched = [
        rows
        for rows in reports.values()
        if any(set(BATCHES) & set(r.get("tags", [])) for r in rows)
    ]
    if len(batched) > 1:  # the files with batches together
        for batch in BATCHES:
            part = [r for rows in batched for r in rows if batch in r.get("tags", [])]
            f = figures(part)
            cells = " | ".join(_cell(f[k]) for k in keys)
            lines.append(f"| {len(batched)} files together | {batch} | {f['n']} | {cells} |")
    return lines


def _first(row: dict) -> str:
    if not row["passages"]:
        return "(nothing ranked)"
    top = row["passages"][0]
    text = " ".join(top["text"].split())
    return f"{top['source']} [{top.get('section') or '-'}] {top['score']:.2f}: {text[:160]}"


def misses(rows: list[dict]) -> list[str]:
    out = []
    for r in rows:
        batch = next((b for b in BATCHES if b in r.get("tags", [])), "")
        if r["answerable"] and r["metrics"]["hit@W400"] == 0:
            why = "evidence not in the first 400 words ranked"
        elif r["answerable"] and r["abstained"]:
            why = "declined, though the documents answer it"
        elif not r["answerable"] and not r["abstained"]:
            why = "answered, though the documents do not say"
        else:
            continue
        out.append(
            f"- {r['id']} ({r['kind']}, {batch or '-'}): {r['question']}\n"
            f"  {why}; first: {_first(r)}"
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reports", nargs="+", type=Path, help="folders written by qa eval --out")
    parser.add_argument("--misses", type=int, default=0, help="list up to N misses per report")
    args = parser.parse_args(argv)
    reports = {}
    for folder in args.reports:
        path = folder / "report.json"
        if not path.is_file():
            parser.error(f"no report at {path}; run qa eval FILE --out {folder} first")
        reports[folder.name] = json.loads(path.read_text(encoding="utf-8"))["rows"]
    print("\n".join(table(reports)))
    if args.misses:
        for name, rows in reports.items():
            print(f"\n{name}:")
            print("\n".join(misses(rows)[: args.misses]) or "  (no misses)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
