"""report.html for small runs: the per-kind chart keeps its whole legend (a 3-question run lost
`mrr@10` and `abstain`), and the threshold trade-off is replaced by a note saying why when it
would rest on a handful of questions."""

from __future__ import annotations

import re

import pytest

from qa.config import RetrievalConfig
from qa.evaluation.abstain_sweep import (
    MIN_TRADEOFF_QUESTIONS,
    abstention_tradeoff,
    too_few_questions,
)
from qa.evaluation.evalset import EvalItem, locate_evidence
from qa.evaluation.evaluate import run_evaluation
from qa.evaluation.report import format_tradeoff, render_html, tradeoff_html
from qa.evaluation.report_html import BAR_KEYS, bar_chart, text_width
from tests.fakes import DOC, PASSAGES, keyword_ask


def _item(id, question, evidence=(), answerable=True, kind="fact"):
    return EvalItem(id, question, "", tuple(evidence), answerable, kind, (), 1, "three.jsonl")


THREE = [
    _item("a", "When does the plan run?", ["The plan runs from 2014 to 2020."]),
    _item("b", "Who funds pilot projects?", ["The office funds pilot projects in key regions."]),
    _item("c", "What is the salary?", answerable=False, kind="unanswerable"),
]


@pytest.fixture
def three_report():
    spans, problems = locate_evidence(THREE, [DOC], PASSAGES)
    assert problems == []
    return run_evaluation(keyword_ask, THREE, spans, k=3, file="three.jsonl")


def row(answerable: bool) -> dict:
    return {"question": "q", "answerable": answerable, "passages": [], "signals": {}}


# ---------------------------------------------------------------------------- the chart


@pytest.mark.parametrize("kinds", [0, 1, 2, 5])
def test_every_legend_entry_fits_inside_the_chart(kinds):
    summary = {"n": 3, "hit@W150": 1.0, "hit@W400": 1.0, "mrr@10": 0.5, "abstain": 1.0}
    chart = bar_chart(summary, {f"kind{i}": summary for i in range(kinds)})
    assert [e["name"] for e in chart["legend"]] == [name for name, _ in BAR_KEYS]
    ends = [e["x"] + 14 + text_width(e["name"]) for e in chart["legend"]]
    assert max(ends) <= chart["width"]
    starts = [e["x"] for e in chart["legend"]]
    assert all(b >= a for a, b in zip(ends, starts[1:], strict=False))  # no overlap


def test_text_width_over_estimates_a_sans_serif_11px_label():
    assert text_width("mrr@10") >= 6 * 6  # 6 characters, ~6 px each at 11px
    assert text_width("") == 0


# ---------------------------------------------------------------------------- the trade-off


def test_the_sweep_says_how_many_questions_it_rests_on():
    rows = [row(True), row(True), row(False)]
    points = abstention_tradeoff(rows, RetrievalConfig())["min_score"]
    assert {(p["n_answerable"], p["n_unanswerable"]) for p in points} == {(2, 1)}


def test_too_few_questions_says_why_and_enough_says_nothing():
    few = abstention_tradeoff([row(True), row(True), row(False)], RetrievalConfig())
    note = too_few_questions(few)
    assert note.startswith("not shown: it would rest on 1 unanswerable and 2 answerable")
    assert "100 points" in note and f"at least {MIN_TRADEOFF_QUESTIONS} of each" in note
    enough = [row(True)] * MIN_TRADEOFF_QUESTIONS + [row(False)] * MIN_TRADEOFF_QUESTIONS
    assert too_few_questions(abstention_tradeoff(enough, RetrievalConfig())) == ""
    # one short of the bound on either side is too few
    short = [row(True)] * MIN_TRADEOFF_QUESTIONS + [row(False)] * (MIN_TRADEOFF_QUESTIONS - 1)
    assert too_few_questions(abstention_tradeoff(short, RetrievalConfig())) != ""
    # a report written before the counts were kept is shown as it was
    old = {"min_score": [{"value": 0.35, "current": True, "abstain": 1.0, "false_abstain": 0}]}
    assert too_few_questions(old) == "" and too_few_questions({}) == ""


def test_a_small_trade_off_is_a_note_in_html_app_and_terminal(three_report):
    three_report.abstention = abstention_tradeoff(
        [row(True), row(True), row(False)], RetrievalConfig()
    )
    page = render_html(three_report)
    assert '<table class="tradeoff">' not in page
    assert "The threshold trade-off is not shown: it would rest on 1 unanswerable" in page
    fragment = str(tradeoff_html(three_report.abstention))
    assert "<table" not in fragment and "tradeoff-note" in fragment
    assert "trade-off is not shown" in format_tradeoff(three_report.abstention)
    # with enough questions the table is back
    enough = [row(True)] * 6 + [row(False)] * 5
    three_report.abstention = abstention_tradeoff(enough, RetrievalConfig())
    assert '<table class="tradeoff">' in render_html(three_report)
    assert "0.35 *" in format_tradeoff(three_report.abstention)


def test_three_question_report_has_the_whole_legend(three_report):
    page = render_html(three_report)
    svg = re.search(r'<svg[^>]*aria-label="metrics per kind".*?</svg>', page, re.S).group(0)
    width = int(re.search(r'width="(\d+)"', svg).group(1))
    for name, _ in BAR_KEYS:
        x = float(re.search(rf'<text x="([\d.]+)" y="13">{re.escape(name)}</text>', svg).group(1))
        assert x + text_width(name) <= width, (name, x, width)


@pytest.mark.browser
def test_three_question_chart_legend_is_drawn_whole_in_chromium(three_report, tmp_path):
    """Rendered by a real browser at a phone's width: each legend label ends inside its SVG."""
    from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, need_browser

    need_browser()
    from playwright.sync_api import sync_playwright

    page_file = tmp_path / "report.html"
    page_file.write_text(render_html(three_report), encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})
            page.goto(page_file.as_uri())
            svg = page.locator('svg[aria-label="metrics per kind"]')
            svg.scroll_into_view_if_needed()
            labels = page.evaluate(
                """() => { const svg = document.querySelector('svg[aria-label="metrics per kind"]');
                   const box = svg.getBoundingClientRect();
                   return [...svg.querySelectorAll('text[y="13"]')].map(t => {
                     const r = t.getBoundingClientRect();
                     return [t.textContent, r.left >= box.left - 0.5 && r.right <= box.right + 0.5];
                   }); }"""
            )
            svg.screenshot(path=str(tmp_path / "chart.png"))
        finally:
            browser.close()
    assert [name for name, _ in labels] == [name for name, _ in BAR_KEYS]
    assert all(inside for _, inside in labels), labels
