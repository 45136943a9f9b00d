"""The Search tab: ranked passages for words or a question, within some documents if chosen,
grouped by document when several answer."""

from __future__ import annotations

import gradio as gr

import qa.web.views as views
from qa.errors import QAError
from qa.query.acronyms import reading_note
from qa.web.shared import MAX_K, bounded, get_assistant, user_error
from qa.web.within import chosen_documents


def handle_search(query: str, k: int, documents=None) -> str:
    """Ranked passages (no answer) with the query's terms marked; ``documents``: the sources
    chosen in "Search within" (none: every document)."""
    assistant = get_assistant()
    k = int(bounded("number of passages", k, 1, MAX_K, integer=True))
    chosen = chosen_documents(documents, "Search within")
    try:
        retrieval = assistant.retrieve(query, k=k, documents=chosen or None)
    except QAError as e:
        raise user_error(e) from None
    signals = retrieval.signals
    # the words asked for, and those the query was read as ("SMEs" marks "small", ...)
    terms = assistant.retriever.query_terms(" ".join([query, *signals.words_read_as]))
    note = reading_note(signals.read_as)
    return views.search_html(query.strip(), retrieval.hits, terms, note, chosen)


def handle_search_ui(query: str, k: int, documents=None) -> tuple:
    """The Search tab's event: (results html, status); a refused query only fills the status."""
    try:
        return handle_search(query, k, documents), ""
    except gr.Error as e:
        return gr.update(), f"⚠ {e.message}"
