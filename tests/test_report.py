"""report.json / rows.csv / report.html: content, escaping, and all-or-nothing writes."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markupsafe import Markup

import qa.evaluation.report
from qa.errors import EvalInputError
from qa.evaluation.evalset import EvalItem, locate_evidence
from qa.evaluation.evaluate import REPORT_FORMAT, EvalReport, compare, run_evaluation
from qa.evaluation.report import (
    csv_safe,
    fmt_metric,
    format_compare,
    format_summary,
    is_failure,
    load_report,
    render_html,
    tradeoff_html,
    write_reports,
)
from qa.evaluation.report_html import highlight
from tests.fakes import DOC, PASSAGES, keyword_ask

fake_ask = keyword_ask


def _item(id, question, reference, evidence=(), answerable=True, kind="fact", tags=()):
    return EvalItem(id, question, reference, tuple(evidence), answerable, kind, tags, 1, "e.jsonl")


ITEMS = [
    _item(
        "q1", "When does the plan run?", "From 2014 to 2020.", ["The plan runs from 2014 to 2020."]
    ),
    _item(
        "q2",
        "<script>alert(1)</script> Who funds pilot projects?",
        "The office.",
        ["The office funds pilot projects in key regions."],
        tags=("money",),
    ),
    _item("q3", "=cmd()", "The document does not say.", answerable=False, kind="unanswerable"),
    _item("q4", "What is the salary?", "Not mentioned.", answerable=False, kind="unanswerable"),
    _item("q5", "Are grants given?", "Yes, to small firms.", ["Grants go to small firms."]),
]


@pytest.fixture
def report() -> EvalReport:
    spans, problems = locate_evidence(ITEMS, [DOC], PASSAGES)
    assert problems == []
    return run_evaluation(fake_ask, ITEMS, spans, k=3, file="e.jsonl", system={"model": "fake"})


# ---------------------------------------------------------------------------------------------
# Helpers


def test_csv_safe_prefixes_formula_cells():
    for text in ("=cmd()", "+1", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert csv_safe(text) == "'" + text
    assert csv_safe("plain") == "plain" and csv_safe(True) == "true" and csv_safe(0.5) == "0.5"


def test_fmt_metric():
    assert fmt_metric("hit@W150", 0.8125) == "81.2%"
    assert fmt_metric("ndcg@10", 0.5) == "0.500"
    assert fmt_metric("latency_p95_ms", 1234.5) == "1,234 ms"
    assert fmt_metric("abstain", None) == "n/a"


def test_is_failure_reasons(report):
    reasons = {r["id"]: is_failure(r) for r in report.rows}
    assert reasons == {
        "q1": "",
        "q2": "",
        "q3": "",  # unanswerable and abstained
        "q4": "",
        "q5": "false abstain",  # overlap "grants" only: the fake declines
    }


# ---------------------------------------------------------------------------------------------
# Files


def test_write_reports_writes_three_files(report, tmp_path):
    out = tmp_path / "reports" / "run1"
    paths = write_reports(report, out)
    assert paths == {
        "json": out / "report.json",
        "csv": out / "rows.csv",
        "html": out / "report.html",
    }
    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert list(data) == ["meta", "summary", "by_kind", "by_tag", "abstention", "rows"]
    assert data["meta"]["format"] == REPORT_FORMAT
    assert [r["id"] for r in data["rows"]] == ["q1", "q2", "q3", "q4", "q5"]
    assert sorted(os.listdir(tmp_path / "reports")) == ["run1"]  # no temp folder left behind


def test_json_name_is_configurable(report, tmp_path):
    paths = write_reports(report, tmp_path, "baseline.json")
    assert paths["json"] == tmp_path / "baseline.json"
    assert load_report(paths["json"])["summary"] == json.loads(json.dumps(report.summary))


def test_rows_csv_escapes_formulas(report, tmp_path):
    paths = write_reports(report, tmp_path / "out")
    with open(paths["csv"], encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0])[:11] == [
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
    ]
    by_id = {r["id"]: r for r in rows}
    assert by_id["q3"]["question"] == "'=cmd()"
    assert by_id["q1"]["top_passage"] == f"plan.txt:{PASSAGES[0].start}-{PASSAGES[0].end}"
    assert by_id["q1"]["top_section"] == "Goals"
    assert by_id["q1"]["hit@W150"] == "1.0" and by_id["q1"]["abstained"] == "false"
    assert by_id["q3"]["hit@W150"] == ""  # not applicable, not zero
    # why a question was declined, so a false decline can be understood from the CSV alone
    assert (
        by_id["q4"]["decline_reason"] == "the question shares fewer than 2 words with every passage"
    )
    assert by_id["q1"]["decline_reason"] == ""


def test_report_says_why_each_question_was_declined(report, tmp_path):
    rows = {r["id"]: r for r in report.rows}
    assert rows["q4"]["abstained"] and rows["q4"]["reason"].startswith("the question shares")
    assert rows["q1"]["reason"] == ""
    html_text = write_reports(report, tmp_path / "out")["html"].read_text(encoding="utf-8")
    assert '<span class="why">(the question shares fewer than 2 words' in html_text


class _StrictParser(HTMLParser):
    """Fails on mis-nested tags; records ids, text and every tag/attribute seen."""

    VOID = {"meta", "br", "hr", "img", "input", "link", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def test_report_html_parses_escapes_and_is_self_contained(report, tmp_path):
    html_text = write_reports(report, tmp_path / "out")["html"].read_text(encoding="utf-8")
    parser = _StrictParser()
    parser.feed(html_text)
    parser.close()
    assert parser.stack == []
    text = "".join(parser.text)
    for row in report.rows:
        assert row["id"] in text
    # the untrusted question shows as text, never as a tag
    assert "<script" not in html_text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html_text
    assert "<script>alert(1)</script> Who funds pilot projects?" in text
    tags = {t for t, _ in parser.tags}
    assert {"svg", "details", "summary", "mark", "style"} <= tags
    assert not {"script", "link", "img", "iframe"} & tags
    assert "@import" not in html_text and "url(" not in html_text
    for _tag, attrs in parser.tags:
        assert "src" not in attrs and "href" not in attrs
    # the one http string is the SVG namespace, which browsers never fetch
    assert set(re.findall(r"https?://[^\"' ]+", html_text)) == {"http://www.w3.org/2000/svg"}


UNTRUSTED = '<script>alert(1)</script><img src=x onerror="alert(2)">'


def test_untrusted_text_is_escaped_everywhere(report):
    """Question, answer, decline reason, reference, evidence, tags, kind and passage text all
    come from eval files or the documents: none of them may become markup."""
    row = next(r for r in report.rows if r["id"] == "q4")
    row["question"] = "Q " + UNTRUSTED
    row["answer"] = "A " + UNTRUSTED
    row["reason"] = "R " + UNTRUSTED
    row["reference_answer"] = "F " + UNTRUSTED
    row["kind"] = "K " + UNTRUSTED
    row["tags"] = ["T " + UNTRUSTED]
    row["error"] = "E " + UNTRUSTED
    row["evidence"] = [{"text": "V " + UNTRUSTED, "source": None, "start": None, "end": None}]
    row["passages"][0]["text"] = "P " + UNTRUSTED
    report.meta["file"] = UNTRUSTED
    report.meta["system"] = {"model": UNTRUSTED}
    html_text = render_html(report)
    parser = _StrictParser()
    parser.feed(html_text)
    parser.close()
    tags = {t for t, _ in parser.tags}
    assert not {"script", "img"} & tags
    assert not any(name.startswith("on") for _t, attrs in parser.tags for name in attrs)
    assert "<script" not in html_text and "<img" not in html_text
    text = "".join(parser.text)
    for prefix in "QARFKTEVP":
        assert f"{prefix} {UNTRUSTED}" in text, prefix  # shown as text, whole
    titles = [a["title"] for t, a in parser.tags if t == "span" and "title" in a]
    assert "Q " + UNTRUSTED in titles  # attribute values are escaped too


def test_evidence_marks_are_markup_built_from_escaped_text():
    body = highlight("a <b>bold</b> claim", [(2, 13), (40, 50)])
    assert isinstance(body, Markup)
    assert str(body) == "a <mark>&lt;b&gt;bold&lt;/b&gt;</mark> claim"
    assert str(highlight("x<y", [])) == "x&lt;y"
    assert str(highlight("abcdef", [(1, 3), (2, 5)])) == "a<mark>bc</mark><mark>de</mark>f"


def test_tradeoff_html_is_escaped_markup():
    points = [
        {"value": 0.3, "current": False, "abstain": 0.5, "false_abstain": 0.0},
        {"value": 0.35, "current": True, "abstain": 0.75, "false_abstain": 0.1},
    ]
    html_text = tradeoff_html({"min_score": points})
    assert isinstance(html_text, Markup)
    assert '<tr class="current"><td>min_score <small>' in html_text
    assert "75.0%" in html_text and "0.35" in html_text and "Not in the document" in html_text
    assert tradeoff_html({}) == ""


def test_importing_the_report_module_does_not_load_jinja2():
    code = "import sys, qa.evaluation.report; print('jinja2' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_evaluation_modules_stay_under_450_lines():
    folder = Path(qa.evaluation.report.__file__).parent
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in folder.glob("*.py")}
    assert {name: n for name, n in sizes.items() if n > 450} == {}


def test_report_html_lists_failures_first_and_highlights_evidence(report, tmp_path):
    html_text = write_reports(report, tmp_path / "out")["html"].read_text(encoding="utf-8")
    order = re.findall(r'<details class="q[^"]*" id="q-([^"]+)"', html_text)
    assert order == ["q5", "q1", "q2", "q3", "q4"]
    assert "<mark>The plan runs from 2014 to 2020.</mark>" in html_text
    assert "<mark>Grants go to small firms.</mark>" in html_text


def test_failed_write_leaves_no_partial_files(report, tmp_path, monkeypatch):
    out = tmp_path / "reports" / "run"
    calls = []
    real_fsync = os.fsync

    def flaky_fsync(fd):
        calls.append(fd)
        if len(calls) == 3:  # the third file (report.html) fails to reach the disk
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(qa.evaluation.report.os, "fsync", flaky_fsync)
    with pytest.raises(OSError, match="No space"):
        write_reports(report, out)
    assert not out.exists()
    assert os.listdir(tmp_path / "reports") == []  # temp folder cleaned up too


def test_failed_write_keeps_the_previous_report_intact(report, tmp_path, monkeypatch):
    out = tmp_path / "run"
    write_reports(report, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def broken_html(_report):
        raise RuntimeError("render failed")

    monkeypatch.setattr(qa.evaluation.report, "render_html", broken_html)
    with pytest.raises(RuntimeError):
        write_reports(report, out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(os.listdir(tmp_path)) == ["run"]


def test_load_report_checks_format(tmp_path):
    path = tmp_path / "report.json"
    path.write_text(json.dumps({"meta": {"format": "other v9"}}), encoding="utf-8")
    with pytest.raises(EvalInputError, match='field "meta.format"') as e:
        load_report(path)
    assert str(path) in str(e.value)
    with pytest.raises(EvalInputError, match="report not found"):
        load_report(tmp_path / "nope.json")
    path.write_text("{broken", encoding="utf-8")
    with pytest.raises(EvalInputError, match="not a readable report.json"):
        load_report(path)


# ---------------------------------------------------------------------------------------------
# Terminal text


def test_format_summary_has_overall_and_per_kind_columns(report):
    text = format_summary(report)
    assert "hit@W150" in text and "hit@3" in text and "latency_p95_ms" in text
    assert "all" in text and "fact" in text and "unanswerable" in text
    assert "\x1b[" not in text  # plain text, no ANSI codes


def test_format_compare_lists_flips(report):
    old = report.to_dict()
    new = json.loads(json.dumps(old))
    new["rows"][0]["metrics"]["hit@W400"] = 0.0
    new["rows"][2]["abstained"] = False
    new["summary"]["hit@W400"] = 0.5
    text = format_compare(compare(old, new))
    assert "hit@W400 found -> missed (1): q1" in text
    assert "abstained changed (1): q3" in text
    assert "hit@W400" in text and "▼" in text
    assert "old: e.jsonl" in text and "share no question ids" not in text
    other = json.loads(json.dumps(old))
    for row in other["rows"]:
        row["id"] = "x-" + row["id"]
    assert "share no question ids" in format_compare(compare(old, other))
