"""Pure metric functions for ``qa eval``: retrieval by character spans, answers by tokens.

Retrieval is scored on the characters of the evidence, not on passage ids, so changing the
chunker cannot game the numbers: a passage "finds" evidence only if it covers its characters.
Budgets are in words (W150, W400) rather than k, because bigger chunks would otherwise win a
hit@k contest just by being bigger. Passages are anything with ``.source .start .end .text``
(``Passage``); a ``Hit`` is unwrapped to its passage.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache

# Per-question metric keys (row["metrics"]) and the summary keys, in display order.
RETRIEVAL_KEYS = (
    "hit@W150",
    "hit@W400",
    "recall@W150",
    "recall@W400",
    "mrr@10",
    "hit@k",
    "ndcg@10",
)
ANSWER_KEYS = ("token_f1", "rouge_l", "evidence_containment", "citation_validity")
QUESTION_KEYS = RETRIEVAL_KEYS + ANSWER_KEYS
SUMMARY_KEYS = (
    ("n",)
    + QUESTION_KEYS
    + ("abstain", "false_abstain", "latency_p50_ms", "latency_p95_ms", "total_seconds")
)
# Metrics where smaller is better: gates on them are maximums.
LOWER_IS_BETTER = frozenset(
    {"false_abstain", "latency_p50_ms", "latency_p95_ms", "total_seconds", "errors"}
)

# How token_f1 and rouge_l split text into words; written to report meta so figures from another
# tool (ragas's ROUGE uses rouge-score's default tokenizer: [a-z0-9] runs, articles kept) are
# compared knowingly.
ANSWER_TOKENISATION = (
    "squad-v1: lowercase; [n] markers, punctuation and the articles a/an/the removed; "
    "split on whitespace (ROUGE-L = rouge-score LCS F-measure over these tokens)"
)

FOUND = 0.8  # share of an evidence span the budgeted passages must cover to "find" it
PARTIAL = 0.5  # share one passage must cover to count as a relevant rank (MRR, hit@k, nDCG)


# ---------------------------------------------------------------------------------------------
# Spans and passages


def _p(x):
    """Accept a Hit as well as a Passage."""
    return getattr(x, "passage", x)


def _overlap(a, b) -> int:
    if a.source != b.source:
        return 0
    return max(0, min(a.end, b.end) - max(a.start, b.start))


def _words(p) -> int:
    return len(p.text.split())


def covered_fraction(span, ranked_passages: Iterable) -> float:
    """Fraction of the span's characters covered by the union of passages of the same source.

    Overlapping passages are merged first, so a span is never counted twice.

    Example:
        >>> from types import SimpleNamespace as S
        >>> span = S(source="a", start=10, end=20)
        >>> ps = [S(source="a", start=0, end=15), S(source="a", start=12, end=16)]
        >>> covered_fraction(span, ps)
        0.6
    """
    length = span.end - span.start
    if length <= 0:
        return 0.0
    intervals = sorted(
        (max(p.start, span.start), min(p.end, span.end))
        for p in map(_p, ranked_passages)
        if p.source == span.source and p.start < span.end and p.end > span.start
    )
    covered, cur_start, cur_end = 0, None, None
    for start, end in intervals:
        if cur_end is None or start > cur_end:
            if cur_end is not None:
                covered += cur_end - cur_start
            cur_start, cur_end = start, end
        else:
            cur_end = max(cur_end, end)
    if cur_end is not None:
        covered += cur_end - cur_start
    return covered / length


def within_budget(ranked: Sequence, words: int) -> list:
    """Passages in rank order until ``words`` words are used; the one that crosses counts.

    Example:
        >>> from types import SimpleNamespace as S
        >>> ps = [S(text="a b c"), S(text="d e"), S(text="f")]
        >>> [p.text for p in within_budget(ps, 4)]
        ['a b c', 'd e']
    """
    out, used = [], 0
    for p in map(_p, ranked):
        if used >= words:
            break
        out.append(p)
        used += _words(p)
    return out


def hit_at_words(spans: Sequence, ranked: Sequence, words: int, found: float = FOUND) -> float:
    """1.0 if at least one evidence span is found (covered >= ``found``) within the budget.

    Example:
        >>> from types import SimpleNamespace as S
        >>> span = S(source="a", start=0, end=10)
        >>> hit_at_words([span], [S(source="a", start=0, end=10, text="x y")], 150)
        1.0
    """
    budget = within_budget(ranked, words)
    return 1.0 if any(covered_fraction(s, budget) >= found for s in spans) else 0.0


def recall_at_words(spans: Sequence, ranked: Sequence, words: int, found: float = FOUND) -> float:
    """Fraction of the evidence strings found (a span of one covered >= ``found``) within the
    word budget. Spans with the same ``evidence`` index are copies of one string in several
    documents: finding one finds it (spans without the field are strings of their own).

    Example:
        >>> from types import SimpleNamespace as S
        >>> spans = [S(source="a", start=0, end=10), S(source="a", start=50, end=60)]
        >>> recall_at_words(spans, [S(source="a", start=0, end=10, text="x")], 150)
        0.5
    """
    if not spans:
        return 0.0
    budget = within_budget(ranked, words)
    strings = [getattr(s, "evidence", None) for s in spans]
    strings = [n if n is not None else ("span", i) for i, n in enumerate(strings)]
    covered = [covered_fraction(s, budget) >= found for s in spans]
    found_strings = {n for n, hit in zip(strings, covered, strict=True) if hit}
    return len(found_strings) / len(set(strings))


def _relevant_partial(p, spans: Sequence, partial: float = PARTIAL) -> bool:
    return any(covered_fraction(s, [p]) >= partial for s in spans)


def mrr_at(spans: Sequence, ranked: Sequence, k: int = 10, partial: float = PARTIAL) -> float:
    """1/rank of the first passage in the top ``k`` covering >= half of some evidence span.

    Example:
        >>> from types import SimpleNamespace as S
        >>> span = S(source="a", start=0, end=10)
        >>> mrr_at([span], [S(source="b", start=0, end=10), S(source="a", start=0, end=6)])
        0.5
    """
    for rank, p in enumerate(map(_p, ranked[:k]), start=1):
        if _relevant_partial(p, spans, partial):
            return 1.0 / rank
    return 0.0


def hit_at_k(spans: Sequence, ranked: Sequence, k: int, partial: float = PARTIAL) -> float:
    """1.0 if any single passage in the top ``k`` covers >= half of some evidence span.

    Example:
        >>> from types import SimpleNamespace as S
        >>> span = S(source="a", start=0, end=10)
        >>> hit_at_k([span], [S(source="b", start=0, end=10), S(source="a", start=0, end=6)], 1)
        0.0
    """
    return 1.0 if any(_relevant_partial(p, spans, partial) for p in map(_p, ranked[:k])) else 0.0


def _relevant(p, spans: Sequence) -> bool:
    """Binary nDCG relevance: the passage covers half a span, or a span covers half of it."""
    length = p.end - p.start
    for s in spans:
        ov = _overlap(p, s)
        if ov and (ov / (s.end - s.start) >= PARTIAL or (length > 0 and ov / length >= PARTIAL)):
            return True
    return False


def ndcg_at(spans: Sequence, ranked: Sequence, k: int = 10) -> float:
    """nDCG@k with binary relevance; the ideal ranking puts every relevant retrieved passage first.

    The ideal count is the number of relevant passages among all retrieved (capped at ``k``, at
    least 1 when there is evidence), so missing evidence entirely scores 0, not "n/a".

    Example:
        >>> from types import SimpleNamespace as S
        >>> span = S(source="a", start=0, end=10)
        >>> ps = [S(source="b", start=0, end=9), S(source="a", start=0, end=9)]
        >>> round(ndcg_at([span], ps), 4)
        0.6309
    """
    if not spans:
        return 0.0
    passages = [_p(x) for x in ranked]
    rel = [_relevant(p, spans) for p in passages]
    dcg = sum(1.0 / math.log2(i + 2) for i, r in enumerate(rel[:k]) if r)
    ideal_n = max(1, min(k, sum(rel)))
    idcg = sum(1.0 / math.log2(i + 2) for i in range(ideal_n))
    return dcg / idcg


def retrieval_metrics(spans: Sequence, ranked: Sequence, k: int) -> dict[str, float]:
    """All retrieval metrics of one question, keyed as in reports ("hit@W150", ...)."""
    return {
        "hit@W150": hit_at_words(spans, ranked, 150),
        "hit@W400": hit_at_words(spans, ranked, 400),
        "recall@W150": recall_at_words(spans, ranked, 150),
        "recall@W400": recall_at_words(spans, ranked, 400),
        "mrr@10": mrr_at(spans, ranked, 10),
        "hit@k": hit_at_k(spans, ranked, k),
        "ndcg@10": ndcg_at(spans, ranked, 10),
    }


# ---------------------------------------------------------------------------------------------
# Answers

_MARKER = re.compile(r"\[\d+(?:\s*[,;\u2013-]\s*\d+)*\]")
_ARTICLES = re.compile(r"\b(?:a|an|the)\b")


def normalize_answer(text: str) -> str:
    """SQuAD-style: drop [n] markers, lowercase, strip punctuation and articles, squash spaces.

    Example:
        >>> normalize_answer("The policy ends in 2020 [1].")
        'policy ends in 2020'
    """
    text = _MARKER.sub(" ", text or "").lower()
    text = "".join(" " if unicodedata.category(ch).startswith("P") else ch for ch in text)
    text = _ARTICLES.sub(" ", text)
    return " ".join(text.split())


def _tokens(text: str) -> list[str]:
    return normalize_answer(text).split()


def token_f1(pred: str, ref: str) -> float:
    """Token-overlap F1 between the system answer and the reference (SQuAD definition).

    Example:
        >>> token_f1("The policy ends in 2020 [1].", "It ends in 2020")
        0.75
    """
    p, r = _tokens(pred), _tokens(ref)
    if not p or not r:
        return float(p == r)
    return _f_measure(sum((Counter(p) & Counter(r)).values()), len(p), len(r))


def _f_measure(overlap: int, n_pred: int, n_ref: int) -> float:
    """Harmonic mean of overlap/n_pred and overlap/n_ref (0 when nothing overlaps)."""
    if overlap == 0:
        return 0.0
    precision, recall = overlap / n_pred, overlap / n_ref
    return 2 * precision * recall / (precision + recall)


class _AnswerTokenizer:
    """rouge-score's tokenizer interface over ``normalize_answer``: the default tokenizer keeps
    only [a-z0-9] and would drop Chinese, and it keeps articles and [n] markers."""

    def tokenize(self, text: str) -> list[str]:
        return _tokens(text)


@lru_cache(maxsize=1)
def _rouge_scorer():
    try:
        from rouge_score import rouge_scorer  # lazy: it imports nltk (about a second)
    except ImportError as e:  # pragma: no cover - rouge-score is a dependency
        raise ImportError("ROUGE-L needs rouge-score: pip install 'rouge-score>=0.1.2'") from e
    return rouge_scorer.RougeScorer(["rougeL"], tokenizer=_AnswerTokenizer())


def rouge_l(pred: str, ref: str) -> float:
    """ROUGE-L F-measure (rouge-score) over the same tokens as ``token_f1``.

    Two answers with no tokens at all score 1.0, as in ``token_f1``.

    Example:
        >>> rouge_l("policy ends in 2020", "the policy runs until 2020")
        0.5
    """
    p, r = _tokens(pred), _tokens(ref)
    if not p or not r:
        return float(p == r)
    return _rouge_scorer().score(ref, pred)["rougeL"].fmeasure


def evidence_containment(answer_text: str, evidence: Sequence[str]) -> float:
    """Share of evidence strings at least half of whose tokens appear in the answer.

    Says whether the answer actually carries the evidence, whatever its wording elsewhere.

    Example:
        >>> evidence_containment("Patents rise [1].", ["patents rise fast", "unrelated text here"])
        0.5
    """
    token_lists = [t for t in (_tokens(e) for e in evidence) if t]
    if not token_lists:
        return 0.0
    have = set(_tokens(answer_text))
    contained = sum(sum(t in have for t in toks) / len(toks) >= 0.5 for toks in token_lists)
    return contained / len(token_lists)


def citation_validity(answer: dict) -> float:
    """Share of quotes that are verbatim inside the passage their [n] points to.

    A quote is valid iff its text is in the passage text and its offsets lie inside the
    passage's; 1.0 when there are no quotes (nothing claimed, nothing wrong).

    Example:
        >>> c = {"text": "Alpha beta.", "start": 0, "end": 11,
        ...      "quotes": [{"text": "Alpha beta.", "start": 0, "end": 11}]}
        >>> citation_validity({"citations": [c]})
        1.0
    """
    total = valid = 0
    for c in answer.get("citations") or []:
        for q in c.get("quotes") or []:
            total += 1
            valid += (
                q.get("text", "") in c.get("text", "")
                and c["start"] <= q["start"]
                and q["end"] <= c["end"]
            )
    return valid / total if total else 1.0


# ---------------------------------------------------------------------------------------------
# Aggregation


def percentile(values: Sequence[float], q: float) -> float | None:
    """``numpy.percentile`` with linear interpolation, ``q`` in [0, 100]; None when empty.

    Example:
        >>> percentile([10, 20, 30, 40], 50)
        25.0
    """
    if not values:
        return None
    import numpy as np  # lazy: importing the metrics should not cost numpy's start-up

    return float(np.percentile(values, q, method="linear"))


def _mean(values: Iterable[float | None]) -> float | None:
    vals = [float(v) for v in values if v is not None]
    return round(sum(vals) / len(vals), 6) if vals else None


def summarize(rows: Sequence[dict]) -> dict:
    """Aggregate rows into the summary dict (keys as in ``SUMMARY_KEYS``).

    Each per-question metric is averaged over the rows where it applies (the row's metric is
    not None: retrieval needs an answerable question with located evidence, token metrics a
    reference); None when no row applies. "abstain" is the share of unanswerable questions
    declined, "false_abstain" the share of answerable ones wrongly declined.

    Example:
        >>> summarize([{"answerable": False, "abstained": True, "latency_ms": 5.0,
        ...             "metrics": {}}])["abstain"]
        1.0
    """
    out: dict = {"n": len(rows)}
    for key in QUESTION_KEYS:
        out[key] = _mean((r.get("metrics") or {}).get(key) for r in rows)
    out["abstain"] = _mean(float(bool(r.get("abstained"))) for r in rows if not r["answerable"])
    out["false_abstain"] = _mean(float(bool(r.get("abstained"))) for r in rows if r["answerable"])
    latencies = [float(r["latency_ms"]) for r in rows if r.get("latency_ms") is not None]
    p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
    out["latency_p50_ms"] = None if p50 is None else round(p50, 1)
    out["latency_p95_ms"] = None if p95 is None else round(p95, 1)
    out["total_seconds"] = round(sum(latencies) / 1000, 3)
    return out


def computed_on(rows: Sequence[dict]) -> dict[str, int]:
    """On how many rows each per-question metric was computed (its value is not None), and
    how many rows "abstain" / "false_abstain" are shares of.

    Example:
        >>> computed_on([{"answerable": True, "metrics": {"hit@W150": 1.0}},
        ...              {"answerable": True, "metrics": {"hit@W150": None}}])["hit@W150"]
        1
    """
    out = {
        key: sum((r.get("metrics") or {}).get(key) is not None for r in rows)
        for key in QUESTION_KEYS
    }
    out["abstain"] = sum(not r["answerable"] for r in rows)
    out["false_abstain"] = sum(bool(r["answerable"]) for r in rows)
    return out


def summarize_by(rows: Sequence[dict], key: str = "kind") -> dict[str, dict]:
    """Summaries per group of ``row[key]``; a list value (tags) puts the row in each group.

    Example:
        >>> rows = [{"kind": "fact", "tags": ["a", "b"], "answerable": True, "metrics": {}}]
        >>> sorted(summarize_by(rows, "tags"))
        ['a', 'b']
    """
    groups: dict[str, list[dict]] = {}
    for r in rows:
        value = r.get(key)
        names = value if isinstance(value, list | tuple) else [value]
        for name in names:
            if name is not None and name != "":
                groups.setdefault(str(name), []).append(r)
    return {name: summarize(groups[name]) for name in sorted(groups)}
