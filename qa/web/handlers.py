"""The web app's handlers: one module-level function per event, called directly by tests.

Each checks its input, asks the library (qa.assistant) and returns what the components show,
built by qa.web.views / qa.web.reader (HTML) and qa.web.markdown (chat). Bad input raises
``gr.Error`` with a message, never a traceback. qa.web.layout wires them to the page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import gradio as gr

import qa.web.conversations as conversations
import qa.web.markdown as markdown
import qa.web.views as views
from qa.assistant import Assistant, validate_question
from qa.errors import QAError
from qa.query.followup import rewrite_followup
from qa.types import Answer
from qa.web.api_sessions import API_SESSIONS
from qa.web.conversations import Turn
from qa.web.corpus_tab import add_document as add_document  # re-exported for callers
from qa.web.corpus_tab import corpus_info, page_header
from qa.web.corpus_tab import handle_upload as handle_upload  # re-exported for callers
from qa.web.feedback import FeedbackFullError, append_feedback, feedback_record
from qa.web.limits import DOWNLOADS, EVALUATIONS, check_eval_rows
from qa.web.reader import document_html, passage_span
from qa.web.reopened import vote_turn
from qa.web.search import handle_search as handle_search  # re-exported for callers
from qa.web.search import handle_search_ui as handle_search_ui  # re-exported for callers
from qa.web.shared import (
    MAX_K,
    Shared,
    bounded,
    count_question,
    fail,
    get_assistant,
    user_error,
)
from qa.web.within import chosen_documents

# ---------------------------------------------------------------------------- chat


def new_session() -> dict:
    """Per-session chat state: earlier questions (for follow-ups) and each answer's data."""
    return {"questions": [], "turns": {}, "pending": None}


def answer_question(
    question: str,
    history: list[str],
    k: int,
    threshold: float,
    max_sentences: int,
    documents: list[str] | None = None,
) -> tuple[str, Answer]:
    """Rewrite a follow-up, then ask with this request's settings, within ``documents`` when
    some are chosen. Returns (query, Answer)."""
    assistant = get_assistant()
    settings = assistant.settings
    question = validate_question(question, settings.max_question_chars)
    query = rewrite_followup(question, history, settings.max_question_chars)
    request = replace(
        settings,
        answer=replace(settings.answer, max_sentences=int(max_sentences)),
        retrieval=replace(settings.retrieval, min_score=float(threshold)),
    )
    # same index and encoders, this request's thresholds: nothing shared is modified
    answer = Assistant(assistant.index, assistant.retriever, request).ask(
        query, k=int(k), documents=documents or None
    )
    answer = replace(answer, question=question)
    if query != question and not answer.abstained:
        answer = followup_check(answer, query[: -len(question)], assistant)
    return query, answer


def followup_check(answer: Answer, base: str, assistant: Assistant) -> Answer:
    """A follow-up was searched together with its base question; if no quoted sentence
    mentions a topic word the follow-up added ("trademarks"), the base question's answer was
    found again: decline, saying which words the documents did not cover there."""
    from qa.ingest.words import content_words

    earlier = set(content_words(base))
    added = [w for w in content_words(answer.question) if w.isascii() and w not in earlier]
    if not added:
        return answer
    stems = assistant.retriever.query_terms(" ".join(added))
    quoted = " ".join(q.text for q in answer.quotes)
    if any(views.term_matches(w, stems) for w in re.findall(r"\w+", quoted)):
        return answer
    words = ", ".join(f"“{w}”" for w in added)
    the_docs = markdown.the_documents(assistant.documents)
    verb = "does" if len(assistant.documents) == 1 else "do"
    return replace(
        answer,
        abstained=True,
        text=f"{the_docs.capitalize()} {verb} not seem to cover this follow-up: the passages found "
        f"for it answer the previous question, and none of their quoted sentences mentions "
        f"{words}. The closest passages are listed below.",
        reason=f"no quoted sentence mentions {words}",
        quotes=(),
        citations=(),
    )


def handle_ask(
    message: str,
    history: list | None,
    k: int,
    threshold: float,
    max_sentences: int,
    state: dict | None = None,
    documents: list[str] | None = None,
    request: gr.Request | None = None,
) -> tuple[list, str, str, dict]:
    """Chat turn: (history, sources_html, copy_text, state). Invalid input, or a user past the
    questions limit, raises gr.Error. ``documents``: the sources chosen in "Ask within"."""
    history = list(history or [])
    if not history or not state:  # a cleared chat starts a new conversation: no follow-ups
        state = new_session()
    k = int(bounded("number of passages", k, 1, MAX_K, integer=True))
    threshold = bounded("abstention threshold", threshold, 0.0, 1.0)
    max_sentences = int(bounded("answer length", max_sentences, 1, 20, integer=True))
    count_question(request)
    try:
        query, answer = answer_question(
            message, state["questions"], k, threshold, max_sentences, chosen_documents(documents)
        )
    except QAError as e:
        raise user_error(e) from None
    assistant = get_assistant()
    history.append({"role": "user", "content": markdown.md_escape(answer.question)})
    searched = (
        f"_Follow-up, searched as: “{markdown.md_escape(query)}”_\n\n"
        if query != answer.question
        else ""
    )
    history.append({"role": "assistant", "content": searched + markdown.answer_markdown(answer)})
    shown = markdown.shown_hits(answer)
    turn = {
        "question": answer.question,
        "query": query,
        "abstained": answer.abstained,
        "reference": " ".join(q.text for q in answer.quotes),
        "cited": [c.hit.passage.text for c in answer.citations],
        "choices": [markdown.passage_choice(label, h) for label, h in shown],
        "texts": [h.passage.text for _, h in shown],
    }
    state = {
        **state,
        "questions": [*state["questions"], answer.question],
        "turns": {**state["turns"], str(len(history) - 1): turn},
        "pending": None,
        # picked up by qa.web.saved_chats, which saves it in the browser's conversations
        "unsaved": conversations.turn_of(answer, query, conversations.now_iso()),
    }
    config = assistant.settings.retrieval
    match = views.match_of(
        answer, threshold, config.min_e5_score, config.min_score_raise_without_e5
    )
    sources = views.sources_html(answer, assistant.documents, query, match)
    return history, sources, markdown.copy_text(answer), state


def handle_ask_ui(
    message,
    history,
    k,
    threshold,
    max_sentences,
    state=None,
    documents=None,
    request: gr.Request | None = None,
):
    """The chat's event: handle_ask, plus the question box and the status line beside it.

    A refused question (empty, too long, a bad setting) only fills the status line: the
    conversation, sources, copy box and the typed question stay on screen as they were.
    """
    try:
        history, sources, copy, state = handle_ask(
            message, history, k, threshold, max_sentences, state, documents, request
        )
    except gr.Error as e:
        return gr.update(), gr.update(), gr.update(), gr.update(), gr.update(), f"⚠ {e.message}"
    return history, sources, copy, state, "", ""


def handle_clear() -> tuple[list, str, str, dict, dict]:
    """New conversation: (history, sources_html, copy_text, state, feedback panel)."""
    return [], views.empty_sources_html(), "", new_session(), gr.update(visible=False)


def api_ask(question: str, k: int | None = None, request: gr.Request | None = None) -> dict:
    """API endpoint ``/ask``: one question, the Answer as JSON (same shape as ``qa ask --json``);
    the chat's questions limit counts these too."""
    try:
        assistant = get_assistant()
        k = int(bounded("k", k, 1, MAX_K, integer=True)) if k else assistant.settings.answer.k
        count_question(request)
        return assistant.ask(question, k=k).to_dict()
    except QAError as e:
        raise user_error(e) from None
    finally:  # gradio made a session state for this call: dropped once it is over
        API_SESSIONS.finished(request)


# ---------------------------------------------------------------------------- feedback


def record_vote(state: dict | None, index: int, liked: bool) -> tuple[dict, list[str] | None]:
    """Thumbs on the answer at chat ``index``. Up is saved at once; down returns the choices
    for "which passage should have been found" (saved by ``submit_feedback``)."""
    state = state or new_session()
    key = str(index)
    turn = state["turns"].get(key)
    saved = (state.get("saved") or {}).get(key)
    if turn is None and isinstance(saved, Turn):  # an answer of a reopened conversation
        try:
            turn = vote_turn(saved, get_assistant())
        except QAError as e:
            raise user_error(e) from None
        state = {**state, "turns": {**state["turns"], key: turn}}
    if turn is None:
        raise fail("that message is not an answer of this session; ask again")
    if liked:
        record = feedback_record(
            turn["question"],
            "up",
            evidence=turn["cited"],
            answerable=not turn["abstained"],
            reference=None if turn["abstained"] else turn["reference"],
        )
        _save_feedback(record)
        return {**state, "pending": None}, None
    return {**state, "pending": str(index)}, [markdown.NOT_IN_DOCUMENTS, *turn["choices"]]


def _save_feedback(record: dict) -> None:
    """Append a vote; a full disk or a read-only folder is said plainly, earlier votes kept."""
    try:
        append_feedback(Shared.feedback_path, record)
    except FeedbackFullError as e:
        raise user_error(e) from None
    except OSError as e:
        raise fail(
            f"could not save the feedback to {Shared.feedback_path} ({e.strerror or e}); "
            "earlier feedback is kept. Tell whoever runs the app"
        ) from None


def handle_vote(
    state: dict | None, history: list | None, evt: gr.LikeData
) -> tuple[dict, dict, dict, str, dict]:
    """Chatbot like/dislike: (state, feedback panel, passage dropdown, status, chatbot). A
    refused vote is a warning, and the thumb it lit goes dark again (the thumbs this session
    took stay lit)."""
    state = state or new_session()
    liked = evt.liked
    if liked not in (True, False, "Like", "Dislike"):  # a vote taken back: nothing to record
        return state, gr.update(), gr.update(), "", gr.update()
    index = evt.index[0] if isinstance(evt.index, list | tuple) else evt.index
    up = liked in (True, "Like")
    votes = state.get("votes") or {}
    try:
        state, choices = record_vote(state, int(index), up)
    except gr.Error as e:
        gr.Warning(e.message)
        shown = views.feedback_shown(history, votes)
        lit = gr.update(value=history, feedback_value=shown)  # the value again redraws them
        return state, gr.update(), gr.update(), "", lit
    state = {**state, "votes": {**votes, str(index): "Like" if up else "Dislike"}}
    if choices is None:
        gr.Info("Thanks: saved as a regression case.")
        return state, gr.update(visible=False), gr.update(), "Saved 👍", gr.update()
    return (
        state,
        gr.update(visible=True),
        gr.update(choices=choices, value=None),
        "Which passage should have been found?",
        gr.update(),
    )


def submit_feedback(choice: str | None, reference: str, state: dict | None) -> tuple[dict, str]:
    """Save the thumbs-down with the passage the user picked (or "not in the documents")."""
    state = state or new_session()
    pending = state.get("pending")
    turn = state["turns"].get(pending) if pending is not None else None
    if turn is None:
        raise fail("click thumbs-down on an answer first")
    if not choice:
        raise fail(f"pick a passage, or “{markdown.NOT_IN_DOCUMENTS}”")
    if choice == markdown.NOT_IN_DOCUMENTS:
        evidence, answerable = [], False
    elif choice in turn["choices"]:
        evidence, answerable = [turn["texts"][turn["choices"].index(choice)]], True
    else:
        raise fail(f"unknown choice {choice!r}; pick one of the list")
    if reference and len(reference) > get_assistant().settings.max_question_chars:
        raise fail("the reference answer is too long; shorten it")
    record = feedback_record(
        turn["question"], "down", evidence=evidence, answerable=answerable, reference=reference
    )
    _save_feedback(record)
    return {**state, "pending": None}, "Saved 👎 (replay with `qa eval feedback/feedback.jsonl`)"


def handle_submit_feedback(choice: str | None, reference: str, state: dict | None):
    state, status = submit_feedback(choice, reference, state)
    gr.Info("Thanks: saved as a regression case.")
    return state, gr.update(visible=False), status, ""


# ---------------------------------------------------------------------------- search + reader


def read_document(
    source: str | None, passage_id: int | None = None, parts: str = ""
) -> tuple[str, str]:
    """(source, html) of the reader: a document with its outline, one passage highlighted
    (or, for a merged hit, its ``parts`` "first-last", when they hold passage_id)."""
    assistant = get_assistant()
    docs = {d.source: d for d in assistant.documents}
    targets = None
    if passage_id is not None:
        if not 0 <= passage_id < len(assistant.passages):
            raise fail(f"no passage {passage_id}; search again")
        source = assistant.passages[passage_id].source
        targets = passage_span(parts, passage_id, len(assistant.passages))
    if source not in docs:
        source = assistant.documents[0].source
    return source, document_html(docs[source], assistant.passages, targets)


def handle_read(source: str | None) -> str:
    return read_document(source)[1]


def handle_open(evt: gr.SelectData) -> tuple[dict, dict, str]:
    """A "read in the document" link was clicked: (tabs, document dropdown, reader html)."""
    try:
        pid = int(evt.index if not isinstance(evt.index, list | tuple) else evt.index[0])
    except (TypeError, ValueError):
        raise fail(f"bad passage id {evt.index!r}") from None
    source, page = read_document(None, pid, str(evt.value or ""))
    return gr.Tabs(selected="read"), gr.update(value=source), page


# ---------------------------------------------------------------------------- evaluation


def evaluate_file(path: str | Path, k: int, progress: Callable | None = None):
    """Run an eval file exactly as ``qa eval`` does; returns (report, warnings, paths).

    One evaluation runs at a time (``BusyError`` at once for a second one), of at most
    ``MAX_EVAL_ROWS`` questions; its report folder is removed after a few newer ones.
    """
    with EVALUATIONS.enter():
        return _evaluate_file(Path(path), k, progress)


def _evaluate_file(path: Path, k: int, progress: Callable | None):
    from qa.evaluation.evalset import load_eval_file
    from qa.evaluation.evaluate import evaluate_assistant
    from qa.evaluation.report import write_reports

    assistant = get_assistant()
    try:
        items, warnings = load_eval_file(
            path, max_question_chars=assistant.settings.max_question_chars
        )
    except QAError as e:  # the message names the upload's temporary path: name the file
        raise type(e)(str(e).replace(str(path), path.name)) from None
    check_eval_rows(path.name, len(items))
    # warnings too: the user knows the file by its name, not gradio's upload folder
    warnings = [w.replace(str(path), path.name) for w in warnings]

    def on_progress(done: int, total: int) -> None:
        if progress is not None:
            progress(done / total, desc=f"question {done}/{total}")

    report, problems = evaluate_assistant(
        assistant, items, k=k, file=path.name, on_progress=on_progress
    )
    report.meta["warnings"] = warnings + problems
    out_dir = DOWNLOADS.make("eval") / path.stem
    paths = write_reports(report, out_dir)
    return report, warnings + problems, paths


def handle_evaluate(file: str | None, k: int, progress=gr.Progress()):  # noqa: B008
    """Evaluate tab: (summary html, one chart per metric in CHART_METRICS, table rows, files)."""
    import pandas as pd

    from qa.evaluation.report import fmt_metric, is_failure, tradeoff_html

    if not file:
        raise fail("upload a questions file (.jsonl, .json, .csv or .xlsx) first")
    k = int(bounded("k", k, 1, 100, integer=True))
    try:
        report, warnings, paths = evaluate_file(file, k, progress)
    except QAError as e:
        raise user_error(e) from None
    summary = views.eval_summary_html(
        report.summary, report.meta, fmt_metric, warnings, tradeoff_html(report.abstention)
    )
    frames = [
        pd.DataFrame(
            views.eval_chart_rows(report.summary, report.by_kind, metric), columns=["kind", "value"]
        )
        for metric in views.CHART_METRICS
    ]
    # a metric that applies to no question (abstain without unanswerable ones) is hidden
    charts = [gr.update(value=df, visible=not df.empty) for df in frames]
    table = views.eval_table_rows(report.rows, is_failure, fmt_metric)
    files = [str(paths[key]) for key in ("json", "csv", "html")]
    return summary, *charts, table, files


def handle_evaluate_ui(file: str | None, k: int, progress=gr.Progress()):  # noqa: B008
    """The Evaluate tab's event: (status, *handle_evaluate's outputs); a refused file only
    fills the status line, the previous run stays on screen."""
    try:
        outputs = handle_evaluate(file, k, progress)
    except gr.Error as e:
        return f"⚠ {e.message}", *[gr.update()] * (len(views.CHART_METRICS) + 3)
    return "", *outputs


# ---------------------------------------------------------------------------- page load


def handle_load():
    """Page load: corpus table, manifest, both document dropdowns, the first document and the
    header (another session may have changed the corpus since the page was built)."""
    rows, manifest, reader_choice, manage_choice = corpus_info()
    return rows, manifest, reader_choice, manage_choice, read_document(None)[1], page_header()
