"""Opening an index loads the encoders on a thread beside the index reading (qa.encoders), with
the same answers and the same errors as loading them after it."""

from __future__ import annotations

import threading

import pytest

import qa.encoders as encoders
from qa.assistant import Assistant, build
from qa.errors import IndexNotFoundError


def _loaded_on(monkeypatch) -> list[str]:
    threads: list[str] = []
    load = encoders.load_encoders

    def recording(*args, **kwargs):
        threads.append(threading.current_thread().name)
        return load(*args, **kwargs)

    monkeypatch.setattr(encoders, "load_encoders", recording)
    return threads


def test_the_encoders_load_beside_the_index_and_answer_alike(tiny_settings, monkeypatch):
    build(tiny_settings)
    before = Assistant.open(tiny_settings, auto_build=False).ask("Where is the grain stored?")
    threads = _loaded_on(monkeypatch)
    after = Assistant.open(tiny_settings, auto_build=False).ask("Where is the grain stored?")
    assert threads and threads[0].startswith("planqa-encoders")
    assert after.text == before.text and after.citations == before.citations


def test_a_missing_index_is_told_without_loading_the_model_the_export_lacks(
    tiny_settings, tmp_path, monkeypatch
):
    # no ONNX export: loading would import torch, seconds spent before the error; none is
    from dataclasses import replace

    settings = replace(tiny_settings, encoder_dir=tmp_path / "no-export")
    threads = _loaded_on(monkeypatch)
    with pytest.raises(IndexNotFoundError, match="qa index"):
        Assistant.open(settings, auto_build=False)
    assert threads == []


def test_a_missing_index_is_built_with_the_encoders_loaded_beside(tiny_settings, monkeypatch):
    threads = _loaded_on(monkeypatch)
    answer = Assistant.open(tiny_settings).ask("Where is the grain stored?")
    assert threads and threads[0].startswith("planqa-encoders")
    assert "dry barns" in answer.text
