"""Run an eval set through the assistant, score every question, check gates, compare runs.

The assistant is passed in as a plain ``ask(question, k) -> Answer`` callable, so this module
knows nothing about indexes or models and tests can drive it with a hand-built fake. One
question failing (an exception inside ``ask``) is recorded on its row and counted in
``summary["errors"]``; it never loses the rest of the run.
"""

from __future__ import annotations

import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from qa.errors import EvalInputError
from qa.evaluation.evidence import locate_evidence, normalize_for_match
from qa.evaluation.items import EvalItem, Span
from qa.evaluation.metrics import (
    ANSWER_TOKENISATION,
    LOWER_IS_BETTER,
    QUESTION_KEYS,
    SUMMARY_KEYS,
    citation_validity,
    computed_on,
    evidence_containment,
    retrieval_metrics,
    rouge_l,
    summarize,
    summarize_by,
    token_f1,
)
from qa.evaluation.scopes import check_scopes, item_scope
from qa.types import Answer

REPORT_FORMAT = "planqa-eval v1"  # written to meta["format"]; load_report checks it
GATE_NAMES = SUMMARY_KEYS + ("errors",)


@dataclass
class EvalReport:
    """Everything one run produced: per-question rows, summaries and run metadata."""

    rows: list[dict]
    summary: dict
    by_kind: dict
    by_tag: dict
    meta: dict
    abstention: dict = field(default_factory=dict)  # threshold trade-offs (qa.evaluation.abstain_sweep)
    compare: dict = field(default_factory=dict)  # side by side with another system on this file

    def to_dict(self) -> dict:
        """The report.json layout: meta, summary, by_kind, by_tag, abstention, rows; meta also
        says on how many rows each metric was computed ("computed_on") and, for two systems
        on one file, holds their comparison ("side_by_side")."""
        # additions ride in meta, so the top-level layout stays as readers know it
        meta = {**self.meta, "computed_on": computed_on(self.rows)}
        if self.compare:
            meta["side_by_side"] = self.compare
        return {
            "meta": meta,
            "summary": self.summary,
            "by_kind": self.by_kind,
            "by_tag": self.by_tag,
            "abstention": self.abstention,
            "rows": self.rows,
        }


# ---------------------------------------------------------------------------------------------
# Scoring one question


def _evidence_entries(item: EvalItem, spans: list[Span]) -> list[dict]:
    """Located spans first (exact document text), then evidence strings we could not place."""
    out = [{"text": s.text, "source": s.source, "start": s.start, "end": s.end} for s in spans]
    placed = {normalize_for_match(s.text) for s in spans}
    for ev in item.evidence:
        if normalize_for_match(ev) not in placed:
            out.append({"text": ev, "source": None, "start": None, "end": None})
    return out


def score_question(
    item: EvalItem, spans: list[Span], answer: dict, ranked: Sequence, k: int, error: bool
) -> dict[str, float | None]:
    """Per-question metrics; a metric is None where it does not apply to this question.

    Retrieval needs an answerable question with located evidence, token metrics a reference,
    containment the evidence strings; citation validity applies whenever an answer was given.
    """
    metrics: dict[str, float | None] = dict.fromkeys(QUESTION_KEYS)
    if item.answerable and spans:
        metrics.update(retrieval_metrics(spans, ranked, k))
    if item.answerable and item.reference:
        metrics["token_f1"] = token_f1(answer["answer"], item.reference)
        metrics["rouge_l"] = rouge_l(answer["answer"], item.reference)
    if item.answerable and item.evidence:
        metrics["evidence_containment"] = evidence_containment(answer["answer"], item.evidence)
    if not error and not answer["abstained"]:
        metrics["citation_validity"] = citation_validity(answer)
    return {key: None if v is None else round(v, 6) for key, v in metrics.items()}


def _row(item: EvalItem, spans: list[Span], answer: dict, latency_ms: float) -> dict:
    row = {
        "id": item.id,
        "question": item.question,
        "answer": answer["answer"],
        "abstained": bool(answer["abstained"]),
        "reason": answer.get("reason", ""),
        "citations": answer["citations"],
        "passages": answer["passages"],
        "latency_ms": round(latency_ms, 1),
        "kind": item.kind,
        "tags": list(item.tags),
        "reference_answer": item.reference,
        "evidence": _evidence_entries(item, spans),
        "answerable": item.answerable,
    }
    if "signals" in answer:
        row["signals"] = answer["signals"]  # what the decline decision saw (qa.evaluation.abstain_sweep)
    return row


def _signals_row(answer: Answer) -> dict:
    """What the decline decision saw (Signals.to_dict: scores, how words were read, the words
    the documents never use), and which language model wrote the answer, if one did."""
    row = {k: v for k, v in answer.signals.to_dict().items() if v is not None}
    if answer.generation is not None:
        row.update(generator=answer.generation.generator, generated=answer.generation.generated)
    return row


def _as_list(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]


def run_evaluation(
    ask: Callable[[str, int], Answer],
    items: Sequence[EvalItem],
    spans: dict[str, list[Span]],
    k: int = 20,
    on_progress: Callable[[int, int], None] | None = None,
    *,
    file: str = "",
    system: dict | None = None,
    documents: Sequence[str] = (),
) -> EvalReport:
    """Ask every question, time it, score it, and summarise overall, per kind and per tag.

    ``system`` is free-form info about the assistant (model, index, versions) stored in meta,
    so two reports can be told apart later. ``documents``: the documents to ask within when a
    row names none of its own (qa.evaluation.scopes).

    Example:
        >>> report = run_evaluation(assistant.ask, items, spans, k=20)  # doctest: +SKIP
        >>> report.summary["hit@W150"]  # doctest: +SKIP
    """
    if k < 1:
        raise EvalInputError(f"k must be at least 1, got {k}; pass --k 20 or similar")
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    t_run = time.perf_counter()
    rows: list[dict] = []
    errors = 0
    for done, item in enumerate(items, start=1):
        item_spans = spans.get(item.id, [])
        scope = item_scope(item, documents)
        t0 = time.perf_counter()
        error: str | None = None
        try:
            ans = ask(item.question, k, documents=scope) if scope else ask(item.question, k)
            latency_ms = (time.perf_counter() - t0) * 1000
            hits = sorted(ans.hits, key=lambda h: h.rank)
            answer = ans.to_dict()
            answer["passages"] = [h.to_dict() for h in hits]
            answer["signals"] = _signals_row(ans)
            ranked = [h.passage for h in hits]
        except Exception as e:  # one broken question must not lose the run
            latency_ms = (time.perf_counter() - t0) * 1000
            error = f"{type(e).__name__}: {e}"
            answer = {"answer": "", "abstained": False, "citations": [], "passages": []}
            ranked = []
            errors += 1
        row = _row(item, item_spans, answer, latency_ms)
        if scope:
            row["documents"] = list(scope)
        row["metrics"] = score_question(item, item_spans, answer, ranked, k, error is not None)
        if error is not None:
            row["error"] = error
        rows.append(row)
        if on_progress is not None:
            on_progress(done, len(items))

    summary = summarize(rows)
    summary["errors"] = errors
    by_kind, by_tag = summarize_by(rows, "kind"), summarize_by(rows, "tags")
    for key, groups in (("kind", by_kind), ("tags", by_tag)):
        for name, group in groups.items():
            group["errors"] = sum(1 for r in rows if "error" in r and name in _as_list(r.get(key)))
    meta = {
        "format": REPORT_FORMAT,
        "file": file,
        "k": k,
        "started_at": started_at,
        "seconds": round(time.perf_counter() - t_run, 3),
        "n": len(rows),
        "errors": errors,
        "system": dict(system or {}),
        "answer_tokens": ANSWER_TOKENISATION,
        **({"documents": list(documents)} if documents else {}),
    }
    return EvalReport(
        rows=rows,
        summary=summary,
        by_kind=by_kind,
        by_tag=by_tag,
        meta=meta,
    )


# ---------------------------------------------------------------------------------------------
# Gates


def parse_gate(text: str) -> tuple[str, float]:
    """Parse ``name=value`` from ``--min``/``--max``; metric names are matched case-insensitively.

    ``group:name=value`` gates one kind or tag of question (``chinese:hit@W400=0.8``).

    Example:
        >>> parse_gate("hit@w150=0.9")
        ('hit@W150', 0.9)
        >>> parse_gate("chinese:hit@W400=0.8")
        ('chinese:hit@W400', 0.8)
    """
    name, sep, value = text.partition("=")
    group, colon, metric = name.strip().rpartition(":")
    metric = metric.strip()
    canonical = {g.lower(): g for g in GATE_NAMES}.get(metric.lower())
    if not sep or not metric or (colon and not group.strip()):
        raise EvalInputError(
            f"gate {text!r}: expected name=value or kind:name=value, for example hit@W150=0.9"
        )
    if canonical is None:
        raise EvalInputError(
            f"gate {text!r}: unknown metric {metric!r}; valid names: {', '.join(GATE_NAMES)}"
        )
    try:
        number = float(value)
    except ValueError:
        raise EvalInputError(
            f"gate {text!r}: value {value.strip()!r} is not a number; write e.g. {canonical}=0.9"
        ) from None
    return (f"{group.strip()}:{canonical}" if colon else canonical), number


def split_gate(name: str) -> tuple[str, str]:
    """(kind or tag, metric) of a gate name: ``chinese:hit@W400`` -> ("chinese", "hit@W400");
    the group is "" for a gate on all questions."""
    group, _, metric = name.rpartition(":")
    return group, metric


def check_gates(
    summary: dict,
    gates: dict[str, float],
    max_gates: dict[str, float] | None = None,
    groups: dict[str, dict] | None = None,
) -> list[str]:
    """Failed gates as messages like ``hit@W150 0.812 < 0.900``; empty when all pass.

    ``gates`` use each metric's natural direction: a minimum for higher-is-better metrics, a
    maximum for the lower-is-better ones (false_abstain, latencies, errors). ``max_gates`` are
    always maximums (``--max``). A gated metric that could not be measured (None) fails.
    ``kind:metric`` gates read that kind's (or tag's) summary from ``groups``; a group with no
    questions in the run fails too.

    Example:
        >>> check_gates({"hit@W150": 0.812, "latency_p95_ms": 90.0},
        ...             {"hit@W150": 0.9}, {"latency_p95_ms": 100})
        ['hit@W150 0.812 < 0.900']
    """
    checks = [(n, v, split_gate(n)[1] in LOWER_IS_BETTER) for n, v in gates.items()]
    checks += [(n, v, True) for n, v in (max_gates or {}).items()]
    failures = []
    for name, limit, is_max in checks:
        group, metric = split_gate(name)
        if group and group not in (groups or {}):
            known = ", ".join(sorted(groups or {})) or "none"
            failures.append(
                f"{name}: no questions of kind or tag {group!r} (this run has: {known})"
            )
            continue
        value = (groups[group] if group else summary).get(metric)
        if value is None:
            need = "<=" if is_max else ">="
            failures.append(f"{name} n/a (not measured in this run), gate needs {need} {limit:.3f}")
        elif is_max and value > limit:
            failures.append(f"{name} {value:.3f} > {limit:.3f}")
        elif not is_max and value < limit:
            failures.append(f"{name} {value:.3f} < {limit:.3f}")
    return failures


# ---------------------------------------------------------------------------------------------
# Comparing two runs


def compare(old: dict, new: dict) -> dict:
    """Metric deltas and the questions that flipped between two report dicts (report.json).

    Returns ``{"runs": {"old"/"new": {file, started_at, k}},
    "metrics": {name: {"old", "new", "delta"}}, "found_to_missed": [ids],
    "missed_to_found": [ids], "abstained_changed": [ids], "shared": n, "added": [ids],
    "removed": [ids]}``,
    where found/missed is the question's hit@W400.

    Example:
        >>> cmp = compare(old_report, new_report)  # doctest: +SKIP
        >>> cmp["metrics"]["hit@W150"]["delta"]  # doctest: +SKIP
    """
    old_s, new_s = old.get("summary") or {}, new.get("summary") or {}
    metrics = {}
    for name in GATE_NAMES:
        a, b = old_s.get(name), new_s.get(name)
        delta = round(b - a, 6) if a is not None and b is not None else None
        metrics[name] = {"old": a, "new": b, "delta": delta}

    old_rows = {r["id"]: r for r in old.get("rows") or []}
    new_rows = {r["id"]: r for r in new.get("rows") or []}
    found_to_missed, missed_to_found, abstained_changed = [], [], []
    for qid, b in new_rows.items():
        a = old_rows.get(qid)
        if a is None:
            continue
        ha = (a.get("metrics") or {}).get("hit@W400")
        hb = (b.get("metrics") or {}).get("hit@W400")
        if ha is not None and hb is not None:
            if ha >= 1 and hb < 1:
                found_to_missed.append(qid)
            elif ha < 1 and hb >= 1:
                missed_to_found.append(qid)
        if bool(a.get("abstained")) != bool(b.get("abstained")):
            abstained_changed.append(qid)
    runs = {
        side: {key: (report.get("meta") or {}).get(key) for key in ("file", "started_at", "k")}
        for side, report in (("old", old), ("new", new))
    }
    return {
        "runs": runs,
        "metrics": metrics,
        "found_to_missed": found_to_missed,
        "missed_to_found": missed_to_found,
        "abstained_changed": abstained_changed,
        "shared": sum(1 for q in new_rows if q in old_rows),
        "added": [q for q in new_rows if q not in old_rows],
        "removed": [q for q in old_rows if q not in new_rows],
    }


def evaluate_assistant(
    assistant,
    items: list[EvalItem],
    *,
    k: int,
    file: str,
    strict: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
    documents: Sequence[str] = (),
) -> tuple[EvalReport, list[str]]:
    """Locate the evidence, ask every question and score it: the run behind both `qa eval` and
    the app's Evaluate tab. ``assistant`` needs .ask(question, k), .documents and .passages.

    Returns the report and the evidence problems (warnings; an error under ``strict``).
    """
    import qa

    check_scopes(items, documents, [d.source for d in assistant.documents])
    spans, problems = locate_evidence(
        items, list(assistant.documents), list(getattr(assistant, "passages", None) or [])
    )
    if problems and strict:
        raise EvalInputError(
            "\n".join(problems) + "\n(strict mode: fix the evidence, or run without --strict)"
        )
    system = {
        "planqa": getattr(qa, "__version__", "unknown"),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        **dict(getattr(assistant, "info", None) or {}),
    }
    report = run_evaluation(
        assistant.ask,
        items,
        spans,
        k=k,
        on_progress=on_progress,
        file=file,
        system=system,
        documents=documents,
    )
    settings = getattr(assistant, "settings", None)
    if settings is not None:
        from qa.evaluation.abstain_sweep import abstention_tradeoff

        words = getattr(getattr(assistant, "retriever", None), "words", None)
        report.abstention = abstention_tradeoff(report.rows, settings.retrieval, words)
    return report, problems
