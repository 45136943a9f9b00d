"""Sanity checks for the evaluation question sets: eval/dev.jsonl, eval/dev2.jsonl, eval/test.jsonl."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS_PATH = ROOT / "corpus" / "ip_strategy_action_plan_2014_2020.txt"
EVAL_DIR = ROOT / "eval"
SPLITS = ("dev", "test", "dev2")
# dev2 is a second tuning split made of the hard kinds only
REQUIRED_KINDS = {
    "dev": None,
    "test": None,
    "dev2": {"paraphrase", "chinese", "unanswerable", "keyword"},
}

KINDS = {"lexical", "paraphrase", "multi", "keyword", "chinese", "unanswerable", "offtopic"}
UNANSWERABLE_KINDS = {"unanswerable", "offtopic"}
FIELDS = {
    "id": str,
    "question": str,
    "answer": str,
    "evidence": list,
    "kind": str,
    "answerable": bool,
}
OPTIONAL = {"tags": list}  # e.g. "short" (one or two words), "meta" ("does the plan mention X?")
MIN_QUESTIONS = 50
MIN_PER_KIND = 5
MIN_OFFTOPIC = 2

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@pytest.fixture(scope="module")
def corpus() -> str:
    return CORPUS_PATH.read_text(encoding="utf-8")


def _load(split: str) -> list[dict]:
    path = EVAL_DIR / f"{split}.jsonl"
    rows = []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:  # pragma: no cover - failure path
                pytest.fail(f"{path.name}:{lineno} does not parse: {exc}")
    return rows


@pytest.fixture(scope="module", params=SPLITS)
def split(request) -> tuple[str, list[dict]]:
    return request.param, _load(request.param)


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def test_every_line_parses_and_is_an_object(split):
    name, rows = split
    assert rows, f"{name}.jsonl is empty"
    for row in rows:
        assert isinstance(row, dict), f"{name}: line is not a JSON object: {row!r}"


def test_fields_and_types(split):
    name, rows = split
    for row in rows:
        assert set(FIELDS) <= set(row) <= set(FIELDS) | set(OPTIONAL), (
            f"{name} {row.get('id')}: fields {sorted(row)}"
        )
        for field, typ in (FIELDS | OPTIONAL).items():
            if field in row:
                assert isinstance(row[field], typ), (
                    f"{name} {row['id']}: {field} is not {typ.__name__}"
                )
        assert row["question"].strip(), f"{name} {row['id']}: empty question"
        assert row["answer"].strip(), f"{name} {row['id']}: empty answer"
        for ev in row["evidence"]:
            assert isinstance(ev, str) and ev.strip(), f"{name} {row['id']}: bad evidence {ev!r}"


def test_ids_unique_and_prefixed(split):
    name, rows = split
    ids = [row["id"] for row in rows]
    dupes = [i for i, n in Counter(ids).items() if n > 1]
    assert not dupes, f"{name}: duplicate ids {dupes}"
    for i in ids:
        assert re.fullmatch(rf"{name}-\d{{3}}", i), f"{name}: bad id {i!r}"


def test_kinds_are_known(split):
    name, rows = split
    for row in rows:
        assert row["kind"] in KINDS, f"{name} {row['id']}: unknown kind {row['kind']!r}"


def test_evidence_is_verbatim(split, corpus):
    name, rows = split
    missing = [(row["id"], ev) for row in rows for ev in row["evidence"] if ev not in corpus]
    assert not missing, f"{name}: evidence not found verbatim in corpus: {missing}"


def test_answerable_iff_evidence(split):
    name, rows = split
    for row in rows:
        assert row["answerable"] == bool(row["evidence"]), (
            f"{name} {row['id']}: answerable={row['answerable']} but "
            f"{len(row['evidence'])} evidence strings"
        )
        assert row["answerable"] == (row["kind"] not in UNANSWERABLE_KINDS), (
            f"{name} {row['id']}: kind {row['kind']} inconsistent with answerable"
        )


def test_multi_has_several_evidence(split):
    name, rows = split
    for row in rows:
        if row["kind"] == "multi":
            assert len(row["evidence"]) >= 2, f"{name} {row['id']}: multi needs >=2 evidence"


def test_chinese_questions_contain_cjk(split):
    name, rows = split
    for row in rows:
        if row["kind"] == "chinese":
            assert CJK.search(row["question"]), f"{name} {row['id']}: no CJK characters"


def test_counts_per_kind(split):
    name, rows = split
    assert len(rows) >= MIN_QUESTIONS, f"{name}: only {len(rows)} questions"
    counts = Counter(row["kind"] for row in rows)
    for kind in REQUIRED_KINDS[name] or KINDS:
        need = MIN_OFFTOPIC if kind == "offtopic" else MIN_PER_KIND
        assert counts[kind] >= need, f"{name}: {counts[kind]} {kind} questions, need {need}"


def test_no_duplicate_questions_within_file(split):
    name, rows = split
    qs = Counter(_norm(row["question"]) for row in rows)
    dupes = [q for q, n in qs.items() if n > 1]
    assert not dupes, f"{name}: duplicate questions {dupes}"


def test_no_question_shared_between_splits():
    seen: dict[str, str] = {}
    for name in SPLITS:
        for r in _load(name):
            q = _norm(r["question"])
            assert q not in seen, f"question in both {seen.get(q)} and {name}: {q}"
            seen[q] = name


def test_every_kind_present_in_both_splits():
    """Dev and test may differ in size and mix, but each must cover every kind.

    Each kind needs at least MIN_PER_KIND questions (offtopic at least MIN_OFFTOPIC)
    in both files.
    """
    for name in ("dev", "test"):
        counts = Counter(r["kind"] for r in _load(name))
        missing = KINDS - set(counts)
        assert not missing, f"{name}: no questions of kind(s) {sorted(missing)}"
        for kind in KINDS:
            need = MIN_OFFTOPIC if kind == "offtopic" else MIN_PER_KIND
            assert counts[kind] >= need, f"{name}: {counts[kind]} {kind} questions, need {need}"
