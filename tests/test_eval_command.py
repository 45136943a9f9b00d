"""`qa eval`: run_evaluation, gates, compare, and the command's files, output and exit codes."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from qa.errors import EvalInputError
from qa.evaluation.command import add_eval_parser, run_eval_command
from qa.evaluation.evalset import locate_evidence
from qa.evaluation.evaluate import GATE_NAMES, check_gates, compare, parse_gate, run_evaluation
from qa.evaluation.metrics import SUMMARY_KEYS
from qa.types import Answer, Document
from tests.fakes import PASSAGES, TEXT, keyword_ask


class FakeAssistant:
    """Keyword retrieval over four passages; abstains when the best passage shares < 2 words.

    ``broken`` questions raise inside ask, ``reverse`` flips the ranking (a worse system).
    """

    def __init__(self, broken: tuple[str, ...] = (), reverse: bool = False):
        self.documents = [Document("plan.txt", TEXT)]
        self.passages = PASSAGES
        self.broken = broken
        self.reverse = reverse
        self.asked: list[tuple[str, int]] = []

    def ask(self, question: str, k: int) -> Answer:
        self.asked.append((question, k))
        if question in self.broken:
            raise RuntimeError("encoder crashed")
        return keyword_ask(question, k, reverse=self.reverse)


RECORDS = [
    {
        "id": "q1",
        "question": "When does the plan run?",
        "answer": "From 2014 to 2020.",
        "evidence": ["The plan runs from 2014 to 2020."],
        "kind": "fact",
    },
    {
        "id": "q2",
        "question": "Who funds pilot projects?",
        "answer": "The office.",
        "evidence": ["The office funds pilot projects in key regions."],
        "kind": "fact",
        "tags": ["money"],
    },
    {
        "id": "q3",
        "question": "What is the salary of the director?",
        "answer": "The document does not say.",
        "kind": "unanswerable",
    },
    {
        "id": "q4",
        "question": "Are grants given?",
        "answer": "Yes, to small firms.",
        "evidence": ["Grants go to small firms."],
        "kind": "fact",
        "tags": ["money"],
    },
]


@pytest.fixture
def eval_file(tmp_path) -> Path:
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in RECORDS) + "\n", encoding="utf-8")
    return path


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="qa")
    sub = parser.add_subparsers(dest="command")
    add_eval_parser(sub)
    return parser.parse_args(["eval", *argv])


def run(argv: list[str], assistant: FakeAssistant | None = None) -> int:
    assistant = assistant or FakeAssistant()
    return run_eval_command(parse(*argv), lambda: assistant)


# ---------------------------------------------------------------------------------------------
# run_evaluation


def _items_and_spans(eval_file: Path):
    from qa.evaluation.evalset import load_eval_file

    items, _ = load_eval_file(eval_file)
    spans, problems = locate_evidence(items, FakeAssistant().documents, PASSAGES)
    assert problems == []
    return items, spans


def test_run_evaluation_rows_have_the_contract_keys(eval_file):
    items, spans = _items_and_spans(eval_file)
    progress = []
    fake = FakeAssistant()
    report = run_evaluation(
        fake.ask, items, spans, k=3, on_progress=lambda d, t: progress.append((d, t)), file="g"
    )
    assert progress == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert fake.asked[0] == ("When does the plan run?", 3)
    row = report.rows[0]
    assert list(row)[:8] == [
        "id",
        "question",
        "answer",
        "abstained",
        "reason",
        "citations",
        "passages",
        "latency_ms",
    ]
    assert list(row)[8:] == [
        "kind",
        "tags",
        "reference_answer",
        "evidence",
        "answerable",
        "signals",
        "metrics",
    ]
    assert [p["rank"] for p in row["passages"]] == [1, 2, 3]
    assert row["passages"][0] == {
        "rank": 1,
        "score": 1.0,
        "source": "plan.txt",
        "start": PASSAGES[0].start,
        "end": PASSAGES[0].end,
        "section": "Goals",
        "text": PASSAGES[0].text,
        "id": 0,
    }
    assert row["citations"][0]["quotes"][0]["text"] == PASSAGES[0].text
    assert row["evidence"] == [
        {
            "text": PASSAGES[0].text,
            "source": "plan.txt",
            "start": PASSAGES[0].start,
            "end": PASSAGES[0].end,
        }
    ]
    assert row["metrics"]["hit@W150"] == 1.0 and row["metrics"]["citation_validity"] == 1.0
    assert report.rows[2]["metrics"]["hit@W150"] is None  # unanswerable: not applicable
    assert report.rows[3]["abstained"] is True  # "grants" alone is too weak for the fake
    s = report.summary
    assert list(s) == list(SUMMARY_KEYS) + ["errors"]
    assert s["n"] == 4 and s["errors"] == 0
    assert s["abstain"] == 1.0 and s["false_abstain"] == pytest.approx(1 / 3)
    assert s["hit@W150"] == 1.0 and s["mrr@10"] == pytest.approx((1 + 1 + 1) / 3)
    assert list(report.by_kind) == ["fact", "unanswerable"]
    assert list(report.by_tag) == ["money"] and report.by_tag["money"]["n"] == 2
    meta = report.meta
    assert meta["file"] == "g" and meta["k"] == 3 and meta["n"] == 4
    assert meta["format"] == "planqa-eval v1" and "T" in meta["started_at"]


def test_an_exception_in_ask_is_recorded_and_the_run_continues(eval_file):
    items, spans = _items_and_spans(eval_file)
    fake = FakeAssistant(broken=("Who funds pilot projects?",))
    report = run_evaluation(fake.ask, items, spans, k=3)
    assert len(report.rows) == 4 and len(fake.asked) == 4
    bad = report.rows[1]
    assert bad["error"] == "RuntimeError: encoder crashed"
    assert bad["passages"] == [] and bad["abstained"] is False
    assert bad["metrics"]["hit@W150"] == 0.0  # counted as a miss, not skipped
    assert report.summary["errors"] == 1
    assert report.by_kind["fact"]["errors"] == 1 and report.by_kind["unanswerable"]["errors"] == 0
    assert "error" not in report.rows[0]


def test_k_must_be_positive():
    with pytest.raises(EvalInputError, match="k must be at least 1"):
        run_evaluation(FakeAssistant().ask, [], {}, k=0)


# ---------------------------------------------------------------------------------------------
# Gates


def test_parse_gate():
    assert parse_gate("hit@W150=0.9") == ("hit@W150", 0.9)
    assert parse_gate(" HIT@w400 = 0.5 ") == ("hit@W400", 0.5)
    with pytest.raises(EvalInputError) as e:
        parse_gate("hits=0.9")
    assert "unknown metric 'hits'" in str(e.value)
    for name in GATE_NAMES:
        assert name in str(e.value)
    with pytest.raises(EvalInputError, match="not a number"):
        parse_gate("hit@W150=high")
    with pytest.raises(EvalInputError, match="expected name=value"):
        parse_gate("hit@W150")


def test_check_gates_directions():
    summary = {"hit@W150": 0.812, "false_abstain": 0.2, "latency_p95_ms": 950.0, "abstain": None}
    assert check_gates(summary, {"hit@W150": 0.9}) == ["hit@W150 0.812 < 0.900"]
    assert check_gates(summary, {"hit@W150": 0.8}) == []
    # lower-is-better metrics are maximums, whether given as gates or max_gates
    assert check_gates(summary, {"false_abstain": 0.1}) == ["false_abstain 0.200 > 0.100"]
    assert check_gates(summary, {}, {"latency_p95_ms": 900}) == ["latency_p95_ms 950.000 > 900.000"]
    assert check_gates(summary, {}, {"latency_p95_ms": 1000}) == []
    assert check_gates(summary, {"abstain": 0.5}) == [
        "abstain n/a (not measured in this run), gate needs >= 0.500"
    ]


def test_gates_on_one_kind_or_tag():
    assert parse_gate("Chinese:HIT@w400=0.8") == ("Chinese:hit@W400", 0.8)
    with pytest.raises(EvalInputError, match="expected name=value or kind:name=value"):
        parse_gate(":hit@W400=0.8")
    with pytest.raises(EvalInputError, match="unknown metric 'hits'"):
        parse_gate("chinese:hits=0.8")
    summary = {"hit@W400": 0.95}
    groups = {"chinese": {"hit@W400": 0.75, "false_abstain": 0.1}, "gold": {"hit@W400": 1.0}}
    assert check_gates(summary, {"chinese:hit@W400": 0.8}, groups=groups) == [
        "chinese:hit@W400 0.750 < 0.800"
    ]
    assert check_gates(summary, {"gold:hit@W400": 0.8, "hit@W400": 0.9}, groups=groups) == []
    # lower-is-better stays a maximum inside a group
    assert check_gates(summary, {"chinese:false_abstain": 0.05}, groups=groups) == [
        "chinese:false_abstain 0.100 > 0.050"
    ]
    (missing,) = check_gates(summary, {"korean:hit@W400": 0.8}, groups=groups)
    assert "no questions of kind or tag 'korean'" in missing and "chinese, gold" in missing


def test_kind_gate_on_the_command_line(eval_file, tmp_path, capsys):
    argv = [str(eval_file), "--out", str(tmp_path / "o")]
    assert run(argv + ["--min", "nonesuch:hit@W400=0.5"]) == 1
    assert "no questions of kind or tag 'nonesuch'" in capsys.readouterr().err
    with pytest.raises(EvalInputError, match="use --max general:false_abstain=0.1"):
        run(argv + ["--min", "general:false_abstain=0.1"])


def test_min_gate_failure_exits_1_with_message(eval_file, tmp_path, capsys):
    code = run([str(eval_file), "--out", str(tmp_path / "out"), "--min", "hit@W150=1.01"])
    assert code == 1
    err = capsys.readouterr().err
    assert "gate failed: hit@W150 1.000 < 1.010" in err
    assert (tmp_path / "out" / "report.json").is_file()  # the report is still written


def test_max_gate_failure_exits_1(eval_file, tmp_path, capsys):
    code = run([str(eval_file), "--out", str(tmp_path / "o"), "--max", "false_abstain=0"])
    assert code == 1
    assert "gate failed: false_abstain 0.333 > 0.000" in capsys.readouterr().err


def test_passing_gates_exit_0(eval_file, tmp_path, capsys):
    argv = [str(eval_file), "--out", str(tmp_path / "o"), "--min", "hit@W400=1", "--min"]
    code = run(argv + ["abstain=1", "--max", "latency_p95_ms=60000", "--max", "errors=0"])
    assert code == 0
    assert "gate failed" not in capsys.readouterr().err


def test_min_on_lower_is_better_metric_points_to_max(eval_file, tmp_path):
    with pytest.raises(EvalInputError, match="use --max false_abstain=0.1"):
        run([str(eval_file), "--min", "false_abstain=0.1"])


def test_unknown_gate_fails_before_the_run(eval_file):
    fake = FakeAssistant()
    with pytest.raises(EvalInputError, match="valid names: n, hit@W150"):
        run([str(eval_file), "--min", "recall=0.5"], fake)
    assert fake.asked == []


# ---------------------------------------------------------------------------------------------
# compare


def test_compare_reports_deltas_and_flips():
    def rep(hit1, hit2, abst3, summary_hit):
        return {
            "summary": {"hit@W400": summary_hit, "n": 3},
            "rows": [
                {"id": "a", "abstained": False, "metrics": {"hit@W400": hit1}},
                {"id": "b", "abstained": False, "metrics": {"hit@W400": hit2}},
                {"id": "c", "abstained": abst3, "metrics": {"hit@W400": None}},
                {"id": "old-only", "abstained": False, "metrics": {}},
            ],
        }

    old, new = rep(1.0, 0.0, True, 0.5), rep(0.0, 1.0, False, 0.75)
    new["rows"][-1]["id"] = "new-only"
    cmp = compare(old, new)
    assert cmp["metrics"]["hit@W400"] == {"old": 0.5, "new": 0.75, "delta": 0.25}
    assert cmp["metrics"]["n"] == {"old": 3, "new": 3, "delta": 0}
    assert cmp["metrics"]["mrr@10"] == {"old": None, "new": None, "delta": None}
    assert cmp["found_to_missed"] == ["a"]
    assert cmp["missed_to_found"] == ["b"]
    assert cmp["abstained_changed"] == ["c"]
    assert cmp["added"] == ["new-only"] and cmp["removed"] == ["old-only"]
    assert cmp["shared"] == 3
    assert cmp["runs"] == {
        "old": {"file": None, "started_at": None, "k": None},
        "new": {"file": None, "started_at": None, "k": None},
    }


def test_compare_flag_prints_flips(eval_file, tmp_path, capsys):
    assert run([str(eval_file), "--out", str(tmp_path / "base"), "--k", "2"]) == 0
    capsys.readouterr()
    worse = FakeAssistant(reverse=True)
    argv = [str(eval_file), "--out", str(tmp_path / "new"), "--k", "2"]
    code = run(argv + ["--compare", str(tmp_path / "base" / "report.json")], worse)
    assert code == 0
    out = capsys.readouterr().out
    assert "compare with earlier run" in out
    assert "hit@W400 found -> missed" in out
    assert "q1" in out.split("found -> missed")[1]


def test_compare_with_missing_report_fails_before_the_run(eval_file, tmp_path):
    fake = FakeAssistant()
    with pytest.raises(EvalInputError, match="report not found"):
        run([str(eval_file), "--compare", str(tmp_path / "nope.json")], fake)
    assert fake.asked == []


# ---------------------------------------------------------------------------------------------
# The command: files, stdout, options


def test_default_out_dir_and_summary_on_stdout(eval_file, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert run([str(eval_file)]) == 0
    out_dir = tmp_path / "reports" / "gold"
    assert sorted(p.name for p in out_dir.iterdir()) == ["report.html", "report.json", "rows.csv"]
    captured = capsys.readouterr()
    assert "hit@W150" in captured.out and "hit@20" in captured.out
    assert "fact" in captured.out and "unanswerable" in captured.out
    assert "report.html" in captured.err
    assert "\r" not in captured.err  # no progress bar when stderr is not a terminal


def test_out_json_path_writes_siblings(eval_file, tmp_path):
    target = tmp_path / "runs" / "baseline.json"
    assert run([str(eval_file), "--out", str(target)]) == 0
    assert sorted(p.name for p in target.parent.iterdir()) == [
        "baseline.json",
        "report.html",
        "rows.csv",
    ]
    data = json.loads(target.read_text(encoding="utf-8"))
    assert len(data["rows"]) == 4


def test_json_flag_prints_summary_by_kind_meta_only(eval_file, tmp_path, capsys):
    assert run([str(eval_file), "--out", str(tmp_path / "o"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert list(data) == ["summary", "by_kind", "meta"]
    assert data["summary"]["n"] == 4 and data["meta"]["k"] == 20


def test_limit_and_k(eval_file, tmp_path, capsys):
    fake = FakeAssistant()
    argv = [str(eval_file), "--out", str(tmp_path / "o"), "--limit", "2", "--k", "3"]
    assert run(argv, fake) == 0
    assert [k for _, k in fake.asked] == [3, 3]
    data = json.loads((tmp_path / "o" / "report.json").read_text(encoding="utf-8"))
    assert data["meta"]["n"] == 2 and data["meta"]["limit"] == 2


@pytest.mark.parametrize("argv", [["--limit", "0"], ["--k", "0"], ["--k", "x"]])
def test_bad_numbers_are_argparse_errors(eval_file, argv):
    with pytest.raises(SystemExit):
        parse(str(eval_file), *argv)


def test_errors_inside_ask_do_not_fail_the_command(eval_file, tmp_path, capsys):
    fake = FakeAssistant(broken=("Are grants given?",))
    assert run([str(eval_file), "--out", str(tmp_path / "o")], fake) == 0
    assert "1 question(s) raised" in capsys.readouterr().err
    assert run([str(eval_file), "--out", str(tmp_path / "o"), "--max", "errors=0"], fake) == 1


def test_warnings_go_to_stderr_and_strict_turns_them_into_errors(tmp_path, capsys):
    path = tmp_path / "eval.jsonl"
    rows = [
        {"id": "a", "question": "When does the plan run?", "evidence": "The plan runs until 2030."},
        {"id": "b", "question": "Who funds pilot projects?", "answer": "The office."},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    assert run([str(path), "--out", str(tmp_path / "o")]) == 0
    err = capsys.readouterr().err
    assert f'warning: {path} line 2: field "evidence": no evidence' in err
    assert f'warning: {path} line 1: field "evidence"[0] not found in any document' in err
    with pytest.raises(EvalInputError, match="no evidence"):
        run([str(path), "--strict"])
    path.write_text(json.dumps(rows[0]), encoding="utf-8")
    with pytest.raises(EvalInputError, match=r"line 1: field \"evidence\"\[0\] not found"):
        run([str(path), "--strict", "--out", str(tmp_path / "o2")])


def test_input_errors_propagate(tmp_path):
    with pytest.raises(EvalInputError, match="file not found"):
        run([str(tmp_path / "missing.jsonl")])


def test_csv_question_is_escaped_end_to_end(tmp_path):
    path = tmp_path / "eval.csv"
    path.write_text(
        'id,question,answer\nx1,"=cmd()",The document does not say.\n', encoding="utf-8"
    )
    assert run([str(path), "--out", str(tmp_path / "o")]) == 0
    text = (tmp_path / "o" / "rows.csv").read_text(encoding="utf-8-sig")
    assert "'=cmd()" in text and ",=cmd()" not in text


def test_lead_cli_wiring_if_present(eval_file, tmp_path, monkeypatch, capsys):
    """`qa eval` through qa.cli.main, with the assistant replaced by the fake."""
    cli = pytest.importorskip("qa.cli")
    if not hasattr(cli, "_open_assistant"):
        pytest.skip("qa.cli does not expose _open_assistant")
    monkeypatch.setattr(cli, "_open_assistant", lambda args: FakeAssistant())
    code = cli.main(["eval", str(eval_file), "--out", str(tmp_path / "o"), "--json"])
    assert code == 0
    assert json.loads(capsys.readouterr().out)["summary"]["n"] == 4
    code = cli.main(["eval", str(tmp_path / "missing.jsonl")])
    assert code == 2
    assert capsys.readouterr().err.startswith("error: ")
