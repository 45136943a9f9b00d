"""Write an ``EvalReport`` to disk (report.json, rows.csv, report.html) and format it as text.

Reports are written all-or-nothing: the three files are rendered in memory, written and
fsynced into a temporary folder next to the output folder, and only then renamed into place,
so a crash or a full disk never leaves a report.json that disagrees with its report.html.
The HTML is one self-contained file (inline CSS and SVG, no scripts, no network) because it
gets mailed around and opened offline; every piece of eval text in it is escaped.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import shutil
import tempfile
from pathlib import Path

from qa.atomic import fsync_dir
from qa.errors import EvalInputError
from qa.evaluation.evaluate import GATE_NAMES, REPORT_FORMAT, EvalReport
from qa.evaluation.metrics import LOWER_IS_BETTER, SUMMARY_KEYS, percentile
from qa.highlight import esc as _e
from qa.highlight import marked

CSV_COLUMNS = (
    "id",
    "kind",
    "question",
    "reference",
    "answer",
    "abstained",
    "hit@W150",
    "hit@W400",
    "mrr@10",
    "token_f1",
    "latency_ms",
    "top_passage",
    "top_section",
    "answerable",
    "error",
    "decline_reason",
)
# Shown as percentages; the other 0..1 metrics are shown as 3-decimal scores.
_PERCENT = frozenset(
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
_HELP = {
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
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


# ---------------------------------------------------------------------------------------------
# Small helpers


def _label(name: str, k: int | None) -> str:
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
    if name in _PERCENT:
        return f"{100 * value:.1f}%"
    return f"{value:.3f}"


def csv_safe(value: object) -> str:
    """Cell text that spreadsheets will not execute: formula-like text gets a leading quote.

    Example:
        >>> csv_safe("=cmd()"), csv_safe("fine"), csv_safe(None)
        ("'=cmd()", 'fine', '')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_PREFIXES) else text


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


# ---------------------------------------------------------------------------------------------
# JSON and CSV


def render_json(report: EvalReport) -> str:
    """report.json: meta, summary, by_kind, by_tag, rows."""
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"


def render_csv(report: EvalReport) -> str:
    """rows.csv: one line per question, formula-safe, with a BOM so Excel reads UTF-8."""
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)
    for r in report.rows:
        m = r.get("metrics") or {}
        top = (r.get("passages") or [None])[0]
        cells = {
            "id": r["id"],
            "kind": r.get("kind"),
            "question": r["question"],
            "reference": r.get("reference_answer"),
            "answer": r.get("answer"),
            "abstained": bool(r.get("abstained")),
            "hit@W150": m.get("hit@W150"),
            "hit@W400": m.get("hit@W400"),
            "mrr@10": m.get("mrr@10"),
            "token_f1": m.get("token_f1"),
            "latency_ms": r.get("latency_ms"),
            "top_passage": f"{top['source']}:{top['start']}-{top['end']}" if top else None,
            "top_section": top.get("section") if top else None,
            "answerable": bool(r.get("answerable")),
            "error": r.get("error"),
            "decline_reason": r.get("reason") or None,
        }
        w.writerow([csv_safe(cells[c]) for c in CSV_COLUMNS])
    return "\ufeff" + buf.getvalue()


# ---------------------------------------------------------------------------------------------
# HTML pieces

_CSS = """
:root{--bg:#f6f7f9;--card:#fff;--ink:#1d2330;--muted:#667085;--line:#e4e7ec;--accent:#3559e0;
--good:#12b76a;--mid:#f79009;--bad:#f04438;--mark:#fff2a8;--c1:#3559e0;--c2:#7a5af8;
--c3:#12b76a;--c4:#f79009}
@media (prefers-color-scheme:dark){:root{--bg:#111318;--card:#1a1d24;--ink:#e6e8ee;
--muted:#98a2b3;--line:#2b303b;--mark:#6b5b00}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.5 system-ui,-apple-system,
"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
main{max-width:1200px;margin:0 auto;padding:28px 20px 60px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 12px}
.meta{color:var(--muted);font-size:13px;margin:0}.meta b{color:var(--ink);font-weight:600}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(165px,1fr));gap:12px;
margin-top:20px}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:12px 14px;
border-top:3px solid var(--line)}
.card.good{border-top-color:var(--good)}.card.mid{border-top-color:var(--mid)}
.card.bad{border-top-color:var(--bad)}
.card .k{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
.card .v{font-size:24px;font-weight:650;margin:2px 0;font-variant-numeric:tabular-nums}
.card .h{font-size:12px;color:var(--muted)}
.charts{display:grid;grid-template-columns:minmax(0,2fr) minmax(0,1fr);gap:16px}
.charts svg{width:100%;height:auto}
@media (max-width:900px){.charts{grid-template-columns:1fr}}
figure{margin:0;background:var(--card);border:1px solid var(--line);border-radius:10px;
padding:14px;overflow-x:auto}
figcaption{font-weight:600;margin-bottom:8px}
svg text{fill:var(--muted);font:11px system-ui,sans-serif}
svg .grid{stroke:var(--line)}svg .axis{stroke:var(--muted)}
.b1{fill:var(--c1)}.b2{fill:var(--c2)}.b3{fill:var(--c3)}.b4{fill:var(--c4)}
.hist{fill:var(--accent);opacity:.8}.pline{stroke:var(--bad);stroke-dasharray:4 3}
.qhead,.q>summary{display:grid;grid-template-columns:170px 110px 110px 1fr 64px 56px 56px 74px;
gap:10px;align-items:center;padding:8px 12px}
.qhead{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
.q{background:var(--card);border:1px solid var(--line);border-radius:8px;margin-bottom:6px}
.q>summary{cursor:pointer;list-style:none}.q>summary::-webkit-details-marker{display:none}
.q>summary:hover{background:rgba(127,127,127,.06)}
.q[open]>summary{border-bottom:1px solid var(--line)}
.q .qt{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.num{text-align:right;font-variant-numeric:tabular-nums}
.id{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:13px;overflow:hidden;
text-overflow:ellipsis}
.badge{display:inline-block;font-size:11px;font-weight:600;padding:2px 8px;border-radius:999px;
white-space:nowrap}
.badge.fail{background:rgba(240,68,56,.14);color:var(--bad)}
.badge.ok{background:rgba(18,183,106,.14);color:var(--good)}
.badge.info{background:rgba(127,127,127,.14);color:var(--muted)}
.why{color:var(--muted)}
.body{padding:12px 16px 16px}
.body h4{margin:14px 0 4px;font-size:13px;color:var(--muted);text-transform:uppercase;
letter-spacing:.04em}
.body p{margin:4px 0;white-space:pre-wrap}
.ev{font-size:13px;color:var(--muted)}
.psg{border-left:3px solid var(--line);padding:6px 10px;margin:8px 0;background:var(--bg);
border-radius:0 6px 6px 0}
.psg.rel{border-left-color:var(--good)}
.psg .ph{font-size:12px;color:var(--muted);font-family:ui-monospace,Menlo,monospace}
.psg .pt{white-space:pre-wrap;margin-top:4px;font-size:14px}
mark{background:var(--mark);color:inherit;padding:0 1px;border-radius:2px}
.err{color:var(--bad);font-family:ui-monospace,Menlo,monospace;font-size:13px}
footer{margin-top:32px;color:var(--muted);font-size:12px}
.tradeoff{border-collapse:collapse;background:var(--card);border:1px solid var(--line);
border-radius:10px;font-size:14px}
.tradeoff th,.tradeoff td{padding:5px 14px;border-bottom:1px solid var(--line);text-align:left}
.tradeoff th{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
.tradeoff td small{color:var(--muted)}.tradeoff .current td{font-weight:650}
.tradeoff .num{text-align:right}
@media (max-width:760px){.qhead{display:none}.q>summary{grid-template-columns:1fr 1fr}
.q .qt{grid-column:1/-1;white-space:normal}}
"""

_CARD_KEYS = (
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
_BAR_KEYS = (("hit@W150", "b1"), ("hit@W400", "b2"), ("mrr@10", "b3"), ("abstain", "b4"))


def _grade(name: str, value: object) -> str:
    """Card colour: only for 0..1 metrics, where good/bad has an obvious direction."""
    if value is None or name in ("n", "total_seconds") or name.endswith("_ms"):
        return ""
    if name == "errors":
        return "good" if value == 0 else "bad"
    v = 1 - value if name in LOWER_IS_BETTER else value
    return "good" if v >= 0.8 else "mid" if v >= 0.5 else "bad"


def _cards(summary: dict, k: int | None) -> str:
    out = []
    for name in _CARD_KEYS:
        value = summary.get(name)
        out.append(
            f'<div class="card {_grade(name, value)}"><div class="k">{_e(_label(name, k))}</div>'
            f'<div class="v">{_e(fmt_metric(name, value))}</div>'
            f'<div class="h">{_e(_HELP.get(name, ""))}</div></div>'
        )
    return '<section class="cards">' + "".join(out) + "</section>"


def _bar_chart(summary: dict, by_kind: dict) -> str:
    """Grouped bars (hit@W150, hit@W400, mrr@10, abstain) for all questions and each kind."""
    groups = [("all", summary)] + list(by_kind.items())
    bar, gap, left, top, h, bottom = 14, 26, 38, 26, 180, 46
    group_w = bar * len(_BAR_KEYS) + gap
    width = left + group_w * len(groups) + 10
    parts = []
    for i, (name, color) in enumerate(_BAR_KEYS):  # legend
        x = left + i * 92
        parts.append(f'<rect x="{x}" y="4" width="10" height="10" class="{color}"/>')
        parts.append(f'<text x="{x + 14}" y="13">{_e(name)}</text>')
    for t in (0, 0.25, 0.5, 0.75, 1.0):
        y = top + h - t * h
        parts.append(f'<line class="grid" x1="{left}" x2="{width - 10}" y1="{y}" y2="{y}"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4}" text-anchor="end">{t:g}</text>')
    for gi, (gname, s) in enumerate(groups):
        x0 = left + gi * group_w + gap / 2
        for bi, (key, color) in enumerate(_BAR_KEYS):
            value = s.get(key)
            x = x0 + bi * bar
            tip = f"{gname} · {key}: {fmt_metric(key, value)}"
            if value is None:
                parts.append(
                    f'<text x="{x + bar / 2}" y="{top + h - 4}" text-anchor="middle" '
                    f'font-size="8">–<title>{_e(tip)}</title></text>'
                )
                continue
            bh = max(1.5, max(0.0, min(1.0, value)) * h)  # a zero still shows as a sliver
            parts.append(
                f'<rect x="{x}" y="{top + h - bh:.1f}" width="{bar - 2}" height="{bh:.1f}" '
                f'class="{color}" rx="2"><title>{_e(tip)}</title></rect>'
            )
        short = gname if len(gname) <= 14 else gname[:13] + "…"
        cx = x0 + bar * len(_BAR_KEYS) / 2
        parts.append(
            f'<text x="{cx}" y="{top + h + 16}" text-anchor="middle">{_e(short)}'
            f"<title>{_e(gname)}</title></text>"
        )
        parts.append(
            f'<text x="{cx}" y="{top + h + 30}" text-anchor="middle">n={_e(s.get("n"))}</text>'
        )
    total_h = top + h + bottom
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{total_h}" '
        f'viewBox="0 0 {width} {total_h}" style="max-width:{width}px" role="img" '
        'aria-label="metrics per kind">' + "".join(parts) + "</svg>"
    )


def _histogram(latencies: list[float]) -> str:
    """Latency histogram with the p50 and p95 marked as dashed lines."""
    left, top, w, h, bottom = 40, 30, 440, 150, 36
    width, total_h = left + w + 16, top + h + bottom
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{total_h}" '
        f'viewBox="0 0 {width} {total_h}" style="max-width:{width}px" role="img" '
        'aria-label="latency histogram">'
    )
    if not latencies:
        return svg + f'<text x="{left}" y="{top + 20}">no latencies</text></svg>'
    hi = max(latencies) or 1.0
    nbins = max(5, min(24, math.ceil(math.sqrt(len(latencies)))))
    step = hi / nbins
    counts = [0] * nbins
    for v in latencies:
        counts[min(nbins - 1, int(v / step))] += 1
    cmax = max(counts)
    parts = [
        f'<line class="axis" x1="{left}" x2="{left + w}" y1="{top + h}" y2="{top + h}"/>',
        f'<text x="{left - 6}" y="{top + 8}" text-anchor="end">{cmax}</text>',
        f'<text x="{left - 6}" y="{top + h}" text-anchor="end">0</text>',
    ]
    bw = w / nbins
    for i, c in enumerate(counts):
        bh = c / cmax * h
        lo, up = i * step, (i + 1) * step
        parts.append(
            f'<rect class="hist" x="{left + i * bw + 1:.1f}" y="{top + h - bh:.1f}" '
            f'width="{bw - 2:.1f}" height="{bh:.1f}" rx="2">'
            f"<title>{lo:,.0f}–{up:,.0f} ms: {c}</title></rect>"
        )
    for i in range(0, nbins + 1, max(1, nbins // 4)):
        parts.append(
            f'<text x="{left + i * bw:.1f}" y="{top + h + 14}" text-anchor="middle">'
            f"{i * step:,.0f}</text>"
        )
    parts.append(f'<text x="{left + w}" y="{top + h + 30}" text-anchor="end">ms</text>')
    for name, q, y in (("p50", 50, top - 18), ("p95", 95, top - 6)):  # labels above the bars
        v = percentile(latencies, q) or 0.0
        x = left + v / hi * w
        anchor = "end" if x > left + w * 0.8 else "start"
        parts.append(f'<line class="pline" x1="{x:.1f}" x2="{x:.1f}" y1="{y + 2}" y2="{top + h}"/>')
        parts.append(
            f'<text x="{x + (-3 if anchor == "end" else 3):.1f}" y="{y}" '
            f'text-anchor="{anchor}">{name} {v:,.1f} ms</text>'
        )
    return svg + "".join(parts) + "</svg>"


def _highlight(passage: dict, evidence: list[dict]) -> str:
    """Passage text, escaped, with the characters that belong to evidence spans in <mark>."""
    text, ps = passage.get("text") or "", passage.get("start")
    ranges = []
    for ev in evidence:
        if ev.get("source") != passage.get("source") or ev.get("start") is None or ps is None:
            continue
        a, b = max(ev["start"], ps) - ps, min(ev["end"], ps + len(text)) - ps
        if a < b:
            ranges.append((a, b))
    return marked(text, 0, ranges)


def _passages(row: dict) -> str:
    evidence = row.get("evidence") or []
    out, used = [], 0
    for p in row.get("passages") or []:
        budget = "W150" if used < 150 else "W400" if used < 400 else ""
        used += len((p.get("text") or "").split())
        body = _highlight(p, evidence)
        rel = " rel" if "<mark>" in body else ""
        where = f"{p.get('source')}:{p.get('start')}-{p.get('end')}"
        section = f" · §{p['section']}" if p.get("section") else ""
        tag = f" · in {budget}" if budget else ""
        score = p.get("score")
        score_s = f" · score {score:.3f}" if isinstance(score, int | float) else ""
        out.append(
            f'<div class="psg{rel}"><div class="ph">#{_e(p.get("rank"))} {_e(where)}'
            f"{_e(section)}{_e(score_s)}{_e(tag)}</div>"
            f'<div class="pt">{body}</div></div>'
        )
    return "".join(out) or '<p class="ev">no passages retrieved</p>'


def _question(row: dict, k: int | None) -> str:
    m = row.get("metrics") or {}
    why = is_failure(row)
    if why:
        badge = f'<span class="badge fail">{_e(why)}</span>'
    elif row.get("abstained"):
        badge = '<span class="badge ok">abstained ✓</span>'
    else:
        badge = '<span class="badge ok">ok</span>'
    kind = row.get("kind") or ""
    tags = ", ".join(row.get("tags") or [])
    evidence = row.get("evidence") or []
    ev_html = "".join(
        f'<p class="ev">“{_e(ev["text"])}” — '
        + (
            _e(f"{ev['source']}:{ev['start']}-{ev['end']}")
            if ev.get("source")
            else "not located in the corpus"
        )
        + "</p>"
        for ev in evidence
    )
    answerable = "answerable" if row.get("answerable") else "unanswerable"
    system = _e(row.get("answer") or "")
    if row.get("abstained"):
        why_declined = (
            f' <span class="why">({_e(row["reason"])})</span>' if row.get("reason") else ""
        )
        system = '<span class="badge info">abstained</span> ' + system + why_declined
    err = f'<p class="err">{_e(row["error"])}</p>' if row.get("error") else ""
    return (
        f'<details class="q{" fail" if why else ""}" id="q-{_e(row["id"])}"><summary>'
        f"<span>{badge}</span>"
        f'<span class="id" title="{_e(row["id"])}">{_e(row["id"])}</span>'
        f'<span class="id" title="{_e(tags)}">{_e(kind)}</span>'
        f'<span class="qt" title="{_e(row["question"])}">{_e(row["question"])}</span>'
        f'<span class="num">{_e(fmt_metric("hit@W400", m.get("hit@W400")))}</span>'
        f'<span class="num">{_e(fmt_metric("mrr@10", m.get("mrr@10")))}</span>'
        f'<span class="num">{_e(fmt_metric("token_f1", m.get("token_f1")))}</span>'
        f'<span class="num">{_e(fmt_metric("latency_ms", row.get("latency_ms")))}</span>'
        f'</summary><div class="body">'
        f"<h4>Question · {_e(answerable)}{' · tags: ' + _e(tags) if tags else ''}</h4>"
        f"<p>{_e(row['question'])}</p>"
        f"<h4>Reference answer</h4><p>{_e(row.get('reference_answer') or '—')}</p>{ev_html}"
        f"<h4>System answer</h4><p>{system}</p>{err}"
        f"<h4>Retrieved passages (top {_e(k or len(row.get('passages') or []))})</h4>"
        f"{_passages(row)}</div></details>"
    )


def tradeoff_html(abstention: dict) -> str:
    """The threshold trade-off table (see format_tradeoff), current settings in bold."""
    if not abstention:
        return ""
    from qa.evaluation.abstain_sweep import describe

    rows = []
    for name, points in abstention.items():
        for p in points:
            cls = ' class="current"' if p["current"] else ""
            rows.append(
                f"<tr{cls}><td>{_e(name)} <small>{_e(describe(name))}</small></td>"
                f'<td class="num">{p["value"]:.2f}</td>'
                f'<td class="num">{_e(fmt_metric("abstain", p["abstain"]))}</td>'
                f'<td class="num">{_e(fmt_metric("abstain", p["false_abstain"]))}</td></tr>'
            )
    return (
        "<h2>Not in the document <small class=meta>what each threshold trades; "
        "current settings in bold</small></h2>"
        '<table class="tradeoff"><thead><tr><th>threshold</th><th class="num">value</th>'
        '<th class="num">declines unanswerable</th><th class="num">declines answerable</th>'
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def render_html(report: EvalReport) -> str:
    """report.html: summary cards, charts per kind, latency histogram, questions (failures first)."""
    meta, summary = report.meta, report.summary
    k = meta.get("k")
    order = sorted(range(len(report.rows)), key=lambda i: (not is_failure(report.rows[i]), i))
    n_fail = sum(1 for r in report.rows if is_failure(r))
    latencies = [float(r["latency_ms"]) for r in report.rows if r.get("latency_ms") is not None]
    system = meta.get("system") or {}
    system_html = " · ".join(f"{_e(key)}: {_e(v)}" for key, v in system.items())
    title = f"planqa eval — {meta.get('file') or 'report'}"
    head = (
        '<div class="qhead"><span>status</span><span>id</span><span>kind</span>'
        '<span>question</span><span class="num">W400</span><span class="num">MRR</span>'
        '<span class="num">F1</span><span class="num">latency</span></div>'
    )
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body><main>"
        f"<h1>planqa evaluation</h1>"
        f'<p class="meta"><b>{_e(meta.get("file") or "")}</b> · started '
        f"{_e(meta.get('started_at'))} · k={_e(k)} · {_e(summary.get('n'))} questions · "
        f"{_e(meta.get('seconds'))} s · {_e(summary.get('errors', 0))} errors</p>"
        f"{_cards(summary, k)}"
        '<h2>Charts</h2><section class="charts">'
        f"<figure><figcaption>Per kind</figcaption>{_bar_chart(summary, report.by_kind)}"
        f"</figure><figure><figcaption>Latency per question</figcaption>"
        f"{_histogram(latencies)}</figure></section>"
        f"{tradeoff_html(report.abstention)}"
        f"<h2>Questions <small class=meta>{n_fail} failing, listed first</small></h2>"
        f"{head}{''.join(_question(report.rows[i], k) for i in order)}"
        f"<footer>{_e(meta.get('format'))}{' · ' + system_html if system_html else ''}</footer>"
        "</main></body></html>\n"
    )


# ---------------------------------------------------------------------------------------------
# Writing


def write_reports(
    report: EvalReport, out_dir: Path, json_name: str = "report.json"
) -> dict[str, Path]:
    """Write report.json (or ``json_name``), rows.csv and report.html into ``out_dir``.

    All or nothing: files are rendered, written and fsynced in a temp folder beside
    ``out_dir`` and renamed into place only when all three succeeded.

    Example:
        >>> paths = write_reports(report, Path("reports/gold"))  # doctest: +SKIP
        >>> paths["html"]  # doctest: +SKIP
        PosixPath('reports/gold/report.html')
    """
    out_dir = Path(out_dir)
    files = {  # render first: a rendering bug must not leave anything on disk
        "json": (json_name, render_json(report)),
        "csv": ("rows.csv", render_csv(report)),
        "html": ("report.html", render_html(report)),
    }
    parent = out_dir.absolute().parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=parent))
    try:
        for name, text in files.values():
            with open(tmp / name, "w", encoding="utf-8", newline="") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
        out_dir.mkdir(parents=True, exist_ok=True)
        paths = {}
        for key, (name, _text) in files.items():
            os.replace(tmp / name, out_dir / name)
            paths[key] = out_dir / name
        fsync_dir(out_dir)
        return paths
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def load_report(path: Path) -> dict:
    """Read a report.json written by ``write_reports`` (for ``--compare``), checking its format.

    Example:
        >>> old = load_report(Path("reports/gold/report.json"))  # doctest: +SKIP
    """
    path = Path(path)
    if path.is_dir():
        path = path / "report.json"
    if not path.is_file():
        raise EvalInputError(f"{path}: report not found; pass the report.json of an earlier run")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise EvalInputError(f"{path}: not a readable report.json ({e}); re-run qa eval") from None
    fmt = data.get("meta", {}).get("format") if isinstance(data, dict) else None
    if fmt != REPORT_FORMAT:
        raise EvalInputError(
            f'{path}: field "meta.format" is {fmt!r}, expected {REPORT_FORMAT!r}; '
            "compare only with reports written by this version of qa eval"
        )
    return data


# ---------------------------------------------------------------------------------------------
# Terminal text


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
    title = f"qa eval · {meta.get('file') or ''} · k={k} · {meta.get('seconds')} s\n"
    table = Table(box=box.SIMPLE_HEAVY)
    table.add_column("metric")
    for name, s in groups:
        table.add_column(f"{name}\n(n={s.get('n')})", justify="right")
    for key in _TEXT_KEYS:
        if all(key not in s for _, s in groups):
            continue
        table.add_row(_label(key, k), *(fmt_metric(key, s.get(key)) for _, s in groups))
    return title + _render(table) + format_tradeoff(report.abstention)


def format_tradeoff(abstention: dict) -> str:
    """The "not in the document" thresholds: declines and wrong declines at nearby values.

    Example:
        >>> print(format_tradeoff(report.abstention))  # doctest: +SKIP
    """
    if not abstention:
        return ""
    from rich import box
    from rich.table import Table

    from qa.evaluation.abstain_sweep import describe

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

    table = Table(box=box.SIMPLE_HEAVY)
    for col in ("metric", "old", "new", "delta"):
        table.add_column(col, justify="left" if col == "metric" else "right")
    for name in GATE_NAMES:
        m = cmp["metrics"].get(name)
        if m is None or (m["old"] is None and m["new"] is None):
            continue
        d = m["delta"]
        if d is None:
            delta = ""
        elif name in _PERCENT:
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
    lines = ["compare with earlier run\n"]
    for side in ("old", "new"):
        run = (cmp.get("runs") or {}).get(side) or {}
        if run.get("file") or run.get("started_at"):
            lines.append(
                f"  {side}: {run.get('file')} · {run.get('started_at')} · k={run.get('k')}\n"
            )
    lines.append(_render(table))
    for key, label in (
        ("found_to_missed", "hit@W400 found -> missed"),
        ("missed_to_found", "hit@W400 missed -> found"),
        ("abstained_changed", "abstained changed"),
        ("added", "new questions"),
        ("removed", "removed questions"),
    ):
        ids = cmp.get(key) or []
        if ids:
            shown = ", ".join(ids[:30]) + (f", ... (+{len(ids) - 30})" if len(ids) > 30 else "")
            lines.append(f"{label} ({len(ids)}): {shown}\n")
    if cmp.get("shared") == 0:
        lines.append("note: the two runs share no question ids; compare runs of the same file\n")
    return "".join(lines)
