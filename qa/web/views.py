"""HTML panels the web app shows: answer sources, search results, the corpus manifest, eval runs.

Pure functions from planqa's dataclasses to strings, so they are tested without a browser. The
HTML is in qa/web/templates/ (Jinja2, autoescape on, loaded on first use): everything that comes
from outside (questions, documents, uploaded files, eval files) is escaped there, and callers
never build HTML themselves. No gradio import: qa.web.layout does the wiring. The document
reader is qa.web.reader, the chat's Markdown qa.web.markdown.

Element ids are prefixed per panel so one page can hold them all: ``src-N`` (sources of the
current answer), ``sr-N`` (search results), ``rd-p-ID`` / ``rd-h-N`` (the reader). Links
carrying ``data-pid`` open that passage in the reader (templates/open_passage.js).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from qa.answering.abstain import sentence_floor
from qa.ingest.titles import document_title
from qa.types import Answer, Document, Hit, Passage, hits_by_document
from qa.web.markdown import answer_markdown as answer_markdown  # re-exported for callers
from qa.web.markdown import closest_hits, section_parts, where
from qa.web.markdown import md_escape as md_escape  # re-exported for callers
from qa.web.reader import InParagraph, passage_context
from qa.web.templating import mark_segments, render

# ---------------------------------------------------------------------------- cards


@dataclass(frozen=True)
class Card:
    """One passage as the sources panel or the search results show it (templates/_macros.html).

    ``body`` is the passage in its paragraph (sources) or its text as marked segments (search);
    ``parts`` ("first-last") and ``merged`` say which passages the reader link highlights.
    """

    anchor: str
    label: str
    crumbs: list[str]
    score: float
    rank: int
    where: str
    pid: int
    parts: str
    merged: int
    body: InParagraph | list[tuple[str, bool]]
    also_in: tuple[str, ...] = ()  # other documents with the same text (qa.retrieval.copies)


def card(anchor: str, label: str, hit: Hit, body: InParagraph | list[tuple[str, bool]]) -> Card:
    ids = hit.passage_ids
    p = hit.passage
    return Card(
        anchor=anchor,
        label=label,
        crumbs=section_parts(p.section),
        score=float(hit.score),
        rank=hit.rank,
        where=where(p),
        pid=p.id,
        parts=f"{min(ids)}-{max(ids)}",
        merged=len(ids),
        body=body,
        also_in=hit.also_in,
    )


def source_card(
    anchor: str, label: str, hit: Hit, doc: Document | None, quotes: Sequence[tuple[int, int]]
) -> Card:
    """A source row: the passage inside its paragraph, the quoted ranges marked."""
    return card(anchor, label, hit, passage_context(doc, hit.passage, quotes))


# ---------------------------------------------------------------------------- chat


@dataclass(frozen=True)
class Match:
    """How close the documents came to the question, on the one scale the decline uses:
    ``best`` is the best sentence similarity (MiniLM; e5 for a question in another script),
    ``needed`` the least an answer needs (the abstention threshold)."""

    best: float
    needed: float
    model: str
    declined: bool = False  # declined for another reason (a follow-up's topic, a type)

    @property
    def label(self) -> str:
        if self.best < self.needed:
            return "weak match"
        if self.declined:
            return "close wording, no answer"
        if self.best >= self.needed + STRONG_MARGIN:
            return "strong match"
        return "match"


STRONG_MARGIN = 0.15  # this far above the threshold, a match reads as strong


def match_of(
    answer: Answer, min_score: float, min_e5_score: float, raise_without_e5: float = 0.0
) -> Match:
    """The measure the decline policy (qa.answering.abstain) compares with its threshold
    (``raise_without_e5``: added to ``min_score`` where MiniLM judged alone)."""
    s = answer.signals
    if s.non_latin:
        return Match(
            s.e5_top or 0.0, min_e5_score, "multilingual passage similarity", answer.abstained
        )
    needed = sentence_floor(s, min_score, raise_without_e5)
    return Match(s.sentence_top, needed, "sentence similarity", answer.abstained)


def sources_html(
    answer: Answer, documents: Sequence[Document], searched: str = "", match: Match | None = None
) -> str:
    """The panel beside the chat: cited passages in their paragraphs, quotes marked.

    ``searched`` is the question as retrieval saw it, shown when a follow-up was rewritten;
    ``match`` is shown once at the top, with what it means.
    """
    docs = {d.source: d for d in documents}
    searched = searched if searched and searched != answer.question else ""
    extra = {"match": match}
    if answer.abstained:
        cards = [
            source_card(f"src-{i}", f"[{i}]", h, docs.get(h.passage.source), ())
            for i, h in enumerate(closest_hits(answer), start=1)
        ]
        head = "Not in the documents — the closest passages"
        return render(
            "sources.html", head=head, searched=searched, cards=cards, others=[], **extra
        )
    cards = [
        source_card(
            f"src-{c.n}",
            f"[{c.n}]",
            c.hit,
            docs.get(c.hit.passage.source),
            [(q.start, q.end) for q in c.quotes],
        )
        for c in answer.citations
    ]
    cited = {c.hit.passage.id for c in answer.citations}
    others = [
        source_card(f"src-hit-{h.rank}", f"#{h.rank}", h, docs.get(h.passage.source), ())
        for h in answer.hits
        if h.passage.id not in cited
    ]
    head = f"Sources ({len(cards)})"
    return render(
        "sources.html", head=head, searched=searched, cards=cards, others=others, **extra
    )


def empty_sources_html() -> str:
    return render("empty_sources.html")


# ---------------------------------------------------------------------------- search

_WORD = re.compile(r"\w+", re.UNICODE)


def term_matches(word: str, terms: Iterable[str]) -> bool:
    """Does a document word match a stemmed query term ("loans" ~ "loan", "policy" ~ "polici")?

    Example: term_matches("Policies", ["polici"]) -> True
    """
    w = word.lower()
    for t in terms:
        if not t:
            continue
        if w == t or (len(t) >= 3 and w.startswith(t)):
            return True
        if len(t) >= 4 and t.endswith("i") and w.startswith(t[:-1] + "y"):
            return True  # Porter turns a final y into i
    return False


def term_segments(text: str, terms: Sequence[str]) -> list[tuple[str, bool]]:
    """``text`` as (piece, marked) segments, every word matching a query term marked.

    Example: term_segments("Pledge loans", ["loan"]) -> [('Pledge ', False), ('loans', True)]
    """
    ranges = [(m.start(), m.end()) for m in _WORD.finditer(text) if term_matches(m.group(), terms)]
    return mark_segments(text, 0, ranges)


def search_html(
    query: str,
    hits: Sequence[Hit],
    terms: Sequence[str],
    note: str = "",
    within: Sequence[str] = (),
) -> str:
    """Ranked search results: heading path, score, source range, text with query terms marked;
    grouped by document (in the order of each one's best result) when several answer. ``note``
    says how the query's acronyms and typos were read; ``within``: the documents searched, if
    chosen."""
    def result(h: Hit) -> Card:
        return card(f"sr-{h.rank}", f"#{h.rank}", h, term_segments(h.passage.text, terms))

    groups = [(source, [result(h) for h in group]) for source, group in hits_by_document(hits)]
    return render(
        "search.html",
        query=query,
        count=len(hits),
        groups=groups,
        grouped=len(groups) > 1,
        note=note,
        within=list(within),
    )


def feedback_shown(history: list | None, votes: dict[str, str]) -> list[str | None]:
    """The chatbot's thumbs, one per assistant message in order: the votes recorded (by
    message index), none elsewhere."""
    roles = [
        m.get("role") if isinstance(m, dict) else getattr(m, "role", None) for m in history or []
    ]
    return [votes.get(str(i)) for i, role in enumerate(roles) if role == "assistant"]


# ---------------------------------------------------------------------------- corpus


CORPUS_HEADERS = ["document", "title", "type", "size", "passages", "modified (UTC)"]


def human_size(size: int | None) -> str:
    """Bytes for people.

    Example: human_size(20_070) -> '19.6 KB'
    """
    if size is None:
        return "?"
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def corpus_rows(
    documents: Sequence[Document],
    passages: Sequence[Passage],
    files: dict[str, tuple[int, float]] | None = None,
    skipped: Sequence[tuple[str, str]] = (),
) -> list[list]:
    """One row per document (``CORPUS_HEADERS``), then one per file the index skipped (source,
    why: its title says it is not indexed and why); ``files`` maps a source to the (size in
    bytes, modification time) of its file in the corpus folder."""
    import datetime as dt

    counts: dict[str, int] = {}
    for p in passages:
        counts[p.source] = counts.get(p.source, 0) + 1

    def row(source: str, title: str) -> list:
        size, mtime = (files or {}).get(source, (None, None))
        when = (
            dt.datetime.fromtimestamp(mtime, dt.UTC).strftime("%Y-%m-%d %H:%M")
            if mtime is not None
            else "?"
        )
        kind = source.rsplit(".", 1)[-1].upper() if "." in source else "?"
        return [source, title, kind, human_size(size), counts.get(source, 0), when]

    rows = [row(d.source, document_title(d)) for d in documents]
    return rows + [row(source, f"not indexed: {why}") for source, why in skipped]


MANIFEST_KEYS = (
    ("model", "encoder"),
    ("e5_model", "multilingual encoder"),
    ("dim", "dimension"),
    ("count", "passages"),
    ("retired_passages", "passages set aside (removed or changed files, until a full build)"),
    ("sentences", "sentences"),
    ("built_at", "built at"),
    ("build_seconds", "build seconds"),
    ("format", "format"),
)


def manifest_html(manifest: dict) -> str:
    """The index manifest as a small table: models, sizes, build time and corpus checksums."""
    rows = [(label, manifest.get(key)) for key, label in MANIFEST_KEYS if key in manifest]
    store = manifest.get("vector_store") or {}
    if store:  # backend, where, collection (the manifest never holds a key)
        rows.append(("vector store", ", ".join(f"{k}={v}" for k, v in store.items())))
    chunking = manifest.get("chunking") or {}
    if chunking:
        rows.append(("chunking", ", ".join(f"{k}={v}" for k, v in chunking.items())))
    sums = list((manifest.get("corpus") or {}).items())
    return render("manifest.html", rows=rows, sums=sums)


# ---------------------------------------------------------------------------- evaluation

EVAL_CARDS = (
    "n",
    "hit@W150",
    "hit@W400",
    "mrr@10",
    "token_f1",
    "citation_validity",
    "abstain",
    "false_abstain",
    "latency_p50_ms",
    "errors",
)
CHART_METRICS = ("hit@W150", "hit@W400", "mrr@10", "abstain")
TABLE_HEADERS = ["status", "id", "kind", "question", "hit@W400", "mrr@10", "answer"]


def eval_summary_html(
    summary: dict, meta: dict, fmt, warnings: Sequence[str] = (), tradeoff: str = ""
) -> str:
    """Metric cards for an eval run, then the threshold trade-off table
    (qa.evaluation.report.tradeoff_html, already escaped HTML); ``fmt(name, value)`` is
    qa.evaluation.report.fmt_metric."""
    from markupsafe import Markup

    cards = [(name, fmt(name, summary.get(name))) for name in EVAL_CARDS if name in summary]
    return render(
        "eval_summary.html",
        file=str(meta.get("file") or "").rsplit("/", 1)[-1],
        k=meta.get("k"),
        seconds=meta.get("seconds"),
        cards=cards,
        warnings=list(warnings),
        tradeoff=Markup(tradeoff),  # the evaluation stage's own template escaped it
    )


def eval_chart_rows(summary: dict, by_kind: dict, metric: str) -> list[dict]:
    """Bars of one metric for all questions and for each kind (kinds where it applies)."""
    groups = [("all", summary), *by_kind.items()]
    return [
        {"kind": f"{group} (n={s.get('n', 0)})", "value": s[metric]}
        for group, s in groups
        if s.get(metric) is not None
    ]


def eval_table_rows(rows: Sequence[dict], failure, fmt) -> list[list]:
    """Per-question rows, failures first; ``failure(row)`` is qa.evaluation.report.is_failure."""
    order = sorted(range(len(rows)), key=lambda i: (not failure(rows[i]), i))
    out = []
    for i in order:
        r = rows[i]
        m = r.get("metrics") or {}
        status = failure(r) or ("abstained ✓" if r.get("abstained") else "ok")
        out.append(
            [
                status,
                r.get("id"),
                r.get("kind"),
                r.get("question"),
                fmt("hit@W400", m.get("hit@W400")),
                fmt("mrr@10", m.get("mrr@10")),
                (r.get("answer") or "")[:300],
            ]
        )
    return out
