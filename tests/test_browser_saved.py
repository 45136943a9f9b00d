"""Saved conversations, the dark theme and the 390 px layout in a real Chromium.

Each test opens its own browser context (its own localStorage, its own colour scheme) on the
app over the bundled corpus. Needs /usr/bin/chromium; Playwright never downloads a browser.
Screenshots go to test-artifacts/ and /tmp/app_shots/.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import pytest

from qa.web.feedback import read_feedback
from tests.test_browser import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    PLEDGE,
    ask_in_chat,
    need_browser,
    running_app,
    shot,
)

pytestmark = pytest.mark.browser

FOLLOW_UP = "and what about trademarks?"
PATENTS = "What does the plan say about patent navigation pilot projects?"


@pytest.fixture(scope="module")
def server(plan_settings, tmp_path_factory):
    need_browser()
    tmp = tmp_path_factory.mktemp("saved-server")
    s = plan_settings
    with running_app(s.corpus_dir, s.index_dir, s.encoder_path, tmp) as app:
        yield app


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@contextlib.contextmanager
def app_page(browser, url: str, width: int = 1400, height: int = 1000, scheme: str = "light"):
    """A fresh context (empty localStorage) in ``scheme``, open on the app."""
    context = browser.new_context(
        viewport={"width": width, "height": height}, color_scheme=scheme, accept_downloads=True
    )
    try:
        page = context.new_page()
        page.set_default_timeout(60_000)  # a busy 2-core machine runs several sessions
        page.goto(url)
        page.wait_for_selector("#question textarea")
        try:
            yield page
        except Exception:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"failed-saved-{scheme}-{width}.png"))
            raise
    finally:
        context.close()


def open_panel(page) -> None:
    panel = page.locator("#saved-panel")
    if "open" not in (panel.get_attribute("class") or ""):
        panel.locator("button.toggle-button").click()
    page.wait_for_function(
        "document.querySelector('#saved-panel').getBoundingClientRect().left >= 0"
    )


def saved_titles(page) -> list[str]:
    return [t.strip() for t in page.locator("#saved-list label").all_inner_texts()]


def wait_titles(page, count: int) -> list[str]:
    page.wait_for_function(
        "(n) => document.querySelectorAll('#saved-list label').length === n", arg=count
    )
    return saved_titles(page)


def ask_and_save(page, question: str, expect: str, answers: int) -> None:
    """Ask, then wait until the browser has saved the answer (the panel's status says so)."""
    ask_in_chat(page, question, expect)
    page.wait_for_function(
        "(t) => document.querySelector('#saved-status').textContent.includes(t)",
        arg=f"({answers} answer",
    )


def export(page) -> tuple[str, str]:
    """(file name, Markdown) of the Export button's download."""
    page.wait_for_function("!document.querySelector('#export-chat').disabled")
    with page.expect_download() as download:
        page.click("#export-chat")
    d = download.value
    return d.suggested_filename, Path(d.path()).read_text("utf-8")


def test_saved_conversation_reopen_continue_export_and_delete(browser, server, plan_settings):
    corpus_file = next(Path(plan_settings.corpus_dir).glob("*.txt"))
    text = corpus_file.read_text("utf-8")
    with app_page(browser, server.url) as page:
        ask_and_save(page, PLEDGE, "credit risk compensation", 1)
        ask_and_save(page, FOLLOW_UP, "seem to cover this follow-up", 2)
        assert PLEDGE in page.locator("#saved-status").inner_text()
        # the browser keeps it: a reload (a new session of the server) still lists it
        page.reload()
        page.wait_for_selector("#question textarea")
        titles = wait_titles(page, 1)
        assert titles[0].startswith(PLEDGE) and re.search(r"· \d{4}-\d\d-\d\d$", titles[0])
        assert page.locator("#chatbot").inner_text().count(PLEDGE) == 0  # not reopened yet
        open_panel(page)
        page.locator("#saved-list label").first.click()
        page.wait_for_function(
            "(t) => document.querySelector('#chatbot').textContent.includes(t)", arg=FOLLOW_UP
        )
        chat = page.locator("#chatbot").inner_text()
        assert PLEDGE in chat and "credit risk compensation" in chat
        assert f"searched as: “{PLEDGE} {FOLLOW_UP}”" in chat
        sources = page.locator("#sources").inner_text()
        assert "Reopened from this browser's saved conversations" in sources
        assert page.locator("#sources .src.saved").count() >= 1
        shot(page, "saved-01-reopened.png")

        # a vote on a reopened answer is recorded with its question and quoted passage
        page.locator("#chatbot button[aria-label='Like']").first.click()
        page.locator(".toast-body", has_text="saved as a regression case").wait_for()
        vote = read_feedback(server.feedback)[-1]
        assert (vote["question"], vote["vote"], vote["answerable"]) == (PLEDGE, "up", True)
        assert "credit risk compensation" in vote["answer"]
        assert any("credit risk compensation" in e for e in vote["evidence"])

        # a follow-up continues the reopened conversation (same entry, one more turn)
        ask_and_save(page, "And how is the trademark review system improved?", "trademark", 3)
        name, md = export(page)
        assert wait_titles(page, 1)[0].startswith(PLEDGE)
        assert name.startswith("planqa-") and name.endswith(
            "-how-are-small-enterprises-supported-in-pledge-loans.md"
        )
        assert md.startswith(f"# {PLEDGE}\n")
        assert [h for h in re.findall(r"^## (\d+)\. ", md, flags=re.M)] == ["1", "2", "3"]
        assert f"Searched as: “{PLEDGE} {FOLLOW_UP}”" in md
        # every quote is checkable: its offsets slice the corpus file back to its text
        quotes = re.findall(r"  - characters (\d+)-(\d+):\n    > (.*)\n", md)
        assert len(quotes) >= 2
        for start, end, quote in quotes:
            assert text[int(start) : int(end)] == quote
        assert any("credit risk compensation" in q for *_, q in quotes)
        assert f"- [1] {corpus_file.name} · " in md

        # Clear closes the open conversation (kept in the list, no longer selected)
        page.click("#clear")
        page.wait_for_function("document.querySelector('#export-chat').disabled")
        assert page.locator("#saved-list input:checked").count() == 0
        assert wait_titles(page, 1)[0].startswith(PLEDGE)
        # a new conversation is a second entry, listed first
        page.click("#new-chat")
        page.wait_for_function("!document.querySelector('#chatbot').textContent.includes('credit')")
        ask_and_save(page, PATENTS, "navigation", 1)
        titles = wait_titles(page, 2)
        assert titles[0].startswith(PATENTS) and titles[1].startswith(PLEDGE)
        shot(page, "saved-02-two-conversations.png")

        # delete the open one: it leaves the list and the chat
        page.click("#delete-chat")
        titles = wait_titles(page, 1)
        assert titles[0].startswith(PLEDGE)
        assert "Deleted" in page.locator("#saved-status").inner_text()
        assert PATENTS not in page.locator("#chatbot").inner_text()
        page.reload()
        page.wait_for_selector("#question textarea")
        assert wait_titles(page, 1)[0].startswith(PLEDGE)  # the deletion was saved too


def luminance(css_color: str) -> float:
    """Relative luminance (WCAG) of a computed ``rgb(...)`` / ``rgba(...)`` colour."""
    r, g, b = (int(v) / 255 for v in re.findall(r"[\d.]+", css_color)[:3])
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def colors(page, selector: str) -> tuple[str, str]:
    """(text colour, background) of the first match; a transparent background is the
    nearest ancestor's."""
    return page.evaluate(
        """(sel) => { let e = document.querySelector(sel); const c = getComputedStyle(e).color;
             while (e) { const bg = getComputedStyle(e).backgroundColor;
                         if (bg !== 'rgba(0, 0, 0, 0)' && bg !== 'transparent') return [c, bg];
                         e = e.parentElement; }
             return [c, 'rgb(255, 255, 255)']; }""",
        selector,
    )


def test_dark_theme_follows_the_system_setting_and_stays_readable(browser, server):
    with app_page(browser, server.url, scheme="dark") as page:
        assert page.evaluate("document.body.classList.contains('dark')")
        ask_in_chat(page, PLEDGE, "credit risk compensation")
        page.wait_for_selector("#sources .src mark")
        text, card = colors(page, "#sources .src .psg")
        assert luminance(card) < 0.05, card  # a dark card
        assert luminance(text) > 0.6, text  # light text
        fg, bg = colors(page, "#sources .src mark")  # the quote: a dark highlight, no glare
        assert luminance(bg) < 0.2 and contrast(fg, bg) >= 4.5, (fg, bg)
        for selector, least in (
            ("#sources .src-path .crumb-last", 4.5),
            ("#sources .src .ctx", 3.0),  # the muted context around the passage
            ("#sources .match-label", 3.0),  # the strong / weak badge
            ("#sources .src-n", 3.0),
        ):
            fg, bg = colors(page, selector)
            assert contrast(fg, bg) >= least, (selector, fg, bg)
        shot(page, "dark-01-chat.png")
        page.locator("#sources a.open-passage").first.click()
        page.wait_for_selector("#reader .psg.target")
        fg, bg = colors(page, "#reader .psg.target")
        assert luminance(bg) < 0.2 and contrast(fg, bg) >= 4.5, (fg, bg)
        fg, bg = colors(page, "#reader .doc p")
        assert luminance(bg) < 0.05 and contrast(fg, bg) >= 7, (fg, bg)
        shot(page, "dark-02-reader.png")


def test_light_theme_highlights_stay_readable(browser, server):
    with app_page(browser, server.url, scheme="light") as page:
        assert not page.evaluate("document.body.classList.contains('dark')")
        ask_in_chat(page, PLEDGE, "credit risk compensation")
        page.wait_for_selector("#sources .src mark")
        fg, bg = colors(page, "#sources .src mark")
        assert luminance(bg) > 0.7 and contrast(fg, bg) >= 4.5, (fg, bg)


def test_390px_layout_with_the_saved_panel(browser, server):
    with app_page(browser, server.url, width=390, height=844, scheme="dark") as page:
        ask_in_chat(page, PLEDGE, "credit risk compensation")
        page.wait_for_selector("#sources .src")
        assert page.evaluate("document.documentElement.scrollWidth") <= 391
        # the closed panel covers nothing; the question box and Ask fit the width
        for sel in ("#question textarea", "#chatbot"):
            box = page.locator(sel).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 390, (sel, box)
        # the conversation leaves room for the box; the panel's toggle does not cover the title
        assert page.locator("#chatbot").bounding_box()["height"] <= 0.6 * 844
        toggle = page.locator("#saved-panel button.toggle-button").bounding_box()
        title = page.locator("#header h2").bounding_box()
        assert toggle["x"] + toggle["width"] <= title["x"], (toggle, title)
        wait_titles(page, 1)
        shot(page, "narrow-01-dark-390px.png", full_page=True)
        open_panel(page)
        box = page.locator("#saved-list label").first.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
        shot(page, "narrow-02-saved-panel-390px.png")
        # reopening on a phone closes the panel, which covered the whole page
        page.click("#new-chat")
        page.wait_for_function("!document.querySelector('#chatbot').textContent.includes('credit')")
        open_panel(page)
        page.locator("#saved-list label").first.click()
        page.wait_for_function(
            "document.querySelector('#chatbot').textContent.includes('credit risk compensation')"
        )
        page.wait_for_function(
            "document.querySelector('#saved-panel').getBoundingClientRect().right <= 40"
        )
        assert page.locator("#question textarea").is_visible()
        shot(page, "narrow-03-reopened-390px.png")
