"""report.html: one self-contained page (inline CSS and SVG, no scripts, no network).

The page is rendered from the Jinja2 templates in ``templates/`` with autoescaping on, so every
piece of eval text (questions, answers, evidence, passages, ids) is escaped by the template.
This module only works out what to show: the numbers and labels of each card, the geometry of
the two charts and the marked evidence in each passage. The one piece of intended HTML, the
``<mark>`` spans, is built here as ``Markup`` from escaped parts.
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

from qa.evaluation.evaluate import EvalReport
from qa.evaluation.labels import METRIC_HELP, fmt_metric, is_failure, metric_label
from qa.evaluation.metrics import LOWER_IS_BETTER, percentile

TEMPLATES = Path(__file__).parent / "templates"

CARD_KEYS = (
    "hit@W150",
    "hit@W400",
    "recall@W400",
    "mrr@10",
    "ndcg@10",
    "hit@k",
    "token_f1",
    "rouge_l",
    "evidence_containment",
    "citation_validity",
    "abstain",
    "false_abstain",
    "latency_p50_ms",
    "latency_p95_ms",
    "errors",
)
BAR_KEYS = (("hit@W150", "b1"), ("hit@W400", "b2"), ("mrr@10", "b3"), ("abstain", "b4"))


@lru_cache(maxsize=1)
def _environment():
    try:
        import jinja2  # lazy: importing the report module should not cost the template engine
    except ImportError as e:  # pragma: no cover - jinja2 is a dependency
        raise ImportError("report.html needs Jinja2: pip install 'jinja2>=3.1'") from e
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,  # a misspelt field fails the render, not the reader
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _render(template: str, **context) -> str:
    return _environment().get_template(template).render(**context)


# ---------------------------------------------------------------------------------------------
# Cards and charts


def grade(name: str, value: object) -> str:
    """Card colour: only for 0..1 metrics, where good/bad has an obvious direction.

    Example:
        >>> grade("hit@W150", 0.9), grade("false_abstain", 0.9), grade("latency_p50_ms", 5.0)
        ('good', 'bad', '')
    """
    if value is None or name in ("n", "total_seconds") or name.endswith("_ms"):
        return ""
    if name == "errors":
        return "good" if value == 0 else "bad"
    v = 1 - value if name in LOWER_IS_BETTER else value
    return "good" if v >= 0.8 else "mid" if v >= 0.5 else "bad"


def cards(summary: dict, k: int | None) -> list[dict]:
    """One card per headline metric: label, value as read, colour and a help line."""
    return [
        {
            "grade": grade(name, summary.get(name)),
            "label": metric_label(name, k),
            "value": fmt_metric(name, summary.get(name)),
            "help": METRIC_HELP.get(name, ""),
        }
        for name in CARD_KEYS
    ]


def text_width(text: str, size: float = 11.0) -> int:
    """A safe over-estimate of the width of ``text`` in an SVG's sans-serif font (px).

    Example: text_width("abstain") -> 48
    """
    return math.ceil(len(text) * size * 0.62)


def bar_chart(summary: dict, by_kind: dict) -> dict:
    """Grouped bars (hit@W150, hit@W400, mrr@10, abstain) for all questions and each kind."""
    groups = [("all", summary)] + list(by_kind.items())
    bar, gap, left, top, h, bottom = 14, 26, 38, 26, 180, 46
    group_w = bar * len(BAR_KEYS) + gap
    legend, x = [], left
    for name, color in BAR_KEYS:  # swatch, gap, the name in 11px text, space to the next
        legend.append({"x": x, "cls": color, "name": name})
        x += 14 + text_width(name) + 16
    # as wide as the bars or the legend, whichever is wider: with few kinds (a 3-question
    # run) the bars alone are narrower than the legend, whose last entries were cut off
    width = max(left + group_w * len(groups) + 10, x)
    base = top + h
    grid = [{"y": base - t * h, "label": f"{t:g}"} for t in (0, 0.25, 0.5, 0.75, 1.0)]
    out = []
    for gi, (gname, s) in enumerate(groups):
        x0 = left + gi * group_w + gap / 2
        bars = []
        for bi, (key, color) in enumerate(BAR_KEYS):
            value, x = s.get(key), x0 + bi * bar
            tip = f"{gname} · {key}: {fmt_metric(key, value)}"
            if value is None:
                bars.append({"missing": True, "x": x + bar / 2, "y": base - 4, "tip": tip})
                continue
            bh = max(1.5, max(0.0, min(1.0, value)) * h)  # a zero still shows as a sliver
            y, height = f"{base - bh:.1f}", f"{bh:.1f}"
            bars.append({"missing": False, "x": x, "y": y, "w": bar - 2, "h": height, "tip": tip})
            bars[-1]["cls"] = color
        short = gname if len(gname) <= 14 else gname[:13] + "…"
        cx = x0 + bar * len(BAR_KEYS) / 2
        out.append({"bars": bars, "name": gname, "short": short, "cx": cx, "n": s.get("n")})
    return {
        "width": width,
        "height": base + bottom,
        "left": left,
        "right": width - 10,
        "base": base,
        "legend": legend,
        "grid": grid,
        "groups": out,
    }


def histogram(latencies: list[float]) -> dict:
    """Latency histogram with the p50 and p95 marked as dashed lines."""
    left, top, w, h, bottom = 40, 30, 440, 150, 36
    chart = {"width": left + w + 16, "height": top + h + bottom, "left": left, "top": top}
    if not latencies:
        return chart | {"empty": True}
    hi = max(latencies) or 1.0
    nbins = max(5, min(24, math.ceil(math.sqrt(len(latencies)))))
    step = hi / nbins
    counts = [0] * nbins
    for v in latencies:
        counts[min(nbins - 1, int(v / step))] += 1
    cmax = max(counts)
    bw = w / nbins
    bars = [
        {
            "x": f"{left + i * bw + 1:.1f}",
            "y": f"{top + h - c / cmax * h:.1f}",
            "w": f"{bw - 2:.1f}",
            "h": f"{c / cmax * h:.1f}",
            "tip": f"{i * step:,.0f}–{(i + 1) * step:,.0f} ms: {c}",
        }
        for i, c in enumerate(counts)
    ]
    ticks = [
        {"x": f"{left + i * bw:.1f}", "label": f"{i * step:,.0f}"}
        for i in range(0, nbins + 1, max(1, nbins // 4))
    ]
    lines = []
    for name, q, y in (("p50", 50, top - 18), ("p95", 95, top - 6)):  # labels above the bars
        v = percentile(latencies, q) or 0.0
        x = left + v / hi * w
        anchor = "end" if x > left + w * 0.8 else "start"
        lines.append(
            {
                "x": f"{x:.1f}",
                "y": y,
                "text_x": f"{x + (-3 if anchor == 'end' else 3):.1f}",
                "anchor": anchor,
                "label": f"{name} {v:,.1f} ms",
            }
        )
    return chart | {
        "empty": False,
        "right": left + w,
        "base": top + h,
        "cmax": cmax,
        "bars": bars,
        "ticks": ticks,
        "lines": lines,
    }


# ---------------------------------------------------------------------------------------------
# Questions


def highlight(text: str, ranges: list[tuple[int, int]]):
    """``text`` escaped, with the character ranges (offsets into ``text``) in ``<mark>``, as
    ``Markup``; overlapping ranges never mark a character twice, ranges outside are clipped.

    Example:
        >>> str(highlight("a<b>c", [(1, 4)]))
        'a<mark>&lt;b&gt;</mark>c'
    """
    from markupsafe import Markup, escape

    local = sorted(
        (max(0, a), min(len(text), b)) for a, b in ranges if min(len(text), b) > max(0, a)
    )
    out, pos = [], 0
    for a, b in local:
        a = max(a, pos)
        if a >= b:
            continue
        out += [escape(text[pos:a]), Markup("<mark>%s</mark>") % text[a:b]]
        pos = b
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def evidence_ranges(passage: dict, evidence: list[dict]) -> list[tuple[int, int]]:
    """The parts of the passage's text that belong to located evidence spans.

    Example:
        >>> evidence_ranges({"source": "a", "start": 10, "text": "0123456789"},
        ...                 [{"source": "a", "start": 15, "end": 30}])
        [(5, 10)]
    """
    text, ps = passage.get("text") or "", passage.get("start")
    ranges = []
    for ev in evidence:
        if ev.get("source") != passage.get("source") or ev.get("start") is None or ps is None:
            continue
        a, b = max(ev["start"], ps) - ps, min(ev["end"], ps + len(text)) - ps
        if a < b:
            ranges.append((a, b))
    return ranges


def passages(row: dict) -> list[dict]:
    """The retrieved passages of a row: header line, marked text, and whether it holds evidence."""
    evidence = row.get("evidence") or []
    out, used = [], 0
    for p in row.get("passages") or []:
        budget = "W150" if used < 150 else "W400" if used < 400 else ""
        used += len((p.get("text") or "").split())
        ranges = evidence_ranges(p, evidence)
        score = p.get("score")
        where = (
            f"{p.get('source')}:{p.get('start')}-{p.get('end')}"
            if p.get("source")
            else "not found in any document (covers nothing)"
        )
        head = (
            f"#{p.get('rank')} {where}"
            + (f" · §{p['section']}" if p.get("section") else "")
            + (f" · score {score:.3f}" if isinstance(score, int | float) else "")
            + (f" · in {budget}" if budget else "")
        )
        body = highlight(p.get("text") or "", ranges)
        out.append({"head": head, "body": body, "relevant": bool(ranges)})
    return out


def question(row: dict, k: int | None) -> dict:
    """What one question's row shows, collapsed (status, metrics) and open (texts, passages)."""
    m = row.get("metrics") or {}
    why = is_failure(row)
    if why:
        badge = ("fail", why)
    elif row.get("abstained"):
        badge = ("ok", "abstained ✓")
    else:
        badge = ("ok", "ok")
    return {
        "id": row["id"],
        "failed": bool(why),
        "badge": badge,
        "kind": row.get("kind") or "",
        "tags": ", ".join(row.get("tags") or []),
        "question": row["question"],
        "figures": [
            fmt_metric("hit@W400", m.get("hit@W400")),
            fmt_metric("mrr@10", m.get("mrr@10")),
            fmt_metric("token_f1", m.get("token_f1")),
            fmt_metric("latency_ms", row.get("latency_ms")),
        ],
        "answerable": "answerable" if row.get("answerable") else "unanswerable",
        "reference": row.get("reference_answer") or "—",
        "evidence": [
            {
                "text": ev["text"],
                "where": f"{ev['source']}:{ev['start']}-{ev['end']}" if ev.get("source") else "",
            }
            for ev in row.get("evidence") or []
        ],
        "answer": row.get("answer") or "",
        "abstained": bool(row.get("abstained")),
        "reason": row.get("reason") or "",
        "error": row.get("error") or "",
        "top": k or len(row.get("passages") or []),
        "passages": passages(row),
    }


# ---------------------------------------------------------------------------------------------
# Pages


def tradeoff_rows(abstention: dict) -> list[dict]:
    """The rows of the threshold trade-off table (see ``format_tradeoff``)."""
    from qa.evaluation.abstain_sweep import describe

    return [
        {
            "name": name,
            "what": describe(name),
            "value": f"{p['value']:.2f}",
            "current": p["current"],
            "abstain": fmt_metric("abstain", p["abstain"]),
            "false_abstain": fmt_metric("abstain", p["false_abstain"]),
        }
        for name, points in abstention.items()
        for p in points
    ]


def tradeoff_html(abstention: dict):
    """The threshold trade-off table as escaped HTML (``Markup``), current settings in bold;
    a note saying why instead when too few questions are behind it; "" when the run has none."""
    from markupsafe import Markup

    from qa.evaluation.abstain_sweep import too_few_questions

    if not abstention:
        return Markup("")
    note = too_few_questions(abstention)
    rows = [] if note else tradeoff_rows(abstention)
    return Markup(_render("tradeoff.html.j2", tradeoff=rows, tradeoff_note=note))


def side_by_side_view(cmp: dict) -> dict | None:
    """The side-by-side section: each metric for both systems, and the questions one got
    that the other missed; None when the report compares no second system."""
    names = cmp.get("names") if cmp else None
    if not names:
        return None
    metrics = [
        {"name": name, "a": fmt_metric(name, m["old"]), "b": fmt_metric(name, m["new"])}
        for name, m in cmp["metrics"].items()
        if m["old"] is not None or m["new"] is not None
    ]
    got = cmp.get("got") or {}
    only = cmp.get("got_only") or {}
    return {
        "names": names,
        "metrics": metrics,
        "got": [got.get(names[0]), got.get(names[1])],
        "only": [
            {"name": names[0], "other": names[1], "ids": only.get(names[0], [])},
            {"name": names[1], "other": names[0], "ids": only.get(names[1], [])},
        ],
    }


def render_html(report: EvalReport) -> str:
    """report.html: summary cards, charts per kind, latency histogram, questions (failures first)."""
    meta, summary, rows = report.meta, report.summary, report.rows
    k = meta.get("k")
    order = sorted(range(len(rows)), key=lambda i: (not is_failure(rows[i]), i))
    latencies = [float(r["latency_ms"]) for r in rows if r.get("latency_ms") is not None]
    system = meta.get("system") or {}
    from qa.evaluation.abstain_sweep import too_few_questions  # lazy: it loads the retriever

    tradeoff_note = too_few_questions(report.abstention) if report.abstention else ""
    return _render(
        "report.html.j2",
        title=f"planqa eval — {meta.get('file') or 'report'}",
        file=meta.get("file") or "",
        started_at=meta.get("started_at"),
        k=k,
        n=summary.get("n"),
        answers_of=(system.get("name") or "another system")
        if meta.get("reading") == "answers"
        else "",
        side=side_by_side_view(report.compare),
        seconds=meta.get("seconds"),
        errors=summary.get("errors", 0),
        cards=cards(summary, k),
        bar_chart=bar_chart(summary, report.by_kind),
        histogram=histogram(latencies),
        tradeoff=[] if tradeoff_note else tradeoff_rows(report.abstention),
        tradeoff_note=tradeoff_note,
        n_failing=sum(1 for r in rows if is_failure(r)),
        questions=[question(rows[i], k) for i in order],
        format=meta.get("format"),
        system=" · ".join(f"{key}: {v}" for key, v in system.items()),
    )
