"""The page: gr.Blocks wiring of the tabs (chat, search, reader, evaluation, corpus) to the
handlers of qa.web.handlers. Every event has a stable api_name; nothing here computes answers.
"""

from __future__ import annotations

import gradio as gr

import qa.web.markdown as markdown
import qa.web.views as views
from qa.evaluation.command import DEFAULT_K
from qa.web.corpus_tab import (
    handle_audit,
    handle_choose,
    handle_remove,
    handle_replace,
    handle_role,
)
from qa.web.corpus_update import MAX_BINARY_UPLOAD_BYTES, MAX_UPLOAD_BYTES, upload_kinds
from qa.web.examples import DECLINED_EXAMPLE as DECLINED_EXAMPLE  # re-exported
from qa.web.examples import EXAMPLES as EXAMPLES  # re-exported
from qa.web.examples import example_samples, handle_examples
from qa.web.examples import examples_for as examples_for  # re-exported
from qa.web.handlers import (
    api_ask,
    handle_ask_ui,
    handle_clear,
    handle_evaluate_ui,
    handle_load,
    handle_open,
    handle_read,
    handle_search_ui,
    handle_submit_feedback,
    handle_upload,
    handle_vote,
    new_session,
)
from qa.web.limits import GRADIO_CACHE
from qa.web.saved_chats import add_saved_panel
from qa.web.shared import MAX_K, get_assistant
from qa.web.templating import asset
from qa.web.within import within_choices

# runs in the browser before a removal: the user confirms, or the handler gets no name
CONFIRM_REMOVE = (
    "(name) => (name && confirm(`Remove ${name} from the corpus? Its file is deleted; "
    "download it first to keep a copy.`)) ? name : null"
)


def build_app() -> gr.Blocks:
    """The Blocks app; qa.web.handlers do the work, every event has a stable api_name."""
    assistant = get_assistant()
    settings = assistant.settings
    the_documents = markdown.the_documents(assistant.documents)  # "the document(s)"
    limit_mb = MAX_UPLOAD_BYTES // 1_000_000
    binary_mb = MAX_BINARY_UPLOAD_BYTES // 1_000_000
    # gradio's copies of uploads and served reports are deleted after an hour
    with gr.Blocks(title="planqa", analytics_enabled=False, delete_cache=GRADIO_CACHE) as demo:
        state = gr.State(new_session())
        header = gr.Markdown(markdown.header_markdown(assistant.documents), elem_id="header")
        with gr.Tabs() as tabs:
            with gr.Tab("Chat", id="chat"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3):
                        chatbot = gr.Chatbot(
                            label="Conversation",
                            height=540,
                            buttons=["copy"],
                            feedback_options=("Like", "Dislike"),
                            placeholder=f"Ask about {the_documents}. Follow-ups such as "
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
                            # no max_length: a browser would cut a long paste silently; the
                            # server refuses it with a message instead
                            message = gr.Textbox(
                                placeholder=f"Ask a question about {the_documents} and press Enter",
                                show_label=False,
                                max_lines=6,  # a long paste scrolls; the status stays in view
                                scale=5,
                                autofocus=True,
                                elem_id="question",
                            )
                            send = gr.Button("Ask", variant="primary", scale=1, min_width=80)
                            clear = gr.Button("Clear", scale=1, min_width=80, elem_id="clear")
                        ask_status = gr.Markdown(elem_id="ask-status")
                        examples = gr.Dataset(
                            components=[message],
                            samples=example_samples(),
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
                            within = _within_dropdown("Ask", "within")
                    with gr.Column(scale=2):
                        sources = gr.HTML(
                            views.empty_sources_html(),
                            elem_id="sources",
                            js_on_load=asset("open_passage.js"),
                        )

            with gr.Tab("Search", id="search"):
                with gr.Row():
                    query = gr.Textbox(
                        placeholder="Words or a question; results are passages, not answers",
                        show_label=False,
                        scale=5,
                        elem_id="search-query",
                    )
                    search_k = gr.Slider(
                        1, MAX_K, value=settings.answer.k, step=1, label="Results", scale=2
                    )
                    search_btn = gr.Button("Search", variant="primary", scale=1)
                search_within = _within_dropdown("Search", "search-within")
                search_status = gr.Markdown(elem_id="search-status")
                results = gr.HTML(elem_id="search-results", js_on_load=asset("open_passage.js"))

            with gr.Tab(f"Read {the_documents}", id="read"):
                doc_choice = gr.Dropdown(label="Document", choices=[], elem_id="doc-choice")
                reader = gr.HTML(elem_id="reader", js_on_load=asset("reader.js"))

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
                eval_status = gr.Markdown(elem_id="eval-status")
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
                    column_widths=["9%", "11%", "12%", "26%", "8%", "8%", "26%"],
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
                            headers=views.CORPUS_HEADERS,
                            label="Indexed documents",
                            interactive=False,
                            wrap=True,
                            column_widths=["24%", "28%", "8%", "12%", "10%", "18%"],
                            elem_id="docs-table",
                        )
                        corpus_status = gr.Markdown(elem_id="corpus-status")
                        role_note = gr.Markdown(visible=False, elem_id="role-note")
                        with gr.Group(elem_id="manage"):
                            manage_choice = gr.Dropdown(
                                label="Manage a document", choices=[], elem_id="manage-choice"
                            )
                            with gr.Row():
                                download_btn = gr.DownloadButton(
                                    "Download the original", size="sm", elem_id="download-doc"
                                )
                                remove_btn = gr.Button(
                                    "Remove from the corpus",
                                    variant="stop",
                                    size="sm",
                                    elem_id="remove-doc",
                                )
                            replace_file = gr.File(
                                label="New version (same type; keeps the document's name)",
                                elem_id="replace-file",
                            )
                            replace_btn = gr.Button(
                                "Replace with the new version", size="sm", elem_id="replace-doc"
                            )
                        # no file_types: the browser would reject other files with a second,
                        # generic message; the server says what is wrong with the file
                        upload = gr.File(
                            label=f"Add a document: {upload_kinds(limit_mb, binary_mb)}",
                            elem_id="upload",
                        )
                        upload_btn = gr.Button(
                            "Add to the corpus and re-index", variant="primary", elem_id="add-doc"
                        )
                        gr.Markdown(
                            "Each change embeds only the files it adds or replaces and swaps "
                            "the new index in when it is ready; questions are answered from the "
                            "current index meanwhile."
                        )
                        with gr.Accordion(
                            "Audit log: who changed what (admins only)",
                            open=False,
                            visible=False,
                            elem_id="audit",
                        ) as audit_box:
                            audit_table = gr.Dataframe(
                                headers=[
                                    "time (UTC)",
                                    "user",
                                    "action",
                                    "document",
                                    "result",
                                    "detail",
                                ],
                                interactive=False,
                                wrap=True,
                                max_height=360,
                                column_widths=["19%", "10%", "12%", "17%", "11%", "31%"],
                                elem_id="audit-table",
                            )
                    with gr.Column(scale=2):
                        manifest = gr.HTML()

        # ---- events
        ask_inputs = [message, chatbot, k, threshold, max_sentences, state, within]
        ask_outputs = [chatbot, sources, copy_box, state, message, ask_status]
        saved = add_saved_panel(demo, chatbot, sources, copy_box, state, panel)
        saved.save_after(
            gr.on(
                [message.submit, send.click],
                handle_ask_ui,
                ask_inputs,
                ask_outputs,
                api_name="chat",
            )
        )
        saved.save_after(
            examples.click(
                lambda sample: sample[0], examples, message, api_visibility="private"
            ).then(
                handle_ask_ui,
                ask_inputs,
                ask_outputs,
                api_name="chat_example",
                api_visibility="undocumented",  # the same as /chat
            )
        )
        saved.forget_selection(
            clear.click(
                handle_clear, None, [chatbot, sources, copy_box, state, panel], api_name="clear"
            )
        )
        saved.forget_selection(
            chatbot.clear(  # the chatbot's own trash button: forget the conversation too
                handle_clear,
                None,
                [chatbot, sources, copy_box, state, panel],
                api_name="clear_chat",
                api_visibility="undocumented",
            )
        )
        chatbot.like(  # driven by event data (which message, which thumb): UI only
            handle_vote,
            [state, chatbot],
            [state, panel, choice, feedback_status, chatbot],
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
            handle_search_ui,
            [query, search_k, search_within],
            [results, search_status],
            api_name="search",
        )
        doc_choice.input(handle_read, doc_choice, reader, api_name="read")

        eval_btn.click(
            handle_evaluate_ui,
            [eval_file, eval_k],
            [eval_status, eval_summary, *eval_charts, eval_table, eval_files],
            api_name="evaluate",
        )
        change_outputs = [corpus_status, docs_table, manifest, doc_choice, manage_choice, header]
        for event, fn, inputs, name, js in (
            (upload_btn.click, handle_upload, [upload], "upload", None),
            (replace_btn.click, handle_replace, [manage_choice, replace_file], "replace", None),
            (remove_btn.click, handle_remove, [manage_choice], "remove", CONFIRM_REMOVE),
        ):
            event(fn, inputs, change_outputs, api_name=name, js=js).then(
                handle_read, doc_choice, reader, api_visibility="private"
            ).then(handle_choose, manage_choice, download_btn, api_visibility="private").then(
                within_choices, None, within, api_visibility="private"
            ).then(within_choices, None, search_within, api_visibility="private").then(
                handle_examples, None, examples, api_visibility="private"
            ).then(handle_audit, None, [audit_box, audit_table], api_visibility="private")
        manage_choice.change(handle_choose, manage_choice, download_btn, api_name="choose_document")
        demo.load(
            handle_load,
            None,
            [docs_table, manifest, doc_choice, manage_choice, reader, header],
            api_name="corpus_info",
        )
        demo.load(within_choices, None, within, api_visibility="private")
        demo.load(within_choices, None, search_within, api_visibility="private")
        demo.load(handle_examples, None, examples, api_visibility="private")
        demo.load(handle_audit, None, [audit_box, audit_table], api_visibility="private")
        demo.load(  # readers do not see the change controls; the handlers check again
            handle_role,
            None,
            [remove_btn, replace_file, replace_btn, upload, upload_btn, role_note],
            api_visibility="private",
        )
    return demo


def _within_dropdown(verb: str, elem_id: str) -> gr.Dropdown:
    """A document filter, hidden until the corpus has several documents (qa.web.within)."""
    return gr.Dropdown(
        label=f"{verb} within (none chosen: every document)",
        choices=[],
        multiselect=True,
        visible=False,
        elem_id=elem_id,
    )
