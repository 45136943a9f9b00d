"""The tables at 390 px in a real Chromium: the Corpus tab's document table and the Evaluate
tab's summary (with its trade-off table) and per-question table scroll inside their own box;
the page itself never scrolls sideways.

Needs /usr/bin/chromium; Playwright never downloads a browser. Screenshots go to
test-artifacts/ and /tmp/app_shots/.
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import REPO
from tests.test_browser import browser_page, need_browser, running_app, shot

pytestmark = pytest.mark.browser

WIDTH = 390


@pytest.fixture(scope="module")
def server(plan_settings, tmp_path_factory):
    need_browser()
    tmp = tmp_path_factory.mktemp("narrow-server")
    s = plan_settings
    with running_app(s.corpus_dir, s.index_dir, s.encoder_path, tmp) as app:
        yield app


# every cell of a table whose text has no space but takes more than one line (gradio's cells
# are div[role=gridcell]; a Range over a text node gives one rectangle per line)
BROKEN_WORDS = """sel => [...document.querySelectorAll(sel + ' [role=gridcell]')].flatMap(cell => {
  const text = cell.textContent.trim();
  if (!text || /\\s/.test(text)) return [];
  const walk = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
  const lines = new Set();
  for (let node = walk.nextNode(); node; node = walk.nextNode()) {
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const r of range.getClientRects()) if (r.width > 0) lines.add(Math.round(r.top));
  }
  return lines.size > 1 ? [text + ' (' + lines.size + ' lines)'] : [];
})"""


# every cell whose text reaches past the cell's edge (cells hide what overflows them)
CLIPPED = """sel => [...document.querySelectorAll(sel + ' [role=gridcell]')].filter(cell => {
  const edge = cell.getBoundingClientRect().right + 1;
  const range = document.createRange();
  range.selectNodeContents(cell);
  return [...range.getClientRects()].some(r => r.width > 0 && r.right > edge);
}).map(cell => cell.textContent.trim())"""


# scrolls every scrolling box of a table to its end, down and sideways
SCROLL_TO_END = """sel => [...document.querySelectorAll(sel + ' *')]
  .filter(e => e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1)
  .map(e => { e.scrollTop = e.scrollHeight; e.scrollLeft = e.scrollWidth; return e.className; })"""


def page_width(page) -> int:
    """How wide the page is: more than the viewport means it scrolls sideways."""
    return page.evaluate(
        "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
    )


def open_tab(page, name: str) -> None:
    """Click a tab; on a narrow screen gradio moves some tabs into its "More tabs" menu."""
    tab = page.get_by_role("tab", name=name)
    if tab.count() and tab.first.is_visible():
        tab.first.click()
        return
    page.get_by_label("More tabs").click()
    page.locator(".overflow-dropdown button", has_text=name).click()


def eval_file(tmp_path) -> str:
    """Ten questions of eval/dev.jsonl, five of each kind: enough for the trade-off table."""
    rows = [json.loads(line) for line in (REPO / "eval" / "dev.jsonl").open(encoding="utf-8")]
    answerable = [r for r in rows if r.get("answerable", True)][:5]
    unanswerable = [r for r in rows if r.get("answerable") is False][:5]
    path = tmp_path / "ten.jsonl"
    path.write_text(
        "".join(json.dumps(r) + "\n" for r in answerable + unanswerable), encoding="utf-8"
    )
    return str(path)


def test_corpus_and_evaluate_tables_fit_390px(server, tmp_path):
    with browser_page(server.url, width=WIDTH, height=844) as page:
        open_tab(page, "Corpus")
        page.wait_for_function(
            "document.querySelector('#docs-table').textContent.includes('ip_strategy')"
        )
        assert page_width(page) <= WIDTH
        widths = page.evaluate(
            "[...document.querySelectorAll('#docs-table th')].map(t => t.offsetWidth)"
        )
        assert widths and min(widths) >= 48, widths  # not one letter a line
        box = page.locator("#docs-table").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH + 1, box
        shot(page, "narrow-04-corpus-390px.png", full_page=True)

        open_tab(page, "Evaluate")
        page.set_input_files("#eval-file input[type=file]", eval_file(tmp_path))
        page.wait_for_function("document.querySelector('#eval-file').textContent.includes('ten')")
        page.click("#eval-run")
        page.wait_for_selector("#eval-summary table.tradeoff", timeout=120_000)
        page.wait_for_function(
            "document.querySelectorAll('#eval-table .virtual-row').length >= 10", timeout=60_000
        )
        assert page_width(page) <= WIDTH
        for sel in ("#eval-summary", "#eval-table"):
            box = page.locator(sel).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH + 1, (sel, box)
        # the trade-off table scrolls inside its own box: it is reachable, not cut off
        table = page.locator("#eval-summary table.tradeoff")
        box = table.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH + 1, box
        wide, shown, overflow = table.evaluate(
            "t => [t.scrollWidth, t.clientWidth, getComputedStyle(t).overflowX]"
        )
        assert wide <= shown or overflow in ("auto", "scroll"), (wide, shown, overflow)
        # the data tables keep readable columns (they scroll inside their own box)
        widths = page.evaluate(
            "[...document.querySelectorAll('#eval-table th')].map(t => t.offsetWidth)"
        )
        assert widths and min(widths) >= 48, widths
        # a one-word cell ("lexical", "unanswerable", "dev-001", "0.50") is never broken
        # inside the word: the table scrolls sideways instead
        # nor cut off at the cell's edge; the rows further down too
        broken = page.evaluate(BROKEN_WORDS, "#eval-table")
        clipped = page.evaluate(CLIPPED, "#eval-table")
        kinds = page.evaluate(SCROLL_TO_END, "#eval-table")
        page.wait_for_timeout(500)
        broken += page.evaluate(BROKEN_WORDS, "#eval-table")
        clipped += page.evaluate(CLIPPED, "#eval-table")
        assert not broken, broken
        assert not clipped, clipped
        assert "unanswerable" in page.locator("#eval-table").inner_text(), kinds
        page.locator("#eval-table").scroll_into_view_if_needed()
        shot(page, "narrow-08-evaluate-table-scrolled-390px.png")
        page.locator("#eval-summary").scroll_into_view_if_needed()
        shot(page, "narrow-05-evaluate-summary-390px.png")
        page.locator("#eval-table").scroll_into_view_if_needed()
        shot(page, "narrow-06-evaluate-table-390px.png")
        shot(page, "narrow-07-evaluate-390px-full.png", full_page=True)
