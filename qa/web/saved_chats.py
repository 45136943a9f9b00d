"""The side panel of saved conversations: the browser keeps them (``gr.BrowserState``), the
panel lists them, reopens one, deletes one, starts a new one and exports one as Markdown.

The stored JSON and what is done with it are qa.web.conversations' (pure); this module turns
those into component updates and is wired by ``add_saved_panel``. Nothing is kept on the
server: each browser sends its own list with the event that needs it.
"""

from __future__ import annotations

import secrets
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import gradio as gr

import qa.web.conversations as conversations
import qa.web.views as views
from qa.ingest.formats import page_place
from qa.web.conversations import Conversation, SavedSource, Turn
from qa.web.markdown import section_parts
from qa.web.reopened import saved_answers
from qa.web.templating import render

STORAGE_KEY = "planqa-conversations"
# The browser encrypts the list with this key before writing localStorage. The page sends the
# key to the browser, so it hides nothing from the user; a fixed one keeps the conversations
# readable after the app restarts (gradio's default is a new random key at every start).
STORAGE_KEY_SECRET = "planqa-saved-conversations-v1"  # nosec B105
NO_CONVERSATION = "Choose a saved conversation first."
# runs in the browser as a conversation is reopened: on a phone the open panel covers the
# whole page, so it closes to show the conversation (the inputs pass through unchanged)
CLOSE_ON_PHONES = (
    "(chosen, stored) => { if (window.innerWidth <= 768) "
    "document.querySelector('#saved-panel.open .toggle-button')?.click(); "
    "return [chosen, stored]; }"
)


def new_conversation_id() -> str:
    return "c-" + secrets.token_hex(8)


# ---------------------------------------------------------------------------- views


def saved_sources_html(turn: Turn) -> str:
    """The sources panel of a reopened conversation: its last answer's sources, as saved."""
    rows = [
        {
            "n": s.n,
            "crumbs": section_parts(s.section),
            "where": where(s),
            "quotes": [q for q in turn.quotes if q.n == s.n],
        }
        for s in turn.sources
    ]
    head = "Saved: the closest passages" if turn.abstained else f"Saved sources ({len(rows)})"
    return render("saved_sources.html", head=head, sources=rows)


def where(s: SavedSource) -> str:
    page = f" · {page_place(s.source, s.page)}" if s.page is not None else ""
    return f"{s.source}:{s.start}-{s.end}{page}"


@lru_cache(maxsize=1)
def export_folder() -> Path:
    """One folder per process for the Markdown exports (gradio serves them from there)."""
    return Path(tempfile.mkdtemp(prefix="planqa-conversations-"))


def export_file(conversation: Conversation) -> str:
    """The conversation written as Markdown, in a folder of its own (its id), for download."""
    folder = export_folder() / conversation.id
    folder.mkdir(exist_ok=True)
    for old in folder.glob("*.md"):  # a renamed title leaves no stale copy behind
        old.unlink()
    path = folder / conversations.file_name(conversation)
    path.write_text(conversations.to_markdown(conversation), encoding="utf-8")
    return str(path)


def listing(store: list[Conversation], selected: str | None) -> dict:
    """The side panel's list, ``selected`` marked when it is still saved."""
    value = selected if conversations.find(store, selected) else None
    return gr.update(choices=conversations.choices(store), value=value)


def export_button(conversation: Conversation | None) -> dict:
    if conversation is None:
        return gr.update(value=None, interactive=False)
    return gr.update(value=export_file(conversation), interactive=True)


def cleared_chat() -> tuple:
    """What a new conversation shows: (chatbot, sources, copy box, state, feedback panel)."""
    from qa.web.handlers import new_session

    return [], views.empty_sources_html(), "", new_session(), gr.update(visible=False)


# ---------------------------------------------------------------------------- handlers


def handle_saved_load(stored: Any) -> dict:
    """Page load: the list of this browser's saved conversations, none selected."""
    return listing(conversations.read_store(stored), None)


def handle_save_turn(state: dict | None, stored: Any) -> tuple:
    """After an answer: add it to the open conversation (a new one after Clear) and save.
    Returns (state, stored, list, export button, status); nothing changes when no answer is
    waiting."""
    turn = (state or {}).get("unsaved")
    if not isinstance(turn, Turn):
        return gr.update(), gr.update(), gr.update(), gr.update(), gr.update()
    conversation_id = state.get("conversation") or new_conversation_id()
    store = conversations.add_turn(conversations.read_store(stored), conversation_id, turn)
    state = {**state, "unsaved": None, "conversation": conversation_id}
    opened = conversations.find(store, conversation_id)
    n = len(opened.turns)
    status = f"Saved in this browser: “{opened.title}” ({n} answer{'s' if n != 1 else ''})."
    return (
        state,
        conversations.to_store(store),
        listing(store, conversation_id),
        export_button(opened),
        status,
    )


def handle_open_saved(conversation_id: str | None, stored: Any) -> tuple:
    """A saved conversation was clicked: show it, and let follow-ups continue it.
    Returns (chatbot, sources, copy box, state, feedback panel, export button, status)."""
    from qa.web.handlers import new_session

    opened = conversations.find(conversations.read_store(stored), conversation_id)
    if opened is None:
        return (*[gr.update()] * 6, "That conversation is no longer saved in this browser.")
    state = {
        **new_session(),
        "questions": [t.question for t in opened.turns],
        "conversation": opened.id,
        "saved": saved_answers(opened),  # its answers take votes (qa.web.reopened)
    }
    return (
        conversations.chat_messages(opened),
        saved_sources_html(opened.turns[-1]),
        "",
        state,
        gr.update(visible=False),
        export_button(opened),
        "",
    )


def handle_new_conversation() -> tuple:
    """(chatbot, sources, copy box, state, feedback panel, list selection, export, status)."""
    return (*cleared_chat(), gr.update(value=None), export_button(None), "")


def handle_chat_cleared() -> tuple:
    """(list selection, export, status) once Clear started a new conversation."""
    return gr.update(value=None), export_button(None), ""


def handle_delete_saved(conversation_id: str | None, stored: Any, state: dict | None) -> tuple:
    """Delete the chosen conversation from this browser; when it is the open one, the chat is
    cleared too. Returns (stored, list, export, status, chatbot, sources, copy box, state,
    feedback panel)."""
    store = conversations.read_store(stored)
    doomed = conversations.find(store, conversation_id)
    if doomed is None:
        return (gr.update(), gr.update(), gr.update(), NO_CONVERSATION, *[gr.update()] * 5)
    store = conversations.delete(store, doomed.id)
    is_open = (state or {}).get("conversation") == doomed.id
    chat = cleared_chat() if is_open else (gr.update(),) * 5
    status = f"Deleted “{doomed.title}”."
    return (conversations.to_store(store), listing(store, None), export_button(None), status, *chat)


# ---------------------------------------------------------------------------- the panel


@dataclass(frozen=True)
class SavedPanel:
    """The panel's components the chat's events need: ``save_after`` chains saving."""

    stored: Any  # gr.BrowserState
    saved_list: Any  # gr.Radio
    export_btn: Any  # gr.DownloadButton
    status: Any  # gr.Markdown
    state: Any  # the chat's gr.State

    def forget_selection(self, event: Any) -> Any:
        """After the chat is cleared: no saved conversation is open any more."""
        return event.then(
            handle_chat_cleared,
            None,
            [self.saved_list, self.export_btn, self.status],
            api_visibility="private",
        )

    def save_after(self, event: Any) -> Any:
        """Save the answer an ask event has just given (a refused question saves nothing)."""
        return event.then(
            handle_save_turn,
            [self.state, self.stored],
            [self.state, self.stored, self.saved_list, self.export_btn, self.status],
            api_visibility="private",
        )


def add_saved_panel(demo, chatbot, sources, copy_box, state, feedback_panel) -> SavedPanel:
    """The sidebar of saved conversations, wired to the chat's components (call inside
    ``demo``'s Blocks context)."""
    stored = gr.BrowserState(
        conversations.to_store([]), storage_key=STORAGE_KEY, secret=STORAGE_KEY_SECRET
    )
    with gr.Sidebar(label="Saved conversations", open=False, elem_id="saved-panel"):
        gr.Markdown(
            "### Saved conversations\n"
            f"Kept in this browser only (at most {conversations.MAX_CONVERSATIONS}; the oldest "
            "go first). Click one to reopen it; export it with its exact quotes and offsets.",
            elem_id="saved-help",
        )
        new_btn = gr.Button("New conversation", size="sm", elem_id="new-chat")
        saved_list = gr.Radio(
            choices=[], label="Saved conversations", show_label=False, elem_id="saved-list"
        )
        with gr.Row():
            export_btn = gr.DownloadButton(
                "Export as Markdown", size="sm", interactive=False, elem_id="export-chat"
            )
            delete_btn = gr.Button("Delete", size="sm", variant="stop", elem_id="delete-chat")
        status = gr.Markdown(elem_id="saved-status")
    chat = [chatbot, sources, copy_box, state, feedback_panel]
    saved_list.input(
        handle_open_saved,
        [saved_list, stored],
        [*chat, export_btn, status],
        api_name="reopen",
        js=CLOSE_ON_PHONES,
    )
    new_btn.click(
        handle_new_conversation,
        None,
        [*chat, saved_list, export_btn, status],
        api_name="new_conversation",
    )
    delete_btn.click(
        handle_delete_saved,
        [saved_list, stored, state],
        [stored, saved_list, export_btn, status, *chat],
        api_name="delete_conversation",
    )
    demo.load(handle_saved_load, stored, saved_list, api_visibility="private")
    return SavedPanel(stored, saved_list, export_btn, status, state)
