"""Write an ``EvalReport`` to disk (report.json, rows.csv, report.html) and read one back.

Reports are written all-or-nothing: the three files are rendered in memory, written and
fsynced into a temporary folder next to the output folder, and only then renamed into place,
so a crash or a full disk never leaves a report.json that disagrees with its report.html.
The HTML is one self-contained file (inline CSS and SVG, no scripts, no network) because it
gets mailed around and opened offline; it is rendered from Jinja2 templates that escape every
piece of eval text (``qa.evaluation.report_html``). The terminal views are in
``qa.evaluation.report_text``; both are importable from here.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
from pathlib import Path

from qa.atomic import fsync_dir
from qa.errors import EvalInputError
from qa.evaluation.evaluate import REPORT_FORMAT, EvalReport
from qa.evaluation.labels import fmt_metric, is_failure
from qa.evaluation.report_html import render_html, tradeoff_html
from qa.evaluation.report_text import format_compare, format_summary, format_tradeoff

__all__ = [
    "CSV_COLUMNS",
    "csv_safe",
    "fmt_metric",
    "format_compare",
    "format_summary",
    "format_tradeoff",
    "is_failure",
    "load_report",
    "render_csv",
    "render_html",
    "render_json",
    "tradeoff_html",
    "write_reports",
]

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
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


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
            "top_passage": f"{top['source']}:{top['start']}-{top['end']}"
            if top and top.get("source")
            else None,
            "top_section": top.get("section") if top else None,
            "answerable": bool(r.get("answerable")),
            "error": r.get("error"),
            "decline_reason": r.get("reason") or None,
        }
        w.writerow([csv_safe(cells[c]) for c in CSV_COLUMNS])
    return "\ufeff" + buf.getvalue()


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
