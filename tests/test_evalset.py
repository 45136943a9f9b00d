"""Reading eval files in every format and alias, every input error, and evidence location."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa.errors import EvalInputError
from qa.evaluation.evalset import (
    EvalItem,
    Span,
    load_eval_file,
    locate_evidence,
    normalize_with_map,
    says_not_in_document,
)
from qa.types import Document, Passage


def write_jsonl(path: Path, records: list) -> Path:
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    return path


def write_xlsx(path: Path, rows: list[list]) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


# ---------------------------------------------------------------------------------------------
# Formats and aliases


def test_jsonl_basic_fields(tmp_path):
    path = write_jsonl(
        tmp_path / "eval.jsonl",
        [
            {
                "id": "a1",
                "question": " When does the plan end? ",
                "answer": "In 2020.",
                "evidence": "The plan runs from 2014 to 2020.",
                "kind": "fact",
                "tags": ["dates", "scope"],
                "answerable": True,
                "extra_field": {"ignored": 1},
            }
        ],
    )
    items, warnings = load_eval_file(path)
    assert warnings == []
    assert items == [
        EvalItem(
            id="a1",
            question="When does the plan end?",
            reference="In 2020.",
            evidence=("The plan runs from 2014 to 2020.",),
            answerable=True,
            kind="fact",
            tags=("dates", "scope"),
            line=1,
            file=str(path),
        )
    ]


def test_jsonl_aliases_generated_ids_and_blank_lines(tmp_path):
    path = tmp_path / "eval.jsonl"
    path.write_text(
        json.dumps({"query": "Q one?", "ground_truth": "A", "contexts": ["e1", "e2"]})
        + "\n\n"
        + json.dumps({"user_input": "Q two?", "expected_answer": "B", "ground_truth_context": "e"})
        + "\n"
        + json.dumps({"question": "Q three?", "reference": "C", "reference_contexts": ["x"]})
        + "\n",
        encoding="utf-8",
    )
    items, _ = load_eval_file(path)
    assert [i.id for i in items] == ["q001", "q002", "q003"]
    assert [i.question for i in items] == ["Q one?", "Q two?", "Q three?"]
    assert [i.reference for i in items] == ["A", "B", "C"]
    assert items[0].evidence == ("e1", "e2")
    assert items[1].evidence == ("e",)
    assert [i.line for i in items] == [1, 3, 4]  # blank line 2 is skipped, not renumbered
    assert items[0].kind == "general" and items[0].tags == ()


def test_generated_id_never_collides_with_explicit(tmp_path):
    path = write_jsonl(
        tmp_path / "eval.jsonl",
        [{"question": "a?", "evidence": "x"}, {"id": "q001", "question": "b?", "evidence": "y"}],
    )
    items, _ = load_eval_file(path)
    assert [i.id for i in items] == ["q001_2", "q001"]


def test_json_list_and_data_wrapper(tmp_path):
    recs = [
        {"id": 7, "question": "Q?", "answer": "A", "evidence": ["e"], "tags": "x, y"},
        {"question": "R?", "answer": "The document does not say.", "evidence": []},
    ]
    p1 = tmp_path / "a.json"
    p1.write_text(json.dumps(recs), encoding="utf-8")
    p2 = tmp_path / "b.json"
    p2.write_text(json.dumps({"data": recs, "version": 3}), encoding="utf-8")
    for path in (p1, p2):
        items, warnings = load_eval_file(path)
        assert [i.id for i in items] == ["7", "q002"]
        assert [i.line for i in items] == [1, 2]  # list index + 1
        assert items[0].tags == ("x", "y")
        assert items[1].answerable is False
        assert warnings == []


def test_csv_with_bom_json_list_cells_and_bool_strings(tmp_path):
    path = tmp_path / "eval.csv"
    text = (
        "ID,Question,Answer,Evidence,Answerable,Kind,Tags\n"
        'c1,What is funded?,Pilot projects.,"[""The office funds pilot projects."", ""Second.""]",'
        'true,fact,"dates, money"\n'
        "\n"
        "c2,Salary of staff?,No information.,,FALSE,unanswerable,\n"
        "c3,Single evidence?,Yes.,[1] starts with a bracket,,,\n"
    )
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    items, warnings = load_eval_file(path)
    assert [i.id for i in items] == ["c1", "c2", "c3"]
    assert [i.line for i in items] == [2, 4, 5]  # header is row 1; the blank row still counts
    assert items[0].evidence == ("The office funds pilot projects.", "Second.")
    assert items[0].tags == ("dates", "money")
    assert items[1].answerable is False and items[1].kind == "unanswerable"
    assert items[2].evidence == ("[1] starts with a bracket",)
    assert warnings == []


def test_xlsx_first_sheet_with_typed_cells(tmp_path):
    path = write_xlsx(
        tmp_path / "eval.xlsx",
        [
            ["id", "user_input", "reference", "reference_contexts", "answerable", "tags"],
            [7, "What is funded?", "Pilot projects.", '["The office funds pilot projects."]', True],
            [None, None, None, None, None, None],
            ["x2", "Unknown?", "Not mentioned in the document.", None, None, "a,b"],
        ],
    )
    items, warnings = load_eval_file(path)
    assert [i.id for i in items] == ["7", "x2"]
    assert [i.line for i in items] == [2, 4]
    assert items[0].evidence == ("The office funds pilot projects.",)
    assert items[0].answerable is True
    assert items[1].answerable is False and items[1].tags == ("a", "b")
    assert warnings == []


@pytest.mark.parametrize(
    "reference",
    [
        "The document does not say.",
        "This is not mentioned.",
        "There is no information about salaries.",
        "Not covered by the plan.",
        "The amount is not specified.",
        "That is not in the document.",
    ],
)
def test_unanswerable_inferred_from_reference_when_no_evidence(tmp_path, reference):
    path = write_jsonl(tmp_path / "e.jsonl", [{"question": "Q?", "answer": reference}])
    items, warnings = load_eval_file(path)
    assert items[0].answerable is False
    assert warnings == []
    assert says_not_in_document(reference)


def test_no_evidence_with_normal_answer_warns_and_strict_raises(tmp_path):
    path = write_jsonl(tmp_path / "e.jsonl", [{"question": "Q?", "answer": "In 2020."}])
    items, warnings = load_eval_file(path)
    assert items[0].answerable is True
    assert len(warnings) == 1
    assert f"{path} line 1" in warnings[0]
    assert "no evidence; retrieval metrics skipped" in warnings[0]
    with pytest.raises(EvalInputError, match="no evidence") as e:
        load_eval_file(path, strict=True)
    assert "strict" in str(e.value)


def test_evidence_on_unanswerable_is_warned(tmp_path):
    path = write_jsonl(
        tmp_path / "e.jsonl", [{"question": "Q?", "answerable": "false", "evidence": "x"}]
    )
    items, warnings = load_eval_file(path)
    assert items[0].answerable is False
    assert 'field "evidence"' in warnings[0] and "line 1" in warnings[0]


# ---------------------------------------------------------------------------------------------
# Errors: each names the file, the line and the field


def _error(path: Path, **kw) -> str:
    with pytest.raises(EvalInputError) as e:
        load_eval_file(path, **kw)
    return str(e.value)


def test_malformed_json_line(tmp_path):
    path = tmp_path / "eval.jsonl"
    path.write_text('{"question": "ok?"}\n{"question": "broken\n', encoding="utf-8")
    msg = _error(path)
    assert msg.startswith(f"{path} line 2: invalid JSON (")
    assert "column" in msg


def test_malformed_json_file_names_line(tmp_path):
    path = tmp_path / "eval.json"
    path.write_text('[\n{"question": "a"},\n{"question": }\n]', encoding="utf-8")
    assert _error(path).startswith(f"{path} line 3: invalid JSON")


@pytest.mark.parametrize("record", [{"answer": "x"}, {"question": "   "}, {"query": ""}])
def test_missing_or_empty_question(tmp_path, record):
    path = write_jsonl(tmp_path / "eval.jsonl", [{"question": "fine?"}] * 6 + [record])
    msg = _error(path)
    assert msg.startswith(f"{path} line 7: ")
    assert 'field "question" is missing' in msg
    assert "query/user_input" in msg


def test_missing_question_in_csv_names_row(tmp_path):
    path = tmp_path / "eval.csv"
    path.write_text("question,answer\nq?,a\n,b\n", encoding="utf-8")
    msg = _error(path)
    assert msg.startswith(f"{path} row 3: ") and 'field "question"' in msg


@pytest.mark.parametrize(
    ("record", "field", "want"),
    [
        ({"question": "q?", "evidence": 42}, '"evidence"', "got number 42"),
        ({"question": "q?", "contexts": ["a", 3]}, '"contexts[1]"', "got number 3"),
        ({"question": 5}, '"question"', "got number 5"),
        ({"question": "q?", "answer": ["a"]}, '"answer"', "got list"),
        ({"question": "q?", "answerable": "maybe"}, '"answerable"', "got string 'maybe'"),
        ({"question": "q?", "tags": {"a": 1}}, '"tags"', "got object"),
        ({"question": "q?", "kind": 3}, '"kind"', "got number"),
    ],
)
def test_wrong_type(tmp_path, record, field, want):
    path = write_jsonl(tmp_path / "eval.jsonl", [{"question": "ok?"}, record])
    msg = _error(path)
    assert msg.startswith(f"{path} line 2: field {field} must be")
    assert want in msg


def test_non_object_record(tmp_path):
    path = tmp_path / "eval.json"
    path.write_text('[{"question": "a"}, "just a string"]', encoding="utf-8")
    msg = _error(path)
    assert msg.startswith(f"{path} item 2: ") and '"question"' in msg and "got string" in msg


def test_json_top_level_must_be_list(tmp_path):
    path = tmp_path / "eval.json"
    path.write_text('{"questions": []}', encoding="utf-8")
    assert '{"data": [...]}' in _error(path)


def test_duplicate_id_names_both_lines(tmp_path):
    path = write_jsonl(
        tmp_path / "eval.jsonl",
        [
            {"id": "a", "question": "1?"},
            {"id": "b", "question": "2?"},
            {"id": "a", "question": "3"},
        ],
    )
    msg = _error(path)
    assert msg.startswith(f"{path} line 3: field \"id\" 'a' duplicates line 1")
    assert "unique" in msg


def test_question_over_max_chars(tmp_path):
    path = write_jsonl(tmp_path / "eval.jsonl", [{"question": "x" * 31}])
    msg = _error(path, max_question_chars=30)
    assert msg.startswith(f'{path} line 1: field "question" is 31 characters')
    assert "max_question_chars" in msg
    assert load_eval_file(path, max_question_chars=31)[0][0].question == "x" * 31


def test_field_too_large(tmp_path):
    path = write_jsonl(
        tmp_path / "eval.jsonl", [{"question": "q?", "evidence": ["ok", "y" * 20_001]}]
    )
    msg = _error(path)
    assert msg.startswith(f'{path} line 1: field "evidence" is 20,001 characters')
    assert "20,000" in msg


def test_unknown_extension(tmp_path):
    path = tmp_path / "eval.txt"
    path.write_text("question\n", encoding="utf-8")
    msg = _error(path)
    assert str(path) in msg and "'.txt'" in msg and ".jsonl" in msg and ".xlsx" in msg


def test_file_not_found(tmp_path):
    path = tmp_path / "missing.jsonl"
    msg = _error(path)
    assert msg.startswith(str(path)) and "file not found" in msg


def test_not_utf8_names_byte_offset(tmp_path):
    path = tmp_path / "eval.jsonl"
    data = b'{"question": "ok?"}\n{"question": "caf\xe9?"}\n'
    path.write_bytes(data)
    msg = _error(path)
    assert msg.startswith(f"{path} line 2: not valid UTF-8 at byte offset {data.index(0xE9)}")
    assert "UTF-8" in msg


@pytest.mark.parametrize(
    ("name", "content"),
    [("e.jsonl", ""), ("e.jsonl", "\n  \n"), ("e.csv", "question,answer\n"), ("e.json", "[]")],
)
def test_empty_file(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    msg = _error(path)
    assert msg.startswith(str(path)) and "empty" in msg


def test_empty_and_corrupt_xlsx(tmp_path):
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    assert "empty" in _error(empty)
    corrupt = tmp_path / "corrupt.xlsx"
    corrupt.write_bytes(b"not a zip file")
    assert "not a readable .xlsx" in _error(corrupt)
    header_only = write_xlsx(tmp_path / "h.xlsx", [["question", "answer"]])
    assert "empty" in _error(header_only)


# ---------------------------------------------------------------------------------------------
# Locating evidence

DOC = Document(
    "plan.txt",
    "Goals\n\nThe plan runs from 2014 to 2020.  Patent quality\nmust improve.\n\n"
    "Funding\n\nThe office funds \u201cpilot projects\u201d in key regions. "
    "The plan runs from 2014 to 2020.\n",
)
OTHER = Document("other.txt", "Nothing relevant here.\n")


def _item(evidence, answerable=True, id="q1", line=3) -> EvalItem:
    return EvalItem(id, "Q?", "A", tuple(evidence), answerable, "general", (), line, "eval.jsonl")


def test_normalize_with_map_points_back_into_the_text():
    text = "a  \u201cb\u201d\n\tc "
    norm, index = normalize_with_map(text)
    assert norm == 'a "b" c'
    assert [text[i] for i in index] == ["a", " ", "\u201c", "b", "\u201d", "\n", "c"]


def test_locate_verbatim_first_occurrence():
    spans, problems = locate_evidence([_item(["The plan runs from 2014 to 2020."])], [OTHER, DOC])
    assert problems == []
    (span,) = spans["q1"]
    assert span.source == "plan.txt"
    assert span.start == DOC.text.index("The plan runs")  # the first of two occurrences
    assert DOC.text[span.start : span.end] == span.text == "The plan runs from 2014 to 2020."


def test_evidence_two_documents_share_is_found_in_either():
    """Licences share clauses word for word: the evidence of a question about one of them is
    placed in each, and a ranking that finds the other's copy finds it (it was placed in the
    first document only, so retrieving the asked licence's own clause scored a miss)."""
    from qa.evaluation.metrics import hit_at_words, mrr_at, recall_at_words

    clause = "Such provision shall be reformed only to the extent necessary."
    cddl = Document("cddl.txt", f"Intro. {clause} Outro.")
    mpl = Document("mpl.txt", "Preamble text.\n" + clause.replace(" only ", "\nonly ") + " End.")
    spans, problems = locate_evidence([_item([clause, "Outro."])], [cddl, mpl])
    assert problems == [] and [(s.source, s.evidence) for s in spans["q1"]] == [
        ("cddl.txt", 0),
        ("mpl.txt", 0),
        ("cddl.txt", 1),
    ]
    copy = spans["q1"][1]
    assert mpl.text[copy.start : copy.end] == copy.text  # whitespace-normalised, exact offsets
    ranked = [Passage(0, "mpl.txt", copy.start, copy.end, "", copy.text)]
    assert hit_at_words(spans["q1"], ranked, 150) == 1.0 and mrr_at(spans["q1"], ranked) == 1.0
    assert recall_at_words(spans["q1"], ranked, 150) == 0.5  # one of two evidence strings


def test_locate_whitespace_and_curly_quote_normalised_maps_to_exact_offsets():
    evidence = ["Patent quality must improve.", 'The office funds "pilot projects" in key regions.']
    spans, problems = locate_evidence([_item(evidence)], [DOC])
    assert problems == []
    a, b = spans["q1"]
    assert a.text == "Patent quality\nmust improve."
    assert DOC.text[a.start : a.end] == a.text
    assert b.text == "The office funds \u201cpilot projects\u201d in key regions."
    assert DOC.text[b.start : b.end] == b.text


def test_locate_not_found_reports_closest_passage():
    passages = [
        Passage(0, "plan.txt", 7, 39, "Goals", "The plan runs from 2014 to 2020."),
        Passage(1, "plan.txt", 79, 128, "Funding", DOC.text[79:128]),
    ]
    items = [_item(["The office funds pilot schemes in all regions."], line=9)]
    spans, problems = locate_evidence(items, [DOC], passages)
    assert spans == {"q1": []}
    (msg,) = problems
    assert msg.startswith('eval.jsonl line 9: field "evidence"[0] not found in any document')
    assert "closest passage: plan.txt §Funding" in msg
    assert DOC.text[79:128][:40] in msg
    assert "verbatim" in msg


def test_locate_not_found_without_passages_uses_paragraphs():
    _, problems = locate_evidence([_item(["Patent quality must fall."])], [DOC])
    assert 'closest passage: plan.txt: "The plan runs from 2014' in problems[0]


def test_locate_skips_unanswerable_and_evidence_free_items():
    items = [_item(["missing text"], answerable=False, id="u"), _item([], id="e")]
    spans, problems = locate_evidence(items, [DOC])
    assert spans == {} and problems == []


def test_span_is_frozen():
    span = Span("a", 0, 1, "x")
    with pytest.raises(AttributeError):
        span.start = 2  # type: ignore[misc]
