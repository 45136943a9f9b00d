"""Feedback records: the qa eval input format, appended safely, readable by load_eval_file."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime

import pytest

from qa.evaluation.evalset import load_eval_file
from qa.web.feedback import FIELDS, append_feedback, feedback_record, read_feedback

EVIDENCE = (
    "Guide and encourage local people's governments to establish credit risk compensation funds "
    "for small and micro enterprises and provide key support for intellectual property pledge loans."
)


def test_record_has_the_eval_fields_and_given_values():
    now = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    r = feedback_record(" pledge loans? ", "down", evidence=[EVIDENCE], reference="Funds.", now=now)
    assert set(FIELDS) <= set(r)
    assert r["question"] == "pledge loans?"
    assert r["answer"] == "Funds."
    assert r["evidence"] == [EVIDENCE]
    assert r["answerable"] is True
    assert r["kind"] == "feedback"
    assert r["vote"] == "down"
    assert r["created_at"] == "2025-01-02T03:04:05+00:00"
    assert r["id"].startswith("fb-20250102T030405-")


def test_unanswerable_record_drops_evidence_and_empty_reference_is_null():
    r = feedback_record("capital of France?", "down", evidence=[EVIDENCE], answerable=False)
    assert r["evidence"] == [] and r["answerable"] is False and r["answer"] is None


@pytest.mark.parametrize(
    ("question", "vote"), [("q?", "meh"), ("", "up"), ("   ", "down"), (None, "up")]
)
def test_bad_vote_or_question_is_refused(question, vote):
    with pytest.raises(ValueError):
        feedback_record(question, vote)


def test_ids_are_unique():
    assert len({feedback_record("q?", "up")["id"] for _ in range(200)}) == 200


def test_append_creates_folder_and_adds_lines(tmp_path):
    path = tmp_path / "deep" / "feedback.jsonl"
    append_feedback(path, feedback_record("one?", "up", evidence=[EVIDENCE]))
    append_feedback(path, feedback_record("two?", "down", answerable=False))
    lines = path.read_text("utf-8").splitlines()
    assert [json.loads(line)["question"] for line in lines] == ["one?", "two?"]


def test_append_refuses_incomplete_record(tmp_path):
    with pytest.raises(ValueError, match="lacks"):
        append_feedback(tmp_path / "f.jsonl", {"question": "q?"})
    assert not (tmp_path / "f.jsonl").exists()


def test_torn_last_line_does_not_swallow_the_next_record(tmp_path):
    path = tmp_path / "f.jsonl"
    path.write_text('{"id": "half', encoding="utf-8")  # a crash mid-write
    append_feedback(path, feedback_record("after crash?", "up"))
    records = read_feedback(path)
    assert [r["question"] for r in records] == ["after crash?"]


def test_concurrent_appends_never_interleave(tmp_path):
    path = tmp_path / "f.jsonl"

    def write(i: int) -> None:
        for j in range(10):
            append_feedback(path, feedback_record(f"q{i}-{j} " + "x" * 3000, "up"))

    threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lines = path.read_text("utf-8").splitlines()
    assert len(lines) == 80
    assert len({json.loads(line)["id"] for line in lines}) == 80


def test_feedback_file_is_a_valid_eval_file(tmp_path):
    path = tmp_path / "feedback.jsonl"
    append_feedback(path, feedback_record("pledge loans?", "up", evidence=[EVIDENCE]))
    append_feedback(path, feedback_record("capital of France?", "down", answerable=False))
    append_feedback(
        path, feedback_record("trademarks?", "down", evidence=[EVIDENCE], reference="Funds.")
    )
    items, warnings = load_eval_file(path)
    assert [i.kind for i in items] == ["feedback"] * 3
    assert [i.answerable for i in items] == [True, False, True]
    assert items[0].evidence == (EVIDENCE,)
    assert items[2].reference == "Funds."
    assert warnings == []
