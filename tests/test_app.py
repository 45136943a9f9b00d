"""The web app's handlers, called directly (no browser): every tab, on tiny corpora and the
bundled one."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import gradio as gr
import pytest
from markupsafe import escape

import qa.web.app as app
import qa.web.corpus_update as corpus_update
import qa.web.handlers as handlers
import qa.web.layout as layout
import qa.web.markdown as markdown
import qa.web.reader as reader
import qa.web.views as views
from qa.assistant import Assistant
from qa.errors import CorpusError, QAError
from qa.evaluation.evalset import load_eval_file
from qa.types import Document, Hit, Passage
from qa.web.feedback import read_feedback
from qa.web.shared import Shared, get_assistant
from tests.conftest import PLAN, REPO

PLEDGE = "How are small enterprises supported in pledge loans?"
BUNDLED_TITLE = "How to build an intellectual property power"  # the bundled text's first line
CREDIT_FUNDS = "credit risk compensation funds for small and micro enterprises"

pytestmark = pytest.mark.usefixtures("restore_app_state")  # tests.app_fixtures


def ask(message, history=None, state=None, k=None, threshold=None, max_sentences=None):
    s = get_assistant().settings
    return handlers.handle_ask(
        message,
        history or [],
        k or s.answer.k,
        s.retrieval.min_score if threshold is None else threshold,
        max_sentences or s.answer.max_sentences,
        state,
    )


def snapshot(settings) -> dict[str, bytes]:
    """Every file of the corpus and index folders (the encoder lives elsewhere in tests), but
    the vector cache: it only gains entries named by their content, which a failed change may
    leave (the next build reuses them)."""
    out = {}
    cache = Path(settings.cache_path)
    for folder in (Path(settings.corpus_dir), Path(settings.index_dir)):
        for f in sorted(folder.rglob("*")):
            if f.is_file() and not f.is_relative_to(cache):
                out[str(f)] = f.read_bytes()
    return out


# ---------------------------------------------------------------------------- chat


def test_pledge_question_cites_the_credit_risk_compensation_passage(bundled_app):
    history, sources, copy, state = ask(PLEDGE)
    assert history[-2] == {"role": "user", "content": markdown.md_escape(PLEDGE)}
    answer = history[-1]["content"]
    assert "credit risk compensation funds for small and micro enterprises" in answer
    assert "(#src-1)" in answer  # [n] markers link to the sources panel
    # the cited passage, inside its paragraph, with the quoted sentence marked
    assert 'id="src-' in sources
    marked = [m.split("</mark>")[0] for m in sources.split("<mark>")[1:]]
    assert any(CREDIT_FUNDS in m for m in marked)
    assert "Promote the development of modern service industry" in sources  # heading path
    # one confidence measure, the one a decline quotes, shown once with its threshold
    assert sources.count('class="match"') == 1 and "Strong match" in sources
    visible = re.sub(r'title="[^"]*"', "", sources)
    assert "an answer needs 0.35" in visible and not re.search(r"score \d", visible)
    assert 'title="ranking score' in sources  # the ranking score only on hover
    assert copy.startswith(f"Q: {PLEDGE}")
    assert "Sources:\n[1] " in copy and CREDIT_FUNDS in copy
    turn = state["turns"][str(len(history) - 1)]
    assert turn["question"] == PLEDGE and not turn["abstained"]
    assert any(CREDIT_FUNDS in t for t in turn["cited"])


def test_followup_is_answered_in_the_context_of_the_previous_question(bundled_app):
    history, _, _, state = ask(PLEDGE)
    history, sources, _, state = ask("and for trademarks?", history, state)
    assert state["questions"] == [PLEDGE, "and for trademarks?"]
    turn = state["turns"][str(len(history) - 1)]
    assert turn["query"] == f"{PLEDGE} and for trademarks?"
    assert "searched as" in sources
    # rewriting changes what is retrieved
    s = get_assistant().settings
    args = (s.answer.k, s.retrieval.min_score, s.answer.max_sentences)
    _, alone = handlers.answer_question("and for trademarks?", [], *args)
    _, followup = handlers.answer_question("and for trademarks?", [PLEDGE], *args)
    assert [h.passage.id for h in alone.hits] != [h.passage.id for h in followup.hits]
    assert "pledge" in " ".join(h.passage.text for h in followup.hits[:3])


def test_a_cleared_chat_forgets_the_previous_topic(bundled_app):
    _, _, _, state = ask(PLEDGE)
    history, sources, _, state = ask("and for trademarks?", [], state)  # chat was cleared
    assert "searched as" not in sources and state["questions"] == ["and for trademarks?"]


def test_declined_question_says_so_and_shows_the_closest_passages(bundled_app):
    history, sources, copy, state = ask("What is the capital of France?")
    assert "do not seem to cover" in history[-1]["content"]
    assert "The closest passages:" in history[-1]["content"]
    assert "_Why: no sentence of the" in history[-1]["content"]  # the decline's reason, in words
    assert (
        "the closest passages" in sources and sources.count('class="src"') == markdown.CLOSEST_SHOWN
    )
    assert "Closest passages:" in copy and "Why: no sentence" in copy
    assert state["turns"][str(len(history) - 1)]["abstained"]


def test_settings_change_the_answer(bundled_app):
    history, *_ = ask(PLEDGE, threshold=1.0)  # nothing is that close: decline
    assert "do not seem to cover" in history[-1]["content"]
    history, *_ = ask(PLEDGE, max_sentences=1)
    assert history[-1]["content"].count("](#src-") == 1
    _, sources, _, _ = ask(PLEDGE, k=1)
    assert "more passage" not in sources


def test_question_text_is_escaped_everywhere(bundled_app):
    question = "<script>alert(1)</script> pledge loans?"
    history, sources, _, _ = ask(question)
    shown = history[-2]["content"]
    assert "<script>" not in shown and "&lt;script&gt;" in shown
    assert "<script>" not in sources
    assert "<script>" not in handlers.handle_search(question, 3)


@pytest.mark.parametrize(
    ("message", "k", "threshold", "match"),
    [
        ("", 5, 0.3, "empty"),
        ("   ", 5, 0.3, "empty"),
        ("x" * 2001, 5, 0.3, "limit"),
        (PLEDGE, 0, 0.3, "between"),
        (PLEDGE, 500, 0.3, "between"),
        (PLEDGE, 5, 7.0, "between"),
        (PLEDGE, "many", 0.3, "number"),
    ],
)
def test_bad_input_is_a_message_not_a_traceback(bundled_app, message, k, threshold, match):
    with pytest.raises(gr.Error, match=match):
        handlers.handle_ask(message, [], k, threshold, 3, None)


def test_a_refused_question_keeps_everything_on_screen(bundled_app):
    """Empty or too long: a message beside the box; conversation, sources, copy text, state
    and the typed question are left as they were (gr.update() changes nothing)."""
    long = "Background. " * 400 + "How are pledge loans supported?"  # a 4,831-character paste
    for message, match in (("", "empty"), ("   ", "empty"), (long, f"{len(long):,} characters")):
        *kept, status = handlers.handle_ask_ui(message, [], 5, 0.35, 3, None)
        assert all(out == gr.update() for out in kept)
        assert status.startswith("⚠") and match in status
    assert "limit is 2,000" in handlers.handle_ask_ui(long, [], 5, 0.35, 3, None)[-1]
    history, sources, copy, state, box, status = handlers.handle_ask_ui(PLEDGE, [], 5, 0.35, 3)
    assert CREDIT_FUNDS in history[-1]["content"] and box == "" and status == ""


def test_the_question_box_never_cuts_a_long_paste(bundled_app):
    """A browser cuts typed/pasted text at a textbox's max_length without a word; the server's
    bound (with its message) is the only one."""
    demo = layout.build_app()
    boxes = [
        b
        for b in demo.blocks.values()
        if getattr(b, "elem_id", None) in ("question", "search-query")
    ]
    assert len(boxes) == 2 and all(b.max_length is None for b in boxes)


def test_a_followup_the_document_does_not_answer_is_declined(bundled_app):
    history, _, _, state = ask(PLEDGE)
    first = history[-1]["content"]
    history, sources, _, state = ask("and what about trademarks?", history, state)
    second = history[-1]["content"].replace("\\", "")  # Markdown escapes
    assert second != first and "The document does not seem to cover this follow-up" in second
    assert "“trademarks”" in second and CREDIT_FUNDS not in second.split("The closest")[0]
    # which question was searched, in the chat and beside it
    assert f"searched as: “{markdown.md_escape(PLEDGE)} and what about trademarks?”" in second
    assert "searched as" in sources and "the closest passages" in sources
    assert "Close wording, no answer" in sources and "Strong match" not in sources
    assert state["turns"][str(len(history) - 1)]["abstained"]
    # a follow-up the quoted sentences do cover is answered as before
    history, _, _, state = ask("How will the trademark review system be improved?")
    history, _, _, _ = ask("and for patents?", history, state)
    assert "do not seem to cover" not in history[-1]["content"]


def test_clear_starts_a_new_session(bundled_app):
    history, sources, copy, state, panel = handlers.handle_clear()
    assert history == [] and copy == "" and state == handlers.new_session()
    assert "Ask a question" in sources and panel["visible"] is False


def test_api_ask_returns_the_cli_json_shape(bundled_app):
    data = handlers.api_ask(PLEDGE)
    assert set(data) == {"question", "answer", "abstained", "reason", "citations", "passages"}
    assert any(CREDIT_FUNDS in c["text"] for c in data["citations"])
    with pytest.raises(gr.Error):
        handlers.api_ask("")


# ---------------------------------------------------------------------------- feedback


def test_thumbs_up_and_down_become_eval_cases(bundled_app):
    history, _, _, state = ask(PLEDGE)
    history, _, _, state = ask("What is the capital of France?", history, state)
    state, choices = handlers.record_vote(state, 1, liked=True)
    assert choices is None
    state, choices = handlers.record_vote(state, 3, liked=False)
    assert choices[0] == markdown.NOT_IN_DOCUMENTS and len(choices) == 1 + markdown.CLOSEST_SHOWN
    state, status = handlers.submit_feedback(markdown.NOT_IN_DOCUMENTS, "", state)
    assert "Saved" in status and state["pending"] is None
    state, choices = handlers.record_vote(state, 1, liked=False)
    state, _ = handlers.submit_feedback(choices[1], "Local credit risk compensation funds.", state)

    records = read_feedback(Shared.feedback_path)
    assert [(r["vote"], r["answerable"]) for r in records] == [
        ("up", True),
        ("down", False),
        ("down", True),
    ]
    assert any(CREDIT_FUNDS in e for e in records[0]["evidence"])
    assert (
        records[1]["evidence"] == [] and records[1]["question"] == "What is the capital of France?"
    )
    assert records[2]["answer"] == "Local credit risk compensation funds."

    items, _ = load_eval_file(Shared.feedback_path)
    assert [i.kind for i in items] == ["feedback"] * 3
    docs = get_assistant().documents
    assert all(any(e in d.text for d in docs) for i in items for e in i.evidence)


def test_like_event_opens_the_panel_on_thumbs_down_only(bundled_app):
    history, _, _, state = ask(PLEDGE)
    down = gr.LikeData(None, {"index": 1, "value": history[1], "liked": False})
    state, panel, dropdown, status, _ = handlers.handle_vote(state, history, down)
    assert panel["visible"] and dropdown["choices"][0] == markdown.NOT_IN_DOCUMENTS
    assert state["pending"] == "1" and "Which passage" in status
    up = gr.LikeData(None, {"index": [1, 0], "value": history[1], "liked": True})
    state, panel, _, status, _ = handlers.handle_vote(state, history, up)
    assert panel["visible"] is False and "Saved" in status
    undo = gr.LikeData(None, {"index": 1, "value": history[1], "liked": None})
    assert handlers.handle_vote(state, history, undo)[3] == ""
    assert [r["vote"] for r in read_feedback(Shared.feedback_path)] == ["up"]


def test_a_refused_vote_is_a_warning_and_only_recorded_votes_stay_lit(bundled_app):
    from qa.web.views import feedback_shown

    history, _, _, state = ask(PLEDGE)
    up = gr.LikeData(None, {"index": 1, "value": history[1], "liked": True})
    state = handlers.handle_vote(state, history, up)[0]
    assert state["votes"] == {"1": "Like"}
    history = [*history, {"role": "user", "content": "x"}, {"role": "assistant", "content": "y"}]
    stranger = gr.LikeData(None, {"index": 3, "value": history[3], "liked": False})
    state, panel, _, status, chat = handlers.handle_vote(state, history, stranger)
    assert chat["feedback_value"] == ["Like", None] and status == ""  # not an answer: went dark
    assert state["votes"] == {"1": "Like"} and "visible" not in panel
    assert feedback_shown(None, {}) == []


def test_feedback_needs_a_pending_vote_and_a_known_choice(bundled_app):
    history, _, _, state = ask(PLEDGE)
    with pytest.raises(gr.Error, match="thumbs-down"):
        handlers.submit_feedback(markdown.NOT_IN_DOCUMENTS, "", state)
    state, _ = handlers.record_vote(state, 1, liked=False)
    with pytest.raises(gr.Error, match="pick"):
        handlers.submit_feedback(None, "", state)
    with pytest.raises(gr.Error, match="unknown"):
        handlers.submit_feedback("[9] made up", "", state)
    with pytest.raises(gr.Error, match="not an answer"):
        handlers.record_vote(state, 0, liked=True)  # index 0 is the user's message
    assert read_feedback(Shared.feedback_path) == []


# ---------------------------------------------------------------------------- search + reader


def test_search_ranks_passages_and_marks_query_terms(bundled_app):
    page = handlers.handle_search("credit risk compensation", 5)
    assert page.count('class="src hit"') == 5
    first = page.split('id="sr-2"')[0]
    assert CREDIT_FUNDS.replace("credit risk compensation", "") in first
    assert "<mark>credit</mark>" in first and "<mark>compensation</mark>" in first
    assert 'data-pid="' in first and "score " in first
    with pytest.raises(gr.Error, match="empty"):
        handlers.handle_search("  ", 5)


def test_search_marks_the_corpus_words_an_acronym_or_typo_was_read_as(bundled_app):
    page = handlers.handle_search("SMEs pledge laons", 3)
    first = page.split('id="sr-2"')[0]
    assert "<mark>micro</mark>" in first and "<mark>loans</mark>" in first
    note = 'Read "SMEs" as "small and micro enterprises" and "laons" as "loans".'
    assert escape(note) in page.split('id="sr-1"')[0]  # said before the results


def test_reader_shows_the_whole_document_with_outline_and_target(bundled_app):
    hit = get_assistant().search(PLEDGE, k=1)[0]
    source, page = handlers.read_document(None, hit.passage.id)
    assert source == hit.passage.source
    assert f'id="rd-p-{hit.passage.id}" class="psg target"' in page
    assert page.count('class="psg target"') == 1
    assert '<nav class="outline">' in page and 'href="#rd-h-' in page
    assert "2. Main actions" in page
    # every passage has its anchor, so any search hit can be opened
    assert all(f'id="rd-p-{p.id}"' in page for p in get_assistant().passages)
    with pytest.raises(gr.Error, match="no passage"):
        handlers.read_document(None, 10_000)


def _outline(name: str, text: str, current: str = ""):
    """The reader's outline of a document chunked as the index chunks it, and its passages;
    ``current``: the opening of the passage shown as current."""
    from qa.ingest.chunking import chunk

    doc = Document(name, text)
    passages = chunk(doc)
    shown = {p.id for p in passages if current and p.text.startswith(current)}
    outline, _ = reader.reader_blocks(doc, passages, shown)
    return outline, passages


def test_the_reader_outlines_a_provision_by_its_inline_title():
    text = (
        "Example Licence\n\n1. Definitions.\n\n\"Work\" means the software.\n\n"
        "2. Grant of Copyright License. Subject to the terms of this License, you may copy it.\n"
    )
    outline, _ = _outline("licence.txt", text, current="2. Grant")
    labels = [(e.level, e.label) for e in outline]
    assert labels == [
        ("lvl-0", "Example Licence"),
        ("lvl-1", "1. Definitions"),
        ("lvl-1", "2. Grant of Copyright License"),
    ]
    assert [e.label for e in outline if e.current] == ["2. Grant of Copyright License"]


def test_the_reader_indents_a_dotted_section_under_its_parent():
    text = "Spec\n\n4. File syntax\n\n4.1. Values\n\nA value is one line.\n"
    outline, _ = _outline("spec.txt", text)
    assert [(e.level, e.label) for e in outline] == [
        ("lvl-0", "Spec"), ("lvl-1", "4. File syntax"), ("lvl-2", "4.1. Values")
    ]


def test_the_reader_heads_with_what_the_citations_head_with():
    # a document that marks its sections: a short line (a mail's signature) heads nothing in
    # the reader either, as in the passages' section paths
    text = (
        "# Night fees from 1 March\n\nFrom: Harbour Office\n\n## Message\n\nFees attached."
        "\n\nHarbour Office\n\n## Attachment: fees.pdf\n\nNight fees\n\nA ferry pays ten coins.\n"
    )
    outline, passages = _outline("mail.eml", text)
    assert [e.label for e in outline] == [
        "Night fees from 1 March", "Message", "Attachment: fees.pdf"
    ]  # fmt: skip
    ten = next(p for p in passages if "ten coins" in p.text)
    assert ten.section == "Night fees from 1 March > Attachment: fees.pdf"


def test_open_event_switches_to_the_reader(bundled_app):
    hit = get_assistant().search(PLEDGE, k=1)[0]
    evt = gr.SelectData(None, {"index": hit.passage.id, "value": str(hit.passage.id)})
    tabs, dropdown, page = handlers.handle_open(evt)
    assert tabs.selected == "read" and dropdown["value"] == hit.passage.source
    assert 'class="psg target"' in page


# ---------------------------------------------------------------------------- evaluation


def write_eval_set(path: Path) -> Path:
    rows = [
        {
            "id": "pledge",
            "question": PLEDGE,
            "evidence": [
                "Guide and encourage local people's governments to establish credit risk "
                "compensation funds for small and micro enterprises"
            ],
            "kind": "lexical",
        },
        {
            "id": "review",
            "question": "How will the trademark review system be improved?",
            "answer": "By optimising trademark review and its standards.",
            "kind": "paraphrase",
        },
        {"id": "paris", "question": "What is the capital of France?", "answerable": False},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_evaluate_runs_the_qa_eval_pipeline(bundled_app, tmp_path):
    steps = []
    path = write_eval_set(tmp_path / "three.jsonl")
    out = handlers.handle_evaluate(str(path), 20, progress=lambda f, desc="": steps.append(f))
    summary, *charts, table, files = out
    assert len(charts) == len(views.CHART_METRICS)
    assert steps[-1] == 1.0
    assert 'class="card"' in summary and "three.jsonl" in summary
    # 2 answerable + 1 not: too few for the threshold trade-off, which says so instead
    assert '<table class="tradeoff">' not in summary
    assert "trade-off is not shown: it would rest on 1 unanswerable and 2 answerable" in summary
    assert [row[1] for row in table] == ["pledge", "review", "paris"] or table[0][0] != "ok"
    assert {row[1] for row in table} == {"pledge", "review", "paris"}
    hit_chart = charts[list(views.CHART_METRICS).index("hit@W150")]
    assert hit_chart["visible"] and "all (n=3)" in list(hit_chart["value"]["kind"])
    names = sorted(Path(f).name for f in files)
    assert names == ["report.html", "report.json", "rows.csv"]
    report = json.loads(Path(next(f for f in files if f.endswith(".json"))).read_text("utf-8"))
    assert report["summary"]["n"] == 3 and report["meta"]["k"] == 20


def test_failures_are_listed_first():
    from qa.evaluation.report import fmt_metric, is_failure

    rows = [
        {"id": "a", "answerable": True, "abstained": False, "metrics": {"hit@W400": 1.0}},
        {"id": "b", "answerable": True, "abstained": True, "metrics": {}},
        {"id": "c", "answerable": False, "abstained": False, "metrics": {}},
    ]
    table = views.eval_table_rows(rows, is_failure, fmt_metric)
    assert [r[1] for r in table] == ["b", "c", "a"]
    assert table[0][0] == "false abstain"


def test_evaluate_reports_bad_files_as_messages(bundled_app, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "ok?"}\n{not json\n', encoding="utf-8")
    with pytest.raises(gr.Error, match="line 2"):
        handlers.handle_evaluate(str(bad), 20, progress=lambda *a, **k: None)
    with pytest.raises(gr.Error, match="upload"):
        handlers.handle_evaluate(None, 20, progress=lambda *a, **k: None)
    # the UI event: a message in the status line, the previous run left on screen
    status, *kept = handlers.handle_evaluate_ui(str(bad), 20, progress=lambda *a, **k: None)
    assert "line 2" in status and all(out == gr.update() for out in kept)


def test_evaluate_messages_name_the_uploaded_file_not_its_temporary_path(bundled_app, tmp_path):
    upload = tmp_path / "gradio" / "5eff14"  # where gradio keeps an upload
    upload.mkdir(parents=True)
    bad = upload / "my3.jsonl"
    bad.write_text('{"question": "ok?"}\n{not json\n', encoding="utf-8")
    with pytest.raises(gr.Error) as e:
        handlers.handle_evaluate(str(bad), 20, progress=lambda *a, **k: None)
    assert "my3.jsonl" in e.value.message and str(upload) not in e.value.message
    good = upload / "two.jsonl"
    good.write_text(json.dumps({"id": "a", "question": PLEDGE}) + "\n", encoding="utf-8")
    _, warnings, _ = handlers.evaluate_file(good, 5)
    assert warnings and all(str(upload) not in w for w in warnings)
    assert any("two.jsonl" in w for w in warnings)


# ---------------------------------------------------------------------------- corpus


def test_corpus_info_lists_documents_and_manifest(bundled_app):
    rows, manifest, dropdown, manage = handlers.corpus_info()
    assert views.CORPUS_HEADERS == [
        "document",
        "title",
        "type",
        "size",
        "passages",
        "modified (UTC)",
    ]
    assert rows[0][:4] == [PLAN.name, BUNDLED_TITLE, "TXT", views.human_size(PLAN.stat().st_size)]
    assert rows[0][4] > 10 and re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", rows[0][5])
    assert manage["choices"] == dropdown["choices"] == [PLAN.name]
    assert "all-MiniLM-L6-v2" in manifest and "built at" in manifest
    assert get_assistant().index.manifest["corpus"][rows[0][0]] in manifest
    assert dropdown["value"] == rows[0][0]


@pytest.mark.parametrize(
    ("name", "data", "match"),
    [
        ("../x.txt", b"Fine text.", "plain file name"),
        ("/etc/x.txt", b"Fine text.", "plain file name"),
        ("sub/x.txt", b"Fine text.", "plain file name"),
        ("..\\x.txt", b"Fine text.", "plain file name"),
        (".hidden.txt", b"Fine text.", "characters"),
        ("x.exe", b"Fine text.", "the corpus takes " + re.escape(", ".join(corpus_update.SUFFIXES))),
        ("x.pdf", b"%PDF-1.4", r"x\.pdf cannot be read: not a readable PDF .*damaged"),
        ("x.docx", b"PK not a zip", r"x\.docx cannot be read: not a readable Word"),
        ("x.html", b"<html><script>var a;</script></html>", "x.html cannot be read: .*no text"),
        ("x.txt", "会议纪要".encode("gbk"), "UTF-8"),
        ("x.txt", b"  \n\n ", "empty"),
        ("x.txt", b"a" * (corpus_update.MAX_UPLOAD_BYTES + 1), "limit"),
        ("alpha.txt", b"Already there.", "already in the corpus"),
    ],
)
def test_bad_uploads_are_refused_and_leave_the_index_alone(tiny_app, name, data, match):
    before, serving = snapshot(tiny_app), get_assistant()
    with pytest.raises(CorpusError, match=match):
        handlers.add_document(name, data)
    assert snapshot(tiny_app) == before
    assert get_assistant() is serving


def test_failed_indexing_leaves_the_old_index_serving(tiny_app, monkeypatch):
    before, serving = snapshot(tiny_app), get_assistant()

    def broken_build(*args, **kwargs):
        raise QAError("disk full while embedding; free space and retry")

    monkeypatch.setattr(corpus_update, "build", broken_build)
    with pytest.raises(QAError, match="disk full"):
        handlers.add_document("lighthouse.txt", b"Lighthouse keepers log every ship.")
    assert snapshot(tiny_app) == before
    assert get_assistant() is serving
    assert not any(p.name.startswith(".upload-") for p in Path(tiny_app.index_dir).iterdir())


def test_good_upload_is_indexed_and_searchable(tiny_app):
    text = "Lighthouse rules\n\nEvery lighthouse keeper must log each passing ship in the book.\n"
    steps = []
    message = handlers.add_document("lighthouse.txt", text.encode(), lambda m, f: steps.append(f))
    assert "lighthouse.txt" in message and steps
    assert (Path(tiny_app.corpus_dir) / "lighthouse.txt").read_text("utf-8") == text
    page = handlers.handle_search("lighthouse keeper log ships", 3)
    assert "lighthouse.txt" in page.split('id="sr-2"')[0]
    # what is on disk is a consistent index for the new corpus
    reopened = Assistant.open(replace(tiny_app), auto_build=False)
    assert "lighthouse.txt" in reopened.index.manifest["corpus"]
    rows, _, dropdown, _ = handlers.corpus_info()
    assert "lighthouse.txt" in [r[0] for r in rows]
    assert "lighthouse.txt" in dropdown["choices"]


def test_upload_limits_are_larger_for_pdf_and_docx():
    big = corpus_update.MAX_UPLOAD_BYTES + 1
    corpus_update.check_upload_size("x.pdf", big)
    corpus_update.check_upload_size("x.docx", big)
    corpus_update.check_upload_size("x.xlsx", big)
    for text in ("x.html", "x.csv"):
        with pytest.raises(CorpusError, match="limit for text, CSV and HTML files is 2,000,000"):
            corpus_update.check_upload_size(text, big)
    for converted in ("x.ppt", "x.odp", "x.ods", "x.xls"):
        corpus_update.check_upload_size(converted, big)
    with pytest.raises(CorpusError, match="limit for PDF and Office files is 20,000,000"):
        corpus_update.check_upload_size("x.PDF", corpus_update.MAX_BINARY_UPLOAD_BYTES + 1)



def test_the_upload_label_names_every_kind_a_corpus_reads_under_its_own_limit():
    label = corpus_update.upload_kinds(2, 20)
    text_part, binary_part, rest = re.split(r" \(up to (?:2|20) MB\),? ?", label)
    text_kinds, binary_kinds = text_part.split(", "), binary_part.split(", ")
    assert rest == "" and sorted(text_kinds + binary_kinds) == sorted(corpus_update.SUFFIXES)
    for suffix in corpus_update.SUFFIXES:  # each kind is checked against the limit shown with it
        binary = corpus_update.upload_limit(f"x{suffix}") == corpus_update.MAX_BINARY_UPLOAD_BYTES
        assert (suffix in binary_kinds) == binary, suffix
    assert {".txt", ".html", ".csv"} <= set(text_kinds) and {".xlsm", ".pdf"} <= set(binary_kinds)


LIGHTHOUSE = (
    "Lighthouse rules\n\n1. Logging ships\n\n"
    "Every lighthouse keeper must log each passing ship in the harbour book.\n"
)


def test_a_pdf_upload_is_indexed_and_answered_citing_it(tiny_app, tmp_path):
    pytest.importorskip("pypdf")
    pytest.importorskip("fpdf")
    from tests.format_files import write_pdf

    pdf = write_pdf(LIGHTHOUSE, tmp_path / "lighthouse rules.pdf")
    status, rows, *_ = handlers.handle_upload(str(pdf), progress=lambda *a, **k: None)
    assert status.startswith("✓ Added `lighthouse rules.pdf`"), status
    assert (Path(tiny_app.corpus_dir) / pdf.name).read_bytes() == pdf.read_bytes()  # the original
    row = next(r for r in rows if r[0] == pdf.name)
    assert row[1] == "Lighthouse rules" and row[2] == "PDF" and row[4] >= 1
    history, sources, _, _ = ask("Who must log each passing ship?")
    assert "lighthouse keeper must log each passing ship" in history[-1]["content"]
    assert pdf.name in sources
    reopened = Assistant.open(replace(tiny_app), auto_build=False)
    assert pdf.name in reopened.index.manifest["corpus"]


def test_a_docx_upload_is_added_and_a_docx_can_be_replaced(tiny_app, tmp_path):
    pytest.importorskip("docx")
    from qa.web import corpus_tab
    from tests.format_files import write_docx

    no_progress = lambda *a, **k: None  # noqa: E731
    doc = write_docx(LIGHTHOUSE, tmp_path / "keepers.docx")
    status, rows, *_ = corpus_tab.handle_upload(str(doc), progress=no_progress)
    assert status.startswith("✓ Added `keepers.docx`"), status
    assert next(r[2] for r in rows if r[0] == "keepers.docx") == "DOCX"
    assert "keepers.docx" in handlers.handle_search("lighthouse keeper log ships", 1)
    # a new version replaces it; a text file or a damaged DOCX cannot
    new = write_docx(
        "Keepers\n\nThe ferry captain rings the harbour bell at noon.\n", tmp_path / "v2.docx"
    )
    status = corpus_tab.handle_replace("keepers.docx", str(new), progress=no_progress)[0]
    assert status.startswith("✓ Replaced `keepers.docx`"), status
    assert "keepers.docx" in handlers.handle_search("who rings the harbour bell", 1)
    before, serving = snapshot(tiny_app), get_assistant()
    text = tmp_path / "v3.txt"
    text.write_text("Plain text.", encoding="utf-8")
    bad = tmp_path / "v3.docx"
    bad.write_bytes(b"PK\x03\x04 cut short")
    for file, message in ((text, "choose a .docx file"), (bad, "keepers.docx cannot be read")):
        status = corpus_tab.handle_replace("keepers.docx", str(file), progress=no_progress)[0]
        assert status.startswith("⚠") and message in status, status
    assert snapshot(tiny_app) == before and get_assistant() is serving


def test_an_rtf_upload_is_added_and_searched(tiny_app, tmp_path):
    from qa.web import corpus_tab
    from tests.format_files import write_rtf

    rtf = write_rtf(LIGHTHOUSE, tmp_path / "keepers.rtf")
    status, rows, *_ = corpus_tab.handle_upload(str(rtf), progress=lambda *a, **k: None)
    assert status.startswith("✓ Added `keepers.rtf`"), status
    assert next(r[2] for r in rows if r[0] == "keepers.rtf") == "RTF"
    assert "keepers.rtf" in handlers.handle_search("lighthouse keeper log ships", 1)
    renamed = tmp_path / "notes.rtf"
    renamed.write_bytes(b"PK\x03\x04 a zip, not rich text")
    status = corpus_tab.handle_upload(str(renamed), progress=lambda *a, **k: None)[0]
    assert status.startswith("⚠") and "not an RTF file" in status, status


def test_a_workbook_upload_is_added_and_its_rows_answer(tiny_app, tmp_path):
    from qa.web import corpus_tab
    from tests.test_sheets import workbook

    book = tmp_path / "harbour indicators.xlsx"
    workbook(book)
    status, rows, *_ = corpus_tab.handle_upload(str(book), progress=lambda *a, **k: None)
    assert status.startswith("✓ Added `harbour indicators.xlsx`"), status
    assert next(r[2] for r in rows if r[0] == book.name) == "XLSX"
    found = handlers.handle_search("how many berths are in use in 2020", 3)
    shown = re.sub(r"<[^>]+>", "", found)  # the words matched are marked up
    assert book.name in found and "Berths in use | 2015: 40 | 2020: 52" in shown


def test_an_old_powerpoint_upload_is_added_and_its_notes_searched(tiny_app, tmp_path):
    from qa.web import corpus_tab

    deck = tmp_path / "briefing.ppt"
    deck.write_bytes(
        (Path(__file__).parent / "data" / "ppt" / "basic_test_ppt_file.ppt").read_bytes()
    )
    status, rows, *_ = corpus_tab.handle_upload(str(deck), progress=lambda *a, **k: None)
    assert status.startswith("✓ Added `briefing.ppt`"), status
    assert next(r[2] for r in rows if r[0] == deck.name) == "PPT"
    found = re.sub(
        r"<[^>]+>", "", handlers.handle_search("notes on page two lacking formatting", 3)
    )
    assert "briefing.ppt" in found and "These are the notes on page two" in found



def test_a_saved_outlook_mail_upload_is_added_and_searched(tiny_app, tmp_path):
    from qa.web import corpus_tab

    mail = tmp_path / "report mail.msg"
    mail.write_bytes((Path(__file__).parent / "data" / "msg" / "outlook_30_msg.msg").read_bytes())
    status, rows, *_ = corpus_tab.handle_upload(str(mail), progress=lambda *a, **k: None)
    assert status.startswith("✓ Added `report mail.msg`"), status
    assert next(tuple(r[1:3]) for r in rows if r[0] == mail.name) == (
        "IN-SPIRE servers going down for a bit, back up around 8am",
        "MSG",
    )
    found = re.sub(r"<[^>]+>", "", handlers.handle_search("moving the servers to the lab", 3))
    assert "report mail.msg" in found

def test_handle_upload_uses_the_file_name_and_reports_errors(tiny_app, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes("会议纪要".encode("gbk"))  # Chinese Windows' code page: not read
    status, *kept = handlers.handle_upload(str(bad), progress=lambda *a, **k: None)
    assert "UTF-8" in status and all(out == gr.update() for out in kept)  # table left alone
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.4")  # a header and nothing else: damaged
    status, *kept = handlers.handle_upload(str(pdf), progress=lambda *a, **k: None)
    assert status.count("report.pdf") == 1 and "cannot be read" in status
    assert "choose" not in status and all(out == gr.update() for out in kept)  # one message
    assert not (Path(tiny_app.corpus_dir) / "report.pdf").exists()
    good = tmp_path / "harbour notes.md"
    good.write_text("# Harbour notes\n\nThe ferry leaves at noon.\n", encoding="utf-8")
    message, rows, _, _, _, header = handlers.handle_upload(
        str(good), progress=lambda *a, **k: None
    )
    assert "harbour notes.md" in message and "harbour notes.md" in [r[0] for r in rows]
    assert "planqa · 3 documents" in header  # the tiny corpus had 2
    assert ["harbour notes.md", "Harbour notes"] == next(r[:2] for r in rows if r[0] == good.name)


def test_remove_replace_and_download_a_document(tiny_app, tmp_path):
    from qa.web import corpus_tab

    no_progress = lambda *a, **k: None  # noqa: E731
    sources = [d.source for d in get_assistant().documents]
    assert sources == ["alpha.txt", "beta.md"] or sorted(sources) == ["alpha.txt", "beta.md"]
    # download: a copy of the original file, outside the corpus folder
    copy = Path(corpus_tab.handle_choose("alpha.txt")["value"])
    assert copy.read_bytes() == (Path(tiny_app.corpus_dir) / "alpha.txt").read_bytes()
    assert Path(tiny_app.corpus_dir) not in copy.parents
    assert corpus_tab.handle_choose("nope.txt")["value"] is None
    # replace: same name, new text, new index
    new = tmp_path / "whatever.txt"
    new.write_text("Alpha rules\n\nEvery lighthouse keeper logs each ship.\n", encoding="utf-8")
    status, rows, *_ = corpus_tab.handle_replace("alpha.txt", str(new), progress=no_progress)
    assert status.startswith("✓ Replaced `alpha.txt`")
    assert (Path(tiny_app.corpus_dir) / "alpha.txt").read_text("utf-8").startswith("Alpha rules")
    assert "lighthouse.txt" not in [r[0] for r in rows] and "alpha.txt" in [r[0] for r in rows]
    assert "alpha.txt" in handlers.handle_search("lighthouse keeper ship", 1)
    # remove: gone from the corpus, the index and the dropdowns
    status, rows, _, reader_choice, manage_choice, header = corpus_tab.handle_remove(
        "alpha.txt", progress=no_progress
    )
    assert status.startswith("✓ Removed `alpha.txt`") and [r[0] for r in rows] == ["beta.md"]
    assert not (Path(tiny_app.corpus_dir) / "alpha.txt").exists()
    assert manage_choice["choices"] == reader_choice["choices"] == ["beta.md"]
    assert all(p.source == "beta.md" for p in get_assistant().passages)
    reopened = Assistant.open(replace(tiny_app), auto_build=False)
    assert list(reopened.index.manifest["corpus"]) == ["beta.md"]
    # the last document cannot go; unknown names are refused; nothing changes
    before, serving = snapshot(tiny_app), get_assistant()
    for status in (
        corpus_tab.handle_remove("beta.md", progress=no_progress)[0],
        corpus_tab.handle_remove("../beta.md", progress=no_progress)[0],
        corpus_tab.handle_replace("beta.md", None, progress=no_progress)[0],
        corpus_tab.handle_remove(None, progress=no_progress)[0],
    ):
        assert status.startswith("⚠")
    assert snapshot(tiny_app) == before and get_assistant() is serving


def test_a_failed_replace_leaves_corpus_and_index_as_they_were(tiny_app, monkeypatch):
    from qa.web import corpus_tab

    before, serving = snapshot(tiny_app), get_assistant()

    real_replace, calls = corpus_update.os.replace, []

    def broken_replace(src, dst):  # the first index file cannot be moved in: disk full
        if Path(dst).parent == Path(tiny_app.index_dir) and not calls:
            calls.append(dst)
            raise OSError("disk full")
        return real_replace(src, dst)

    monkeypatch.setattr(corpus_update.os, "replace", broken_replace)
    with pytest.raises(CorpusError, match="unchanged"):
        corpus_tab.replace_document("alpha.txt", b"A new alpha text about harbours.")
    monkeypatch.undo()
    assert calls and snapshot(tiny_app) == before and get_assistant() is serving


# ---------------------------------------------------------------------------- naming the corpus


def test_the_header_shows_the_title_of_the_one_document(bundled_app):
    header = handlers.page_header()
    assert header.startswith(f"## planqa · {markdown.md_escape(BUNDLED_TITLE)}\n")
    assert "Answers quote the document word for word" in header
    assert handlers.handle_load()[-1] == header


def test_the_page_speaks_of_the_documents_of_a_larger_corpus(tiny_app):
    assert handlers.page_header().startswith("## planqa · 2 documents\n")
    demo = layout.build_app()
    labels = {getattr(b, "label", None) for b in demo.blocks.values()}
    placeholders = " ".join(str(getattr(b, "placeholder", "")) for b in demo.blocks.values())
    assert "Read the documents" in labels
    assert "Ask a question about the documents" in placeholders


@pytest.mark.parametrize(
    ("docs", "name", "phrase"),
    [
        (
            [Document("beta.md", "# Harbour *rules* <b>\n\nBoats dock.")],
            "Harbour *rules* <b>",
            "the document",
        ),
        ([Document("harbour_rules.txt", "Boats dock at noon.")], "Harbour rules", "the document"),
        (
            [Document("a.txt", "A"), Document("b.txt", "B"), Document("c.txt", "C")],
            "3 documents",
            "the documents",
        ),
        ([], "0 documents", "the documents"),
    ],
)
def test_corpus_name(docs, name, phrase):
    assert markdown.corpus_name(docs) == name and markdown.the_documents(docs) == phrase
    header = markdown.header_markdown(docs)
    assert header.startswith(f"## planqa · {markdown.md_escape(name)}\n") and phrase in header
    assert "<b>" not in header


def test_web_code_names_no_document():
    """The page speaks of "the document(s)"; only the example questions are about the bundled
    corpus. planqa is the product."""
    folder = REPO / "qa" / "web"
    for path in [*folder.glob("*.py"), *(folder / "templates").iterdir()]:
        text = path.read_text("utf-8").replace("planqa", "")
        for example in layout.EXAMPLES:
            text = text.replace(example, "")
        assert not re.search(r"\bplan\b|action plan|intellectual property", text, re.I), path


# ---------------------------------------------------------------------------- serving


def test_every_event_has_a_stable_api_name(bundled_app):
    demo = layout.build_app()
    names = {fn.api_name for fn in demo.fns.values() if fn.api_visibility != "private"}
    assert {"chat", "ask", "search", "read", "evaluate", "upload", "vote", "feedback"} <= names
    assert all(not name.startswith("lambda") for name in names)


def test_parse_login():
    from qa.web.exposure import parse_login

    assert parse_login("ann:s3:cret", "QA_AUTH") == ("ann", "s3:cret")
    for bad in ("ann", ":pw", "ann:"):
        with pytest.raises(ValueError, match="QA_AUTH: a login must look like user:password"):
            parse_login(bad, "QA_AUTH")


def test_cli_defaults():
    args = app.build_parser().parse_args([])
    assert (args.host, args.port, args.share, args.auth) == ("127.0.0.1", 7860, False, None)
    assert args.feedback == app.DEFAULT_FEEDBACK


def test_main_reports_a_bad_corpus_without_a_traceback(tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    code = app.main(["--corpus", str(empty), "--index-dir", str(tmp_path / "index")])
    assert code == 2
    assert "error:" in capsys.readouterr().err


# ---------------------------------------------------------------------------- views


def test_views_escape_untrusted_text():
    doc = Document("evil.txt", "<script>x</script> & <b>bold</b>\n")
    p = Passage(0, "evil.txt", 0, 33, "<img src=x onerror=alert(1)>", doc.text[:33])
    hit = Hit(p, 0.5, 1)
    html = views.search_html("<script>", [hit], ["script"])
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    page = reader.document_html(doc, [p], 0)
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<" not in markdown.md_escape("<script>")
    assert markdown.md_escape("*[x](y)*") == "\\*\\[x\\]\\(y\\)\\*"


def test_every_panel_escapes_untrusted_text():
    from qa.types import Answer, Citation, Quote

    evil = "<img src=x onerror=alert(1)>"
    doc = Document("<b>.txt", f"Intro {evil}.\n\n<script>x</script> cited.\n")
    p = Passage(0, doc.source, 0, len(doc.text.split("\n\n")[0]), evil, f"Intro {evil}.")
    hit = Hit(p, 0.5, 1)
    quote = Quote(p.text, p.source, p.start, p.end, 1)
    cited = Answer(evil, f"{evil} [1]", False, (quote,), (Citation(1, hit, (quote,)),), (hit,))
    declined = Answer(evil, "Not covered.", True, hits=(hit,), reason=evil)
    pages = [
        views.sources_html(cited, [doc], searched="<script>"),
        views.sources_html(declined, [doc]),
        views.manifest_html({"model": evil, "chunking": {"x": evil}, "corpus": {evil: evil}}),
        views.eval_summary_html(
            {"n": 3}, {"file": evil, "k": evil}, lambda n, v: evil, [evil] * 12
        ),
        views.search_html(evil, [], []),
        reader.passage_in_paragraph(doc, p, [(p.start, p.end)]),
    ]
    for page in pages:
        assert "<img" not in page and "<script>" not in page and "<b>" not in page
        assert "&lt;img src=x onerror=alert(1)&gt;" in page or "&lt;script&gt;" in page
    assert "<mark>Intro &lt;img" in pages[0] and 'id="src-1"' in pages[0]
    assert "… and 2 more" in pages[3]
    # the evaluation stage's trade-off table is HTML already: it passes through as it is
    table = '<table class="tradeoff"><tr><td>&lt;x&gt;</td></tr></table>'
    assert table in views.eval_summary_html({}, {}, lambda n, v: v, (), table)


@pytest.mark.parametrize(
    ("text", "start", "end", "bounds"),
    [
        ("a\n\nb c\nd\n\ne", 3, 4, (3, 8)),
        ("only one paragraph", 5, 8, (0, 18)),
        ("x\n\n  \n  y z  \n\n", 8, 9, (8, 11)),
        ("", 0, 0, (0, 0)),
    ],
)
def test_paragraph_bounds(text, start, end, bounds):
    assert reader.paragraph_bounds(text, start, end) == bounds


def test_passage_in_paragraph_keeps_offsets_and_marks_quotes(plan_assistant):
    doc = plan_assistant.documents[0]
    for p in plan_assistant.passages:
        html = reader.passage_in_paragraph(doc, p, [(p.start, p.end)])
        assert f"<mark>{escape(p.text)}</mark>" in html


@pytest.mark.parametrize(
    ("word", "terms", "hit"),
    [
        ("Loans", ["loan"], True),
        ("policy", ["polici"], True),
        ("enterprises", ["enterpris"], True),
        ("loan", ["pledg"], False),
        ("an", ["a"], False),
    ],
)
def test_term_matches(word, terms, hit):
    assert views.term_matches(word, terms) is hit


def merged_hit():
    """A hit that joins neighbouring passages, from the dev questions (some always merge)."""
    rows = [
        json.loads(line) for line in (REPO / "eval" / "dev.jsonl").read_text("utf-8").splitlines()
    ]
    for row in rows:
        for hit in get_assistant().search(row["question"], k=5):
            if len(hit.passage_ids) > 1:
                return hit
    raise AssertionError("no dev question returned a merged hit")


def test_reading_a_merged_hit_highlights_all_its_parts(bundled_app):
    hit = merged_hit()
    first, last = min(hit.passage_ids), max(hit.passage_ids)
    link = f'data-pid="{hit.passage.id}" data-parts="{first}-{last}"'
    assert link in views.search_html("q", [hit], [])
    assert f"{len(hit.passage_ids)} passages of one item" in views.search_html("q", [hit], [])
    evt = gr.SelectData(None, {"index": hit.passage.id, "value": f"{first}-{last}"})
    _, _, page = handlers.handle_open(evt)
    for pid in hit.passage_ids:
        assert f'id="rd-p-{pid}" class="psg target"' in page
    # a range that does not hold the passage, or is garbage, highlights just the passage
    for value in ("0-40", "x-y", ""):
        evt = gr.SelectData(None, {"index": hit.passage.id, "value": value})
        page = handlers.handle_open(evt)[2]
        assert page.count('class="psg target"') == 1


def test_another_corpus_gets_only_the_declined_example(tiny_app):
    """The bundled corpus gets every example; another corpus only the one that shows a
    decline (questions about pledge loans there would name the wrong document)."""
    assert layout.examples_for(get_assistant()) == [layout.DECLINED_EXAMPLE]


def test_the_bundled_corpus_gets_every_example(bundled_app):
    assert layout.examples_for(get_assistant()) == list(layout.EXAMPLES)


# words of every English example (stemmed as the index reads them)
EXAMPLE_WORDS = (
    "Support for small enterprises\n\nBanks support small enterprises with pledge loans. "
    "Patent navigation pilot projects start in three cities. The trademark review system "
    "will be improved.\n"
)


def test_examples_are_worked_out_again_after_a_corpus_change(tiny_app):
    from qa.web.corpus_tab import add_document, remove_document
    from qa.web.examples import handle_examples

    declined = [[layout.DECLINED_EXAMPLE]]
    assert handle_examples()["samples"] == declined
    add_document("support.txt", EXAMPLE_WORDS.encode())
    assert handle_examples()["samples"] == [[q] for q in layout.EXAMPLES]
    remove_document("support.txt")
    assert handle_examples()["samples"] == declined


def test_ask_within_chosen_documents(tiny_app):
    """The chat's "Ask within" list names every document; a choice keeps the answer and its
    sources inside it; a name the index lacks, or a malformed choice, is a message."""
    from qa.web.within import MAX_CHOSEN, within_choices

    update = within_choices()
    assert update["choices"] == ["alpha.txt", "beta.md"] and update["visible"] is True
    question = "Who checks every licence?"
    _, sources, _, _ = handlers.handle_ask(question, [], 5, 0.0, 3, None, ["alpha.txt"])
    assert "alpha.txt" in sources and "beta.md" not in sources
    history, sources, _, _ = handlers.handle_ask(question, [], 5, 0.0, 3, None, ["beta.md"])
    assert "harbour master" in history[-1]["content"] and "alpha.txt" not in sources
    with pytest.raises(gr.Error, match="no document is named 'gamma.txt'"):
        handlers.handle_ask(question, [], 5, 0.0, 3, None, ["gamma.txt"])
    with pytest.raises(gr.Error, match="at most"):
        handlers.handle_ask(question, [], 5, 0.0, 3, None, ["alpha.txt"] * (MAX_CHOSEN + 1))
    with pytest.raises(gr.Error, match="choose documents"):
        handlers.handle_ask(question, [], 5, 0.0, 3, None, [{"x": 1}])
    names = {getattr(b, "elem_id", None) for b in layout.build_app().blocks.values()}
    assert "within" in names


def test_search_within_chosen_documents_and_grouped_by_document(tiny_app):
    """The Search tab searches every document, its results grouped by document in the order
    of each one's best result, or only the documents chosen in "Search within"."""
    import re

    query = "Who checks every licence?"
    page = handlers.handle_search(query, 6)
    heads = re.findall(r'<div class="doc-group-head">([^<]+?) <span', page)
    assert sorted(heads) == ["alpha.txt", "beta.md"] and "from 2 documents" in page
    first_card = re.search(r'id="sr-1"', page).start()
    first_head = page.index(f'<div class="doc-group-head">{heads[0]} ')
    assert first_head < first_card < page.index(f'<div class="doc-group-head">{heads[1]} ')
    page = handlers.handle_search(query, 6, ["beta.md"])
    assert "alpha.txt" not in page and "harbour master" in page
    assert "doc-group" not in page and "Searched within beta.md." in page
    html, status = handlers.handle_search_ui(query, 6, ["gamma.txt"])
    assert "no document is named 'gamma.txt'" in status
    with pytest.raises(gr.Error, match="Search within: choose documents"):
        handlers.handle_search(query, 6, [3])
    names = {getattr(b, "elem_id", None) for b in layout.build_app().blocks.values()}
    assert "search-within" in names


def test_ask_within_is_hidden_for_one_document(bundled_app):
    from qa.web.within import within_choices

    assert within_choices()["visible"] is False
