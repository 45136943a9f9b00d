"""The Search tab over a library in a real Chromium: results grouped by document, and "Search
within" keeps them inside the chosen document.

Needs /usr/bin/chromium; Playwright never downloads a browser. Screenshots go to
test-artifacts/ and /tmp/app_shots/.
"""

from __future__ import annotations

import pytest

from tests.test_browser import browser_page, running_tiny_app, shot

pytestmark = pytest.mark.browser

QUERY = "Who checks every licence?"


@pytest.fixture(scope="module")
def page(tmp_path_factory, encoder_dir):
    with running_tiny_app(tmp_path_factory, encoder_dir, "search-server") as app:
        with browser_page(app.url) as page:
            yield page


def search(page, query: str) -> str:
    page.get_by_role("tab", name="Search").click()
    box = page.locator("#search-query textarea")
    box.fill(query)
    box.press("Enter")
    page.wait_for_function(
        "(q) => document.querySelector('#search-results').textContent.includes(q)", arg=query
    )
    return page.locator("#search-results").inner_html()


def test_results_grouped_by_document_then_within_one(page):
    html = search(page, QUERY)
    heads = page.locator("#search-results .doc-group-head").all_inner_texts()
    assert len(heads) == 2 and {h.split()[0] for h in heads} == {"alpha.txt", "beta.md"}
    assert "from 2 documents" in html
    shot(page, "search-grouped.png", full_page=True)
    within = page.locator("#search-within")
    assert within.is_visible()
    within.locator("input").click()
    page.get_by_role("option", name="beta.md").click()
    page.keyboard.press("Escape")
    page.locator("#search-query textarea").press("Enter")
    page.wait_for_function(
        "() => document.querySelector('#search-results').textContent.includes('Searched within beta.md')"
    )
    html = page.locator("#search-results").inner_html()
    assert "alpha.txt" not in html and "doc-group-head" not in html
    shot(page, "search-within.png", full_page=True)
