"""Votes on a reopened saved conversation are recorded with the right question and passages;
an answer whose document changed since is refused with a message saying so."""

from __future__ import annotations

import gradio as gr
import pytest

import qa.web.conversations as conv
import qa.web.saved_chats as saved
from qa.web import corpus_tab, handlers
from qa.web.feedback import read_feedback
from qa.web.markdown import NOT_IN_DOCUMENTS
from qa.web.reopened import CHANGED

pytestmark = pytest.mark.usefixtures("restore_app_state")

GRAIN = "Where is the grain stored?"  # answered from alpha.txt
LICENCE = "Who checks every licence?"  # answered from beta.md


def ask_and_reopen(questions: list[str]) -> tuple[dict, dict]:
    """Ask ``questions`` in one chat, save each answer as the browser would, then reopen the
    conversation in a new session: (reopened state, stored)."""
    history, state, stored = [], None, None
    for q in questions:
        history, _, _, state = handlers.handle_ask(q, history, 5, 0.35, 3, state)
        state, stored, *_ = saved.handle_save_turn(state, stored)
    _, _, _, reopened, *_ = saved.handle_open_saved(state["conversation"], stored)
    return reopened, stored


def test_votes_on_a_reopened_answer_are_recorded(tiny_app, tmp_path):
    reopened, _ = ask_and_reopen([GRAIN, LICENCE])
    assert reopened["turns"] == {}  # nothing of the live session: a new one
    # thumbs up on the second answer (message 3): its question, quote and passage
    state, choices = handlers.record_vote(reopened, 3, True)
    assert choices is None
    up = read_feedback(tmp_path / "feedback.jsonl")[-1]
    assert (up["question"], up["vote"], up["answerable"]) == (LICENCE, "up", True)
    assert up["answer"] == "The harbour master checks every licence."
    assert any("The harbour master checks every licence." in e for e in up["evidence"])
    # thumbs down on the first answer: pick its cited passage
    state, choices = handlers.record_vote(state, 1, False)
    assert choices[0] == NOT_IN_DOCUMENTS and choices[1].startswith("[1] ")
    state, status = handlers.submit_feedback(choices[1], "", state)
    down = read_feedback(tmp_path / "feedback.jsonl")[-1]
    assert (down["question"], down["vote"]) == (GRAIN, "down")
    assert len(down["evidence"]) == 1 and "Store the grain in dry barns." in down["evidence"][0]
    assert status.startswith("Saved")


def test_a_reopened_answer_whose_document_changed_says_so(tiny_app, tmp_path):
    reopened, stored = ask_and_reopen([GRAIN, LICENCE])
    corpus_tab.replace_document(
        "alpha.txt", b"Farming notes\n\nBarley is sown in autumn and cut in June.\n"
    )
    with pytest.raises(gr.Error) as refused:
        handlers.record_vote(reopened, 1, True)  # the grain answer quoted the old alpha.txt
    assert refused.value.message == CHANGED
    handlers.record_vote(reopened, 3, True)  # beta.md did not change: still votable
    assert [r["question"] for r in read_feedback(tmp_path / "feedback.jsonl")] == [LICENCE]


def test_a_tampered_saved_quote_is_not_recorded(tiny_app, tmp_path):
    _, stored = ask_and_reopen([LICENCE])
    store = conv.to_store(conv.read_store(stored))
    quote = store["conversations"][0]["turns"][0]["quotes"][0]
    quote["text"] = quote["text"].replace("harbour master", "mayor")
    cid = store["conversations"][0]["id"]
    _, _, _, reopened, *_ = saved.handle_open_saved(cid, store)
    with pytest.raises(gr.Error):
        handlers.record_vote(reopened, 1, True)
    assert read_feedback(tmp_path / "feedback.jsonl") == []
