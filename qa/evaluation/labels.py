"""How report figures read: metric labels, number formats, help lines and failure reasons.

Shared by the terminal text (``qa.evaluation.report_text``), report.html
(``qa.evaluation.report_html``) and the app's Evaluate tab, so every view shows a figure alike.
"""

from __future__ import annotations

# Shown as percentages; the other 0..1 metrics are shown as 3-decimal scores.
PERCENT_METRICS = frozenset(
    {
        "hit@W150",
        "hit@W400",
        "recall@W150",
        "recall@W400",
        "hit@k",
        "evidence_containment",
        "citation_validity",
        "abstain",
        "false_abstain",
    }
)
METRIC_HELP = {
    "hit@W150": "evidence found in the first 150 words retrieved",
    "hit@W400": "evidence found in the first 400 words retrieved",
    "recall@W150": "share of evidence spans found within 150 words",
    "recall@W400": "share of evidence spans found within 400 words",
    "mrr@10": "1/rank of the first passage covering half an evidence span",
    "hit@k": "a top-k passage covers half an evidence span",
    "ndcg@10": "ranking quality of relevant passages in the top 10",
    "token_f1": "token overlap with the reference answer",
    "rouge_l": "longest common subsequence with the reference",
    "evidence_containment": "evidence strings carried by the answer",
    "citation_validity": "quotes found verbatim in their cited passage",
    "abstain": "unanswerable questions declined",
    "false_abstain": "answerable questions wrongly declined",
    "latency_p50_ms": "median time per question",
    "latency_p95_ms": "95th percentile time per question",
    "total_seconds": "time spent answering",
    "errors": "questions where the assistant raised",
}


def metric_label(name: str, k: int | None) -> str:
    """The name a metric is shown under: ``hit@k`` reads as the run's k.

    Example:
        >>> metric_label("hit@k", 20), metric_label("mrr@10", 20)
        ('hit@20', 'mrr@10')
    """
    return f"hit@{k}" if name == "hit@k" and k else name


def fmt_metric(name: str, value: object) -> str:
    """A summary value as people read it: 81.2%, 0.734, 412 ms, n/a.

    Example:
        >>> fmt_metric("hit@W150", 0.8125), fmt_metric("mrr@10", 0.5), fmt_metric("n", 3)
        ('81.2%', '0.500', '3')
    """
    if value is None:
        return "n/a"
    if name in ("n", "errors"):
        return str(int(value))
    if name.endswith("_ms"):
        return f"{value:.1f} ms" if value < 10 else f"{value:,.0f} ms"
    if name == "total_seconds":
        return f"{value:,.1f} s"
    if name in PERCENT_METRICS:
        return f"{100 * value:.1f}%"
    return f"{value:.3f}"


def is_failure(row: dict) -> str:
    """Why a row counts as a failure ("" when it does not); failures are listed first.

    Example:
        >>> is_failure({"answerable": False, "abstained": False, "metrics": {}})
        'answered unanswerable'
    """
    if row.get("error"):
        return "error"
    hit = (row.get("metrics") or {}).get("hit@W400")
    if row["answerable"] and row.get("abstained"):
        return "false abstain"
    if row["answerable"] and hit is not None and hit < 1:
        return "evidence missed"
    if not row["answerable"] and not row.get("abstained"):
        return "answered unanswerable"
    return ""
