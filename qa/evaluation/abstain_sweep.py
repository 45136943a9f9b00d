"""What each "not in the document" threshold trades: declines of unanswerable questions
against wrong declines of answerable ones, recomputed from an eval run's rows.

Each row keeps the retrieval signals and passages its decision was made from, so the decision
can be re-made at other threshold values without asking again. The current value is marked;
its row reproduces the run's own abstain / false_abstain (tests check this).
"""

from __future__ import annotations

from dataclasses import replace
from statistics import mean

from qa.answering.abstain import decide
from qa.answering.coverage import WordVectors
from qa.config import RetrievalConfig
from qa.retrieval.retriever import Retrieval
from qa.types import Hit, Passage, Signals

# (setting, what it is, offsets tried around the current value)
KNOBS = (
    ("min_score", "best MiniLM sentence cosine", (-0.1, -0.05, 0.0, 0.05, 0.1)),
    (
        "min_score_raise_without_e5",
        "raise without e5",
        (-0.1, -0.05, 0.0, 0.05, 0.1),
    ),
    ("min_e5_english", "e5 second opinion, English", (-0.02, -0.01, 0.0, 0.01, 0.02)),
    ("min_e5_score", "e5 match, other languages", (-0.02, -0.01, 0.0, 0.01, 0.02)),
)
# of each kind (answerable, unanswerable): with fewer, one question moves a rate by 20+ points
# and the table reads as a finding it is not
MIN_TRADEOFF_QUESTIONS = 5


def _retrieval(row: dict) -> Retrieval:
    hits = [
        Hit(
            Passage(p["id"], p["source"], p["start"], p["end"], p["section"], p["text"]),
            p["score"],
            p["rank"],
        )
        for p in row.get("passages", [])
    ]
    return Retrieval(hits, [], Signals.from_dict(row.get("signals") or {}))


def abstention_tradeoff(
    rows: list[dict], config: RetrievalConfig, words: WordVectors | None = None
) -> dict:
    """{setting: [{"value", "current", "abstain", "false_abstain", "n_answerable",
    "n_unanswerable"}, ...]} for each threshold (the counts: the questions it rests on).

    Needs answerable and unanswerable rows that carry "signals"; returns {} otherwise. Rows
    that errored are left out. ``words``: the run's single-word vectors (as decide takes them).
    """
    usable = [r for r in rows if "signals" in r and "error" not in r]
    if not any(r["answerable"] for r in usable) or all(r["answerable"] for r in usable):
        return {}
    cases = [(r["question"], _retrieval(r), r["answerable"]) for r in usable]
    n_answerable = sum(1 for r in usable if r["answerable"])
    out: dict = {}
    alone = any(r.signals.minilm_alone for _, r, _ in cases)
    for name, _, offsets in KNOBS:
        if name == "min_score_raise_without_e5" and not alone:
            continue  # no row was judged by MiniLM alone: the raise changes nothing
        current = getattr(config, name)
        points = []
        for offset in offsets:
            value = round(current + offset, 4)
            cfg = replace(config, **{name: value})
            declined = [(decide(q, r.hits, r.signals, cfg, words).abstain, ans) for q, r, ans in cases]
            points.append(
                {
                    "value": value,
                    "current": offset == 0.0,
                    "abstain": round(mean(d for d, ans in declined if not ans), 6),
                    "false_abstain": round(mean(d for d, ans in declined if ans), 6),
                    "n_answerable": n_answerable,
                    "n_unanswerable": len(usable) - n_answerable,
                }
            )
        out[name] = points
    return out


def describe(name: str) -> str:
    return next(what for knob, what, _ in KNOBS if knob == name)


def too_few_questions(abstention: dict) -> str:
    """Why the trade-off is not worth showing ("" when it is): it rests on fewer than
    MIN_TRADEOFF_QUESTIONS answerable or unanswerable questions. A report written before the
    counts were kept is shown as it is.

    Example: too_few_questions({"min_score": [{"n_answerable": 2, "n_unanswerable": 1, ...}]})
             -> 'not shown: it would rest on 1 unanswerable and 2 answerable questions; ...'
    """
    point = next((points[0] for points in abstention.values() if points), None)
    if point is None or "n_answerable" not in point:
        return ""
    answerable, unanswerable = point["n_answerable"], point["n_unanswerable"]
    fewest = min(answerable, unanswerable)
    if fewest >= MIN_TRADEOFF_QUESTIONS:
        return ""
    return (
        f"not shown: it would rest on {unanswerable} unanswerable and {answerable} answerable "
        f"question{'s' if answerable != 1 else ''}, so one question would move a rate by "
        f"{100 / max(1, fewest):.0f} points; it needs at least {MIN_TRADEOFF_QUESTIONS} of each"
    )
