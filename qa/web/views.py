"""HTML and text the web app shows: answers, sources, search results, the plan reader, reports.

Pure functions from planqa's dataclasses to strings, so they are tested without a browser.
Everything that comes from outside (questions, documents, uploaded files, eval files) is
escaped here; callers never build HTML themselves. No gradio import: app.py does the wiring.

Element ids are prefixed per panel so one page can hold them all: ``src-N`` (sources of the
current answer), ``sr-N`` (search results), ``rd-p-ID`` / ``rd-h-N`` (the plan reader).
Links carrying ``data-pid`` open that passage in the reader (see ``OPEN_PASSAGE_JS``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection, Iterable, Sequence

from qa.highlight import esc, marked
from qa.ingest.chunking import (
    BULLET,
    SECTION_SEP,
    heading_label,
    heading_level,
    paragraphs,
    sentences,
)
from qa.query.acronyms import reading_note
from qa.types import Answer, Document, Hit, Passage

CONTEXT_CHARS = 360  # paragraph text shown on each side of a cited passage
CLOSEST_SHOWN = 3  # passages listed under a declined question
NOT_IN_PLAN = "Not in the plan"


# ---------------------------------------------------------------------------- escaping


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def md_escape(text: str) -> str:
    """Text that a Markdown renderer shows literally: HTML-escaped, then Markdown-escaped.

    Only ``& < >`` are turned into entities (their entities hold no Markdown characters), so
    the backslash escapes that follow cannot break them.

    Example: md_escape("<b>*x*</b>") -> '&lt;b&gt;\\\\*x\\\\*&lt;/b&gt;'
    """
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def section_parts(section: str) -> list[str]:
    """A heading path split into its parts.

    Example: section_parts("A > B") -> ['A', 'B']
    """
    return [p for p in section.split(SECTION_SEP) if p] if section else []


def section_html(section: str) -> str:
    """Heading path as a breadcrumb: parents muted, the nearest heading emphasised."""
    parts = section_parts(section)
    if not parts:
        return '<span class="crumb-last">(no heading)</span>'
    parents = "".join(f'<span class="crumb">{esc(p)}</span> › ' for p in parts[:-1])
    return f'{parents}<span class="crumb-last">{esc(parts[-1])}</span>'


def where(passage: Passage) -> str:
    """``source:start-end``, the reference printed in copies and metadata."""
    return f"{passage.source}:{passage.start}-{passage.end}"


# ---------------------------------------------------------------------------- marking spans


def paragraph_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The paragraph (lines between blank lines) holding ``text[start:end]``, trimmed.

    Example: paragraph_bounds("a\\n\\nb c\\nd\\n\\ne", 3, 4) -> (3, 8)
    """
    a = start
    while a > 0:
        line_start = text.rfind("\n", 0, a) + 1
        if line_start == 0:
            a = 0
            break
        prev_start = text.rfind("\n", 0, line_start - 1) + 1
        if not text[prev_start : line_start - 1].strip():
            a = line_start
            break
        a = prev_start
    b = end
    while b < len(text):
        nl = text.find("\n", b)
        if nl < 0:
            b = len(text)
            break
        next_end = text.find("\n", nl + 1)
        next_end = len(text) if next_end < 0 else next_end
        if not text[nl + 1 : next_end].strip():
            b = nl
            break
        b = next_end
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def context_bounds(
    text: str, start: int, end: int, para: tuple[int, int], chars: int = CONTEXT_CHARS
) -> tuple[int, int]:
    """The paragraph ``para``, cut to at most ``chars`` on each side of ``[start, end)`` at a
    sentence boundary when one is close enough, else at a space."""
    a, b = para
    if start - a > chars:
        cut = start - chars
        starts = [s.start for s in sentences(text, a, start) if s.start >= cut]
        a = starts[0] if starts else max(text.find(" ", cut, start) + 1, cut)
    if b - end > chars:
        cut = end + chars
        ends = [s.end for s in sentences(text, end, b) if s.end <= cut]
        space = text.rfind(" ", end, cut)
        b = ends[-1] if ends else space if space > end else cut
    return a, b


def passage_in_paragraph(
    doc: Document, passage: Passage, quotes: Iterable[tuple[int, int]] = ()
) -> str:
    """The passage inside the surrounding paragraph text, the quoted ranges in ``<mark>``."""
    text = doc.text
    if text[passage.start : passage.end] != passage.text:  # stale index: show the passage alone
        return f'<span class="psg">{marked(passage.text, passage.start, quotes)}</span>'
    para = paragraph_bounds(text, passage.start, passage.end)
    a, b = context_bounds(text, passage.start, passage.end, para)
    before = ("… " if a > para[0] else "") + text[a : passage.start]
    after = text[passage.end : b] + (" …" if b < para[1] else "")
    return (
        f'<span class="ctx">{esc(before)}</span>'
        f'<span class="psg">{marked(passage.text, passage.start, quotes)}</span>'
        f'<span class="ctx">{esc(after)}</span>'
    )


# ---------------------------------------------------------------------------- chat


def closest_hits(answer: Answer) -> list[Hit]:
    """What a declined answer lists as "the closest the plan comes": the best hits that have
    content; a bare heading ("2. Main actions") says nothing, so it is skipped when others exist.
    """
    content = [h for h in answer.hits if heading_level(h.passage.text) is None]
    return (content or list(answer.hits))[:CLOSEST_SHOWN]


def cite_link(n: int) -> str:
    """A Markdown link from an [n] marker to its source row."""
    return f"[\\[{n}\\]](#src-{n})"


def answer_markdown(answer: Answer) -> str:
    """The chat message: quoted sentences with [n] links, or a plain decline with the closest
    passages. Built from the Answer's quotes, so document text never reads as Markdown.
    How the question's acronyms and typos were read comes first, in italics."""
    note = reading_note(answer.signals.read_as)
    lead = [f"_{md_escape(note)}_", ""] if note else []
    if answer.abstained:
        lines = [*lead, md_escape(answer.text), "", f"_Why: {md_escape(answer.reason)}._", ""]
        lines += ["Closest the plan comes:", ""]
        for i, h in enumerate(closest_hits(answer), start=1):
            title = section_parts(h.passage.section)[-1:] or [h.passage.source]
            lines.append(f"- {cite_link(i)} {md_escape(title[0])}")
        return "\n".join(lines)
    if not answer.quotes:
        return "\n".join([*lead, md_escape(answer.text)])
    quoted = " ".join(f"{md_escape(q.text)} {cite_link(q.citation)}" for q in answer.quotes)
    return "\n".join([*lead, quoted])


def shown_hits(answer: Answer) -> list[tuple[str, Hit]]:
    """The passages the sources panel lists, with their labels: cited ones as [n], then the
    other retrieved ones (or, for a decline, the closest ones as [n])."""
    if answer.abstained:
        return [(f"[{i}]", h) for i, h in enumerate(closest_hits(answer), start=1)]
    cited = [(f"[{c.n}]", c.hit) for c in answer.citations]
    seen = {h.passage.id for _, h in cited}
    return cited + [(f"#{h.rank}", h) for h in answer.hits if h.passage.id not in seen]


def passage_choice(label: str, hit: Hit, width: int = 90) -> str:
    """One line naming a shown passage, for the feedback dropdown.

    Example: passage_choice("[1]", hit) -> '[1] Promote the development ... — Guide and ...'
    """
    title = (section_parts(hit.passage.section)[-1:] or [hit.passage.source])[0]
    line = f"{label} {title} — {hit.passage.text.removeprefix(BULLET)}"
    return line if len(line) <= width else line[: width - 1].rstrip() + "…"


def open_link(hit: Hit) -> str:
    """The "read in the plan" link: the hit's passage, and all its parts when merged (then
    also saying so, since the hit is longer than one passage)."""
    ids = hit.passage_ids
    joined = f"{len(ids)} passages of one item · " if len(ids) > 1 else ""
    return (
        f'{joined}<a href="#" class="open-passage" data-pid="{hit.passage.id}" '
        f'data-parts="{min(ids)}-{max(ids)}">read in the plan ›</a>'
    )


def source_row(
    row_id: str, label: str, hit: Hit, doc: Document | None, quotes: Sequence[tuple[int, int]]
) -> str:
    p = hit.passage
    body = (
        passage_in_paragraph(doc, p, quotes)
        if doc is not None
        else f'<span class="psg">{marked(p.text, p.start, quotes)}</span>'
    )
    return (
        f'<div class="src" id="{esc(row_id)}" tabindex="-1">'
        f'<div class="src-top"><a class="src-n" href="#{esc(row_id)}">{esc(label)}</a> '
        f'<span class="src-path">{section_html(p.section)}</span></div>'
        f'<div class="src-meta">score {hit.score:.2f} · {esc(where(p))} · '
        f"{open_link(hit)}</div>"
        f'<div class="src-text">{body}</div></div>'
    )


def sources_html(answer: Answer, documents: Sequence[Document], searched: str = "") -> str:
    """The panel beside the chat: cited passages in their paragraphs, quotes marked.

    ``searched`` is the question as retrieval saw it, shown when a follow-up was rewritten.
    """
    docs = {d.source: d for d in documents}
    note = ""
    if searched and searched != answer.question:
        note = f'<div class="src-note">Follow-up, searched as: “{esc(searched)}”</div>'
    if answer.abstained:
        rows = [
            source_row(f"src-{i}", f"[{i}]", h, docs.get(h.passage.source), ())
            for i, h in enumerate(closest_hits(answer), start=1)
        ]
        head = "Not in the plan — the closest it comes"
        return _panel(head, note, rows)
    rows = [
        source_row(
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
        source_row(f"src-hit-{h.rank}", f"#{h.rank}", h, docs.get(h.passage.source), ())
        for h in answer.hits
        if h.passage.id not in cited
    ]
    more = ""
    if others:
        more = (
            f'<details class="more"><summary>{len(others)} more passage(s) retrieved</summary>'
            + "".join(others)
            + "</details>"
        )
    return _panel(f"Sources ({len(rows)})", note, rows, more)


def _panel(head: str, note: str, rows: list[str], extra: str = "") -> str:
    return (
        f'<div class="planqa-panel"><div class="panel-head">{esc(head)}</div>{note}'
        + "".join(rows)
        + extra
        + "</div>"
    )


def empty_sources_html() -> str:
    return (
        '<div class="planqa-panel"><div class="panel-head">Sources</div>'
        '<p class="hint">Ask a question: the passages the answer quotes appear here, '
        "inside their paragraph, with the quoted sentences highlighted.</p></div>"
    )


def copy_text(answer: Answer) -> str:
    """Plain text for the clipboard: question, answer with [n] markers, numbered references."""
    lines = [f"Q: {answer.question}", "", answer.text, ""]
    if answer.abstained:
        lines += [f"Why: {answer.reason}.", "", "Closest passages:"]
        refs = [(str(i), h) for i, h in enumerate(closest_hits(answer), start=1)]
    else:
        lines.append("Sources:")
        refs = [(str(c.n), c.hit) for c in answer.citations]
    for n, h in refs:
        p = h.passage
        lines.append(f"[{n}] {p.section or p.source} ({where(p)})")
        lines.append(f'    "{p.text}"')
    return "\n".join(lines).rstrip() + "\n"


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


def highlight_terms(text: str, terms: Sequence[str]) -> str:
    """Escaped text with every word matching a query term in ``<mark>``."""
    ranges = [(m.start(), m.end()) for m in _WORD.finditer(text) if term_matches(m.group(), terms)]
    return marked(text, 0, ranges)


def search_html(query: str, hits: Sequence[Hit], terms: Sequence[str], note: str = "") -> str:
    """Ranked search results: heading path, score, source range, text with query terms marked;
    ``note`` says how the query's acronyms and typos were read."""
    if not hits:
        return (
            f'<div class="planqa-panel"><p class="hint">No passages for “{esc(query)}”.</p></div>'
        )
    rows = []
    for h in hits:
        p = h.passage
        rows.append(
            f'<div class="src hit" id="sr-{h.rank}">'
            f'<div class="src-top"><span class="src-n">#{h.rank}</span> '
            f'<span class="src-path">{section_html(p.section)}</span></div>'
            f'<div class="src-meta">score {h.score:.2f} · {esc(where(p))} · '
            f"{open_link(h)}</div>"
            f'<div class="src-text">{highlight_terms(p.text, terms)}</div></div>'
        )
    head = f"{len(hits)} passage(s) for “{query}”"
    note_html = f'<p class="hint reading"><em>{esc(note)}</em></p>' if note else ""
    return _panel(head, note_html, rows)


# ---------------------------------------------------------------------------- reader


def document_html(
    doc: Document, passages: Sequence[Passage], target: int | Collection[int] | None = None
) -> str:
    """The whole document: an outline of its headings and items, then its text with every
    passage wrapped in ``<span id="rd-p-ID">``; the ``target`` passage (or passages, for a
    merged hit) is highlighted and the outline entry it falls under is marked as current."""
    targets = {target} if isinstance(target, int) else set(target or ())
    text = doc.text
    own = sorted((p for p in passages if p.source == doc.source), key=lambda p: p.start)
    outline: list[tuple[str, str, str]] = []  # (css class, anchor, label)
    current = -1  # index into outline of the entry holding the target
    body = []
    pi = 0
    for n, para in enumerate(paragraphs(text)):
        raw = text[para.start : para.end]
        inside = []
        while pi < len(own) and own[pi].start < para.end:
            if own[pi].end > para.start:
                inside.append(own[pi])
            pi += 1
        has_target = any(p.id in targets for p in inside)
        level = heading_level(raw)
        anchor = f"rd-h-{n}"
        if level is not None:
            label = heading_label(raw)
            tag = f"h{min(6, 3 + max(0, level))}"
            pid = f' id="rd-p-{inside[0].id}"' if inside else ""
            cls = ' class="psg target"' if has_target else ""
            body.append(f'<{tag} id="{anchor}"><span{pid}{cls}>{esc(label)}</span></{tag}>')
            outline.append((f"lvl-{level}", anchor, label))
            current = len(outline) - 1 if has_target else current
            continue
        if raw.startswith(BULLET):
            first = sentences(text, para.start + len(BULLET), para.end)
            title = heading_label(text[first[0].start : first[0].end]) if first else raw[:60]
            outline.append(("lvl-item", anchor, title.lstrip("—")))
        if has_target:
            current = len(outline) - 1
        parts, pos = [], para.start
        for p in inside:
            if p.start > pos:
                parts.append(esc(text[pos : p.start]))
            cls = "psg target" if p.id in targets else "psg"
            span = esc(text[max(p.start, pos) : p.end])
            parts.append(f'<span id="rd-p-{p.id}" class="{cls}">{span}</span>')
            pos = max(pos, p.end)
        if pos < para.end:
            parts.append(esc(text[pos : para.end]))
        cls = ' class="item"' if raw.startswith(BULLET) else ""
        body.append(f'<p id="{anchor}"{cls}>{"".join(parts)}</p>')
    items = "".join(
        f'<li class="{cls}{" current" if i == current else ""}">'
        f'<a href="#{anchor}">{esc(label)}</a></li>'
        for i, (cls, anchor, label) in enumerate(outline)
    )
    nav = (
        f'<nav class="outline"><div class="panel-head">Outline</div><ol>{items}</ol></nav>'
        if outline
        else ""
    )
    return (
        f'<div class="planqa-reader">{nav}<article class="doc">'
        f'<div class="doc-source">{esc(doc.source)}</div>{"".join(body)}</article></div>'
    )


# ---------------------------------------------------------------------------- corpus


def corpus_rows(documents: Sequence[Document], passages: Sequence[Passage]) -> list[list]:
    """One row per document: source, characters, words, passages."""
    counts: dict[str, int] = {}
    for p in passages:
        counts[p.source] = counts.get(p.source, 0) + 1
    return [
        [d.source, len(d.text), len(d.text.split()), counts.get(d.source, 0)] for d in documents
    ]


def manifest_html(manifest: dict) -> str:
    """The index manifest as a small table: models, sizes, build time and corpus checksums."""
    keys = (
        ("model", "encoder"),
        ("e5_model", "multilingual encoder"),
        ("dim", "dimension"),
        ("count", "passages"),
        ("sentences", "sentences"),
        ("built_at", "built at"),
        ("build_seconds", "build seconds"),
        ("format", "format"),
    )
    rows = [
        f"<tr><th>{esc(label)}</th><td>{esc(manifest.get(key))}</td></tr>"
        for key, label in keys
        if key in manifest
    ]
    chunking = manifest.get("chunking") or {}
    if chunking:
        shown = ", ".join(f"{k}={v}" for k, v in chunking.items())
        rows.append(f"<tr><th>chunking</th><td>{esc(shown)}</td></tr>")
    sums = "".join(
        f'<tr><th>{esc(src)}</th><td><code class="sum">{esc(digest)}</code></td></tr>'
        for src, digest in (manifest.get("corpus") or {}).items()
    )
    return (
        '<div class="planqa-panel"><div class="panel-head">Index manifest</div>'
        f'<table class="kv">{"".join(rows)}</table>'
        '<div class="panel-head">Corpus checksums (sha256)</div>'
        f'<table class="kv sums">{sums}</table></div>'
    )


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
    """Metric cards for an eval run, then the threshold trade-off table (qa.evaluation.report.tradeoff_html,
    already escaped); ``fmt(name, value)`` is qa.evaluation.report.fmt_metric."""
    cards = "".join(
        f'<div class="card"><div class="k">{esc(name)}</div>'
        f'<div class="v">{esc(fmt(name, summary.get(name)))}</div></div>'
        for name in EVAL_CARDS
        if name in summary
    )
    warn = ""
    if warnings:
        shown = "".join(f"<li>{esc(w)}</li>" for w in warnings[:10])
        more = f"<li>… and {len(warnings) - 10} more</li>" if len(warnings) > 10 else ""
        warn = f'<details class="warn"><summary>{len(warnings)} warning(s)</summary><ul>{shown}{more}</ul></details>'
    file = str(meta.get("file") or "").rsplit("/", 1)[-1]
    return (
        f'<div class="planqa-panel"><div class="panel-head">{esc(file)} · k={esc(meta.get("k"))}'
        f' · {esc(meta.get("seconds"))} s</div><div class="cards">{cards}</div>{warn}{tradeoff}</div>'
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


# ---------------------------------------------------------------------------- page assets

CSS = """
.planqa-panel{font-size:14px;line-height:1.5}
.panel-head{font-weight:600;font-size:12px;text-transform:uppercase;letter-spacing:.05em;
  color:var(--body-text-color);opacity:.72;margin:4px 0 8px}
.planqa-panel .hint{color:var(--body-text-color-subdued)}
.src-note{font-size:13px;color:var(--body-text-color-subdued);margin-bottom:8px;font-style:italic}
.src{border:1px solid var(--border-color-primary);border-radius:8px;padding:10px 12px;
  margin-bottom:10px;background:var(--background-fill-primary);scroll-margin:12px;
  transition:box-shadow .3s,border-color .3s}
.src.flash{border-color:var(--color-accent);box-shadow:0 0 0 3px var(--color-accent-soft)}
.src-top{font-size:13px;line-height:1.35}
.src-n{font-weight:700;color:var(--color-accent);text-decoration:none;margin-right:2px}
.crumb{color:var(--body-text-color-subdued)}
.crumb-last{font-weight:600}
.src-meta{font-size:12px;color:var(--body-text-color-subdued);margin:3px 0 6px;
  font-family:var(--font-mono)}
.src-meta a,.open-passage{font-family:var(--font);color:var(--color-accent)}
.src-text{font-size:14px}
.src-text .ctx{color:var(--body-text-color-subdued)}
.src-text .psg{color:var(--body-text-color)}
.planqa-panel mark,.planqa-reader mark{background:#fff1a8;color:#1d2330;padding:0 1px;border-radius:2px}
details.more summary{cursor:pointer;font-size:13px;color:var(--body-text-color-subdued);margin:6px 0}
#sources{max-height:72vh;overflow-y:auto;padding-right:4px}
#search-results{max-height:75vh;overflow-y:auto}
.planqa-reader{display:grid;grid-template-columns:minmax(200px,300px) 1fr;gap:20px}
.planqa-reader .outline{position:sticky;top:0;align-self:start;max-height:75vh;overflow-y:auto;
  font-size:13px}
.planqa-reader .outline ol{list-style:none;padding:0;margin:0}
.planqa-reader .outline li{margin:2px 0}
.planqa-reader .outline a{text-decoration:none;color:var(--body-text-color)}
.planqa-reader .outline a:hover{color:var(--color-accent)}
.planqa-reader .outline li.current>a{color:var(--color-accent);font-weight:600}
.planqa-reader .outline .lvl-0{font-weight:700}
.planqa-reader .outline .lvl-1{font-weight:600;margin-top:6px}
.planqa-reader .outline .lvl-2{padding-left:10px;margin-top:6px}
.planqa-reader .outline .lvl-item{padding-left:22px;color:var(--body-text-color-subdued)}
.planqa-reader .doc{max-height:75vh;overflow-y:auto;padding-right:8px;font-size:15px;line-height:1.6}
.planqa-reader .doc p{white-space:pre-wrap;margin:0 0 12px}
.planqa-reader .doc p.item{border-left:3px solid var(--border-color-primary);padding-left:10px}
.planqa-reader .doc h3,.planqa-reader .doc h4,.planqa-reader .doc h5{scroll-margin:12px}
.planqa-reader .doc-source{font-family:var(--font-mono);font-size:12px;
  color:var(--body-text-color-subdued)}
.planqa-reader .psg.target{background:#fff1a8;color:#1d2330;border-radius:3px;
  box-shadow:0 0 0 3px #fff1a8}
.planqa-reader [id]{scroll-margin:16px}
.planqa-panel table.kv{border-collapse:collapse;font-size:13px;margin:0 0 16px;width:100%;
  border:none!important}
.planqa-panel table.kv th,.planqa-panel table.kv td{border:none!important;
  border-bottom:1px solid var(--border-color-primary)!important;padding:5px 8px 5px 0;text-align:left;
  vertical-align:top;background:none}
.planqa-panel table.kv th{color:var(--body-text-color-subdued);font-weight:500;width:38%}
.planqa-panel table.kv code.sum{font-size:11px;word-break:break-all;background:none;padding:0}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(120px,1fr));gap:8px}
.card{border:1px solid var(--border-color-primary);border-radius:8px;padding:8px 10px}
.card .k{font-size:11px;text-transform:uppercase;color:var(--body-text-color-subdued)}
.card .v{font-size:20px;font-weight:650;font-variant-numeric:tabular-nums}
details.warn{margin-top:8px;font-size:13px}
.planqa-panel h2{font-size:15px;margin:14px 0 6px}.planqa-panel h2 small{font-weight:400}
table.tradeoff{border-collapse:collapse;font-size:13px}
table.tradeoff th,table.tradeoff td{padding:3px 10px;border-bottom:1px solid var(--border-color-primary);text-align:left}
table.tradeoff .num{text-align:right}table.tradeoff .current td{font-weight:650}
@media (max-width:900px){.planqa-reader{grid-template-columns:1fr}
  .planqa-reader .outline{position:static;max-height:30vh}}
"""

# Clicks on in-page links: [n] markers in the chat and source rows scroll their target into
# view inside its scrolling panel (a plain #hash jump would scroll the whole page, or nothing).
HEAD_JS = """
<script>
document.addEventListener('click', function (e) {
  const a = e.target.closest && e.target.closest('a[href^="#src-"], a[href^="#rd-"], a[href^="#sr-"]');
  if (!a) return;
  const el = document.getElementById(a.getAttribute('href').slice(1));
  if (!el) return;
  e.preventDefault();
  e.stopPropagation();
  el.scrollIntoView({behavior: 'smooth', block: 'center'});
  el.classList.add('flash');
  setTimeout(function () { el.classList.remove('flash'); }, 1600);
}, true);
</script>
"""

# js_on_load of the panels holding ``data-pid`` links: tell the server which passage to open.
OPEN_PASSAGE_JS = """
element.addEventListener('click', function (e) {
  const a = e.target.closest('a.open-passage');
  if (!a) return;
  e.preventDefault();
  trigger('select', {index: Number(a.dataset.pid), value: a.dataset.parts || a.dataset.pid, selected: true});
});
"""

# js_on_load of the reader: after each render, bring the highlighted passage into view. The
# reader may still be in a hidden tab when its value arrives, so wait until it is laid out.
READER_JS = """
function reveal() {
  const t = element.querySelector('.target');
  if (!t) return;
  const cur = element.querySelector('.outline li.current');
  let tries = 0;
  (function tick() {
    if (t.getClientRects().length) {
      t.scrollIntoView({block: 'center'});
      if (cur) cur.scrollIntoView({block: 'nearest'});
    } else if (tries++ < 60) {
      setTimeout(tick, 50);
    }
  })();
}
watch('value', reveal);
reveal();
"""
