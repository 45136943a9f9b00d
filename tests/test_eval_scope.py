"""`qa eval` within some documents of a library: a row's "documents" field, or --doc for the
rows without one, asks the question as `qa ask --doc` does; a name that matches no document
stops the run before any question is asked, naming the row."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from qa.assistant import Assistant
from qa.errors import EvalInputError
from qa.evaluation.command import add_eval_parser, run_eval_command
from qa.evaluation.evalset import load_eval_file
from tests.conftest import built_library

# two harbours whose rules say the same things in other numbers: a question about berth fees
# is answered from either, unless it is asked within one
DOCS = {
    "north/harbour.txt": (
        "North harbour rules\n\nA berth costs twelve coins a day, paid to the harbour master "
        "before sunset.\n\nBoats leave the north quay by the east channel.\n"
    ),
    "south/harbour.txt": (
        "South harbour rules\n\nA berth costs forty coins a day, paid to the harbour master "
        "before sunset.\n\nBoats leave the south quay by the west channel.\n"
    ),
}
QUESTION = "How much does a berth cost a day, paid to the harbour master?"


@pytest.fixture(scope="module")
def library(tmp_path_factory, encoder_dir) -> Assistant:
    settings = built_library(tmp_path_factory.mktemp("harbours"), DOCS, encoder_dir)
    return Assistant.open(settings, auto_build=False)


def _rows(tmp_path: Path, rows: list[dict]) -> Path:
    path = tmp_path / "scoped.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _eval(library: Assistant, path: Path, *options: str) -> dict:
    parser = argparse.ArgumentParser()
    add_eval_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["eval", str(path), "--out", str(path.parent / "out"), *options])
    assert run_eval_command(args, lambda: library) == 0
    return json.loads((path.parent / "out" / "report.json").read_text("utf-8"))


def _first_sources(report: dict) -> list[str]:
    return [row["passages"][0]["source"] for row in report["rows"]]


def test_a_row_asked_within_its_documents(library, tmp_path):
    evidence = {"north/harbour.txt": "twelve coins a day", "south/harbour.txt": "forty coins a day"}
    rows = [
        {"id": name, "question": QUESTION, "evidence": [text], "documents": [name]}
        for name, text in evidence.items()
    ]
    report = _eval(library, _rows(tmp_path, rows))
    assert _first_sources(report) == ["north/harbour.txt", "south/harbour.txt"]
    assert [row["documents"] for row in report["rows"]] == [
        ["north/harbour.txt"],
        ["south/harbour.txt"],
    ]
    assert report["summary"]["mrr@10"] == 1.0
    assert "documents" not in report["meta"]


def test_doc_scopes_the_rows_that_name_none(library, tmp_path):
    rows = [
        {"id": "any", "question": QUESTION, "evidence": ["forty coins a day"]},
        {"id": "own", "question": QUESTION, "documents": "north/*", "evidence": ["twelve coins"]},
    ]
    report = _eval(library, _rows(tmp_path, rows), "--doc", "south/*")
    assert _first_sources(report) == ["south/harbour.txt", "north/harbour.txt"]
    assert report["meta"]["documents"] == ["south/*"]
    assert all(
        p["source"] == "south/harbour.txt" for p in report["rows"][0]["passages"]
    )  # nothing outside the scope is retrieved


def test_a_name_that_matches_no_document_stops_the_run_naming_the_row(library, tmp_path):
    rows = [
        {"id": "ok", "question": QUESTION},
        {"id": "typo", "question": QUESTION, "documents": ["sout/harbour.txt"]},
    ]
    path = _rows(tmp_path, rows)
    with pytest.raises(EvalInputError, match=r'scoped\.jsonl line 2: field "documents": no '
                       r"document is named 'sout/harbour\.txt'"):  # fmt: skip
        _eval(library, path)
    with pytest.raises(EvalInputError, match=r"--doc: no document is named 'east/\*'"):
        _eval(library, _rows(tmp_path, rows[:1]), "--doc", "east/*")
    assert not (tmp_path / "out" / "report.json").exists()


def test_documents_field_types_are_checked(tmp_path):
    path = _rows(tmp_path, [{"question": QUESTION, "documents": [3]}])
    with pytest.raises(EvalInputError, match=r'line 1: field "documents\[0\]" .*a string'):
        load_eval_file(path)
    many = _rows(tmp_path, [{"question": QUESTION, "documents": [f"d{i}.txt" for i in range(51)]}])
    with pytest.raises(EvalInputError, match=r'field "documents" names 51 documents, over the'):
        load_eval_file(many)
    csv = tmp_path / "scoped.csv"
    csv.write_text(f'question,documents\n"{QUESTION}","[""a.txt"", ""b/*""]"\n', "utf-8")
    items, _ = load_eval_file(csv)
    assert items[0].documents == ("a.txt", "b/*")


def test_the_apps_evaluate_tab_reads_the_documents_field(library, tmp_path):
    from qa.web import handlers
    from qa.web.shared import configure

    configure(library.settings, tmp_path / "feedback.jsonl", library)
    rows = [{"id": "south", "question": QUESTION, "documents": ["south/*"]}]
    report, _, _ = handlers.evaluate_file(_rows(tmp_path, rows), 5)
    assert report.rows[0]["documents"] == ["south/*"]
    assert {p["source"] for p in report.rows[0]["passages"]} == {"south/harbour.txt"}
