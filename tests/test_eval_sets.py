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


# ---------------------------------------------------------------- eval/other: ten other documents
# Question files over documents other than the bundled one (issue 17): each file asks about one
# document of eval/other/corpus/, rebuilt from package registries by bench/fetch_other_documents.sh.
OTHER_DIR = EVAL_DIR / "other"
OTHER_SETS = {  # question file -> (document file, id prefix; also the doc:<prefix> tag)
    "mpl2": ("mpl_2_0.txt", "mpl2"),
    "sotu1941": ("sotu_1941_roosevelt.txt", "sotu1941"),
    "copyright_format": ("debian_copyright_format_1_0.txt", "copyrightformat"),
    "perl_policy": ("debian_perl_policy.txt", "perlpolicy"),
    "apache2": ("apache_2_0.txt", "apache2"),
    "menu_policy": ("debian_menu_policy.txt", "menupolicy"),
    "epl2": ("epl_2_0.txt", "epl2"),
    "sotu1964": ("sotu_1964_johnson.txt", "sotu1964"),
    "ccby4": ("cc_by_4_0.txt", "ccby4"),
    "sotu1986": ("sotu_1986_reagan.txt", "sotu1986"),
    "cddl1": ("cddl_1_0.txt", "cddl1"),
    "sotu1996": ("sotu_1996_clinton.txt", "sotu1996"),
    "pypolicy": ("debian_python_policy.html", "pypolicy"),  # as the Sphinx HTML page
    "mimespec": ("shared_mime_info_spec.pdf", "mimespec"),  # as the PDF
    "fhs": ("fhs_3_0.pdf", "fhs"),  # a long standard, as the PDF
}
# The second to fifth batches (declining what a document does not say): shorter documents,
# half the questions blind, and a third of each batch unanswerable.
SECOND_BATCH = {
    "apache2", "menu_policy", "epl2", "sotu1964", "ccby4", "sotu1986", "cddl1", "sotu1996",
    "pypolicy", "mimespec", "fhs",
}  # fmt: skip
OTHER_MIN_QUESTIONS = 30
OTHER_MIN_CHINESE = 3
OTHER_MIN_UNANSWERABLE = 4
OTHER_KINDS = {"paraphrase", "lexical", "multi", "keyword", "chinese", "unanswerable"}
BATCHES = ("dev", "blind")


def _load_other(name: str) -> list[dict]:
    path = OTHER_DIR / f"{name}.jsonl"
    rows = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:  # pragma: no cover - failure path
                pytest.fail(f"{path}:{lineno} does not parse: {exc}")
    return rows


def _document_text(name: str) -> str:
    """A document's text as planqa indexes it: an HTML or PDF file converted."""
    from qa.ingest.formats import TEXT_SUFFIXES, convert

    path = OTHER_DIR / "corpus" / name
    if path.suffix in TEXT_SUFFIXES:
        return path.read_text(encoding="utf-8")
    return convert(path, path.read_bytes()).text


@pytest.fixture(scope="module", params=sorted(OTHER_SETS))
def other(request) -> tuple[str, list[dict], str]:
    name = request.param
    return name, _load_other(name), _document_text(OTHER_SETS[name][0])


def test_other_documents_match_their_checksums():
    """The committed texts are what bench/fetch_other_documents.sh rebuilds (SHA256SUMS)."""
    import hashlib

    sums = (OTHER_DIR / "corpus" / "SHA256SUMS").read_text(encoding="utf-8").split("\n")
    listed = {}
    for line in filter(None, sums):
        digest, name = line.split()
        listed[name] = digest
    assert sorted(listed) == sorted(doc for doc, _ in OTHER_SETS.values())
    for name, digest in listed.items():
        data = (OTHER_DIR / "corpus" / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest, f"{name} differs from SHA256SUMS"
        words = len(_document_text(name).split())
        low = 1000 if name in {OTHER_SETS[n][0] for n in SECOND_BATCH} else 2000
        assert low <= words <= 15000, f"{name}: {words} words, want {low}-15000"


def test_other_fields_ids_and_tags(other):
    name, rows, _ = other
    prefix = OTHER_SETS[name][1]
    ids = [row["id"] for row in rows]
    assert len(set(ids)) == len(ids), f"{name}: duplicate ids"
    for row in rows:
        assert set(row) == set(FIELDS) | set(OPTIONAL), f"{name} {row.get('id')}: {sorted(row)}"
        for field, typ in (FIELDS | OPTIONAL).items():
            assert isinstance(row[field], typ), f"{name} {row['id']}: {field} not {typ.__name__}"
        assert re.fullmatch(rf"{prefix}-\d{{3}}", row["id"]), f"{name}: bad id {row['id']!r}"
        assert row["kind"] in OTHER_KINDS, f"{name} {row['id']}: kind {row['kind']!r}"
        assert row["question"].strip() and row["answer"].strip(), f"{name} {row['id']}: empty"
        assert f"doc:{prefix}" in row["tags"], f"{name} {row['id']}: no doc:{prefix} tag"
        batches = [t for t in row["tags"] if t in BATCHES]
        assert len(batches) == 1, f"{name} {row['id']}: needs exactly one of {BATCHES}"


def test_other_evidence_is_verbatim_in_its_document(other):
    """Every evidence string occurs in its own document (line breaks and indents collapsed)."""
    name, rows, document = other
    text = " ".join(document.split())
    missing = [
        (row["id"], ev)
        for row in rows
        for ev in row["evidence"]
        if " ".join(ev.split()) not in text
    ]
    assert not missing, f"{name}: evidence not found verbatim in its document: {missing}"


def test_other_answerable_iff_evidence(other):
    name, rows, _ = other
    for row in rows:
        assert row["answerable"] == bool(row["evidence"]), f"{name} {row['id']}"
        assert row["answerable"] == (row["kind"] != "unanswerable"), f"{name} {row['id']}"
        if row["kind"] == "multi":
            assert len(row["evidence"]) >= 2, f"{name} {row['id']}: multi needs >=2 evidence"
        if row["kind"] == "chinese":
            assert CJK.search(row["question"]), f"{name} {row['id']}: no CJK characters"
        else:
            assert not CJK.search(row["question"]), f"{name} {row['id']}: CJK in {row['kind']}"


def test_other_counts_kinds_and_batches(other):
    name, rows, _ = other
    second = name in SECOND_BATCH
    assert len(rows) >= (24 if second else OTHER_MIN_QUESTIONS), f"{name}: {len(rows)} questions"
    kinds = Counter(row["kind"] for row in rows)
    assert set(kinds) == OTHER_KINDS, f"{name}: kinds {dict(kinds)}"
    assert kinds["chinese"] >= OTHER_MIN_CHINESE, f"{name}: {kinds['chinese']} chinese"
    assert kinds["unanswerable"] >= OTHER_MIN_UNANSWERABLE, f"{name}: {kinds['unanswerable']}"
    blind = [row for row in rows if "blind" in row["tags"]]
    share = (0.40, 0.60) if second else (0.25, 0.40)
    assert share[0] <= len(blind) / len(rows) <= share[1], f"{name}: {len(blind)}/{len(rows)} blind"
    if second:  # a third of each batch is unanswerable
        for batch in BATCHES:
            part = [row for row in rows if batch in row["tags"]]
            unanswerable = sum(not row["answerable"] for row in part)
            assert unanswerable / len(part) >= 0.3, f"{name} {batch}: {unanswerable}/{len(part)}"
    # the blind batch covers the hard kinds too, so its figures are comparable with dev's
    assert {"paraphrase", "chinese", "unanswerable"} <= {row["kind"] for row in blind}
    qs = Counter(_norm(row["question"]) for row in rows)
    assert all(n == 1 for n in qs.values()), f"{name}: duplicate questions"


def test_other_questions_are_new():
    """No question of eval/other repeats one of another file, here or in eval/*.jsonl."""
    seen = {_norm(r["question"]): split for split in SPLITS for r in _load(split)}
    for name in OTHER_SETS:
        for row in _load_other(name):
            q = _norm(row["question"])
            assert q not in seen, f"{name} {row['id']}: also in {seen[q]}"
            seen[q] = name


@pytest.mark.parametrize(("name", "size", "named"), [("named", 10, 9), ("named2", 12, 12)])
def test_named_questions_name_their_document_and_quote_it(name, size, named):
    """eval/other/named*.jsonl: questions that name their document ("the Apache License");
    each row's doc:<prefix> tag says which, and its evidence is verbatim there. named2.jsonl
    is a blind batch (its first run is in README), none of its questions in another file."""
    from qa.retrieval.designated import document_name

    documents = {prefix: file for file, prefix in OTHER_SETS.values()}
    rows = _load_other(name)
    assert len(rows) == size and all("named" in row["tags"] for row in rows)
    for row in rows:
        prefix = next(t[4:] for t in row["tags"] if t.startswith("doc:"))
        text = " ".join(_document_text(documents[prefix]).split())
        assert all(" ".join(ev.split()) in text for ev in row["evidence"]), row["id"]
        assert row["answerable"] == bool(row["evidence"]), row["id"]
    # "Reagan's address": "address" is a kind of title, not of question
    assert sum(bool(document_name(row["question"])[0]) for row in rows) == named
    elsewhere = {
        _norm(r["question"]) for other in (*OTHER_SETS, "named") for r in _load_other(other)
    }
    if name == "named2":
        assert not elsewhere & {_norm(row["question"]) for row in rows}
