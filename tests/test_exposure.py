"""The app refuses to serve beyond this machine without a login; logins never come from argv."""

from __future__ import annotations

import os

import pytest

import qa.web.app as app
from qa.web.exposure import (
    ExposureError,
    Users,
    check_exposure,
    is_loopback,
    logins,
    parse_users,
    read_users,
)


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"])
def test_loopback_addresses(host):
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.5", "example.org"])
def test_other_addresses(host):
    assert not is_loopback(host)


def test_exposure_needs_a_login_or_an_explicit_flag():
    assert check_exposure("127.0.0.1", False, False, False) == ""
    assert check_exposure("0.0.0.0", False, True, False) == ""
    with pytest.raises(ExposureError, match="without a login.*--auth FILE.*--allow-anonymous"):
        check_exposure("0.0.0.0", False, False, False)
    with pytest.raises(ExposureError, match="gradio.live"):
        check_exposure("127.0.0.1", True, False, False)
    assert "WARNING" in check_exposure("0.0.0.0", False, False, True)


def test_users_file(tmp_path):
    users = tmp_path / "users"
    users.write_text("# team\nann:s3:cret\n\nbob:pw\n", "utf-8")
    assert read_users(users) == Users((("ann", "s3:cret"), ("bob", "pw")), frozenset())
    assert logins(str(users), "env:ignored") == read_users(users)
    assert logins(None, "eve:pw") == Users((("eve", "pw"),), frozenset())
    assert logins(None, None) is None
    (tmp_path / "bad").write_text("no colon here\n", "utf-8")
    with pytest.raises(ValueError, match="bad line 1: a login must look like user:password"):
        read_users(tmp_path / "bad")
    with pytest.raises(ValueError, match="no such file.*visible to every user"):
        read_users(tmp_path / "ann:secret")  # a password typed where the file goes


def test_admins_are_listed_under_an_admins_line():
    text = "ann:pw\n[admins]\nroot:s3:cr]et:admin\n  [Readers]  \ncarol:[admins]\n"
    users = parse_users(text, "users")
    assert users.logins == (("ann", "pw"), ("root", "s3:cr]et:admin"), ("carol", "[admins]"))
    assert users.admins == frozenset({"root"})  # colons stay in the password, never a role
    assert logins(None, "ann:pw\n[admins]\nroot:pw").admins == frozenset({"root"})


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("[admin]\nroot:pw", r"users line 1: unknown section '\[admin\]'; use \[admins\]"),
        ("ann:pw\nann:other", "users line 2: user 'ann' is listed twice"),
        ("[admins]\n# nobody\n", "users: no user:password line"),
        ("[admins]\nroot", "users line 2: a login must look like user:password"),
    ],
)
def test_a_bad_users_file_is_a_clear_error(text, match):
    with pytest.raises(ValueError, match=match):
        parse_users(text, "users")


def test_the_app_refuses_to_start_open_on_all_interfaces(capsys, monkeypatch):
    monkeypatch.delenv("QA_AUTH", raising=False)
    monkeypatch.setattr(app, "configure", lambda *a: pytest.fail("must refuse before loading"))
    assert app.main(["--host", "0.0.0.0"]) == 2
    err = capsys.readouterr().err
    assert "refusing to serve on 0.0.0.0" in err and "--auth FILE" in err


def test_a_password_on_the_command_line_is_refused(capsys, monkeypatch):
    monkeypatch.delenv("QA_AUTH", raising=False)
    monkeypatch.setattr(app, "configure", lambda *a: pytest.fail("must refuse before loading"))
    with pytest.raises(SystemExit) as e:
        app.main(["--auth", "ann:" + "s3cret" * 2])
    assert e.value.code == 2
    assert "visible to every user" in capsys.readouterr().err
    assert "QA_AUTH" not in os.environ


def test_a_feedback_file_that_cannot_be_written_is_said_plainly(monkeypatch, tmp_path):
    import gradio as gr

    import qa.web.handlers as handlers
    from qa.web.shared import Shared

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(handlers, "append_feedback", full)
    monkeypatch.setattr(Shared, "feedback_path", tmp_path / "feedback.jsonl")
    state = {
        "turns": {
            "0": {
                "question": "q?",
                "cited": [],
                "abstained": True,
                "reference": "",
                "choices": [],
                "texts": [],
            }
        },
        "pending": None,
    }
    with pytest.raises(gr.Error, match="could not save the feedback.*No space left"):
        handlers.record_vote(state, 0, True)
