"""Who may change the corpus: readers ask and read, admins add, replace and remove. The
handlers check the request's user themselves; the hidden buttons are only a courtesy."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path
from types import SimpleNamespace

import pytest

import qa.web.corpus_tab as corpus_tab
from qa.web.exposure import parse_users
from qa.web.limits import RateLimit
from qa.web.roles import Access, access_for, client_key, is_admin
from qa.web.shared import Shared, configure, get_assistant

pytestmark = pytest.mark.usefixtures("restore_app_state")  # tests.app_fixtures

USERS = "ann:pw:with:colons\n[admins]\nroot:r00t\n"
NEW_DOC = b"Lighthouse rules\n\nEvery lighthouse keeper must log each passing ship.\n"


@pytest.fixture
def served(tiny_settings, tiny_index, tmp_path):
    """The app over its own tiny corpus, with the logins of USERS (ann reads, root is admin)."""
    shutil.copytree(tiny_index, tiny_settings.index_dir)
    access = access_for(parse_users(USERS, "users"), "127.0.0.1", False)
    configure(tiny_settings, tmp_path / "feedback.jsonl", access=access)
    get_assistant()
    return tiny_settings


def request(user: str | None, host: str = "10.0.0.7") -> SimpleNamespace:
    """What a handler reads of a gr.Request: the login and the client's address."""
    return SimpleNamespace(username=user, client=SimpleNamespace(host=host))


def upload_file(tmp_path: Path, name: str = "lighthouse.txt") -> str:
    path = tmp_path / "upload" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(NEW_DOC)
    return str(path)


def corpus_names(settings) -> list[str]:
    return sorted(p.name for p in Path(settings.corpus_dir).iterdir())


# ---------------------------------------------------------------------------- who is admin


def test_roles_of_a_served_app():
    users = parse_users(USERS, "users")
    with_logins = access_for(users, "0.0.0.0", False)
    assert is_admin(with_logins, "root") and not is_admin(with_logins, "ann")
    assert not is_admin(with_logins, None)  # no request without a login gets through
    assert is_admin(access_for(None, "127.0.0.1", False), None)  # the local user
    assert not is_admin(access_for(None, "0.0.0.0", False), None)  # --allow-anonymous
    assert not is_admin(access_for(None, "127.0.0.1", True), None)  # --share link
    assert client_key(request("ann")) == "user:ann"
    assert client_key(request(None)) == "client:10.0.0.7" and client_key(None) == "local"


# ---------------------------------------------------------------------------- the handlers


def test_a_readers_upload_is_refused_by_the_handler(served, tmp_path):
    before, serving = corpus_names(served), get_assistant()
    status, *rest = corpus_tab.handle_upload(upload_file(tmp_path), request("ann"))
    assert status.startswith("⚠ adding a document needs the admin role and 'ann' is a reader")
    assert "[admins]" in status and all(r == {"__type__": "update"} for r in rest)
    assert corpus_names(served) == before and get_assistant() is serving


def test_an_admins_upload_is_indexed(served, tmp_path):
    status, rows, *_ = corpus_tab.handle_upload(upload_file(tmp_path), request("root"))
    assert status.startswith("✓ Added `lighthouse.txt`")
    assert "lighthouse.txt" in corpus_names(served)
    assert "lighthouse.txt" in [r[0] for r in rows]
    hits = get_assistant().search("lighthouse keeper log ships", k=1)
    assert hits[0].passage.source == "lighthouse.txt"


def test_a_reader_can_neither_replace_nor_remove(served, tmp_path):
    before = {p.name: p.read_bytes() for p in Path(served.corpus_dir).iterdir()}
    replaced = corpus_tab.handle_replace(
        "alpha.txt", upload_file(tmp_path, "a.txt"), request("ann")
    )
    removed = corpus_tab.handle_remove("alpha.txt", request("ann"))
    assert replaced[0].startswith("⚠ replacing a document needs the admin role")
    assert removed[0].startswith("⚠ removing a document needs the admin role")
    assert {p.name: p.read_bytes() for p in Path(served.corpus_dir).iterdir()} == before


def test_without_a_login_beyond_this_machine_nobody_changes_the_corpus(served, tmp_path):
    Shared.access = access_for(None, "0.0.0.0", False)  # --allow-anonymous
    status = corpus_tab.handle_upload(upload_file(tmp_path), request(None))[0]
    assert status.startswith("⚠ adding a document is off: this app serves without a login")
    assert "lighthouse.txt" not in corpus_names(served)


def test_readers_do_not_see_the_change_controls(served):
    *controls, note = corpus_tab.handle_role(request("ann"))
    assert [c["visible"] for c in controls] == [False] * 5
    assert note["visible"] and "admin role" in note["value"]
    *controls, note = corpus_tab.handle_role(request("root"))
    assert [c["visible"] for c in controls] == [True] * 5 and not note["visible"]


def test_corpus_changes_per_minute_are_bounded_per_user(served, tmp_path):
    now = [0.0]
    Shared.changes = RateLimit(2, 60.0, clock=lambda: now[0])
    bad = upload_file(tmp_path, "notes.exe")  # refused after the checks: nothing re-indexed
    for _ in range(2):
        assert "the corpus takes" in corpus_tab.handle_upload(bad, request("root"))[0]
    status = corpus_tab.handle_upload(upload_file(tmp_path), request("root"))[0]
    assert status == (
        "⚠ 2 changes to the corpus in 60 s is the limit (each one re-indexes every "
        "document); try again in 60 s"
    )
    assert "lighthouse.txt" not in corpus_names(served)
    Shared.access = Access(admins=frozenset({"root", "eve"}), anonymous_admin=False)
    assert "the corpus takes" in corpus_tab.handle_upload(bad, request("eve"))[0]  # her own
    now[0] = 61.0
    assert corpus_tab.handle_upload(upload_file(tmp_path), request("root"))[0].startswith("✓")


# ---------------------------------------------------------------------------- served for real


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_roles_hold_through_the_served_app_with_logins(served, tmp_path):
    """The login of the HTTP request decides, not the page: ann's /upload is refused on the
    server, root's is indexed."""
    from gradio_client import Client, handle_file

    from qa.web.app import bound_queue
    from qa.web.layout import build_app

    demo = bound_queue(build_app())
    demo.launch(
        server_name="127.0.0.1",
        server_port=free_port(),
        auth=list(parse_users(USERS, "users").logins),
        prevent_thread_lock=True,
        quiet=True,
    )
    try:
        doc = handle_file(upload_file(tmp_path))
        reader = Client(demo.local_url, auth=("ann", "pw:with:colons"), verbose=False)
        assert "needs the admin role" in reader.predict(doc, api_name="/upload")[0]
        assert "lighthouse.txt" not in corpus_names(served)
        asked = reader.predict("when is wheat harvested?", api_name="/ask")  # reading is open
        assert asked["passages"][0]["source"] == "alpha.txt"
        admin = Client(demo.local_url, auth=("root", "r00t"), verbose=False)
        assert admin.predict(doc, api_name="/upload")[0].startswith("✓ Added `lighthouse.txt`")
        assert "lighthouse.txt" in corpus_names(served)
    finally:
        demo.close()
