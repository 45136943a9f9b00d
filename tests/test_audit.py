"""The audit log of corpus changes: every add, replace, remove (and the start-up rebuild) is one
JSON line beside the feedback file, with who, what and the outcome; a reader's refused change
is logged as refused; the file is bounded and its appends atomic."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest

import qa.web.corpus_tab as corpus_tab
from qa.web import audit
from qa.web.audit import AuditFullError, append_entry, entry, read_audit
from qa.web.exposure import parse_users
from qa.web.roles import access_for
from qa.web.shared import Shared, configure, get_assistant

pytestmark = pytest.mark.usefixtures("restore_app_state")  # tests.app_fixtures

USERS = "ann:pw\n[admins]\nroot:r00t\n"
NEW_DOC = b"Lighthouse rules\n\nEvery lighthouse keeper must log each passing ship.\n"


@pytest.fixture
def served(tiny_settings, tiny_index, tmp_path):
    """The app over its own tiny corpus, with logins (ann reads, root is admin)."""
    shutil.copytree(tiny_index, tiny_settings.index_dir)
    access = access_for(parse_users(USERS, "users"), "127.0.0.1", False)
    configure(tiny_settings, tmp_path / "fb" / "feedback.jsonl", access=access)
    get_assistant()
    return tiny_settings


def request(user: str | None, host: str = "10.0.0.7") -> SimpleNamespace:
    return SimpleNamespace(username=user, client=SimpleNamespace(host=host))


def upload(tmp_path: Path, name: str = "lighthouse.txt", data: bytes = NEW_DOC) -> str:
    path = tmp_path / "upload" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data)
    return str(path)


def logged(tmp_path: Path) -> list[tuple[str, str, str, str]]:
    """(user, action, document, result) of every entry, oldest first."""
    path = tmp_path / "fb" / "audit.jsonl"
    return [(e.user, e.action, e.document, e.result) for e in reversed(read_audit(path))]


# ---------------------------------------------------------------------------- the handlers


def test_every_change_and_refusal_is_logged_with_its_user(served, tmp_path):
    ok = corpus_tab.handle_upload(upload(tmp_path), request("root"))[0]
    refused = corpus_tab.handle_upload(upload(tmp_path, "b.txt"), request("ann"))[0]
    corpus_tab.handle_replace("alpha.txt", upload(tmp_path, "a.txt"), request("root"))
    corpus_tab.handle_remove("beta.md", request("ann"))
    corpus_tab.handle_remove("lighthouse.txt", request("root"))
    corpus_tab.handle_remove(None, request("root"))  # cancelled: nothing tried, not logged
    assert ok.startswith("✓ Added") and refused.startswith("⚠")
    assert logged(tmp_path) == [
        ("root", "add", "lighthouse.txt", "done"),
        ("ann", "add", "b.txt", "refused"),
        ("root", "replace", "alpha.txt", "done"),
        ("ann", "remove", "beta.md", "refused"),
        ("root", "remove", "lighthouse.txt", "done"),
    ]
    newest = read_audit(tmp_path / "fb" / "audit.jsonl")
    assert "needs the admin role" in newest[1].detail and "'ann'" in newest[1].detail
    assert newest[0].detail.startswith("Removed lighthouse.txt;")
    assert all(e.time.endswith("Z") and e.time[:4].isdigit() for e in newest)
    # the file itself: one JSON object per line, the documented fields
    lines = (tmp_path / "fb" / "audit.jsonl").read_text("utf-8").splitlines()
    assert list(json.loads(lines[0])) == [
        "time", "user", "action", "document", "result", "detail",
    ]  # fmt: skip


def test_a_bad_file_from_an_admin_is_logged_as_refused(served, tmp_path):
    status = corpus_tab.handle_upload(upload(tmp_path, "notes.exe"), request("root"))[0]
    assert status.startswith("⚠")
    assert logged(tmp_path) == [("root", "add", "notes.exe", "refused")]


def test_an_unexpected_error_is_logged_as_failed(served, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk controller on fire")

    monkeypatch.setattr(corpus_tab.corpus_update, "add_document", broken)
    with pytest.raises(RuntimeError):
        corpus_tab.handle_upload(upload(tmp_path), request("root"))
    assert logged(tmp_path) == [("root", "add", "lighthouse.txt", "failed")]
    detail = read_audit(tmp_path / "fb" / "audit.jsonl")[0].detail
    assert detail == "RuntimeError: disk controller on fire"


def test_an_unwritable_audit_log_is_said_in_the_status(served, tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(corpus_tab, "append_entry", refuse)
    status = corpus_tab.handle_upload(upload(tmp_path), request("root"))[0]
    assert status.startswith("✓ Added") and "not written to the audit log" in status
    assert "Permission denied" in status


def test_the_local_user_and_anonymous_visitors_are_named(served, tmp_path):
    Shared.access = access_for(None, "127.0.0.1", False)
    corpus_tab.handle_upload(upload(tmp_path), request(None))
    Shared.access = access_for(None, "0.0.0.0", False)  # --allow-anonymous: nobody is admin
    corpus_tab.handle_remove("beta.md", request(None, "192.0.2.9"))
    assert logged(tmp_path) == [
        ("local", "add", "lighthouse.txt", "done"),
        ("anonymous 192.0.2.9", "remove", "beta.md", "refused"),
    ]


def test_only_admins_see_the_audit_log_in_the_corpus_tab(served, tmp_path):
    corpus_tab.handle_upload(upload(tmp_path), request("ann"))
    box, rows = corpus_tab.handle_audit(request("ann"))
    assert box["visible"] is False and rows == []
    box, rows = corpus_tab.handle_audit(request("root"))
    assert box["visible"] is True
    assert [r[1:5] for r in rows] == [["ann", "add", "lighthouse.txt", "refused"]]


def test_a_full_audit_log_refuses_changes_and_keeps_the_corpus(served, tmp_path, monkeypatch):
    path = tmp_path / "fb" / "audit.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * 1_000 + b"\n")
    monkeypatch.setattr(audit, "MAX_AUDIT_BYTES", 1_000 + audit.ROOM)  # the next line won't fit
    before = path.read_bytes()
    status = corpus_tab.handle_upload(upload(tmp_path), request("root"))[0]
    assert status.startswith("⚠ the audit log") and "is full" in status
    assert "lighthouse.txt" not in {d.source for d in get_assistant().documents}
    assert path.read_bytes()[: len(before)] == before


# ---------------------------------------------------------------------------- the file


def test_refused_attempts_fill_only_their_share_admins_keep_room(tmp_path):
    path = tmp_path / "audit.jsonl"
    bound = 2_000
    refusals = [
        append_entry(path, entry("ann", "add", "x.txt", "refused"), bound) for _ in range(40)
    ]
    assert refusals.count(True) >= 5 and refusals[-1] is False  # a flood stops being logged
    assert path.stat().st_size <= bound * audit.AUDIT_REFUSED_SHARE
    assert append_entry(path, entry("root", "add", "y.txt", "done"), bound)  # room is left
    assert read_audit(path)[0].user == "root"
    with pytest.raises(AuditFullError, match="is full"):
        audit.check_room(path, bound)


def test_entries_are_whole_under_concurrent_appends_and_torn_lines_are_skipped(tmp_path):
    path = tmp_path / "audit.jsonl"
    path.write_text('{"time": "2026-', encoding="utf-8")  # a crash tore the last line

    def write(n: int) -> None:
        for i in range(25):
            append_entry(path, entry(f"u{n}", "add", f"d{i}.txt", "done", "é" * 300))

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    entries = read_audit(path, last=1_000)
    assert len(entries) == 100 and all(e.detail == "é" * 300 for e in entries)
    assert len(path.read_text("utf-8").splitlines()) == 101  # the torn line kept on its own


@pytest.mark.parametrize(("action", "result"), [("upload", "done"), ("add", "ok"), ("", "")])
def test_unknown_actions_or_results_are_a_programming_error(action, result):
    with pytest.raises(ValueError, match="unknown audit"):
        entry("root", action, "a.txt", result)


def test_a_long_detail_is_cut_and_read_audit_keeps_the_newest(tmp_path):
    path = tmp_path / "audit.jsonl"
    for i in range(5):
        append_entry(path, entry("root", "remove", f"{i}.txt", "done", "word " * 400))
    newest = read_audit(path, last=2)
    assert [e.document for e in newest] == ["4.txt", "3.txt"]
    assert len(newest[0].detail) == audit.DETAIL_CHARS and newest[0].detail.endswith("…")


# ---------------------------------------------------------------------------- start-up


def test_a_start_up_build_is_logged_and_a_fresh_index_is_not(
    tiny_settings, tmp_path, monkeypatch, served_without_server
):
    import qa.web.app as app

    monkeypatch.setenv("QA_ENCODER_DIR", str(tiny_settings.encoder_dir))
    monkeypatch.delenv("QA_AUTH", raising=False)
    args = [
        "--port", "1",
        "--corpus", str(tiny_settings.corpus_dir),
        "--index-dir", str(tiny_settings.index_dir),
        "--feedback", str(tmp_path / "fb" / "feedback.jsonl"),
    ]  # fmt: skip
    assert not Path(tiny_settings.index_dir).exists()
    assert app.main(args) == 0
    assert logged(tmp_path) == [("local", "rebuild", "", "done")]
    assert "built at start-up" in read_audit(tmp_path / "fb" / "audit.jsonl")[0].detail
    Shared.assistant = None
    assert app.main(args) == 0  # the index is fresh: loaded, not rebuilt, nothing logged
    assert len(logged(tmp_path)) == 1


# ---------------------------------------------------------------------------- `qa index`


def test_qa_index_on_the_command_line_is_logged_with_its_counts(
    tiny_corpus, encoder_dir, tmp_path, monkeypatch, capsys
):
    import getpass

    from qa.cli import main

    log = tmp_path / "home" / "audit.jsonl"
    monkeypatch.setenv("QA_FEEDBACK", str(tmp_path / "home" / "feedback.jsonl"))
    monkeypatch.setenv("QA_ENCODER_DIR", str(encoder_dir))
    args = ["index", "--corpus", str(tiny_corpus), "--index-dir", str(tmp_path / "index")]
    assert main(args) == 0
    (tiny_corpus / "gamma.txt").write_text("Lighthouse rules\n\nKeepers log each ship.\n", "utf-8")
    (tiny_corpus / "beta.md").unlink()
    assert main(args) == 0
    assert main(args) == 0  # up to date: nothing changed, nothing logged
    first, second = reversed(read_audit(log))
    assert (first.user, first.action, first.document, first.result) == (
        f"cli:{getpass.getuser()}",
        "rebuild",
        "",
        "done",
    )
    assert "added 2, changed 0, removed 0; " in first.detail
    assert second.detail.startswith(
        f"qa index ({tmp_path / 'index'}): added 1, changed 0, removed 1"
    )
    assert second.result == "done" and len(read_audit(log)) == 2
    assert "audit" not in capsys.readouterr().err


def test_a_failed_qa_index_is_logged_as_failed(tmp_path, encoder_dir, monkeypatch, capsys):
    from qa.cli import main

    monkeypatch.setenv("QA_ENCODER_DIR", str(encoder_dir))
    monkeypatch.setenv("QA_FEEDBACK", str(tmp_path / "home" / "feedback.jsonl"))
    empty = tmp_path / "empty"
    empty.mkdir()
    args = ["index", "--force", "--corpus", str(empty), "--index-dir", str(tmp_path / "i")]
    assert main(args) == 2
    (line,) = read_audit(tmp_path / "home" / "audit.jsonl")
    assert line.result == "failed" and line.action == "rebuild"
    assert line.detail.startswith("qa index --force (") and "Error: " in line.detail
    assert capsys.readouterr().err.startswith("error: ")


def test_an_unwritable_audit_log_does_not_stop_qa_index(
    tiny_corpus, encoder_dir, tmp_path, monkeypatch, capsys
):
    from qa.cli import main
    from qa.index.store import MANIFEST

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the feedback folder should be", "utf-8")
    monkeypatch.setenv("QA_FEEDBACK", str(blocker / "feedback.jsonl"))
    monkeypatch.setenv("QA_ENCODER_DIR", str(encoder_dir))
    code = main(["index", "--corpus", str(tiny_corpus), "--index-dir", str(tmp_path / "index")])
    captured = capsys.readouterr()
    assert code == 0 and (tmp_path / "index" / MANIFEST).is_file()  # indexed all the same
    assert "indexed 2 file(s)" in captured.out
    assert f"warning: could not write the audit log {blocker / 'audit.jsonl'}" in captured.err
    full = tmp_path / "full"
    full.mkdir()
    monkeypatch.setenv("QA_FEEDBACK", str(full / "feedback.jsonl"))
    monkeypatch.setattr(audit, "MAX_AUDIT_BYTES", 10)  # a full log: also a warning, no failure
    args = [
        "index",
        "--force",
        "--corpus",
        str(tiny_corpus),
        "--index-dir",
        str(tmp_path / "index"),
    ]
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "could not write the audit log" in err and "it is full (the bound is 10 bytes)" in err
