"""Saved conversations: what the browser keeps of a chat (its questions, answers and exact
citations), the bounded list of them, and a conversation as Markdown a reader can check.

Pure functions over small frozen dataclasses; the browser holds the list as JSON (Gradio's
``gr.BrowserState``), so whatever comes back from it is read defensively (``read_store``):
a malformed entry is dropped, never trusted. The bounds keep the browser's storage (about
5 MB per site) from filling up: the oldest conversations and turns go first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from typing import Any

from qa.ingest.formats import page_place
from qa.query.acronyms import reading_note
from qa.types import Answer
from qa.web.markdown import cite_link, closest_hits, md_escape, section_parts

VERSION = 1  # of the stored shape; a store of another version is started afresh
MAX_CONVERSATIONS = 50
MAX_TURNS = 50  # per conversation: the oldest turns are dropped beyond it
MAX_CONVERSATION_CHARS = 100_000  # per conversation, as JSON
MAX_STORE_CHARS = 1_000_000  # all of them, as JSON (encrypted, ~1.3-4x in localStorage)
TITLE_CHARS = 80


# ---------------------------------------------------------------------------- the shapes


@dataclass(frozen=True)
class SavedQuote:
    """A quoted sentence: ``text`` is the source document's text[start:end]."""

    n: int  # the [n] it carries
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class SavedSource:
    """A cited passage (or, under a decline, one of the closest): where it is in its document."""

    n: int
    source: str
    section: str
    start: int
    end: int
    page: int | None = None


@dataclass(frozen=True)
class Turn:
    """One question and its answer, as saved."""

    question: str
    searched: str  # what was searched: the question, or a follow-up with its topic
    answer: str  # with [n] markers
    abstained: bool
    reason: str = ""
    note: str = ""  # how acronyms and typos were read
    quotes: tuple[SavedQuote, ...] = ()
    sources: tuple[SavedSource, ...] = ()
    asked: str = ""  # ISO time, UTC


@dataclass(frozen=True)
class Conversation:
    """A saved chat; its title is its first question."""

    id: str
    title: str
    created: str
    updated: str
    turns: tuple[Turn, ...] = ()


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------------------- from an answer


def turn_of(answer: Answer, searched: str, asked: str) -> Turn:
    """The saved form of an answer: its quotes and the passages they come from (for a
    decline, the closest passages it lists), with document offsets."""
    if answer.abstained:
        hits = [(i, h) for i, h in enumerate(closest_hits(answer), start=1)]
    else:
        hits = [(c.n, c.hit) for c in answer.citations]
    sources = tuple(
        SavedSource(
            n, h.passage.source, h.passage.section, h.passage.start, h.passage.end, h.passage.page
        )
        for n, h in hits
    )
    quotes = tuple(SavedQuote(q.citation, q.text, q.start, q.end) for q in answer.quotes)
    return Turn(
        question=answer.question,
        searched=searched,
        answer=answer.text,
        abstained=answer.abstained,
        reason=answer.reason if answer.abstained else "",
        note=reading_note(answer.signals.read_as),
        quotes=() if answer.abstained else quotes,
        sources=sources,
        asked=asked,
    )


# ---------------------------------------------------------------------------- the list


def new_conversation(conversation_id: str, question: str, when: str) -> Conversation:
    title = " ".join(question.split())
    if len(title) > TITLE_CHARS:
        title = title[: TITLE_CHARS - 1].rstrip() + "…"
    return Conversation(conversation_id, title, when, when)


def add_turn(store: Sequence[Conversation], conversation_id: str, turn: Turn) -> list[Conversation]:
    """The list with ``turn`` appended to its conversation (started when new), that
    conversation first, and everything trimmed to the bounds."""
    old = next((c for c in store if c.id == conversation_id), None)
    if old is None:
        old = new_conversation(conversation_id, turn.question, turn.asked or now_iso())
    turns = fit_turns((*old.turns, turn))
    updated = replace(old, turns=turns, updated=turn.asked or old.updated)
    return trim([updated, *(c for c in store if c.id != conversation_id)])


def fit_turns(turns: Sequence[Turn]) -> tuple[Turn, ...]:
    """The newest turns within MAX_TURNS and MAX_CONVERSATION_CHARS (the last one always)."""
    kept = list(turns[-MAX_TURNS:])
    while len(kept) > 1 and sum(json_size(asdict(t)) for t in kept) > MAX_CONVERSATION_CHARS:
        kept.pop(0)
    return tuple(kept)


def trim(store: Sequence[Conversation]) -> list[Conversation]:
    """At most MAX_CONVERSATIONS, together within MAX_STORE_CHARS: the first (newest) kept."""
    kept: list[Conversation] = []
    size = 0
    for c in store[:MAX_CONVERSATIONS]:
        size += json_size(asdict(c))
        if kept and size > MAX_STORE_CHARS:
            break
        kept.append(c)
    return kept


def delete(store: Sequence[Conversation], conversation_id: str) -> list[Conversation]:
    return [c for c in store if c.id != conversation_id]


def find(store: Sequence[Conversation], conversation_id: str | None) -> Conversation | None:
    return next((c for c in store if c.id == conversation_id), None)


def choices(store: Sequence[Conversation]) -> list[tuple[str, str]]:
    """(label, id) pairs for the side panel: the title and the day of the last question.

    Example: choices([Conversation("c1", "Pledge loans?", "…", "2026-12-04T23:40:00Z")])
             -> [('Pledge loans? · 2026-12-04', 'c1')]
    """
    return [(f"{c.title} · {c.updated[:10]}", c.id) for c in store]


def json_size(value: Any) -> int:
    import json

    return len(json.dumps(value, ensure_ascii=False))


# ---------------------------------------------------------------------------- storage


def to_store(store: Sequence[Conversation]) -> dict:
    """The JSON the browser keeps."""
    return {"version": VERSION, "conversations": [asdict(c) for c in store]}


def read_store(value: Any) -> list[Conversation]:
    """The conversations of what the browser sent back; anything malformed is left out
    (the value comes from outside: an old version, a hand-edited storage, an API client)."""
    if not isinstance(value, dict) or value.get("version") != VERSION:
        return []
    raw = value.get("conversations")
    out: list[Conversation] = []
    for item in raw if isinstance(raw, list) else []:
        conversation = _conversation(item)
        if conversation is not None and find(out, conversation.id) is None:
            out.append(conversation)
    return trim(out)


def _conversation(item: Any) -> Conversation | None:
    try:
        turns = tuple(_turn(t) for t in item["turns"])
        c = Conversation(
            _text(item["id"]),
            _text(item["title"]),
            _text(item["created"]),
            _text(item["updated"]),
            fit_turns(turns),
        )
    except (AttributeError, KeyError, TypeError, ValueError):
        return None
    return c if c.id and c.turns else None


def _turn(item: dict) -> Turn:
    return Turn(
        question=_text(item["question"]),
        searched=_text(item["searched"]),
        answer=_text(item["answer"]),
        abstained=item["abstained"] is True,
        reason=_text(item.get("reason", "")),
        note=_text(item.get("note", "")),
        quotes=tuple(
            SavedQuote(_int(q["n"]), _text(q["text"]), _int(q["start"]), _int(q["end"]))
            for q in item.get("quotes", ())
        ),
        sources=tuple(
            SavedSource(
                _int(s["n"]),
                _text(s["source"]),
                _text(s["section"]),
                _int(s["start"]),
                _int(s["end"]),
                None if s.get("page") is None else _int(s["page"]),
            )
            for s in item.get("sources", ())
        ),
        asked=_text(item.get("asked", "")),
    )


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {type(value).__name__}")
    return value


def _int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"expected a non-negative integer, got {value!r}")
    return value


# ---------------------------------------------------------------------------- showing it


def chat_messages(conversation: Conversation) -> list[dict]:
    """The chatbot's messages for a reopened conversation, every saved text escaped
    (it comes back from the browser's storage)."""
    messages: list[dict] = []
    for t in conversation.turns:
        messages.append({"role": "user", "content": md_escape(t.question)})
        messages.append({"role": "assistant", "content": turn_markdown(t)})
    return messages


def turn_markdown(t: Turn) -> str:
    """A saved answer as the chat shows it (the same layout as qa.web.markdown.answer_markdown)."""
    lines = (
        [f"_Follow-up, searched as: “{md_escape(t.searched)}”_", ""]
        if (t.searched != t.question)
        else []
    )
    if t.note:
        lines += [f"_{md_escape(t.note)}_", ""]
    if t.abstained:
        lines += [md_escape(t.answer), "", f"_Why: {md_escape(t.reason)}._", ""]
        lines += ["The closest passages:", ""]
        for s in t.sources:
            title = section_parts(s.section)[-1:] or [s.source]
            lines.append(f"- {cite_link(s.n)} {md_escape(title[0])}")
    elif t.quotes:
        lines.append(" ".join(f"{md_escape(q.text)} {cite_link(q.n)}" for q in t.quotes))
    else:
        lines.append(md_escape(t.answer))
    return "\n".join(lines)


def to_markdown(conversation: Conversation) -> str:
    """The conversation as a Markdown file: each answer with its sources (document, section,
    start-end offsets, page) and each quote with its own offsets, so that
    ``document_text[start:end]`` can be checked against the quoted text later."""
    out = [
        f"# {conversation.title}",
        "",
        f"Saved from planqa · started {conversation.created} · last question "
        f"{conversation.updated} (UTC).",
        "Every quote is the exact text at characters [start, end) of its source document "
        "(Python `text[start:end]`): of the file itself for .txt and .md, of its converted "
        "text (the index's documents.jsonl) for every other format (PDF, Word, PowerPoint, "
        "spreadsheets, CSV, HTML, e-mails, e-books).",
    ]
    for i, t in enumerate(conversation.turns, start=1):
        out += ["", f"## {i}. {t.question}", ""]
        if t.searched != t.question:
            out += [f"Searched as: “{t.searched}”", ""]
        if t.note:
            out += [f"_{t.note}_", ""]
        out.append(t.answer)
        if t.abstained:
            out += ["", f"Declined: {t.reason}.", "", "Closest passages:", ""]
        else:
            out += ["", "Sources:", ""]
        for s in t.sources:
            section = " › ".join(section_parts(s.section)) or "(no heading)"
            page = f", {page_place(s.source, s.page)}" if s.page is not None else ""
            out.append(
                f"- [{s.n}] {s.source} · {section} · passage characters {s.start}-{s.end}{page}"
            )
            for q in (q for q in t.quotes if q.n == s.n):
                out.append(f"  - characters {q.start}-{q.end}:")
                out.append("    > " + q.text.replace("\n", "\n    > "))
    return "\n".join(out).rstrip() + "\n"


def file_name(conversation: Conversation) -> str:
    """A safe file name for the export: the title's words and the conversation's date.

    Example: file_name(Conversation("c1", "What is it?", "2026-12-04T23:40:00Z", "…"))
             -> 'planqa-2026-12-04-what-is-it.md'
    """
    import re

    words = re.findall(r"[^\W_]+", conversation.title.lower())[:8]
    slug = "-".join(words)[:60].strip("-") or "conversation"
    day = re.sub(r"[^0-9-]", "", conversation.created[:10]) or "undated"
    return f"planqa-{day}-{slug}.md"
