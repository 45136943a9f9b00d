"""The Corpus tab in a real Chromium, over a copy of the tiny corpus the app may change: a damaged
PDF is one message, a real PDF is added and answered from, download the original, replace a
document, remove one.

Needs /usr/bin/chromium; Playwright drives it and never downloads a browser of its own.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.format_files import write_pdf
from tests.test_browser import browser_page, running_tiny_app, shot

pytestmark = pytest.mark.browser


# The tiny corpus is changed in a copy of its index (an added file grows the copy); "in place"
# sets the size rule to 0 so it is changed as a large library is (qa.web.corpus_update): an added
# file grows the index itself (a replaced or removed one of these few passages passes the
# retired share: a full build, in place).
IN_PLACE = {"QA_RETIRE_MIN_PASSAGES": "0", "QA_E5_MAX_PASSAGES": "0"}


@pytest.fixture(scope="module", params=[None, IN_PLACE], ids=["in-a-copy", "in-place"])
def corpus_server(request, tmp_path_factory, encoder_dir):
    with running_tiny_app(tmp_path_factory, encoder_dir, "corpus-server", request.param) as app:
        app.in_place = request.param is IN_PLACE
        app.audit = app.corpus.parent / "audit.jsonl"
        yield app


def doc_names(page) -> list[str]:
    """The documents the table lists (its first column)."""
    text = page.locator("#docs-table").inner_text()
    names = ("alpha.txt", "beta.md", "report.pdf", "ferry rules.pdf")
    return sorted(n for n in names if n in text)


def wait_status(page, text: str) -> str:
    page.wait_for_function(
        "(t) => document.querySelector('#corpus-status').textContent.includes(t)",
        arg=text,
        timeout=120_000,
    )
    return page.locator("#corpus-status").inner_text()


def toasts(page) -> int:
    return page.locator(".toast-body").count()


def choose(page, name: str) -> None:
    page.locator("#manage-choice input").click()
    page.get_by_role("option", name=name).click()


def test_manage_documents(corpus_server, tmp_path):
    with browser_page(corpus_server.url) as page:
        page.get_by_role("tab", name="Corpus").click()
        page.wait_for_function(
            "document.querySelector('#docs-table').textContent.includes('beta.md')"
        )
        assert doc_names(page) == ["alpha.txt", "beta.md"]
        table = page.locator("#docs-table").inner_text()
        for column in ("title", "type", "size", "passages", "modified"):
            assert column in table
        assert "Farming notes" in table and "TXT" in table

        # a damaged PDF: one message naming it (no second "choose a file" error, no toast)
        before = sorted(p.name for p in corpus_server.corpus.iterdir())
        pdf = tmp_path / "report.pdf"
        pdf.write_bytes(b"%PDF-1.4")
        page.set_input_files("#upload input[type=file]", str(pdf))
        page.wait_for_function("document.querySelector('#upload').textContent.includes('report')")
        page.click("#add-doc")
        status = wait_status(page, "cannot be read")
        assert status.count("report.pdf") == 1 and "not a readable PDF" in status
        assert "choose" not in status and toasts(page) == 0
        assert doc_names(page) == ["alpha.txt", "beta.md"]  # the table stays
        assert sorted(p.name for p in corpus_server.corpus.iterdir()) == before

        # a real PDF is added, shown as a PDF in the table, and the chat answers from it
        pdf = write_pdf(
            "Ferry rules\n\n1. Departures\n\n"
            "Every ferry captain must ring the harbour bell before leaving the north pier.\n",
            tmp_path / "ferry rules.pdf",
        )
        page.locator("#upload").get_by_label("Clear").click()  # the refused file goes first
        page.set_input_files("#upload input[type=file]", str(pdf))
        page.wait_for_function("document.querySelector('#upload').textContent.includes('ferry')")
        page.click("#add-doc")
        assert "Added ferry rules.pdf" in wait_status(page, "Added")
        page.wait_for_function(
            "document.querySelector('#docs-table').textContent.includes('ferry rules.pdf')"
        )
        assert doc_names(page) == ["alpha.txt", "beta.md", "ferry rules.pdf"]
        assert "PDF" in page.locator("#docs-table").inner_text()
        manifest = json.loads((corpus_server.corpus.parent / "index" / "manifest.json").read_text())
        assert manifest.get("grown_by") == ["ferry rules.pdf"]  # grown, in place or in a copy
        page.get_by_role("tab", name="Chat").click()
        page.fill("#question textarea", "Who must ring the harbour bell?")
        page.press("#question textarea", "Enter")
        page.wait_for_function(
            "document.querySelector('#chatbot').textContent.includes('ferry captain must ring')",
            timeout=60_000,
        )
        assert "ferry rules.pdf" in page.locator("#sources").inner_text()
        page.get_by_role("tab", name="Corpus").click()

        # download the original
        choose(page, "alpha.txt")
        page.wait_for_function("!document.querySelector('#download-doc').hasAttribute('disabled')")
        with page.expect_download() as info:
            page.click("#download-doc")
        got = Path(info.value.path()).read_bytes()
        assert got == (corpus_server.corpus / "alpha.txt").read_bytes()

        # replace alpha.txt with a new version; a question finds the new text
        new = tmp_path / "alpha-v2.txt"
        new.write_text(
            "Harbour rules\n\nEvery lighthouse keeper logs each passing ship in the harbour book.\n",
            encoding="utf-8",
        )
        page.set_input_files("#replace-file input[type=file]", str(new))
        page.wait_for_function(
            "document.querySelector('#replace-file').textContent.includes('alpha-v2')"
        )
        shot(page, "app-05-corpus-manage.png", full_page=True)
        page.click("#replace-doc")
        assert "Replaced alpha.txt: 2 passages" in wait_status(page, "Replaced")
        assert (corpus_server.corpus / "alpha.txt").read_text("utf-8").startswith("Harbour")
        page.wait_for_function(
            "document.querySelector('#docs-table').textContent.includes('Harbour rules')"
        )
        shot(page, "app-06-corpus-replaced.png", full_page=True)

        # remove beta.md
        choose(page, "beta.md")
        page.once("dialog", lambda dialog: dialog.dismiss())  # asked first; "Cancel" keeps it
        page.click("#remove-doc")
        wait_status(page, "nothing removed")
        assert doc_names(page) == ["alpha.txt", "beta.md", "ferry rules.pdf"]
        assert (corpus_server.corpus / "beta.md").exists()
        page.once("dialog", lambda dialog: dialog.accept())
        page.click("#remove-doc")
        wait_status(page, "Removed")
        page.wait_for_function(
            "!document.querySelector('#docs-table').textContent.includes('beta.md')"
        )
        assert doc_names(page) == ["alpha.txt", "ferry rules.pdf"]
        assert not (corpus_server.corpus / "beta.md").exists()
        shot(page, "app-07-corpus-removed.png", full_page=True)

        # the chat answers from the new corpus
        page.get_by_role("tab", name="Chat").click()
        page.fill("#question textarea", "Who logs each passing ship?")
        page.press("#question textarea", "Enter")
        page.wait_for_function(
            "document.querySelector('#chatbot').textContent.includes('lighthouse keeper')"
        )


def examples_shown(page) -> str:
    return page.locator("#examples").inner_text()


def test_examples_and_the_audit_log_follow_an_upload_and_a_removal(corpus_server, tmp_path):
    """Over the tiny corpus only the declined example is shown; a document with the words of
    the others brings them (without a reload), removing it takes them away again. The admin
    (the local user) sees both changes in the Corpus tab's audit log."""
    from tests.test_app import EXAMPLE_WORDS

    pledge = "How are small enterprises supported in pledge loans?"
    with browser_page(corpus_server.url) as page:
        # the page's load event renders the corpus's examples again: wait until they are there
        page.wait_for_function(
            "document.querySelector('#examples').textContent.includes('capital of France')"
        )
        assert pledge not in examples_shown(page)
        doc = tmp_path / "support.txt"
        doc.write_text(EXAMPLE_WORDS, encoding="utf-8")
        page.get_by_role("tab", name="Corpus").click()
        page.set_input_files("#upload input[type=file]", str(doc))
        page.wait_for_function("document.querySelector('#upload').textContent.includes('support')")
        page.click("#add-doc")
        wait_status(page, "Added")
        page.get_by_role("tab", name="Chat").click()
        page.wait_for_function(
            "(t) => document.querySelector('#examples').textContent.includes(t)", arg=pledge
        )
        assert "trademark review system" in examples_shown(page)
        shot(page, "app-08-examples-after-upload.png")
        page.get_by_role("tab", name="Corpus").click()
        choose(page, "support.txt")
        page.once("dialog", lambda dialog: dialog.accept())
        page.click("#remove-doc")
        wait_status(page, "Removed")
        page.get_by_role("tab", name="Chat").click()
        page.wait_for_function(
            "(t) => !document.querySelector('#examples').textContent.includes(t)", arg=pledge
        )
        assert "capital of France" in examples_shown(page)

        page.get_by_role("tab", name="Corpus").click()
        page.locator("#audit").get_by_text("Audit log").click()
        page.wait_for_selector("#audit-table")  # rendered once the accordion opens
        page.wait_for_function(
            "document.querySelector('#audit-table').textContent.includes('support.txt')"
        )
        table = page.locator("#audit-table").inner_text()
        for word in ("local", "add", "remove", "done", "Removed support.txt;"):
            assert word in table, word
        page.locator("#audit").scroll_into_view_if_needed()
        shot(page, "app-09-audit-log.png")
    entries = [json.loads(line) for line in corpus_server.audit.read_text("utf-8").splitlines()]
    assert [(e["user"], e["action"], e["document"], e["result"]) for e in entries[-2:]] == [
        ("local", "add", "support.txt", "done"),
        ("local", "remove", "support.txt", "done"),
    ]
    assert entries[0]["action"] == "rebuild"  # the server started without an index


def test_a_vote_on_a_reopened_answer_whose_document_changed_is_refused_in_the_page(
    tmp_path_factory, encoder_dir, tmp_path
):
    """The browser keeps a conversation; its document is replaced in the Corpus tab; the
    conversation is reopened and its answer voted on: the page says why the vote is refused
    and nothing is recorded (tests/test_reopened_votes.py checks the same below the page)."""
    from tests.test_browser import ask_in_chat
    from tests.test_browser_saved import open_panel

    grain = "Where is the grain stored?"  # answered from alpha.txt: "Store the grain in dry barns."
    with running_tiny_app(tmp_path_factory, encoder_dir, "vote-server") as app:
        with browser_page(app.url) as page:
            ask_in_chat(page, grain, "dry barns")
            page.wait_for_function(
                "document.querySelector('#saved-status').textContent.includes('(1 answer')"
            )
            page.get_by_role("tab", name="Corpus").click()
            choose(page, "alpha.txt")
            new = tmp_path / "alpha-v2.txt"
            new.write_text("Farming notes\n\nBarley is sown in autumn and cut in June.\n", "utf-8")
            page.set_input_files("#replace-file input[type=file]", str(new))
            page.wait_for_function(
                "document.querySelector('#replace-file').textContent.includes('alpha-v2')"
            )
            page.click("#replace-doc")
            wait_status(page, "Replaced alpha.txt")

            page.reload()  # a new session: the conversation comes back from the browser only
            page.wait_for_selector("#question textarea")
            open_panel(page)
            page.locator("#saved-list label").first.click()
            page.wait_for_function(
                "(t) => document.querySelector('#chatbot').textContent.includes(t)", arg=grain
            )
            assert "dry barns" in page.locator("#chatbot").inner_text()  # the saved answer
            page.locator("#chatbot button[aria-label='Like']").first.click()
            refusal = page.locator(".toast-body", has_text="cannot be voted on")
            refusal.wait_for()
            text = " ".join(refusal.inner_text().split())
            assert "its document has changed or left the corpus since it was saved" in text
            assert "Ask the question again and vote on the new answer" in text
            page.wait_for_timeout(800)  # the toast has faded in
            # the refused thumb went dark again: gradio labels a lit one "Liked"
            thumbs = page.locator("#chatbot button[aria-label^='Like']")
            assert thumbs.first.get_attribute("aria-label") == "Like"
            shot(page, "saved-03-vote-on-changed-document-refused.png")
    votes = app.feedback
    assert not votes.exists() or grain not in votes.read_text("utf-8")  # nothing recorded
