"""End to end in a real Chromium: start `python app.py`, ask, click a citation, run an eval.

Needs Debian's chromium at /usr/bin/chromium (`apt-get install -y chromium`); Playwright drives
it and never downloads a browser of its own. Screenshots go to test-artifacts/ (gitignored).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest

from qa.ingest.titles import document_title
from qa.types import Document

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts"
SHOTS = Path("/tmp/app_shots")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PLEDGE = "How are small enterprises supported in pledge loans?"
STARTUP_SECONDS = 90

pytestmark = pytest.mark.browser


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_serving(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"app.py exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"app.py did not answer within {STARTUP_SECONDS} s:\n{log.read_text()[-3000:]}")


@contextlib.contextmanager
def running_app(
    corpus: Path, index_dir: Path, encoder: Path, tmp: Path, settings: dict | None = None
):
    """`python app.py` on a free port over ``corpus`` (``settings``: more QA_ variables);
    always terminated."""
    port = free_port()
    log = tmp / "server.log"
    env = {
        **os.environ,
        **(settings or {}),
        "QA_ENCODER_DIR": str(encoder),
        "GRADIO_ANALYTICS_ENABLED": "False",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "QA_QUESTIONS_PER_MINUTE": "0",  # tests ask faster than a person (tests/test_limits.py)
    }
    cmd = [
        sys.executable,
        str(REPO / "app.py"),
        "--port",
        str(port),
        "--corpus",
        str(corpus),
        "--index-dir",
        str(index_dir),
        "--feedback",
        str(tmp / "feedback.jsonl"),
    ]
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=tmp, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_until_serving(url, proc, log)
        yield SimpleNamespace(url=url, feedback=tmp / "feedback.jsonl", log=log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@contextlib.contextmanager
def running_tiny_app(
    tmp_path_factory, encoder_dir: Path, name: str, settings: dict | None = None
):
    """`python app.py` over a fresh copy of the tiny corpus (the test may change it): the app
    carries ``corpus``; its working folder is ``corpus.parent``."""
    from tests.conftest import write_corpus

    need_browser()
    tmp = tmp_path_factory.mktemp(name)
    corpus = write_corpus(tmp / "corpus")
    with running_app(corpus, tmp / "index", encoder_dir, tmp, settings) as app:
        app.corpus = corpus
        yield app


def need_browser() -> None:
    if not CHROMIUM.exists():
        pytest.skip("chromium not installed: apt-get install -y chromium (browser test NOT run)")
    pytest.importorskip(
        "playwright.sync_api", reason="playwright not installed: pip install playwright"
    )


@contextlib.contextmanager
def browser_page(url: str, width: int = 1400, height: int = 1000):
    """A page of Debian's chromium (Playwright never downloads one) open on ``url``."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.set_default_timeout(30_000)
            page.goto(url)
            page.wait_for_selector("#question textarea")
            yield page
        finally:
            browser.close()


def shot(page, name: str, full_page: bool = False) -> None:
    """A screenshot in test-artifacts/ and /tmp/app_shots/ (for a person to look at)."""
    for folder in (ARTIFACTS, SHOTS):
        page.screenshot(path=str(folder / name), full_page=full_page)


@pytest.fixture(scope="module")
def server(plan_settings, tmp_path_factory):
    """The app over the session's bundled-corpus index."""
    need_browser()
    tmp = tmp_path_factory.mktemp("server")
    s = plan_settings
    with running_app(s.corpus_dir, s.index_dir, s.encoder_path, tmp) as app:
        yield app


@pytest.fixture(scope="module")
def page(server):
    with browser_page(server.url) as page:
        yield page


@pytest.fixture
def screenshot_on_failure(request, page):
    """A failing step leaves a picture of the page behind: test-artifacts/failed-<test>.png."""
    failed_before = request.session.testsfailed
    yield
    if request.session.testsfailed > failed_before:
        page.screenshot(path=str(ARTIFACTS / f"failed-{request.node.name}.png"), full_page=True)


def in_viewport(page, selector: str) -> bool:
    return page.evaluate(
        """(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
                      return r.top >= 0 && r.bottom <= window.innerHeight + 1 && r.height > 0; }""",
        selector,
    )


def test_api_ask_with_gradio_client(server):
    """The README snippet: one question through /ask returns the `qa ask --json` shape."""
    from gradio_client import Client

    client = Client(server.url, verbose=False)
    answer = client.predict(PLEDGE, api_name="/ask")
    assert not answer["abstained"]
    assert any("credit risk compensation" in c["text"] for c in answer["citations"])
    assert "[1]" in answer["answer"]


@pytest.mark.usefixtures("screenshot_on_failure")
def test_ask_cite_and_read_in_the_document(page, plan_settings):
    # the header names the corpus by its one document's title
    doc = next(Path(plan_settings.corpus_dir).glob("*.txt"))
    title = document_title(Document(doc.name, doc.read_text("utf-8")))
    assert f"planqa · {title}" in page.locator("#header").inner_text()
    page.fill("#question textarea", PLEDGE)
    page.press("#question textarea", "Enter")
    page.wait_for_selector("#sources .src")
    page.wait_for_function(
        "document.querySelector('#chatbot').textContent.includes('credit risk compensation')"
    )
    chat = page.locator("#chatbot").inner_text()
    assert "credit risk compensation funds for small and micro enterprises" in chat
    assert "pledge loans" in chat
    # the cited row: the one whose marked quote is the credit-risk sentence
    row = page.locator(
        "#sources .src", has=page.locator("mark", has_text="credit risk compensation")
    )
    assert row.count() == 1
    assert "pledge loans" in row.inner_text()
    assert "credit risk compensation" in row.locator("mark").first.inner_text()
    shot(page, "browser-01-answer.png")

    # the [n] marker of that passage brings its source row into view and flashes it
    row_id = row.get_attribute("id")
    page.evaluate("window.scrollTo(0, 0)")
    page.locator(f"#chatbot a[href='#{row_id}']").first.click()
    page.wait_for_function(
        "(id) => document.getElementById(id).classList.contains('flash')", arg=row_id
    )
    page.wait_for_function(
        """(id) => { const r = document.getElementById(id).getBoundingClientRect();
                     return r.top >= 0 && r.top < window.innerHeight; }""",
        arg=row_id,
    )
    page.screenshot(path=str(ARTIFACTS / "browser-02-citation-clicked.png"))

    # "read in the document" opens the reader on that passage, highlighted and scrolled to
    row.locator("a.open-passage").click()
    page.wait_for_selector("#reader .psg.target")
    # the cited hit may join neighbouring passages: all its parts are highlighted
    highlighted = " ".join(page.locator("#reader .psg.target").all_inner_texts())
    assert "credit risk compensation" in highlighted
    assert (
        page.get_by_role("tab", name="Read the document").get_attribute("aria-selected") == "true"
    )
    page.wait_for_function(
        """() => { const r = document.querySelector('#reader .psg.target').getBoundingClientRect();
                   return r.top >= 0 && r.bottom <= window.innerHeight; }"""
    )
    assert in_viewport(page, "#reader .psg.target")
    assert page.locator("#reader nav.outline a").count() > 10
    page.screenshot(path=str(ARTIFACTS / "browser-03-reader.png"))


@pytest.mark.usefixtures("screenshot_on_failure")
def test_thumbs_down_saves_a_regression_case(page, server):
    page.get_by_role("tab", name="Chat").click()
    page.fill("#question textarea", "What is the capital of France?")
    page.press("#question textarea", "Enter")
    page.wait_for_function(
        "document.querySelector('#sources').textContent.includes('the closest passages')"
    )
    # the decline says why, in words
    assert "Why: no sentence of the" in page.locator("#chatbot").inner_text()
    page.locator("#chatbot button[aria-label='Dislike']").last.click()
    page.wait_for_selector("#feedback-panel", state="visible")
    page.locator("#feedback-choice input").click()
    page.get_by_role("option", name="Not in the documents").click()
    page.wait_for_timeout(500)  # let the option list fade out before the screenshot
    page.screenshot(path=str(ARTIFACTS / "browser-04-feedback.png"))
    page.get_by_role("button", name="Send feedback").click()
    page.wait_for_selector("#feedback-panel", state="hidden")
    records = [json.loads(line) for line in server.feedback.read_text("utf-8").splitlines()]
    assert records[-1]["question"] == "What is the capital of France?"
    assert (records[-1]["vote"], records[-1]["answerable"]) == ("down", False)


@pytest.mark.usefixtures("screenshot_on_failure")
def test_search_marks_terms(page):
    page.get_by_role("tab", name="Search").click()
    page.fill("#search-query textarea", "credit risk compensation")
    page.press("#search-query textarea", "Enter")
    page.wait_for_selector("#search-results .hit")
    first = page.locator("#search-results .hit").first
    assert "credit risk compensation" in first.inner_text()
    assert first.locator("mark").count() >= 3
    shot(page, "browser-05-search.png")


@pytest.mark.usefixtures("screenshot_on_failure")
def test_search_says_how_an_acronym_was_read(page):
    page.get_by_role("tab", name="Search").click()
    page.fill("#search-query textarea", "SMEs pledge laons")
    page.press("#search-query textarea", "Enter")
    note = page.locator("#search-results .reading")
    note.wait_for()
    assert 'Read "SMEs" as "small and micro enterprises"' in note.inner_text()
    assert "<mark>micro</mark>" in page.locator("#search-results .hit").first.inner_html()
    page.screenshot(path=str(ARTIFACTS / "browser-06-search-reading.png"))


@pytest.mark.usefixtures("screenshot_on_failure")
def test_evaluation_upload(page, tmp_path):
    questions = tmp_path / "three.jsonl"
    rows = [
        {
            "id": "pledge",
            "question": PLEDGE,
            "evidence": [
                "establish credit risk compensation funds for small and micro enterprises"
            ],
            "kind": "lexical",
        },
        {
            "id": "review",
            "question": "How will the trademark review system be improved?",
            "kind": "paraphrase",
        },
        {"id": "paris", "question": "What is the capital of France?", "answerable": False},
    ]
    questions.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    page.get_by_role("tab", name="Evaluate").click()
    page.set_input_files("#eval-file input[type=file]", str(questions))
    page.wait_for_function("document.querySelector('#eval-file').textContent.includes('three')")
    page.click("#eval-run")
    page.wait_for_selector("#eval-summary .card", timeout=60_000)
    summary = page.locator("#eval-summary").inner_text()
    assert "three.jsonl" in summary.lower()
    assert "/tmp" not in summary and "gradio" not in summary.lower()  # the file, not its upload path
    assert page.locator("#eval-summary .card", has_text="hit@W150").count() == 1
    table = page.locator("#eval-table")
    for qid in ("pledge", "review", "paris"):
        assert qid in table.inner_text()
    # report.json, rows.csv and report.html offered for download (gradio splits name and suffix)
    page.wait_for_function("document.querySelectorAll('#eval-files a[download]').length === 3")
    files = page.locator("#eval-files").text_content()
    assert all(ext in files for ext in (".json", ".csv", ".html"))
    page.screenshot(path=str(ARTIFACTS / "browser-06-evaluate.png"), full_page=True)


def ask_in_chat(page, question: str, expect: str) -> None:
    page.get_by_role("tab", name="Chat").click()
    page.fill("#question textarea", question)
    page.press("#question textarea", "Enter")
    page.wait_for_function(
        "(t) => document.querySelector('#chatbot').textContent.includes(t)", arg=expect
    )
    # the event is over when it has emptied the box (and gradio's timer is gone)
    page.wait_for_function("document.querySelector('#question textarea').value === ''")


def on_screen(page) -> tuple[str, str]:
    """The conversation and the sources as the user reads them (gradio's "0.1s" timer
    lines left out: they come and go with any event)."""
    chat = page.locator("#chatbot").inner_text()
    chat = "\n".join(line for line in chat.splitlines() if not re.fullmatch(r"[\d.]+s", line))
    return chat.strip(), page.locator("#sources").inner_text().strip()


def error_overlays(page) -> int:
    """Gradio's red "Error" status over a component (what a raised gr.Error leaves)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.error, .validation-error')]
                 .filter(e => e.offsetParent !== null && /Error/.test(e.textContent)).length"""
    )


@pytest.mark.usefixtures("screenshot_on_failure")
def test_refused_questions_leave_everything_on_screen(page):
    ask_in_chat(page, PLEDGE, "credit risk compensation")
    page.wait_for_selector("#sources .src")
    before = on_screen(page)
    # Enter on an empty box: a message beside it; conversation and sources stay
    page.fill("#question textarea", "")
    page.press("#question textarea", "Enter")
    page.wait_for_function("document.querySelector('#ask-status').textContent.includes('empty')")
    assert on_screen(page) == before
    assert error_overlays(page) == 0
    # a 4,983-character paste is not cut by the box; the server says it is too long
    long = ("Background of the case. " * 207 + "How are pledge loans supported?")[:4983]
    page.fill("#question textarea", long)
    assert len(page.input_value("#question textarea")) == 4983
    page.press("#question textarea", "Enter")
    page.wait_for_function(
        "document.querySelector('#ask-status').textContent.includes('4,983 characters')"
    )
    assert "limit is 2,000" in page.locator("#ask-status").inner_text()
    assert len(page.input_value("#question textarea")) == 4983  # still there to shorten
    assert on_screen(page) == before
    assert error_overlays(page) == 0
    assert in_viewport(page, "#ask-status")  # beside the box, not pushed off screen
    shot(page, "app-01-refused-long-question.png")


@pytest.mark.usefixtures("screenshot_on_failure")
def test_followup_shows_what_was_searched_and_one_match_measure(page):
    ask_in_chat(page, PLEDGE, "credit risk compensation")
    page.wait_for_selector("#sources .match")
    assert "Strong match" in page.locator("#sources .match").inner_text()
    page.locator("#sources .match-help summary").click()
    assert "Abstention threshold" in page.locator("#sources .match-help").inner_text()
    # the ranking score is not shown as a second number, only on hover of the rank
    assert "score" not in page.locator("#sources .src").first.inner_text()
    assert "ranking score" in page.locator("#sources .rank").first.get_attribute("title")
    shot(page, "app-02-sources-match.png")
    ask_in_chat(page, "and what about trademarks?", "seem to cover this follow-up")
    chat = page.locator("#chatbot").inner_text()
    assert f"searched as: “{PLEDGE} and what about trademarks?”" in chat
    # the decline's panel does not call the match strong
    assert "Close wording, no answer" in page.locator("#sources .match").inner_text()
    shot(page, "app-03-followup.png")


def test_ids_are_unique_and_the_log_names_the_share_option(page, server):
    dupes = page.evaluate(
        """() => { const seen = {}; for (const e of document.querySelectorAll('[id]'))
                     seen[e.id] = (seen[e.id] || 0) + 1;
                   return Object.keys(seen).filter(k => seen[k] > 1 && k); }"""
    )
    assert dupes == []
    log = server.log.read_text("utf-8", errors="replace")
    assert "share=True" not in log and "--share" in log


def test_narrow_screen_keeps_sources_inside_their_cards(page, server):
    narrow = page.context.browser.new_page(viewport={"width": 390, "height": 844})
    try:
        narrow.set_default_timeout(30_000)
        narrow.goto(server.url)
        narrow.wait_for_selector("#question textarea")
        page = narrow
        ask_in_chat(page, PLEDGE, "credit risk compensation")
        page.wait_for_selector("#sources .src")
        overflowing = page.evaluate(
            """() => [...document.querySelectorAll('#sources .src, #sources .src *')]
                     .filter(e => e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 0)
                     .map(e => e.className)"""
        )
        assert overflowing == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 391
        page.locator("#sources").scroll_into_view_if_needed()
        shot(page, "app-04-narrow-390px.png", full_page=True)
    finally:
        narrow.close()
