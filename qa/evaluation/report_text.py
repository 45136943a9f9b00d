"""The terminal views of ``qa eval``: the summary table, the abstention trade-off, a comparison.

Plain text (rich tables rendered without colour), so the output reads the same in a terminal,
a CI log or a file.
"""

from __future__ import annotations

import io

from qa.evaluation.evaluate import GATE_NAMES, EvalReport
from qa.evaluation.labels import PERCENT_METRICS, fmt_metric, metric_label
from qa.evaluation.metrics import LOWER_IS_BETTER, SUMMARY_KEYS, computed_on


def _render(table) -> str:
    from rich.console import Console  # lazy: rich costs import time the library rarely needs

    # wide virtual console: the table takes only the width it needs, but never wraps cells
    console = Console(file=io.StringIO(), width=200, color_system=None, record=True)
    console.print(table)
    lines = console.export_text().rstrip().splitlines()
    return "\n".join(line.rstrip() for line in lines) + "\n"


_TEXT_KEYS = (*SUMMARY_KEYS[1:], "errors")  # all but "n", which heads the table


def format_summary(report: EvalReport) -> str:
    """The terminal view: one row per metric, one column for all questions and one per kind.

    Example:
        >>> print(format_summary(report))  # doctest: +SKIP
    """
    from rich import box
    from rich.table import Table

    meta = report.meta
    k = meta.get("k")
    groups = [("all", report.summary)] + list(report.by_kind.items())
    # the title goes above the table, not in it, so a long file path never wraps inside it
    if meta.get("reading") == "answers":
        who = (meta.get("system") or {}).get("name") or "another system"
        title = f"qa eval · {meta.get('file') or ''} · answers of {who}, scored as found\n"
    else:
        title = f"qa eval · {meta.get('file') or ''} · k={k} · {meta.get('seconds')} s\n"
    rows = report.rows
    counts = [computed_on(rows)] + [
        computed_on([r for r in rows if r.get("kind") == name]) for name, _ in groups[1:]
    ]
    table = Table(box=box.SIMPLE_HEAVY)
    table.add_column("metric")
    for name, s in groups:
        table.add_column(f"{name}\n(n={s.get('n')})", justify="right")
    for key in _TEXT_KEYS:
        if all(key not in s for _, s in groups):
            continue
        table.add_row(
            metric_label(key, k),
            *(_cell(key, s, c) for (_, s), c in zip(groups, counts, strict=True)),
        )
    note = (
        "(n=m) after a figure: computed on m of the questions (where the metric applies)\n"
        f"answer tokens: {meta['answer_tokens']}\n"
        if meta.get("answer_tokens")
        else ""
    )
    return title + _render(table) + note + format_tradeoff(report.abstention)


def _cell(key: str, summary: dict, counts: dict) -> str:
    """A summary figure, with "(n=m)" when it was computed on fewer rows than the column's n."""
    text = fmt_metric(key, summary.get(key))
    m = counts.get(key)
    if m is not None and summary.get(key) is not None and m != summary.get("n"):
        text += f" (n={m})"
    return text


def format_tradeoff(abstention: dict) -> str:
    """The "not in the document" thresholds: declines and wrong declines at nearby values.

    Example:
        >>> print(format_tradeoff(report.abstention))  # doctest: +SKIP
    """
    if not abstention:
        return ""
    from rich import box
    from rich.table import Table

    from qa.evaluation.abstain_sweep import describe, too_few_questions

    note = too_few_questions(abstention)
    if note:
        return f"\nnot in the document: the threshold trade-off is {note}\n"

    table = Table(box=box.SIMPLE_HEAVY)
    for col in ("threshold", "value", "declines unanswerable", "declines answerable"):
        table.add_column(col, justify="left" if col == "threshold" else "right")
    for name, points in abstention.items():
        for i, p in enumerate(points):
            label = f"{name} ({describe(name)})" if i == 0 else ""
            value = f"{p['value']:.2f}{' *' if p['current'] else '  '}"
            table.add_row(
                label,
                value,
                fmt_metric("abstain", p["abstain"]),
                fmt_metric("abstain", p["false_abstain"]),
            )
        table.add_section()
    head = "\nnot in the document: what each threshold trades (* = current setting)\n"
    return head + _render(table)


def format_compare(cmp: dict) -> str:
    """The terminal view of ``compare``: old, new and delta per metric, then flipped questions.

    Example:
        >>> print(format_compare(compare(old, new)))  # doctest: +SKIP
    """
    from rich import box
    from rich.table import Table

    names = cmp.get("names") or ["old", "new"]
    table = Table(box=box.SIMPLE_HEAVY)
    for col in ("metric", *names, "delta"):
        table.add_column(col, justify="left" if col == "metric" else "right")
    for name in GATE_NAMES:
        m = cmp["metrics"].get(name)
        if m is None or (m["old"] is None and m["new"] is None):
            continue
        d = m["delta"]
        if d is None:
            delta = ""
        elif name in PERCENT_METRICS:
            delta = f"{100 * d:+.1f} pt"
        elif name.endswith("_ms"):
            delta = f"{d:+,.1f} ms"
        elif name == "total_seconds":
            delta = f"{d:+,.1f} s"
        elif name in ("n", "errors"):
            delta = f"{int(d):+d}"
        else:
            delta = f"{d:+.3f}"
        worse = d is not None and d != 0 and ((d > 0) == (name in LOWER_IS_BETTER))
        if worse and name not in ("n", "total_seconds"):
            delta += " ▼"  # a regression, whichever direction the metric runs
        table.add_row(name, fmt_metric(name, m["old"]), fmt_metric(name, m["new"]), delta)
    head = f"{names[0]} and {names[1]} side by side\n" if cmp.get("names") else ""
    lines = [head or "compare with earlier run\n"]
    for side, name in zip(("old", "new"), names, strict=True):
        run = (cmp.get("runs") or {}).get(side) or {}
        if run.get("file") or run.get("started_at"):
            when = run.get("started_at") or "answers read from the file"
            lines.append(f"  {name}: {run.get('file')} · {when} · k={run.get('k')}\n")
    lines.append(_render(table))
    flips = (
        ()
        if cmp.get("names")
        else (
            ("found_to_missed", "hit@W400 found -> missed"),
            ("missed_to_found", "hit@W400 missed -> found"),
        )
    )
    for key, label in (
        *flips,
        ("abstained_changed", "abstained changed"),
        ("added", "new questions"),
        ("removed", "removed questions"),
    ):
        ids = cmp.get(key) or []
        if ids:
            shown = ", ".join(ids[:30]) + (f", ... (+{len(ids) - 30})" if len(ids) > 30 else "")
            lines.append(f"{label} ({len(ids)}): {shown}\n")
    for name, ids in (cmp.get("got_only") or {}).items():
        other = names[1] if name == names[0] else names[0]
        shown = ", ".join(ids[:30]) + (f", ... (+{len(ids) - 30})" if len(ids) > 30 else "")
        lines.append(f"{name} got, {other} missed ({len(ids)}): {shown or '-'}\n")
    if cmp.get("shared") == 0:
        lines.append("note: the two runs share no question ids; compare runs of the same file\n")
    return "".join(lines)
