from __future__ import annotations

import json

import pytest

from qa.config import RetrievalConfig
from qa.evaluation.abstain_sweep import KNOBS, abstention_tradeoff
from qa.evaluation.evalset import load_eval_file
from qa.evaluation.evaluate import evaluate_assistant
from qa.evaluation.report import format_summary, render_html
from tests.conftest import REPO


@pytest.fixture(scope="module")
def dev_report(plan_assistant):
    items, _ = load_eval_file(REPO / "eval" / "dev.jsonl")
    report, _ = evaluate_assistant(plan_assistant, items, k=20, file="dev.jsonl")
    return report


def test_current_setting_reproduces_the_runs_own_decisions(dev_report):
    # one small document: e5 gave every search its second opinion, so no raise is swept
    raise_knob = "min_score_raise_without_e5"
    assert {name for name, _, _ in KNOBS} - {raise_knob} == set(dev_report.abstention)
    for name, points in dev_report.abstention.items():
        (current,) = [p for p in points if p["current"]]
        assert current["value"] == pytest.approx(getattr(RetrievalConfig(), name))
        assert current["abstain"] == pytest.approx(dev_report.summary["abstain"])
        assert current["false_abstain"] == pytest.approx(dev_report.summary["false_abstain"])


def test_a_stricter_threshold_never_declines_less(dev_report):
    for points in dev_report.abstention.values():
        values = [p["value"] for p in points]
        assert values == sorted(values)
        for lower, higher in zip(points, points[1:], strict=False):
            assert higher["abstain"] >= lower["abstain"]
            assert higher["false_abstain"] >= lower["false_abstain"]
    # the sweep is wide enough to show a cost somewhere
    assert any(p["false_abstain"] > 0 for ps in dev_report.abstention.values() for p in ps)


def test_tradeoff_is_shown_in_terminal_json_and_html(dev_report):
    text = format_summary(dev_report)
    assert "not in the document" in text and "min_score" in text and "0.35 *" in text
    data = json.loads(json.dumps(dev_report.to_dict()))
    assert data["abstention"]["min_e5_english"][0]["value"] < 0.81
    assert all("signals" in row for row in data["rows"])
    assert '<table class="tradeoff">' in render_html(dev_report)


def test_no_tradeoff_without_both_kinds_of_question_or_without_signals():
    row = {"question": "q", "answerable": True, "passages": [], "signals": {"sentence_top": 0.9}}
    assert abstention_tradeoff([row], RetrievalConfig()) == {}
    unanswerable = {**row, "answerable": False}
    assert abstention_tradeoff([row, unanswerable], RetrievalConfig()) != {}
    bare = [{k: v for k, v in r.items() if k != "signals"} for r in (row, unanswerable)]
    assert abstention_tradeoff(bare, RetrievalConfig()) == {}


def test_the_raise_without_e5_is_swept_when_minilm_judged_alone():
    def row(top, answerable, alone=True):
        signals = {"sentence_top": top, "term_coverage": 1.0, "minilm_alone": alone}
        return {"question": "q", "answerable": answerable, "passages": [], "signals": signals}

    rows = [row(0.48, True), row(0.42, False), row(0.38, False), row(0.30, False, alone=False)]
    points = abstention_tradeoff(rows, RetrievalConfig())["min_score_raise_without_e5"]
    by_value = {p["value"]: p for p in points}
    assert by_value[0.1]["current"] and by_value[0.1]["abstain"] == 1.0
    assert by_value[0.0]["abstain"] == pytest.approx(1 / 3)  # only the one below min_score
    assert by_value[0.15]["false_abstain"] == 1.0  # .48 is below .35 + .15
