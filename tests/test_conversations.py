"""Saved conversations (qa.web.conversations): an answer's saved form, the bounded list, what
comes back from the browser, and the Markdown export whose offsets slice back to the quotes."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, replace
from pathlib import Path

import pytest

import qa.web.conversations as conv
from qa.web.conversations import Conversation, Turn
from tests.fakes import TEXT, keyword_ask

WHEN = "2026-12-04T23:40:00Z"


def answered() -> Turn:
    return conv.turn_of(keyword_ask("Which office funds pilot projects?", 3), "q", WHEN)


def declined() -> Turn:
    return conv.turn_of(keyword_ask("What is the capital of France?", 3), "q", WHEN)


def a_conversation(turns: int = 1, cid: str = "c1") -> Conversation:
    store: list[Conversation] = []
    for i in range(turns):
        store = conv.add_turn(store, cid, replace(answered(), question=f"question {i}?"))
    return store[0]


# ---------------------------------------------------------------------------- turn_of


def test_an_answer_keeps_its_quotes_with_document_offsets():
    t = answered()
    assert not t.abstained and t.quotes and t.sources
    for q in t.quotes:
        assert TEXT[q.start : q.end] == q.text
    s = t.sources[0]
    assert (s.n, s.source, s.section) == (1, "plan.txt", "Funding")
    assert TEXT[s.start : s.end] == "The office funds pilot projects in key regions."


def test_a_decline_keeps_its_reason_and_closest_passages_without_quotes():
    t = declined()
    assert t.abstained and t.reason.startswith("the question shares fewer")
    assert t.quotes == ()
    assert [s.n for s in t.sources] == list(range(1, len(t.sources) + 1))


# ---------------------------------------------------------------------------- the list


def test_add_turn_puts_the_conversation_first_and_titles_it_by_its_first_question():
    store = conv.add_turn([], "a", replace(answered(), question="first of a?"))
    store = conv.add_turn(store, "b", replace(answered(), question="first of b?"))
    store = conv.add_turn(store, "a", replace(answered(), question="second of a?"))
    assert [c.id for c in store] == ["a", "b"]
    assert store[0].title == "first of a?"
    assert [t.question for t in store[0].turns] == ["first of a?", "second of a?"]
    assert conv.choices(store)[0] == ("first of a? · 2026-12-04", "a")


def test_a_long_first_question_is_cut_in_the_title_only():
    long = "word " * 40
    store = conv.add_turn([], "a", replace(answered(), question=long))
    assert len(store[0].title) == conv.TITLE_CHARS and store[0].title.endswith("…")
    assert store[0].turns[0].question == long


def test_at_most_max_conversations_the_oldest_go_first():
    store: list[Conversation] = []
    for i in range(conv.MAX_CONVERSATIONS + 5):
        store = conv.add_turn(store, f"c{i}", answered())
    assert len(store) == conv.MAX_CONVERSATIONS
    assert store[0].id == f"c{conv.MAX_CONVERSATIONS + 4}"
    assert "c0" not in {c.id for c in store}


def test_a_conversation_keeps_its_newest_turns_within_its_bounds():
    c = a_conversation(conv.MAX_TURNS + 3)
    assert len(c.turns) == conv.MAX_TURNS
    assert c.turns[-1].question == f"question {conv.MAX_TURNS + 2}?"
    big = replace(answered(), answer="x" * (conv.MAX_CONVERSATION_CHARS // 3))
    store: list[Conversation] = []
    for _ in range(5):
        store = conv.add_turn(store, "a", big)
    assert len(store[0].turns) == 2
    assert conv.json_size(asdict(store[0])) <= conv.MAX_CONVERSATION_CHARS + 1000


def test_all_conversations_together_stay_within_the_store_bound():
    big = replace(answered(), answer="y" * (conv.MAX_CONVERSATION_CHARS - 2000))
    store: list[Conversation] = []
    for i in range(30):
        store = conv.add_turn(store, f"c{i}", big)
    assert conv.json_size(conv.to_store(store)) <= conv.MAX_STORE_CHARS + 1000
    assert 5 <= len(store) < 30
    assert store[0].id == "c29"


def test_delete_and_find():
    store = conv.add_turn(conv.add_turn([], "a", answered()), "b", answered())
    assert conv.find(store, "a") is not None
    store = conv.delete(store, "a")
    assert conv.find(store, "a") is None and [c.id for c in store] == ["b"]


# ---------------------------------------------------------------------------- storage


def test_the_store_round_trips_through_json():
    store = conv.add_turn(conv.add_turn([], "a", answered()), "b", declined())
    value = json.loads(json.dumps(conv.to_store(store)))
    assert conv.read_store(value) == store


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "text",
        [],
        {},
        {"version": 99, "conversations": []},
        {"version": 1},
        {"version": 1, "conversations": "x"},
    ],
)
def test_anything_but_a_store_reads_as_no_conversations(value):
    assert conv.read_store(value) == []


def test_malformed_entries_are_dropped_the_good_ones_kept():
    good = conv.to_store([a_conversation(cid="good")])["conversations"][0]
    bad_offset = json.loads(json.dumps(good))
    bad_offset["id"] = "neg"
    bad_offset["turns"][0]["quotes"][0]["start"] = -5
    no_turns = {**good, "id": "empty", "turns": []}
    value = {"version": 1, "conversations": [good, bad_offset, no_turns, 7, {"id": 3}, good]}
    assert [c.id for c in conv.read_store(value)] == ["good"]


# ---------------------------------------------------------------------------- showing it


def test_reopened_messages_escape_saved_text():
    t = replace(answered(), question="<img src=x onerror=alert(1)> *bold*?")
    messages = conv.chat_messages(conv.add_turn([], "a", t)[0])
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert "<img" not in messages[0]["content"] and "\\*bold\\*" in messages[0]["content"]
    assert "[\\[1\\]](#src-1)" in messages[1]["content"]


def test_a_reopened_followup_says_what_was_searched():
    t = replace(answered(), question="and grants?", searched="Which office? and grants?")
    text = conv.turn_markdown(t)
    assert text.startswith("_Follow-up, searched as: “Which office? and grants?”_")


def test_markdown_export_offsets_slice_back_to_every_quote():
    store = conv.add_turn([], "a", replace(answered(), question="Which office funds pilots?"))
    store = conv.add_turn(store, "a", replace(declined(), question="And France?"))
    md = conv.to_markdown(store[0])
    assert md.startswith("# Which office funds pilots?\n")
    assert "## 1. Which office funds pilots?" in md and "## 2. And France?" in md
    assert "- [1] plan.txt · Funding · passage characters " in md
    assert "Declined: the question shares fewer than 2 words" in md
    quotes = re.findall(r"  - characters (\d+)-(\d+):\n    > (.*)\n", md)
    assert quotes, md
    for start, end, text in quotes:
        assert TEXT[int(start) : int(end)] == text
    ranges = re.findall(r"· passage characters (\d+)-(\d+)", md)
    assert all(TEXT[int(a) : int(b)].strip() for a, b in ranges)


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("What is it?", "planqa-2026-12-04-what-is-it.md"),
        ("../../etc/passwd", "planqa-2026-12-04-etc-passwd.md"),
        ("???", "planqa-2026-12-04-conversation.md"),
        ("知识产权质押融资", "planqa-2026-12-04-知识产权质押融资.md"),
    ],
)
def test_export_file_names_are_safe(title, name):
    c = Conversation("c1", title, WHEN, WHEN)
    assert conv.file_name(c) == name


# ---------------------------------------------------------------------------- the panel's handlers


def test_panel_handlers_save_reopen_and_delete():
    import qa.web.saved_chats as saved

    state = {"questions": ["Which office funds pilot projects?"], "unsaved": answered()}
    state, stored, listing, export, status = saved.handle_save_turn(state, None)
    cid = state["conversation"]
    assert state["unsaved"] is None and cid.startswith("c-")
    assert [c.id for c in conv.read_store(stored)] == [cid]
    assert listing["value"] == cid and export["interactive"] is True
    assert "(1 answer)" in status
    exported = Path(export["value"])
    assert exported.suffix == ".md" and "characters" in exported.read_text("utf-8")
    # nothing waiting (a refused question): nothing changes
    assert all(u == {"__type__": "update"} for u in saved.handle_save_turn(state, stored))
    # a second answer joins the same conversation
    state = {**state, "unsaved": declined()}
    state, stored, *_, status = saved.handle_save_turn(state, stored)
    assert len(conv.read_store(stored)[0].turns) == 2 and "(2 answers)" in status
    # reopening shows both turns, and follow-ups continue from its questions
    chat, sources, _, reopened, _, export, _ = saved.handle_open_saved(cid, stored)
    assert len(chat) == 4 and reopened["conversation"] == cid
    assert reopened["questions"] == [t.question for t in conv.read_store(stored)[0].turns]
    assert 'id="src-1"' in sources and "Saved: the closest passages" in sources
    # deleting the open conversation clears the chat; an unknown one is a message
    stored2, listing, _, status, chat, *_ = saved.handle_delete_saved(cid, stored, reopened)
    assert conv.read_store(stored2) == [] and chat == [] and status.startswith("Deleted")
    assert saved.handle_delete_saved("c-gone", stored, reopened)[3] == saved.NO_CONVERSATION
    assert saved.handle_open_saved("c-gone", stored)[-1].startswith("That conversation")
