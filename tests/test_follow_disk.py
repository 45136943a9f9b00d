"""A served app follows the index on disk: another process's rebuild (`qa index`, a replica's
upload) is served from the next request after it, without a restart; a new index that does not
load yet leaves the loaded one serving; tests and scripts that inject an Assistant opt out."""

from __future__ import annotations

import json

import pytest

from qa.assistant import build
from qa.errors import QAError
from qa.web import shared
from qa.web.shared import Shared, configure, get_assistant, reload_seconds

GAMMA = "Bridge upkeep\n\nBridges are painted every five years, always in April.\n"


@pytest.fixture
def served(tiny_settings, tmp_path, monkeypatch):
    monkeypatch.setenv("QA_RELOAD_SECONDS", "0")  # look at every request
    build(tiny_settings)
    configure(tiny_settings, tmp_path / "feedback.jsonl", follow_disk=True)
    yield tiny_settings
    configure(tiny_settings, tmp_path / "feedback.jsonl")


def _sources() -> set[str]:
    return {d.source for d in get_assistant().documents}


def test_a_rebuild_by_another_process_is_served_without_a_restart(served, capsys):
    assert _sources() == {"alpha.txt", "beta.md"}
    (served.corpus_dir / "gamma.txt").write_text(GAMMA, encoding="utf-8")
    build(served)  # as `qa index` in another process
    assert _sources() == {"alpha.txt", "beta.md", "gamma.txt"}
    assert "the index on disk changed: serving it now" in capsys.readouterr().out
    assert get_assistant().settings.lock_timeout == served.lock_timeout  # the app's own
    hit = get_assistant().search("when are bridges painted?", k=1)[0]
    assert hit.passage.source == "gamma.txt"


def test_a_new_index_that_does_not_load_leaves_the_old_one_serving(served, capsys):
    serving = get_assistant()
    manifest = served.index_dir / "manifest.json"
    entry = json.loads(manifest.read_text("utf-8"))
    entry["count"] = entry["count"] + 1  # files and manifest disagree: a copy not finished
    manifest.write_text(json.dumps(entry), encoding="utf-8")
    assert get_assistant() is serving
    assert get_assistant() is serving  # tried again, said once
    assert capsys.readouterr().out.count("does not load yet") == 1


def test_a_build_that_holds_the_lock_is_not_waited_for(served, capsys):
    import threading

    from qa.atomic import index_lock

    serving = get_assistant()
    (served.corpus_dir / "gamma.txt").write_text(GAMMA, encoding="utf-8")
    build(served)
    held, done = threading.Event(), threading.Event()

    def builder() -> None:  # another holder of the lock (the lock is re-entrant in a thread)
        with index_lock(served.index_dir, 1):
            held.set()
            done.wait(30)

    thread = threading.Thread(target=builder)
    thread.start()
    try:
        assert held.wait(30)
        assert get_assistant() is serving  # waited a second at most, then kept serving
    finally:
        done.set()
        thread.join()
    assert "does not load yet" in capsys.readouterr().out
    assert "gamma.txt" in _sources()  # the next look, once the lock is free


def test_no_reload_while_this_process_changes_the_index_or_when_not_following(
    served, tmp_path, capsys
):
    serving = get_assistant()
    (served.corpus_dir / "gamma.txt").write_text(GAMMA, encoding="utf-8")
    build(served)
    with Shared.upload_lock:  # an upload of this process swaps in its own Assistant
        assert get_assistant() is serving
    configure(served, tmp_path / "feedback.jsonl", serving)  # injected, not following
    assert get_assistant() is serving


def test_reload_seconds_is_checked(monkeypatch):
    monkeypatch.setenv("QA_RELOAD_SECONDS", "2.5")
    assert reload_seconds() == 2.5
    monkeypatch.delenv("QA_RELOAD_SECONDS")
    assert reload_seconds() == shared.RELOAD_CHECK_SECONDS
    for bad in ("soon", "-1", "inf"):
        monkeypatch.setenv("QA_RELOAD_SECONDS", bad)
        with pytest.raises(QAError, match=r"QA_RELOAD_SECONDS must be a number of seconds"):
            reload_seconds()
