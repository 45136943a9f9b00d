"""The chat's "Ask within" choice: which documents of a library a question is asked in."""

from __future__ import annotations

import gradio as gr

from qa.web.shared import get_assistant

MAX_CHOSEN = 50  # documents in "Ask within" (qa.retrieval.scope takes as many patterns)


def chosen_documents(documents, label: str = "Ask within") -> list[str]:
    """The "Ask within" (or "Search within") choice as sent by a browser or an API call: a list
    of at most MAX_CHOSEN names (each checked against the index by the retriever)."""
    if documents is None or documents == "":
        return []
    if isinstance(documents, str):
        documents = [documents]
    if not isinstance(documents, list) or not all(isinstance(d, str) for d in documents):
        raise gr.Error(f"{label}: choose documents from the list")
    if len(documents) > MAX_CHOSEN:
        raise gr.Error(f"{label}: at most {MAX_CHOSEN} documents; clear it to use all of them")
    return [d[:500] for d in documents]


def within_choices() -> dict:
    """The "Ask within" and "Search within" list: every document of the index, shown when
    there are several."""
    sources = [d.source for d in get_assistant().documents]
    return gr.update(choices=sources, value=[], visible=len(sources) > 1)
