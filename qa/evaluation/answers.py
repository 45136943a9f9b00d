"""Score another system's answers without running planqa: rows that already carry a response
and the passages that system retrieved (ragas's ``response``/``retrieved_contexts``).

Retrieval is scored on character spans, exactly as for planqa: each retrieved context string is
located verbatim (whitespace and quotes straightened, as for evidence) in the documents, and
a context given as ``source``/``start``/``end`` is taken as those offsets. A context that is
not found in any document is flagged and covers nothing, though it still takes its rank and
its words of the budget. The answer metrics are the same functions; a response declines when
it is empty or contains one of the decline phrases (configurable, case-insensitive).
"""

from __future__ import annotations

from collections.abc import Sequence

from qa.evaluation.evaluate import REPORT_FORMAT, EvalReport, score_question
from qa.evaluation.evidence import locate_evidence, normalize_for_match, normalize_with_map
from qa.evaluation.items import EvalItem, Span
from qa.evaluation.metrics import ANSWER_TOKENISATION, summarize, summarize_by
from qa.evaluation.readers import unit_for
from qa.evaluation.schema import DECLINE_PHRASES, Context
from qa.types import Document, Passage


def declines(response: str | None, phrases: Sequence[str] = DECLINE_PHRASES) -> bool:
    """True when a response is empty or contains one of ``phrases`` (any case).

    Example:
        >>> declines("I don't know."), declines("It ends in 2030."), declines("")
        (True, False, True)
    """
    text = normalize_for_match(response or "").lower()
    return not text or any(normalize_for_match(p).lower() in text for p in phrases if p.strip())


def _locate_one(
    ctx: Context, documents: dict[str, Document], normalised: dict[str, tuple[str, list[int]]]
) -> Span | None:
    if ctx.source is not None:
        doc = documents.get(ctx.source)
        if doc is None or ctx.end is None or ctx.start is None:
            return None
        if not ctx.start < ctx.end <= len(doc.text):
            return None
        return Span(doc.source, ctx.start, ctx.end, doc.text[ctx.start : ctx.end])
    text = ctx.text or ""
    for doc in documents.values():
        i = doc.text.find(text)
        if i >= 0:
            return Span(doc.source, i, i + len(text), text)
    needle = normalize_for_match(text)
    for doc in documents.values():
        if doc.source not in normalised:
            normalised[doc.source] = normalize_with_map(doc.text)
        hay, index = normalised[doc.source]
        j = hay.find(needle) if needle else -1
        if j >= 0:
            start, end = index[j], index[j + len(needle) - 1] + 1
            return Span(doc.source, start, end, doc.text[start:end])
    return None


def locate_contexts(
    items: Sequence[EvalItem], documents: Sequence[Document]
) -> tuple[dict[str, list[dict]], list[str]]:
    """Each item's retrieved contexts as passage dicts (rank, source, start, end, text, found),
    and a problem message for every context found in no document.

    Example:
        >>> doc = Document("a.txt", "Alpha. Beta gamma.")
        >>> item = EvalItem("q1", "?", None, (), True, "general", (), 2, "s.jsonl",
        ...                 retrieved=(Context("Beta gamma."), Context("Zeta.")), has_output=True)
        >>> ps, problems = locate_contexts([item], [doc])
        >>> [(p["start"], p["found"]) for p in ps["q1"]], len(problems)
        ([(7, True), (None, False)], 1)
    """
    by_source = {d.source: d for d in documents}
    normalised: dict[str, tuple[str, list[int]]] = {}
    out: dict[str, list[dict]] = {}
    problems: list[str] = []
    for item in items:
        passages = []
        for rank, ctx in enumerate(item.retrieved, start=1):
            span = _locate_one(ctx, by_source, normalised)
            if span is None:
                shown = ctx.text or f"{ctx.source}:{ctx.start}-{ctx.end}"
                shown = shown if len(shown) <= 80 else shown[:77] + "..."
                file = item.file or "eval file"
                problems.append(
                    f"{file} {unit_for(file)} {item.line}: retrieved context {rank} not found in "
                    f'any document: "{shown}"; it covers no evidence (copy passages verbatim, '
                    "or give source/start/end offsets into the document)"
                )
                passages.append(
                    {
                        "rank": rank,
                        "source": None,
                        "start": None,
                        "end": None,
                        "text": ctx.text or "",
                        "found": False,
                    }
                )
            else:
                passages.append(
                    {
                        "rank": rank,
                        "source": span.source,
                        "start": span.start,
                        "end": span.end,
                        "text": ctx.text or span.text,
                        "found": True,
                    }
                )
        out[item.id] = passages
    return out, problems


def _ranked(passages: list[dict]) -> list[Passage]:
    """Passage objects for the span metrics; one not found gets no source, so it covers nothing
    but still uses its words of the budget."""
    return [
        Passage(p["rank"], p["source"] or "", p["start"] or 0, p["end"] or 0, "", p["text"])
        for p in passages
    ]


def evaluate_answers(
    items: Sequence[EvalItem],
    documents: Sequence[Document],
    passages: Sequence[Passage] = (),
    *,
    k: int = 20,
    file: str = "",
    name: str = "system",
    decline_phrases: Sequence[str] = DECLINE_PHRASES,
) -> tuple[EvalReport, list[str]]:
    """Score the answers and retrieved contexts the file already holds; planqa is not run.

    Returns the report (same layout as a planqa run: rows, summary, by_kind, by_tag, meta) and
    the problems: evidence or retrieved contexts not found in any document.
    """
    spans, problems = locate_evidence(list(items), list(documents), list(passages) or None)
    found, ctx_problems = locate_contexts(items, documents)
    rows = []
    for item in items:
        item_spans = spans.get(item.id, [])
        ctx = found.get(item.id, [])
        abstained = item.abstained
        if abstained is None:
            abstained = declines(item.response, decline_phrases)
        answer = {
            "answer": item.response or "",
            "abstained": abstained,
            "citations": [],
            "passages": ctx,
        }
        metrics = score_question(item, item_spans, answer, _ranked(ctx), k, error=False)
        metrics["citation_validity"] = None  # the system's citations are not known
        row = {
            "id": item.id,
            "question": item.question,
            "answer": answer["answer"],
            "abstained": abstained,
            "reason": "",
            "citations": [],
            "passages": ctx,
            "latency_ms": None,
            "kind": item.kind,
            "tags": list(item.tags),
            "reference_answer": item.reference,
            "evidence": [
                {"text": s.text, "source": s.source, "start": s.start, "end": s.end}
                for s in item_spans
            ],
            "answerable": item.answerable,
            "metrics": metrics,
        }
        rows.append(row)
    summary = summarize(rows)
    summary.update(latency_p50_ms=None, latency_p95_ms=None, total_seconds=None, errors=0)
    by_kind, by_tag = summarize_by(rows, "kind"), summarize_by(rows, "tags")
    for group in (*by_kind.values(), *by_tag.values()):
        group.update(latency_p50_ms=None, latency_p95_ms=None, total_seconds=None, errors=0)
    meta = {
        "format": REPORT_FORMAT,
        "file": file,
        "k": k,
        "started_at": None,
        "seconds": None,
        "n": len(rows),
        "errors": 0,
        "system": {"name": name, "answers_from": file},
        "reading": "answers",
        "decline_phrases": list(decline_phrases),
        "answer_tokens": ANSWER_TOKENISATION,
    }
    report = EvalReport(rows=rows, summary=summary, by_kind=by_kind, by_tag=by_tag, meta=meta)
    return report, problems + ctx_problems
