"""planqa web app: chat with cited answers, passage search, the plan reader, evaluation, corpus.

    python app.py [--host 127.0.0.1] [--port 7860] [--share] [--auth user:password]
                  [--corpus DIR] [--index-dir DIR] [--feedback FILE]

(``qa serve`` passes its arguments here.) Gradio wiring plus thin handler functions: every
handler is a module-level function that tests call directly, HTML comes from qa.web.views, and
all question answering is the library's (qa.assistant). One Assistant is loaded per process and
shared by all sessions; uploading a document builds a new index aside and swaps it in.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import gradio as gr

import qa.web.corpus_update as corpus_update
import qa.web.views as views
from qa.assistant import Assistant, validate_question
from qa.config import REPO_ROOT, Settings, add_location_args
from qa.errors import QAError
from qa.evaluation.command import DEFAULT_K
from qa.query.acronyms import reading_note
from qa.query.followup import rewrite_followup
from qa.types import Answer
from qa.web.corpus_update import MAX_UPLOAD_BYTES, check_upload_size
from qa.web.feedback import append_feedback, feedback_record

# gradio reads this when it would send telemetry (launch, version check), not at import
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

DEFAULT_FEEDBACK = REPO_ROOT / "feedback" / "feedback.jsonl"
MAX_REQUEST_FILE = "10mb"  # gradio's upload bound: eval spreadsheets are the largest files
MAX_K = 20  # passages a chat or search request may ask for
QUEUE_SIZE = 64
CONCURRENCY = 2  # the machine has few cores; more parallel requests only queue inside ONNX
EXAMPLES = (
    "How are small enterprises supported in pledge loans?",
    "What does the plan say about patent navigation pilot projects?",
    "How will the trademark review system be improved?",
    "知识产权质押融资如何支持小微企业？",
    "What is the capital of France?",
)


# ---------------------------------------------------------------------------- shared state


class _Shared:
    """The one Assistant of this process, its settings and the feedback file (lazy, locked)."""

    lock = threading.RLock()
    upload_lock = threading.Lock()
    settings: Settings | None = None
    assistant: Assistant | None = None
    feedback_path: Path = DEFAULT_FEEDBACK


def configure(
    settings: Settings | None = None,
    feedback_path: Path | None = None,
    assistant: Assistant | None = None,
) -> None:
    """Point the app at a corpus/index (tests, main); the Assistant is opened on first use."""
    with _Shared.lock:
        _Shared.settings = settings or Settings.from_env()
        _Shared.assistant = assistant
        _Shared.feedback_path = Path(feedback_path) if feedback_path else DEFAULT_FEEDBACK


def clamp(fraction: float) -> float:
    """Progress fractions from the indexer may overshoot slightly; bars need 0..1."""
    return min(1.0, max(0.0, float(fraction)))


def console_progress(message: str, fraction: float) -> None:
    print(f"[planqa] {clamp(fraction):4.0%} {message}", flush=True)


def get_assistant() -> Assistant:
    """The shared Assistant; the first call builds the index if it is missing or stale."""
    with _Shared.lock:
        if _Shared.assistant is None:
            if _Shared.settings is None:
                _Shared.settings = Settings.from_env()
            _Shared.assistant = Assistant.open(_Shared.settings, progress=console_progress)
        return _Shared.assistant


def _fail(message: str) -> gr.Error:
    """An error toast users see: the message only, never a traceback (nor a server log)."""
    return gr.Error(message, print_exception=False)


def _user_error(e: QAError) -> gr.Error:
    return _fail(str(e))


def _bounded(name: str, value: object, lo: float, hi: float, integer: bool = False) -> float:
    """Slider values arrive from browsers and API clients: check them like any input."""
    try:
        number = int(value) if integer else float(value)
    except (TypeError, ValueError):
        raise _fail(f"{name} must be a number, got {value!r}") from None
    if not lo <= number <= hi:
        raise _fail(f"{name} must be between {lo:g} and {hi:g}, got {number:g}")
    return number


def new_session() -> dict:
    """Per-session chat state: earlier questions (for follow-ups) and each answer's data."""
    return {"questions": [], "turns": {}, "pending": None}


# ---------------------------------------------------------------------------- chat


def answer_question(
    question: str, history: list[str], k: int, threshold: float, max_sentences: int
) -> tuple[str, Answer]:
    """Rewrite a follow-up, then ask with this request's settings. Returns (query, Answer)."""
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
    answer = Assistant(assistant.index, assistant.retriever, request).ask(query, k=int(k))
    return query, replace(answer, question=question)


def handle_ask(
    message: str,
    history: list | None,
    k: int,
    threshold: float,
    max_sentences: int,
    state: dict | None = None,
) -> tuple[list, str, str, dict]:
    """Chat turn: (history, sources_html, copy_text, state). Invalid input raises gr.Error."""
    history = list(history or [])
    if not history or not state:  # a cleared chat starts a new conversation: no follow-ups
        state = new_session()
    k = int(_bounded("number of passages", k, 1, MAX_K, integer=True))
    threshold = _bounded("abstention threshold", threshold, 0.0, 1.0)
    max_sentences = int(_bounded("answer length", max_sentences, 1, 20, integer=True))
    try:
        query, answer = answer_question(message, state["questions"], k, threshold, max_sentences)
    except QAError as e:
        raise _user_error(e) from None
    assistant = get_assistant()
    history.append({"role": "user", "content": views.md_escape(answer.question)})
    history.append({"role": "assistant", "content": views.answer_markdown(answer)})
    shown = views.shown_hits(answer)
    turn = {
        "question": answer.question,
        "query": query,
        "abstained": answer.abstained,
        "reference": " ".join(q.text for q in answer.quotes),
        "cited": [c.hit.passage.text for c in answer.citations],
        "choices": [views.passage_choice(label, h) for label, h in shown],
        "texts": [h.passage.text for _, h in shown],
    }
    state = {
        **state,
        "questions": [*state["questions"], answer.question],
        "turns": {**state["turns"], str(len(history) - 1): turn},
        "pending": None,
    }
    sources = views.sources_html(answer, assistant.documents, query)
    return history, sources, views.copy_text(answer), state


def handle_clear() -> tuple[list, str, str, dict, dict]:
    """New conversation: (history, sources_html, copy_text, state, feedback panel)."""
    return [], views.empty_sources_html(), "", new_session(), gr.update(visible=False)


def api_ask(question: str, k: int | None = None) -> dict:
    """API endpoint ``/ask``: one question, the Answer as JSON (same shape as ``qa ask --json``)."""
    assistant = get_assistant()
    k = int(_bounded("k", k, 1, MAX_K, integer=True)) if k else assistant.settings.answer.k
    try:
        return assistant.ask(question, k=k).to_dict()
    except QAError as e:
        raise _user_error(e) from None


# ---------------------------------------------------------------------------- feedback


def record_vote(state: dict | None, index: int, liked: bool) -> tuple[dict, list[str] | None]:
    """Thumbs on the answer at chat ``index``. Up is saved at once; down returns the choices
    for "which passage should have been found" (saved by ``submit_feedback``)."""
    state = state or new_session()
    turn = state["turns"].get(str(index))
    if turn is None:
        raise _fail("that message is not an answer of this session; ask again")
    if liked:
        record = feedback_record(
            turn["question"],
            "up",
            evidence=turn["cited"],
            answerable=not turn["abstained"],
            reference=None if turn["abstained"] else turn["reference"],
        )
        append_feedback(_Shared.feedback_path, record)
        return {**state, "pending": None}, None
    return {**state, "pending": str(index)}, [views.NOT_IN_PLAN, *turn["choices"]]


def handle_vote(state: dict | None, evt: gr.LikeData) -> tuple[dict, dict, dict, str]:
    """Chatbot like/dislike: (state, feedback panel, passage dropdown, status)."""
    liked = evt.liked
    if liked not in (True, False, "Like", "Dislike"):  # a vote taken back: nothing to record
        return state or new_session(), gr.update(), gr.update(), ""
    index = evt.index[0] if isinstance(evt.index, list | tuple) else evt.index
    state, choices = record_vote(state, int(index), liked in (True, "Like"))
    if choices is None:
        gr.Info("Thanks: saved as a regression case.")
        return state, gr.update(visible=False), gr.update(), "Saved 👍"
    return (
        state,
        gr.update(visible=True),
        gr.update(choices=choices, value=None),
        "Which passage should have been found?",
    )


def submit_feedback(choice: str | None, reference: str, state: dict | None) -> tuple[dict, str]:
    """Save the thumbs-down with the passage the user picked (or "not in the plan")."""
    state = state or new_session()
    pending = state.get("pending")
    turn = state["turns"].get(pending) if pending is not None else None
    if turn is None:
        raise _fail("click thumbs-down on an answer first")
    if not choice:
        raise _fail(f"pick a passage, or “{views.NOT_IN_PLAN}”")
    if choice == views.NOT_IN_PLAN:
        evidence, answerable = [], False
    elif choice in turn["choices"]:
        evidence, answerable = [turn["texts"][turn["choices"].index(choice)]], True
    else:
        raise _fail(f"unknown choice {choice!r}; pick one of the list")
    if reference and len(reference) > get_assistant().settings.max_question_chars:
        raise _fail("the reference answer is too long; shorten it")
    record = feedback_record(
        turn["question"], "down", evidence=evidence, answerable=answerable, reference=reference
    )
    append_feedback(_Shared.feedback_path, record)
    return {**state, "pending": None}, "Saved 👎 (replay with `qa eval feedback/feedback.jsonl`)"


def handle_submit_feedback(choice: str | None, reference: str, state: dict | None):
    state, status = submit_feedback(choice, reference, state)
    gr.Info("Thanks: saved as a regression case.")
    return state, gr.update(visible=False), status, ""


# ---------------------------------------------------------------------------- search + reader


def handle_search(query: str, k: int) -> str:
    """Search tab: ranked passages (no answer) with query terms marked."""
    assistant = get_assistant()
    k = int(_bounded("number of passages", k, 1, MAX_K, integer=True))
    try:
        retrieval = assistant.retrieve(query, k=k)
    except QAError as e:
        raise _user_error(e) from None
    read_as = retrieval.signals.read_as
    # the words asked for, and those the query was read as ("SMEs" marks "small", ...)
    terms = assistant.retriever.query_terms(" ".join([query, *read_as.values()]))
    return views.search_html(query.strip(), retrieval.hits, terms, reading_note(read_as))


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
            raise _fail(f"no passage {passage_id}; search again")
        source = assistant.passages[passage_id].source
        targets = _parts(parts, passage_id, len(assistant.passages))
    if source not in docs:
        source = assistant.documents[0].source
    return source, views.document_html(docs[source], assistant.passages, targets)


def _parts(parts: str, passage_id: int, count: int) -> range:
    """ "12-13" -> range(12, 14); anything malformed, or not holding passage_id, is just it."""
    first, _, last = str(parts).partition("-")
    try:
        span = range(int(first), int(last) + 1)
    except ValueError:
        return range(passage_id, passage_id + 1)
    if passage_id not in span or span.start < 0 or span.stop > count or len(span) > 8:
        return range(passage_id, passage_id + 1)
    return span


def handle_read(source: str | None) -> str:
    return read_document(source)[1]


def handle_open(evt: gr.SelectData) -> tuple[dict, dict, str]:
    """A "read in the plan" link was clicked: (tabs, document dropdown, reader html)."""
    try:
        pid = int(evt.index if not isinstance(evt.index, list | tuple) else evt.index[0])
    except (TypeError, ValueError):
        raise _fail(f"bad passage id {evt.index!r}") from None
    source, page = read_document(None, pid, str(evt.value or ""))
    return gr.Tabs(selected="read"), gr.update(value=source), page


# ---------------------------------------------------------------------------- evaluation


def evaluate_file(path: str | Path, k: int, progress: Callable | None = None):
    """Run an eval file exactly as ``qa eval`` does; returns (report, warnings, paths)."""
    from qa.evaluation.evalset import load_eval_file
    from qa.evaluation.evaluate import evaluate_assistant
    from qa.evaluation.report import write_reports

    assistant = get_assistant()
    path = Path(path)
    items, warnings = load_eval_file(path, max_question_chars=assistant.settings.max_question_chars)

    def on_progress(done: int, total: int) -> None:
        if progress is not None:
            progress(done / total, desc=f"question {done}/{total}")

    report, problems = evaluate_assistant(
        assistant, items, k=k, file=path.name, on_progress=on_progress
    )
    report.meta["warnings"] = warnings + problems
    out_dir = Path(tempfile.mkdtemp(prefix="planqa-eval-")) / path.stem
    paths = write_reports(report, out_dir)
    return report, warnings + problems, paths


def handle_evaluate(file: str | None, k: int, progress=gr.Progress()):  # noqa: B008
    """Evaluate tab: (summary html, one chart per metric in CHART_METRICS, table rows, files)."""
    import pandas as pd

    from qa.evaluation.report import fmt_metric, is_failure, tradeoff_html

    if not file:
        raise _fail("upload a questions file (.jsonl, .json, .csv or .xlsx) first")
    k = int(_bounded("k", k, 1, 100, integer=True))
    try:
        report, warnings, paths = evaluate_file(file, k, progress)
    except QAError as e:
        raise _user_error(e) from None
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


# ---------------------------------------------------------------------------- corpus


def add_document(name: str, data: bytes, progress: Callable | None = None) -> str:
    """Corpus tab: add one document (see qa.web.corpus_update) and swap in the new index."""
    with _Shared.upload_lock:
        assistant = corpus_update.add_document(get_assistant(), name, data, progress)
        with _Shared.lock:
            _Shared.assistant = assistant
    count = sum(1 for p in assistant.passages if p.source == name)
    total = len(assistant.passages)
    # the name passed check_upload_name: no backticks, so a code span shows it literally
    return f"Added `{name}`: {count} passages; the index now has {total}."


def handle_upload(file: str | None, progress=gr.Progress()):  # noqa: B008
    """Corpus tab upload: (status, documents table, manifest html, reader dropdown)."""
    if not file:
        raise _fail("choose a .txt or .md file first")
    path = Path(file)
    try:
        check_upload_size(path.name, path.stat().st_size)  # before reading it
        message = add_document(
            path.name, path.read_bytes(), lambda msg, frac: progress(clamp(frac), desc=msg)
        )
    except QAError as e:
        raise _user_error(e) from None
    rows, manifest, dropdown = corpus_info()
    return message, rows, manifest, dropdown


def corpus_info() -> tuple[list[list], str, dict]:
    """(documents table, manifest html, reader dropdown choices)."""
    assistant = get_assistant()
    sources = [d.source for d in assistant.documents]
    return (
        views.corpus_rows(assistant.documents, assistant.passages),
        views.manifest_html(assistant.index.manifest),
        gr.update(choices=sources, value=sources[0] if sources else None),
    )


def handle_load():
    """Page load: corpus table, manifest, reader dropdown and the first document."""
    rows, manifest, dropdown = corpus_info()
    return rows, manifest, dropdown, read_document(None)[1]


# ---------------------------------------------------------------------------- layout


def build_app() -> gr.Blocks:
    """The Blocks app; handlers above do the work, every event has a stable api_name."""
    settings = get_assistant().settings
    with gr.Blocks(title="planqa", analytics_enabled=False) as demo:
        state = gr.State(new_session())
        gr.Markdown(
            "## planqa · National IP Strategic Action Plan (2014-2020)\n"
            "Answers quote the plan word for word; every sentence carries its source."
        )
        with gr.Tabs() as tabs:
            with gr.Tab("Chat", id="chat"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3):
                        chatbot = gr.Chatbot(
                            label="Conversation",
                            height=540,
                            buttons=["copy"],
                            feedback_options=("Like", "Dislike"),
                            placeholder="Ask about the plan. Follow-ups such as "
                            "“and for trademarks?” keep the previous topic.",
                            elem_id="chatbot",
                        )
                        with gr.Group(visible=False, elem_id="feedback-panel") as panel:
                            feedback_status = gr.Markdown("Which passage should have been found?")
                            choice = gr.Dropdown(
                                label="Passage", choices=[], elem_id="feedback-choice"
                            )
                            reference = gr.Textbox(
                                label="Correct answer (optional)", lines=2, max_lines=6
                            )
                            send_feedback = gr.Button("Send feedback", size="sm")
                        with gr.Row():
                            message = gr.Textbox(
                                placeholder="Ask a question about the plan and press Enter",
                                show_label=False,
                                max_length=settings.max_question_chars,
                                scale=5,
                                autofocus=True,
                                elem_id="question",
                            )
                            send = gr.Button("Ask", variant="primary", scale=1, min_width=80)
                            clear = gr.Button("Clear", scale=1, min_width=80)
                        examples = gr.Dataset(
                            components=[message],
                            samples=[[q] for q in EXAMPLES],
                            label="Examples",
                            elem_id="examples",
                        )
                        with gr.Accordion("Copy answer with sources", open=False):
                            copy_box = gr.Textbox(
                                show_label=False,
                                lines=8,
                                max_lines=20,
                                buttons=["copy"],
                                interactive=False,
                                elem_id="copy-text",
                            )
                        with gr.Accordion("Settings", open=False):
                            k = gr.Slider(
                                1,
                                MAX_K,
                                value=settings.answer.k,
                                step=1,
                                label="Passages retrieved",
                            )
                            threshold = gr.Slider(
                                0.0,
                                1.0,
                                value=settings.retrieval.min_score,
                                step=0.01,
                                label="Abstention threshold (best sentence similarity)",
                            )
                            max_sentences = gr.Slider(
                                1,
                                10,
                                value=settings.answer.max_sentences,
                                step=1,
                                label="Answer length (sentences)",
                            )
                    with gr.Column(scale=2):
                        sources = gr.HTML(
                            views.empty_sources_html(),
                            elem_id="sources",
                            js_on_load=views.OPEN_PASSAGE_JS,
                        )

            with gr.Tab("Search", id="search"):
                with gr.Row():
                    query = gr.Textbox(
                        placeholder="Words or a question; results are passages, not answers",
                        show_label=False,
                        max_length=settings.max_question_chars,
                        scale=5,
                        elem_id="search-query",
                    )
                    search_k = gr.Slider(
                        1, MAX_K, value=settings.answer.k, step=1, label="Results", scale=2
                    )
                    search_btn = gr.Button("Search", variant="primary", scale=1)
                results = gr.HTML(elem_id="search-results", js_on_load=views.OPEN_PASSAGE_JS)

            with gr.Tab("Read the plan", id="read"):
                doc_choice = gr.Dropdown(label="Document", choices=[], elem_id="doc-choice")
                reader = gr.HTML(elem_id="reader", js_on_load=views.READER_JS)

            with gr.Tab("Evaluate", id="evaluate"):
                with gr.Row():
                    eval_file = gr.File(
                        label="Questions (.jsonl, .json, .csv, .xlsx)",
                        file_types=[".jsonl", ".json", ".csv", ".xlsx"],
                        elem_id="eval-file",
                    )
                    with gr.Column():
                        eval_k = gr.Number(value=DEFAULT_K, precision=0, label="k (passages)")
                        eval_btn = gr.Button(
                            "Run evaluation", variant="primary", elem_id="eval-run"
                        )
                eval_summary = gr.HTML(elem_id="eval-summary")
                with gr.Row():
                    eval_charts = [
                        gr.BarPlot(
                            x="kind",
                            y="value",
                            y_lim=[0, 1],
                            x_title=" ",
                            y_title=metric,
                            x_label_angle=-35,
                            label=f"{metric} per kind",
                            height=260,
                            min_width=220,
                            visible=False,  # shown once a run has numbers for it
                        )
                        for metric in views.CHART_METRICS
                    ]
                eval_table = gr.Dataframe(
                    headers=views.TABLE_HEADERS,
                    label="Questions (failures first)",
                    wrap=True,
                    interactive=False,
                    max_height=420,
                    column_widths=["11%", "9%", "10%", "28%", "7%", "7%", "28%"],
                    elem_id="eval-table",
                )
                eval_files = gr.File(
                    label="Report files",
                    file_count="multiple",
                    interactive=False,
                    elem_id="eval-files",
                )

            with gr.Tab("Corpus", id="corpus"):
                with gr.Row():
                    with gr.Column(scale=3):
                        docs_table = gr.Dataframe(
                            headers=["document", "characters", "words", "passages"],
                            label="Indexed documents",
                            interactive=False,
                        )
                        upload = gr.File(
                            label=f"Add a .txt or .md document (up to {MAX_UPLOAD_BYTES // 1_000_000} MB, UTF-8)",
                            file_types=[".txt", ".md"],
                            elem_id="upload",
                        )
                        upload_btn = gr.Button("Add to the corpus and re-index", variant="primary")
                        upload_status = gr.Markdown()
                    with gr.Column(scale=2):
                        manifest = gr.HTML()

        # ---- events
        ask_inputs = [message, chatbot, k, threshold, max_sentences, state]
        ask_outputs = [chatbot, sources, copy_box, state]
        gr.on(
            [message.submit, send.click], handle_ask, ask_inputs, ask_outputs, api_name="chat"
        ).success(lambda: "", None, message, api_visibility="private")
        examples.click(lambda sample: sample[0], examples, message, api_visibility="private").then(
            handle_ask,
            ask_inputs,
            ask_outputs,
            api_name="chat_example",
            api_visibility="undocumented",  # the same as /chat
        ).success(lambda: "", None, message, api_visibility="private")
        clear.click(
            handle_clear, None, [chatbot, sources, copy_box, state, panel], api_name="clear"
        )
        chatbot.clear(  # the chatbot's own trash button: forget the conversation too
            handle_clear,
            None,
            [chatbot, sources, copy_box, state, panel],
            api_name="clear_chat",
            api_visibility="undocumented",
        )
        chatbot.like(  # driven by event data (which message, which thumb): UI only
            handle_vote,
            [state],
            [state, panel, choice, feedback_status],
            api_name="vote",
            api_visibility="undocumented",
        )
        send_feedback.click(
            handle_submit_feedback,
            [choice, reference, state],
            [state, panel, feedback_status, reference],
            api_name="feedback",
        )
        gr.api(api_ask, api_name="ask")

        open_outputs = [tabs, doc_choice, reader]
        for panel_html, name in ((sources, "open_source"), (results, "open_result")):
            panel_html.select(
                handle_open, None, open_outputs, api_name=name, api_visibility="undocumented"
            )
        gr.on(
            [query.submit, search_btn.click],
            handle_search,
            [query, search_k],
            results,
            api_name="search",
        )
        doc_choice.input(handle_read, doc_choice, reader, api_name="read")

        eval_btn.click(
            handle_evaluate,
            [eval_file, eval_k],
            [eval_summary, *eval_charts, eval_table, eval_files],
            api_name="evaluate",
        )
        upload_btn.click(
            handle_upload,
            [upload],
            [upload_status, docs_table, manifest, doc_choice],
            api_name="upload",
        ).success(handle_read, doc_choice, reader, api_visibility="private")
        demo.load(
            handle_load, None, [docs_table, manifest, doc_choice, reader], api_name="corpus_info"
        )
    return demo


# ---------------------------------------------------------------------------- serving


def parse_auth(text: str | None) -> tuple[str, str] | None:
    """``user:password`` (the password may contain colons) -> (user, password).

    Example: parse_auth("ann:s3:cret") -> ('ann', 's3:cret')
    """
    if not text:
        return None
    user, sep, password = text.partition(":")
    if not sep or not user or not password:
        raise ValueError("auth must look like user:password")
    return user, password


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python app.py", description="planqa web app: cited answers from the plan, offline."
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    p.add_argument("--share", action="store_true", help="create a public gradio.live link (off)")
    p.add_argument("--auth", metavar="USER:PASSWORD", help="require a login (or set $QA_AUTH)")
    add_location_args(p)
    p.add_argument(
        "--feedback",
        metavar="FILE",
        type=Path,
        default=DEFAULT_FEEDBACK,
        help="where thumbs up/down are appended (default feedback/feedback.jsonl)",
    )
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Serve the app until interrupted; 2 on a QAError (bad corpus, unreadable index)."""
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--"]:  # `qa serve -- --port 8000` passes the separator through
        argv = argv[1:]
    args = parser.parse_args(argv)
    try:
        auth = parse_auth(args.auth or os.environ.get("QA_AUTH"))
    except ValueError as e:
        parser.error(str(e))
    configure(Settings.from_env(corpus_dir=args.corpus, index_dir=args.index_dir), args.feedback)
    try:
        assistant = get_assistant()  # build/load once, before the first visitor waits for it
        demo = build_app()
    except QAError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(
        f"[planqa] {len(assistant.passages)} passages from {len(assistant.documents)} document(s); "
        f"feedback -> {_Shared.feedback_path}",
        flush=True,
    )
    demo.queue(max_size=QUEUE_SIZE, default_concurrency_limit=CONCURRENCY)
    demo.launch(
        server_name=args.host,
        server_port=args.port,
        share=args.share,
        auth=auth,
        max_file_size=MAX_REQUEST_FILE,
        css=views.CSS,
        head=views.HEAD_JS,
        footer_links=["api"],
        show_error=False,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
