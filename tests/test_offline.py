"""Offline by construction: with every connection off this machine blocked, index, ask and eval still work."""

from __future__ import annotations

import json
import socket

import pytest

from qa.cli import main

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


@pytest.fixture
def no_network(monkeypatch):
    """Every connection off this machine is refused. Loopback stays open: under load, a client
    thread an earlier app test left behind may still call its own 127.0.0.1 server, and that
    is no network access by the code under test."""

    def guarded(original):
        def call(*args, **kwargs):
            where = next((a for a in args if isinstance(a, (tuple, str))), None)
            host = where[0] if isinstance(where, tuple) else where
            if host in LOOPBACK:
                return original(*args, **kwargs)
            raise AssertionError(f"network access attempted: {args!r}")

        return call

    for owner, name in (
        (socket.socket, "connect"),
        (socket.socket, "connect_ex"),
        (socket, "create_connection"),
        (socket, "getaddrinfo"),
    ):
        monkeypatch.setattr(owner, name, guarded(getattr(owner, name)))


def test_the_guard_refuses_the_network_and_lets_loopback_through(no_network):
    with pytest.raises(AssertionError, match="network access attempted"):
        socket.create_connection(("pypi.org", 443), timeout=1)
    with pytest.raises(AssertionError, match="network access attempted"):
        socket.getaddrinfo("example.org", 80)
    with pytest.raises(ConnectionRefusedError):  # loopback is reached: nothing listens there
        socket.create_connection(("127.0.0.1", 9), timeout=1)


def test_index_ask_and_eval_without_network(no_network, tiny_settings, tmp_path, capsys):
    loc = ["--corpus", str(tiny_settings.corpus_dir), "--index-dir", str(tiny_settings.index_dir)]
    import os

    os.environ["QA_ENCODER_DIR"] = str(tiny_settings.encoder_path)
    try:
        assert main(["index", *loc]) == 0
        assert "indexed 2 file(s)" in capsys.readouterr().out
        assert main(["ask", "Where should the grain be stored?", "--json", *loc]) == 0
        answer = json.loads(capsys.readouterr().out)
        assert "Store the grain in dry barns." in answer["answer"]
        questions = tmp_path / "q.jsonl"
        questions.write_text(
            json.dumps(
                {
                    "id": "a",
                    "question": "What do goats give?",
                    "evidence": ["Goats eat grass and give milk every morning."],
                }
            )
            + "\n",
            "utf-8",
        )
        out = tmp_path / "report"
        assert main(["eval", str(questions), "--out", str(out), *loc]) == 0
        report = json.loads((out / "report.json").read_text("utf-8"))
        assert report["summary"]["hit@W150"] == 1.0
    finally:
        del os.environ["QA_ENCODER_DIR"]
