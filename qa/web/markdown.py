"""Markdown and plain text the web app shows: the chat message, the page header, the clipboard
copy and the feedback choices. Pure functions of planqa's dataclasses, no HTML templates.

Everything that comes from outside (questions, document text, titles) goes through ``md_escape``,
so it reads literally in a Markdown renderer.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from qa.ingest.chunking import BULLET, SECTION_SEP, is_label
from qa.ingest.titles import document_title
from qa.query.acronyms import reading_note
from qa.types import Answer, Document, Hit, Passage

CLOSEST_SHOWN = 3  # passages listed under a declined question
NOT_IN_DOCUMENTS = "Not in the documents"


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


def where(passage: Passage) -> str:
    """``source:start-end``, the reference printed in copies and metadata."""
    return f"{passage.source}:{passage.start}-{passage.end}"


# ---------------------------------------------------------------------------- the corpus


def corpus_name(documents: Sequence[Document]) -> str:
    """What the page calls the corpus: its one document's title, else "N documents".

    Example: corpus_name([Document("a.md", "# Harbour rules")]) -> 'Harbour rules'
    """
    if len(documents) == 1:
        return document_title(documents[0])
    return f"{len(documents)} documents"


def the_documents(documents: Sequence[Document]) -> str:
    """ "the document" for a corpus of one, else "the documents"."""
    return "the document" if len(documents) == 1 else "the documents"


def header_markdown(documents: Sequence[Document]) -> str:
    """The page header: product, the corpus's title (or size), and what answers are."""
    return (
        f"## planqa · {md_escape(corpus_name(documents))}\n"
        f"Answers quote {the_documents(documents)} word for word; "
        "every sentence carries its source."
    )


# ---------------------------------------------------------------------------- chat


def closest_hits(answer: Answer) -> list[Hit]:
    """What a declined answer lists as the closest passages: the best hits that have content;
    a bare heading ("2. Main actions") or stamp says nothing, so it is skipped when others exist.
    """
    content = [h for h in answer.hits if not is_label(h.passage.text)]
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
        lines += ["The closest passages:", ""]
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
