"""Evaluating any system's answers: the readings of a file's columns, list cells, JSON Lines in
.json, scoring rows that carry another system's output, side by side with planqa, and the
ragas export. The real ragas package is exercised in tests/test_eval_ragas.py."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from qa.errors import EvalInputError
from qa.evaluation import readers
from qa.evaluation.answers import declines, evaluate_answers, locate_contexts
from qa.evaluation.evalset import list_cell, load_eval_file
from qa.evaluation.export import EXPORT_FORMAT, render_ragas, side_path
from qa.evaluation.items import EvalItem
from qa.evaluation.report import format_summary
from qa.evaluation.schema import Context
from tests.fakes import DOC, PASSAGES, TEXT
from tests.test_eval_command import RECORDS, FakeAssistant, run

EVIDENCE_1 = "The plan runs from 2014 to 2020."
EVIDENCE_2 = "The office funds pilot projects in key regions."


@pytest.fixture
def eval_file(tmp_path) -> Path:
    return write_jsonl(tmp_path / "gold.jsonl", RECORDS)


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    return path


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


# ---------------------------------------------------------------------------------------------
# List cells and JSON Lines in .json


@pytest.mark.parametrize(
    ("cell", "want"),
    [
        ('["a", "b"]', ["a", "b"]),
        ("['It\\'s here.', \"Two\"]", ["It's here.", "Two"]),
        ("['统计 数据']", ["统计 数据"]),
        ("[]", []),
        ("[1] is a footnote", None),
        ("[__import__('os').system('true')]", None),  # literal_eval refuses calls
        ("[" + "'x', " * 60_000 + "]", None),  # over the size bound: left as text
    ],
)
def test_list_cell_reads_json_and_python_literals_only(cell, want):
    assert list_cell(cell) == want


def test_ragas_csv_with_python_list_cells_gives_evidence_and_no_warnings(tmp_path):
    # what ragas's to_csv writes for a test set: list cells as Python reprs
    path = write_csv(
        tmp_path / "testset.csv",
        ["user_input", "reference", "reference_contexts"],
        [
            ["When does it run?", "2014 to 2020", str([EVIDENCE_1])],
            ["Who funds pilots?", "The office", str([EVIDENCE_2, "Grants go to small firms."])],
        ],
    )
    items, warnings = load_eval_file(path)
    assert warnings == []
    assert [i.evidence for i in items] == [
        (EVIDENCE_1,),
        (EVIDENCE_2, "Grants go to small firms."),
    ]
    assert not any(i.has_output for i in items)


def test_json_file_holding_json_lines_is_read(tmp_path):
    path = write_jsonl(tmp_path / "hf.json", RECORDS)
    items, _ = load_eval_file(path)
    assert [i.id for i in items] == ["q1", "q2", "q3", "q4"]


def test_broken_json_still_names_line_and_column(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('[{"question": "a"},\n {"question": }]', encoding="utf-8")
    with pytest.raises(EvalInputError, match=r"bad\.json line 2: invalid JSON"):
        load_eval_file(path)


def test_file_over_the_size_bound_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MAX_FILE_BYTES", 10)
    path = write_jsonl(tmp_path / "big.jsonl", RECORDS)
    with pytest.raises(EvalInputError, match=r"big\.jsonl: file is .* over the 10-byte limit"):
        load_eval_file(path)


# ---------------------------------------------------------------------------------------------
# Readings


def test_ragas_01_schema_reads_answer_and_contexts_as_the_systems_output(tmp_path):
    path = write_jsonl(
        tmp_path / "r01.jsonl",
        [
            {
                "question": "When does the plan run?",
                "answer": "It runs to 2020.",
                "contexts": [EVIDENCE_1],
                "ground_truth": "From 2014 to 2020.",
            }
        ],
    )
    (item,), _ = load_eval_file(path)
    assert item.has_output
    assert item.reference == "From 2014 to 2020."
    assert item.response == "It runs to 2020."
    assert item.retrieved == (Context(text=EVIDENCE_1),)
    assert item.evidence == ()


def test_ragas_01_ground_truths_list_gives_the_first_as_reference(tmp_path):
    path = write_csv(
        tmp_path / "r01.csv",
        ["question", "answer", "contexts", "ground_truths"],
        [["When?", "2020.", str([EVIDENCE_1]), str(["From 2014 to 2020.", "Until 2020."])]],
    )
    (item,), _ = load_eval_file(path)
    assert (item.reference, item.response) == ("From 2014 to 2020.", "2020.")


def test_answer_and_contexts_alone_are_refused_until_a_reading_is_chosen(tmp_path):
    path = write_jsonl(
        tmp_path / "amb.jsonl",
        [{"question": "When?", "answer": "2014 to 2020.", "contexts": [EVIDENCE_1]}],
    )
    with pytest.raises(EvalInputError, match=r"amb\.jsonl: .*--read-as gold or --read-as answers"):
        load_eval_file(path)
    (gold,), _ = load_eval_file(path, read_as="gold")
    assert (gold.reference, gold.evidence, gold.has_output) == (
        "2014 to 2020.",
        (EVIDENCE_1,),
        False,
    )
    (ans,), _ = load_eval_file(path, read_as="answers")
    assert (ans.reference, ans.response, ans.retrieved) == (
        None,
        "2014 to 2020.",
        (Context(text=EVIDENCE_1),),
    )


def test_planqa_rows_csv_reads_answer_as_output_and_keeps_abstained(tmp_path):
    path = write_csv(
        tmp_path / "rows.csv",
        ["id", "kind", "question", "reference", "answer", "abstained", "answerable"],
        [
            ["q1", "fact", "When?", "From 2014 to 2020.", "Runs to 2020 [1].", "false", "true"],
            ["q3", "unanswerable", "Salary?", "", "Not covered.", "true", "false"],
        ],
    )
    items, _ = load_eval_file(path)
    assert [(i.reference, i.response, i.abstained) for i in items] == [
        ("From 2014 to 2020.", "Runs to 2020 [1].", False),
        (None, "Not covered.", True),
    ]


def test_context_objects_need_source_and_whole_offsets(tmp_path):
    good = {
        "question": "Q?",
        "response": "A.",
        "retrieved_contexts": [{"source": "plan.txt", "start": 5, "end": 9}],
    }
    bad = {
        "question": "Q?",
        "response": "A.",
        "retrieved_contexts": [{"source": "plan.txt", "start": "5", "end": 9}],
    }
    (item,), _ = load_eval_file(write_jsonl(tmp_path / "g.jsonl", [good]))
    assert item.retrieved == (Context(source="plan.txt", start=5, end=9),)
    with pytest.raises(EvalInputError, match=r'b\.jsonl line 1: field "retrieved_contexts\[0\]"'):
        load_eval_file(write_jsonl(tmp_path / "b.jsonl", [bad]))


# ---------------------------------------------------------------------------------------------
# Scoring another system's answers


def _item(**kw) -> EvalItem:
    base = dict(
        id="q1",
        question="When does the plan run?",
        reference="From 2014 to 2020.",
        evidence=(EVIDENCE_1,),
        answerable=True,
        kind="fact",
        tags=(),
        line=1,
        file="other.jsonl",
        response="It runs from 2014 to 2020.",
        has_output=True,
    )
    return EvalItem(**{**base, **kw})


def test_contexts_are_located_verbatim_or_by_offsets_and_unfound_ones_are_flagged():
    straightened = "The office funds pilot\n   projects in key regions."
    start = TEXT.index(EVIDENCE_1)
    item = _item(
        retrieved=(
            Context(text=straightened),
            Context(source="plan.txt", start=start, end=start + len(EVIDENCE_1)),
            Context(text="The plan runs from 2014 to 2021."),
            Context(source="plan.txt", start=0, end=10_000),
        )
    )
    (passages,), problems = (lambda r: (list(r[0].values()), r[1]))(locate_contexts([item], [DOC]))
    assert [p["found"] for p in passages] == [True, True, False, False]
    assert TEXT[passages[0]["start"] : passages[0]["end"]].split() == straightened.split()
    assert passages[1]["start"] == start
    assert len(problems) == 2 and all(
        "other.jsonl line 1: retrieved context" in p for p in problems
    )


def test_unfound_context_covers_nothing_even_when_it_looks_like_the_evidence():
    near_miss = _item(retrieved=(Context(text="The plan runs from 2014 to 2021."),))
    exact = _item(id="q2", retrieved=(Context(text=EVIDENCE_1),))
    report, problems = evaluate_answers([near_miss, exact], [DOC], PASSAGES)
    m = {r["id"]: r["metrics"] for r in report.rows}
    assert m["q1"]["hit@W400"] == 0.0 and m["q2"]["hit@W400"] == 1.0
    assert m["q1"]["citation_validity"] is None  # the other system's citations are unknown
    assert len(problems) == 1
    assert report.summary["latency_p50_ms"] is None and report.meta["reading"] == "answers"


@pytest.mark.parametrize(
    ("response", "phrases", "want"),
    [
        ("I don't know.", None, True),
        ("The documents do not seem to cover this.", None, True),
        ("From 2014 to 2020.", None, False),
        ("", None, True),
        ("Sorry, out of scope.", ("out of scope",), True),
        ("I don't know.", ("out of scope",), False),
    ],
)
def test_declines_by_configurable_phrases(response, phrases, want):
    assert (declines(response) if phrases is None else declines(response, phrases)) is want


def test_summary_says_on_how_many_rows_each_metric_was_computed(tmp_path):
    no_evidence = _item(id="q2", evidence=(), retrieved=(Context(text=EVIDENCE_2),))
    report, _ = evaluate_answers(
        [_item(retrieved=(Context(text=EVIDENCE_1),)), no_evidence], [DOC], PASSAGES
    )
    text = format_summary(report)
    hit_line = next(line for line in text.splitlines() if line.strip().startswith("hit@W150"))
    assert "100.0% (n=1)" in hit_line
    assert "answer tokens: squad-v1" in text


# ---------------------------------------------------------------------------------------------
# The command: answers files, side by side, export


def _answers_file(tmp_path: Path) -> Path:
    """Another system's rows for RECORDS: right on q1, wrong passage on q2, declines q3."""
    rows = [
        {
            "id": "q1",
            "user_input": RECORDS[0]["question"],
            "response": "2014 to 2020.",
            "retrieved_contexts": [EVIDENCE_1],
            "reference": RECORDS[0]["answer"],
            "reference_contexts": RECORDS[0]["evidence"],
        },
        {
            "id": "q2",
            "user_input": RECORDS[1]["question"],
            "response": "Grants.",
            "retrieved_contexts": ["Grants go to small firms."],
            "reference": RECORDS[1]["answer"],
            "reference_contexts": RECORDS[1]["evidence"],
        },
        {
            "id": "q3",
            "user_input": RECORDS[2]["question"],
            "response": "I don't know.",
            "retrieved_contexts": [],
            "reference": RECORDS[2]["answer"],
        },
    ]
    return write_jsonl(tmp_path / "other.jsonl", rows)


def test_answers_file_is_scored_without_asking_planqa(tmp_path):
    assistant = FakeAssistant()
    out = tmp_path / "out"
    assert run([str(_answers_file(tmp_path)), "--out", str(out)], assistant) == 0
    assert assistant.asked == []
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [r["metrics"]["hit@W400"] for r in report["rows"]] == [1.0, 0.0, None]
    assert report["summary"]["abstain"] == 1.0
    assert report["meta"]["computed_on"]["hit@W400"] == 2


def test_compare_planqa_puts_both_side_by_side_and_names_who_got_what(tmp_path, capsys):
    out = tmp_path / "out"
    argv = [str(_answers_file(tmp_path)), "--out", str(out), "--compare", "planqa", "--name", "bm"]
    assert run(argv) == 0
    side = json.loads((out / "report.json").read_text(encoding="utf-8"))["meta"]["side_by_side"]
    assert side["names"] == ["bm", "planqa"]
    assert side["got_only"] == {"bm": [], "planqa": ["q2"]}
    assert (out / "planqa" / "report.json").is_file()
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "planqa got, bm missed (1)</b>: q2" in html
    assert "planqa got, bm missed (1): q2" in capsys.readouterr().out


def test_compare_planqa_on_a_gold_file_is_refused(eval_file):
    with pytest.raises(EvalInputError, match="--compare planqa needs rows holding"):
        run([str(eval_file), "--compare", "planqa"])


def test_export_ragas_writes_samples_and_a_side_file(eval_file, tmp_path):
    target = tmp_path / "x" / "ragas.jsonl"
    assert (
        run([str(eval_file), "--out", str(tmp_path / "o"), "--export", "ragas", str(target)]) == 0
    )
    samples = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    side = [json.loads(x) for x in side_path(target).read_text(encoding="utf-8").splitlines()]
    assert len(samples) == 4 and len(side) == 5 and side[0]["format"] == EXPORT_FORMAT
    assert samples[0]["user_input"] == RECORDS[0]["question"]
    assert samples[0]["reference_contexts"] == RECORDS[0]["evidence"]
    assert samples[0]["retrieved_contexts"][0] == EVIDENCE_1
    assert [s["id"] for s in side[1:]] == ["q1", "q2", "q3", "q4"]


def test_unknown_export_format_is_refused(eval_file, tmp_path):
    with pytest.raises(EvalInputError, match="the one format is ragas"):
        run([str(eval_file), "--export", "trulens", str(tmp_path / "t.jsonl")])


def test_exported_run_reads_back_with_the_same_figures(eval_file, tmp_path):
    """planqa's run, exported for ragas and scored as another system's answers, gives the same
    retrieval, answer and abstention figures: the two paths measure the same thing."""
    target = tmp_path / "ragas.jsonl"
    out1, out2 = tmp_path / "o1", tmp_path / "o2"
    assert run([str(eval_file), "--out", str(out1), "--export", "ragas", str(target)]) == 0
    assert run([str(target), "--out", str(out2)]) == 0
    first = json.loads((out1 / "report.json").read_text(encoding="utf-8"))["summary"]
    second = json.loads((out2 / "report.json").read_text(encoding="utf-8"))["summary"]
    same = (
        "hit@W150",
        "hit@W400",
        "mrr@10",
        "ndcg@10",
        "token_f1",
        "rouge_l",
        "abstain",
        "false_abstain",
        "evidence_containment",
    )
    assert {k: first[k] for k in same} == {k: second[k] for k in same}
    assert first["hit@W400"] is not None and first["abstain"] is not None


def test_render_ragas_has_no_blank_lines():
    report, _ = evaluate_answers([_item(retrieved=(Context(text=EVIDENCE_1),))], [DOC])
    rows, side = render_ragas(report)
    assert all(line.strip() for line in rows.splitlines())
    assert len(side.splitlines()) == 2


def test_unfound_context_is_marked_in_html_and_csv(tmp_path):
    from qa.evaluation.report import render_csv, render_html

    item = _item(retrieved=(Context(text="Not a sentence of the documents."),))
    report, _ = evaluate_answers([item], [DOC], PASSAGES)
    assert "#1 not found in any document (covers nothing)" in render_html(report)
    assert "None:None" not in render_csv(report)
