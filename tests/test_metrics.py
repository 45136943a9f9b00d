"""Each metric on hand-made spans and passages with values worked out by hand."""

from __future__ import annotations

import json
import math
import random

import pytest

from qa.evaluation.evalset import Span
from qa.evaluation.metrics import (
    SUMMARY_KEYS,
    citation_validity,
    covered_fraction,
    evidence_containment,
    hit_at_k,
    hit_at_words,
    mrr_at,
    ndcg_at,
    normalize_answer,
    percentile,
    recall_at_words,
    retrieval_metrics,
    rouge_l,
    summarize,
    summarize_by,
    token_f1,
    within_budget,
)
from qa.types import Citation, Hit, Passage, Quote
from tests.conftest import REPO


def P(start: int, end: int, source: str = "a", words: int = 10) -> Passage:
    """A passage with the given offsets and exactly ``words`` words of text."""
    return Passage(start, source, start, end, "", " ".join(["w"] * words))


def S(start: int, end: int, source: str = "a") -> Span:
    return Span(source, start, end, "")


# ---------------------------------------------------------------------------------------------
# Spans


def test_covered_fraction_merges_overlapping_passages():
    assert covered_fraction(S(10, 20), [P(0, 15), P(12, 16)]) == pytest.approx(0.6)
    assert covered_fraction(S(10, 20), [P(10, 14), P(16, 30)]) == pytest.approx(0.8)
    assert covered_fraction(S(10, 20), [P(0, 100)]) == 1.0


def test_covered_fraction_ignores_other_sources_and_empty_spans():
    assert covered_fraction(S(10, 20), [P(0, 100, source="b")]) == 0.0
    assert covered_fraction(S(10, 20), []) == 0.0
    assert covered_fraction(S(10, 10), [P(0, 100)]) == 0.0


def test_covered_fraction_accepts_hits():
    assert covered_fraction(S(10, 20), [Hit(P(10, 20), 0.5, 1)]) == 1.0


@pytest.mark.parametrize(
    ("budget", "expected"),
    [(0, []), (1, [0]), (100, [0]), (101, [0, 100]), (150, [0, 100]), (400, [0, 100, 200])],
)
def test_within_budget_includes_the_crossing_passage(budget, expected):
    ranked = [P(0, 1, words=100), P(100, 101, words=100), P(200, 201, words=100)]
    assert [p.start for p in within_budget(ranked, budget)] == expected


def test_hit_at_words_needs_80_percent_within_the_budget():
    span = S(0, 100)
    # 150-word budget holds the first two passages (100 + 100 words, the second crosses).
    ranked = [P(500, 600, words=100), P(0, 80, words=100), P(80, 100, words=100)]
    assert hit_at_words([span], ranked, 150) == 1.0  # 80% covered
    ranked = [P(500, 600, words=100), P(0, 79, words=100), P(80, 100, words=100)]
    assert hit_at_words([span], ranked, 150) == 0.0  # 79%
    assert hit_at_words([span], ranked, 400) == 1.0  # the union of two passages covers 99%


def test_recall_at_words_is_the_share_of_spans_found():
    spans = [S(0, 100), S(1000, 1100), S(5000, 5100)]
    ranked = [P(0, 100, words=120), P(1000, 1100, words=300), P(5000, 5100)]
    assert recall_at_words(spans, ranked, 150) == pytest.approx(2 / 3)
    assert recall_at_words(spans, ranked, 100) == pytest.approx(1 / 3)
    assert recall_at_words(spans, ranked, 400) == pytest.approx(2 / 3)
    assert recall_at_words(spans, ranked, 500) == 1.0
    assert recall_at_words([], ranked, 500) == 0.0


def test_mrr_is_first_single_passage_covering_half():
    span = S(0, 100)
    ranked = [P(0, 40), P(0, 100, source="b"), P(50, 100)]  # 40%, other file, 50%
    assert mrr_at([span], ranked) == pytest.approx(1 / 3)
    assert mrr_at([span], [P(0, 40), P(40, 80)]) == 0.0  # union would be 80%, but no single one
    assert mrr_at([span], [P(500, 600)] * 10 + [P(0, 100)]) == 0.0  # rank 11 is outside top 10
    assert mrr_at([S(900, 950), span], [P(500, 600), P(0, 100)]) == 0.5  # any evidence span


def test_hit_at_k():
    span = S(0, 100)
    ranked = [P(0, 40), P(200, 300), P(50, 100)]
    assert hit_at_k([span], ranked, 2) == 0.0
    assert hit_at_k([span], ranked, 3) == 1.0


def test_ndcg_binary_relevance_both_ways():
    span = S(100, 200)
    ranked = [
        P(0, 50, source="b"),  # other file: not relevant
        P(100, 160),  # covers 60% of the span
        P(190, 210),  # covers 10% of the span, but the span covers 50% of it
        P(180, 400),  # 20% of the span and 9% of the passage: not relevant
    ]
    dcg = 1 / math.log2(3) + 1 / math.log2(4)
    idcg = 1 + 1 / math.log2(3)
    assert ndcg_at([span], ranked) == pytest.approx(dcg / idcg)
    assert ndcg_at([span], ranked) == pytest.approx(0.693426, abs=1e-6)


def test_ndcg_ideal_is_capped_at_ten_and_at_least_one():
    span = S(0, 1000)
    assert ndcg_at([span], [P(i * 10, i * 10 + 10) for i in range(12)]) == pytest.approx(1.0)
    beyond = [P(5000, 5001)] * 10 + [P(0, 1000), P(0, 1000)]
    assert ndcg_at([span], beyond) == 0.0
    assert ndcg_at([span], [P(5000, 5001)]) == 0.0
    assert ndcg_at([], [P(0, 1000)]) == 0.0


def test_retrieval_metrics_keys_and_values():
    m = retrieval_metrics([S(0, 100)], [P(500, 600), P(0, 100)], k=1)
    assert m == {
        "hit@W150": 1.0,
        "hit@W400": 1.0,
        "recall@W150": 1.0,
        "recall@W400": 1.0,
        "mrr@10": 0.5,
        "hit@k": 0.0,
        "ndcg@10": pytest.approx(1 / math.log2(3)),
    }


# ---------------------------------------------------------------------------------------------
# Answers


def test_normalize_answer_squad_style():
    assert normalize_answer("The plan [1] ends, in 2020 [2, 3].") == "plan ends in 2020"
    assert normalize_answer("An “apple”—a day") == "apple day"
    assert normalize_answer("") == ""


@pytest.mark.parametrize(
    ("pred", "ref", "expected"),
    [
        ("The plan ends in 2020 [1].", "It ends in 2020", 0.75),
        ("Patents, rights!", "patents rights", 1.0),
        ("alpha", "beta", 0.0),
        ("", "", 1.0),
        ("", "something", 0.0),
        ("a b b", "b", 2 / 3),  # "a" is an article: pred [b, b], P = 1/2, R = 1
    ],
)
def test_token_f1(pred, ref, expected):
    assert token_f1(pred, ref) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("pred", "ref", "expected"),
    [
        ("plan ends in 2020", "the plan runs until 2020", 0.5),
        ("x y z w", "x z", 2 / 3),  # LCS 2: P = 1/2, R = 1
        ("x y", "y x", 0.5),  # order matters, unlike token F1
        ("same words [1]", "same words", 1.0),
        ("", "", 1.0),
        ("x", "", 0.0),
    ],
)
def test_rouge_l(pred, ref, expected):
    assert rouge_l(pred, ref) == pytest.approx(expected)


def _lcs_f1_reference(pred: str, ref: str) -> float:
    """The hand-written ROUGE-L that rouge-score replaced, kept to show the figures are the same."""
    p, r = normalize_answer(pred).split(), normalize_answer(ref).split()
    if not p or not r:
        return float(p == r)
    prev = [0] * (len(r) + 1)
    for x in p:
        cur = [0]
        for j, y in enumerate(r, start=1):
            cur.append(prev[j - 1] + 1 if x == y else max(prev[j], cur[j - 1]))
        prev = cur
    lcs = prev[-1]
    if lcs == 0:
        return 0.0
    precision, recall = lcs / len(p), lcs / len(r)
    return 2 * precision * recall / (precision + recall)


ROUGE_SAMPLES = [
    ("The plan ends in 2020 [1].", "It ends in 2020"),
    ("Strengthen the protection of patents, and of trademarks.", "Protect patents and trademarks"),
    ("a b c d e f", "f e d c b a"),
    ("知识产权强国 2020年", "知识产权强国"),  # Chinese: runs between spaces/punctuation are tokens
    ("加强专利申请质量监测，加大查处力度。", "加大查处力度"),
    ("Patents [2] rise; patents rise.", "patents rise"),
    ("", "something"),
    ("", ""),
    ("?", "!"),
]


@pytest.mark.parametrize(("pred", "ref"), ROUGE_SAMPLES)
def test_rouge_l_gives_the_figures_of_the_hand_written_lcs(pred, ref):
    assert rouge_l(pred, ref) == _lcs_f1_reference(pred, ref)


def test_rouge_l_keeps_chinese_that_the_default_rouge_tokenizer_drops():
    from rouge_score import rouge_scorer

    default = rouge_scorer.RougeScorer(["rougeL"]).score("知识产权强国", "知识产权强国 2020年")
    assert default["rougeL"].fmeasure == 0.0  # the default tokenizer keeps only [a-z0-9]
    assert rouge_l("知识产权强国 2020年", "知识产权强国") == pytest.approx(2 / 3)


@pytest.mark.parametrize("split", ["dev", "dev2", "test"])
def test_rouge_l_on_the_eval_sets_is_the_hand_written_figure(split):
    """Reference answers against each other and against their evidence, English and Chinese."""
    rows = [json.loads(line) for line in (REPO / "eval" / f"{split}.jsonl").open(encoding="utf-8")]
    refs = [r.get("answer") or "" for r in rows]
    pairs = [(a, b) for a, b in zip(refs, refs[1:], strict=False)]
    pairs += [(" ".join(r.get("evidence") or []), ref) for r, ref in zip(rows, refs, strict=True)]
    assert [rouge_l(a, b) for a, b in pairs] == [_lcs_f1_reference(a, b) for a, b in pairs]


def test_evidence_containment():
    answer = "Patents rise [1]."
    assert evidence_containment(answer, ["patents rise fast", "unrelated text here"]) == 0.5
    assert evidence_containment(answer, ["Patents rise."]) == 1.0
    assert evidence_containment(answer, ["one two three four"]) == 0.0
    assert evidence_containment(answer, []) == 0.0


def _citation_dict(quotes: tuple[Quote, ...]) -> dict:
    passage = Passage(4, "a.txt", 100, 124, "S", "Alpha beta. Gamma delta.")
    return Citation(1, Hit(passage, 0.9, 1), quotes).to_dict()


def test_citation_validity():
    good = Quote("Gamma delta.", "a.txt", 112, 124, 1)
    not_in_text = Quote("Omega.", "a.txt", 112, 118, 1)
    outside = Quote("Alpha beta.", "a.txt", 90, 101, 1)
    answer = {"citations": [_citation_dict((good, not_in_text, outside))]}
    assert citation_validity(answer) == pytest.approx(1 / 3)
    assert citation_validity({"citations": [_citation_dict((good,))]}) == 1.0
    assert citation_validity({"citations": [_citation_dict(())]}) == 1.0
    assert citation_validity({"citations": []}) == 1.0


# ---------------------------------------------------------------------------------------------
# Aggregation


def test_percentile_matches_numpy_linear():
    import numpy as np

    values = [10.0, 20.0, 30.0, 40.0, 95.0]
    for q in (0, 50, 90, 95, 100):
        assert percentile(values, q) == pytest.approx(float(np.percentile(values, q)))
    assert percentile([], 50) is None
    assert percentile([7.0], 95) == 7.0


def _percentile_reference(values: list[float], q: float) -> float:
    """The hand-written percentile that numpy replaced (linear between closest ranks)."""
    s = sorted(values)
    pos = (len(s) - 1) * q / 100
    lo = math.floor(pos)
    hi = min(lo + 1, len(s) - 1)
    return float(s[lo] + (s[hi] - s[lo]) * (pos - lo))


def test_percentile_gives_the_figures_of_the_hand_written_definition():
    """numpy's default method="linear" is the earlier definition: equal to the last bits of a
    float (numpy interpolates from the upper neighbour past the midpoint), so equal as shown."""
    rng = random.Random(0)
    for _ in range(2000):
        values = [rng.uniform(0, 3000) for _ in range(rng.randint(1, 150))]
        for q in (50, 95, rng.uniform(0, 100)):
            ours, reference = percentile(values, q), _percentile_reference(values, q)
            assert ours == pytest.approx(reference, rel=1e-14, abs=1e-12)
            assert round(ours, 1) == round(reference, 1)  # what reports show


def _row(answerable, abstained, latency, metrics=None, kind="fact", tags=()):
    return {
        "answerable": answerable,
        "abstained": abstained,
        "latency_ms": latency,
        "metrics": metrics or {},
        "kind": kind,
        "tags": list(tags),
    }


def test_summarize_keys_and_values():
    full = {"hit@W150": 1.0, "hit@W400": 1.0, "mrr@10": 1.0, "token_f1": 0.5}
    rows = [
        _row(True, False, 100.0, full, tags=["x"]),
        _row(True, True, 300.0, {"hit@W150": 0.0, "hit@W400": 1.0, "mrr@10": 0.5}),
        _row(False, True, 200.0, kind="unanswerable", tags=["x", "y"]),
        _row(False, False, 400.0, kind="unanswerable"),
    ]
    s = summarize(rows)
    assert list(s) == [
        "n",
        "hit@W150",
        "hit@W400",
        "recall@W150",
        "recall@W400",
        "mrr@10",
        "hit@k",
        "ndcg@10",
        "token_f1",
        "rouge_l",
        "evidence_containment",
        "citation_validity",
        "abstain",
        "false_abstain",
        "latency_p50_ms",
        "latency_p95_ms",
        "total_seconds",
    ]
    assert list(s) == list(SUMMARY_KEYS)
    assert s["n"] == 4
    assert s["hit@W150"] == 0.5
    assert s["hit@W400"] == 1.0
    assert s["mrr@10"] == 0.75
    assert s["token_f1"] == 0.5  # only the row where it applies
    assert s["recall@W150"] is None  # no row measured it
    assert s["abstain"] == 0.5
    assert s["false_abstain"] == 0.5
    assert s["latency_p50_ms"] == 250.0
    assert s["latency_p95_ms"] == 385.0
    assert s["total_seconds"] == 1.0


def test_summarize_empty_groups_give_none():
    s = summarize([_row(True, False, 5.0)])
    assert s["abstain"] is None and s["false_abstain"] == 0.0 and s["hit@W150"] is None
    s = summarize([])
    assert s["n"] == 0 and s["latency_p50_ms"] is None and s["total_seconds"] == 0.0


def test_summarize_by_kind_and_tags():
    rows = [
        _row(True, False, 1.0, {"hit@W150": 1.0}, kind="fact", tags=["x"]),
        _row(True, False, 1.0, {"hit@W150": 0.0}, kind="fact", tags=["x", "y"]),
        _row(False, True, 1.0, kind="unanswerable"),
    ]
    by_kind = summarize_by(rows, "kind")
    assert list(by_kind) == ["fact", "unanswerable"]
    assert by_kind["fact"]["n"] == 2 and by_kind["fact"]["hit@W150"] == 0.5
    assert by_kind["unanswerable"]["abstain"] == 1.0
    by_tag = summarize_by(rows, "tags")
    assert list(by_tag) == ["x", "y"]
    assert by_tag["x"]["n"] == 2 and by_tag["y"]["n"] == 1 and by_tag["y"]["hit@W150"] == 0.0
