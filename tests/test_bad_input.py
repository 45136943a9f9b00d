"""The bad-input matrix (listed in SECURITY.md): questions, eval files and corpus files that
must end in a clear error or a normal result, never a traceback."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa.errors import CorpusError, EvalInputError, QAError
from qa.evaluation.evalset import load_eval_file
from qa.ingest.chunking import chunk_corpus
from qa.ingest.corpus import CorpusWarning, load_corpus, read_corpus
from qa.types import Document

REPO = Path(__file__).resolve().parents[1]

# ---------------------------------------------------------------------------- questions

QUESTIONS = {
    "empty": "",
    "blank": " \t\n ",
    "1 MB": "wheat " * 174_763,
    "NUL": "when is\x00 wheat harvested?",
    "lone surrogate": "wheat \ud800 harvest",
    "control characters": "\x1b[31mwheat\x07 harvest\x08\x7f?",
    "RTL": "\u202eما هي خطة الملكية الفكرية؟\u202c patents",
    "script tag": "<script>alert(1)</script> patent pledge loans?",
    "no words": "???",
}
CLEAR = {  # the cases that must be refused, and the words the refusal says
    "empty": "empty",
    "blank": "empty",
    "1 MB": "limit is",
    "lone surrogate": "not valid text",
    "no words": "no words",
}


@pytest.mark.parametrize("case", sorted(QUESTIONS))
def test_question_through_assistant_ask(plan_assistant, case):
    question = QUESTIONS[case]
    if case in CLEAR:
        with pytest.raises(QAError, match=CLEAR[case]):
            plan_assistant.ask(question)
        return
    answer = plan_assistant.ask(question)
    text = json.dumps(answer.to_dict(), ensure_ascii=False)
    text.encode("utf-8")  # printable as UTF-8: what `qa ask --json` does with it
    assert "<script>" not in answer.text  # answers quote the documents, never the question


def _qa(args: list, settings, timeout: float = 180) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "QA_ENCODER_DIR": str(settings.encoder_path),
        "PYTHONIOENCODING": "utf-8",
    }
    place = ["--corpus", str(settings.corpus_dir), "--index-dir", str(settings.index_dir)]
    return subprocess.run(
        [sys.executable, "-m", "qa", "ask", *args, *place, "--json"],
        env=env,
        capture_output=True,
        timeout=timeout,
    )


@pytest.mark.parametrize(
    "raw, refused",
    [
        (b"wheat \xff\xfe harvest", True),  # not UTF-8: Python reads it as lone surrogates
        (b"\x1b[31mpatent\x07 pledge loans?", False),
        ("\u202eما هي خطة patents".encode(), False),
        (b"<script>alert(1)</script> pledge loans", False),
        (b"x" * 100_000, True),  # argv caps one argument near 128 KB; 100 KB is over our limit
    ],
    ids=["invalid-utf8", "control", "rtl", "script", "100kb"],
)
def test_question_through_qa_ask(plan_settings, raw, refused):
    done = _qa([raw], plan_settings)
    err = done.stderr.decode("utf-8", "replace")
    assert b"Traceback" not in done.stderr, err
    if refused:
        assert done.returncode == 2 and err.startswith("error: the question"), err
    else:
        assert done.returncode == 0, err
        assert "question" in json.loads(done.stdout.decode("utf-8"))


# ---------------------------------------------------------------------------- eval files


def _xlsx(path: Path, rows: list[list]) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return path


def _zip_bomb(path: Path) -> Path:
    """A valid .xlsx whose sheet expands to 300 MB of blanks (a few hundred KB on disk)."""
    good = _xlsx(path.with_name("good.xlsx"), [["question"], ["Who funds it?"]])
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * 300_000_000, 1)
            dst.writestr(info.filename, data, compresslevel=9)
    return path


def _entity_bomb(path: Path) -> Path:
    """An .xlsx whose sheet declares nested entities (billion laughs)."""
    good = _xlsx(path.with_name("good.xlsx"), [["question"], ["Who funds it?"]])
    dtd = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
            for i in range(1, 10)
        )
        + b"]>"
    )
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = dtd + data.replace(b"Who funds it?", b"&lol9;")
            dst.writestr(info.filename, data)
    return path


def _formulas(path: Path) -> Path:
    return _xlsx(
        path,
        [
            ["id", "question"],
            ["f1", '=HYPERLINK("http://x","click")'],
            ["f2", "Who funds pilot projects?"],
        ],
    )


EVAL_FILES = {
    "bom.jsonl": (b'\xef\xbb\xbf{"id": "a", "question": "Who funds it?"}\n', 1),
    "crlf.jsonl": (b'{"question": "Who funds it?"}\r\n{"question": "When?"}\r\n', 2),
    "crlf.csv": (b"id,question\r\na,Who funds it?\r\nb,When?\r\n", 2),
    "long-line.jsonl": (b'{"question": "' + b"w " * 3_000_000 + b'"}\n', "over"),
    "nested.json": (b'[{"question": "q", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}]", "nest"),
    "nested.jsonl": (b'{"question": "q", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n", "nest"),
    "wrong-type.jsonl": (b'{"question": ["a", "list"]}\n', "question"),
    "duplicate.jsonl": (b'{"id": "x", "question": "A?"}\n{"id": "x", "question": "B?"}\n', "x"),
    "not-utf8.csv": (b"question\n\xff\xfe\n", "UTF-8"),
    "nul.csv": (b"question\nwho\x00funds\n", None),
    "formula.csv": (b"id,question\n1,=cmd()\n2,+1\n3,-1\n4,@SUM(A1)\n", 4),
}


@pytest.mark.parametrize("name", sorted(EVAL_FILES))
def test_eval_file_reads_or_says_what_is_wrong(tmp_path, name):
    data, expect = EVAL_FILES[name]
    path = tmp_path / name
    path.write_bytes(data)
    if isinstance(expect, int):
        items, _ = load_eval_file(path)
        assert len(items) == expect
    elif expect is None:  # either is fine, as long as it is not a traceback
        try:
            load_eval_file(path)
        except EvalInputError:
            pass
    else:
        with pytest.raises(EvalInputError, match=expect) as e:
            load_eval_file(path)
        assert str(path) in str(e.value)


@pytest.mark.parametrize("make", [_zip_bomb, _entity_bomb], ids=["zip-bomb", "entities"])
def test_hostile_xlsx_is_refused(tmp_path, make):
    path = make(tmp_path / "hostile.xlsx")
    with pytest.raises(EvalInputError) as e:
        load_eval_file(path)
    assert str(path) in str(e.value)


def test_xlsx_formulas_are_never_evaluated(tmp_path):
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML  # openpyxl parses with defusedxml (no entities, no DTDs)
    path = _formulas(tmp_path / "f.xlsx")
    try:
        items, _ = load_eval_file(path)
    except EvalInputError as e:  # the formula cell has no value: its row lacks a question
        assert "f.xlsx row 2" in str(e) and "question" in str(e)
    else:
        assert all("HYPERLINK" not in i.question or i.question.startswith("=") for i in items)


def test_formula_cells_are_escaped_in_rows_csv(tmp_path):
    from qa.evaluation.evaluate import run_evaluation
    from qa.evaluation.report import write_reports
    from tests.fakes import keyword_ask

    path = tmp_path / "formula.csv"
    path.write_bytes(EVAL_FILES["formula.csv"][0])
    items, _ = load_eval_file(path)
    report = run_evaluation(keyword_ask, items, {}, k=3, file=str(path), system={"model": "fake"})
    out = write_reports(report, tmp_path / "out")
    with open(out["csv"], encoding="utf-8-sig", newline="") as f:
        questions = [r["question"] for r in csv.DictReader(f)]
    assert questions == ["'=cmd()", "'+1", "'-1", "'@SUM(A1)"]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=600), ext=st.sampled_from([".jsonl", ".json", ".csv", ".xlsx"]))
def test_eval_readers_on_random_bytes_raise_only_qa_errors(tmp_path, data, ext):
    path = tmp_path / f"random{ext}"
    path.write_bytes(data)
    try:
        load_eval_file(path)
    except QAError:
        pass


# ---------------------------------------------------------------------------- corpus files


@pytest.mark.parametrize(
    "name, data, says",
    [
        ("gbk.txt", "规则适用。".encode("gbk"), "not valid UTF-8"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not valid UTF-8|binary"),
        ("zeros.txt", b"text\x00\x00\x00more", "binary file"),
        ("empty.md", b"   \n", "empty"),
    ],
)
def test_bad_corpus_file_is_skipped_with_its_name(tmp_path, name, data, says):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ok.txt").write_text("Boats dock before sunset.", "utf-8")
    (corpus / name).write_bytes(data)
    with pytest.warns(CorpusWarning, match=rf"{re.escape(name)}: skipped, .*({says})"):
        documents = load_corpus(corpus)
    assert [d.source for d in documents] == ["ok.txt"]


def test_a_file_of_another_kind_is_left_out_not_read(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ok.txt").write_text("Boats dock before sunset.", "utf-8")
    (corpus / "report.exe").write_bytes(b"MZ\x90\x00")
    read = read_corpus(corpus)
    assert [d.source for d in read.documents] == ["ok.txt"]
    assert read.left_out == ("report.exe",) and read.skipped == ()


def test_a_corrupt_pdf_is_skipped_by_name_and_the_rest_is_indexed(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ok.txt").write_text("Boats dock before sunset.", "utf-8")
    (corpus / "report.pdf").write_bytes(b"%PDF-1.4")  # a header and nothing else
    with pytest.warns(Warning, match="report.pdf"):
        documents = load_corpus(corpus)
    assert [d.source for d in documents] == ["ok.txt"]


@pytest.mark.parametrize("kind", ["file", "folder"])
def test_symlink_out_of_the_corpus_is_refused(tmp_path, kind):
    outside = tmp_path / "secret"
    outside.mkdir()
    (outside / "passwords.txt").write_text("root: hunter2", "utf-8")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ok.txt").write_text("Boats dock before sunset.", "utf-8")
    if kind == "file":
        (corpus / "link.txt").symlink_to(outside / "passwords.txt")
    else:
        (corpus / "linked").symlink_to(outside, target_is_directory=True)
    try:
        docs = load_corpus(corpus)
    except CorpusError as e:
        assert "outside the corpus folder" in str(e) and str(corpus) in str(e)
    else:  # a linked folder that is not followed is fine too, as long as nothing leaks
        assert all("hunter2" not in d.text for d in docs)


def test_symlink_inside_the_corpus_is_read(tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "sub" / "a.txt").write_text("Boats dock before sunset.", "utf-8")
    (corpus / "b.txt").symlink_to(corpus / "sub" / "a.txt")
    assert [d.source for d in load_corpus(corpus)] == ["b.txt", "sub/a.txt"]


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=400))
def test_chunker_on_random_unicode_slices_back(text):
    doc = Document("r.txt", text)
    for p in chunk_corpus([doc]):
        assert doc.text[p.start : p.end] == p.text
