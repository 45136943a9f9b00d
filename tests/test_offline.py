"""Offline by construction: with every network socket blocked, index, ask and eval still work."""

from __future__ import annotations

import json
import socket

import pytest

from qa.cli import main


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


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
