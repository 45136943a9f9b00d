"""Faults that meet in the web app: an upload during an evaluation, an evaluation during a
rebuild, and an index built by another model. Each run ends with nothing lost and an index
that answers from one consistent corpus."""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from pathlib import Path

import pytest

import qa.web.corpus_tab as corpus_tab
import qa.web.corpus_update as corpus_update
import qa.web.handlers as handlers
from qa.assistant import Assistant
from qa.errors import IndexMismatchError
from qa.index.build import build_index
from qa.index.hash_embedder import HashEmbedder
from qa.index.store import load_index
from qa.index.writer import save_index
from qa.ingest.corpus import load_corpus
from qa.web.shared import get_assistant

pytestmark = pytest.mark.usefixtures("restore_app_state")  # tests.app_fixtures

LIGHTHOUSE = b"Lighthouse rules\n\nEvery lighthouse keeper must log each passing ship.\n"
QUESTIONS = ["when is wheat harvested?", "what do goats eat?", "where is grain stored?"]


def questions_file(folder: Path) -> Path:
    path = folder / "questions.jsonl"
    rows = ({"id": f"q{i}", "question": q} for i, q in enumerate(QUESTIONS))
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", "utf-8")
    return path


def sources_of(report) -> set[str]:
    return {p["source"] for row in report.rows for p in row["passages"]}


def test_an_upload_during_an_evaluation(tiny_app, tmp_path):
    """The evaluation pauses after its first question while a document is added: it finishes
    every question from the index it started with; the next question sees the new one."""
    started, uploaded = threading.Event(), threading.Event()
    results, errors = [], []

    def pause(fraction: float, desc: str = "") -> None:
        started.set()
        uploaded.wait(120)

    def evaluate() -> None:
        try:
            results.append(handlers.evaluate_file(questions_file(tmp_path), 5, pause))
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    runner = threading.Thread(target=evaluate)
    runner.start()
    assert started.wait(120)
    try:
        message = corpus_tab.add_document("lighthouse.txt", LIGHTHOUSE)
    finally:
        uploaded.set()
        runner.join(120)
    assert not errors, errors
    assert message.startswith("Added `lighthouse.txt`")
    report = results[0][0]
    assert [r["id"] for r in report.rows] == ["q0", "q1", "q2"]
    assert not any("error" in r for r in report.rows)
    assert "lighthouse.txt" not in sources_of(report)  # one index for the whole run
    assert get_assistant().search("lighthouse keeper ships", k=1)[0].passage.source == (
        "lighthouse.txt"
    )
    reopened = Assistant.open(replace(tiny_app), auto_build=False)  # on disk: whole and fresh
    assert "lighthouse.txt" in reopened.index.manifest["corpus"]


def test_an_evaluation_during_a_rebuild(tiny_app, tmp_path, monkeypatch):
    """A document is being indexed (the build paused) while an evaluation runs: it is
    answered at once from the serving index; then the rebuild completes and is swapped in."""
    building, evaluated = threading.Event(), threading.Event()
    real_build = corpus_update.build
    outcome = []

    def slow_build(*args, **kwargs):
        building.set()
        evaluated.wait(120)
        return real_build(*args, **kwargs)

    monkeypatch.setattr(corpus_update, "build", slow_build)

    def add() -> None:
        try:
            outcome.append(corpus_tab.add_document("lighthouse.txt", LIGHTHOUSE))
        except BaseException as e:  # noqa: BLE001 - reported below
            outcome.append(e)

    serving = get_assistant()
    adder = threading.Thread(target=add)
    adder.start()
    assert building.wait(120)
    try:
        report, _, paths = handlers.evaluate_file(questions_file(tmp_path), 5)
        assert get_assistant() is serving  # the rebuild has not swapped anything yet
    finally:
        evaluated.set()
        adder.join(120)
    assert len(report.rows) == 3 and not any("error" in r for r in report.rows)
    assert sources_of(report) <= {"alpha.txt", "beta.md"} and Path(paths["json"]).is_file()
    assert outcome and isinstance(outcome[0], str) and "lighthouse.txt" in outcome[0]
    assert get_assistant() is not serving
    assert "lighthouse.txt" in {d.source for d in get_assistant().documents}


def test_another_models_vectors_are_detected_on_load(tiny_settings):
    """An index whose manifest and checksums are whole but whose vectors come from another
    model (hash-64 here, MiniLM's 384 dims expected) is refused, said plainly, and rebuilt."""
    settings = replace(tiny_settings, use_e5=False)
    docs = load_corpus(settings.corpus_dir)
    save_index(build_index(docs, settings, HashEmbedder(64)), settings.index_dir)
    assert load_index(settings.index_dir, docs).manifest["model"] == "hash-64"  # whole
    with pytest.raises(IndexMismatchError, match=r"built with hash-64 \(64 dims\).*--force"):
        Assistant.open(settings, auto_build=False)
    assistant = Assistant.open(settings)  # auto_build: rebuilt with the right model
    assert assistant.index.manifest["model"] != "hash-64"
    assert assistant.search("when is wheat harvested?")[0].passage.source == "alpha.txt"
