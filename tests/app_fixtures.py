"""Fixtures the web-app test modules share (a pytest plugin named in conftest.py); a module
that changes the app's shared state marks itself
`pytestmark = pytest.mark.usefixtures("restore_app_state")`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from qa.web.shared import Shared, configure, get_assistant
from tests.conftest import write_corpus


@pytest.fixture
def restore_app_state():
    """Each test configures the app's shared state; put back what was there."""
    saved = (Shared.settings, Shared.assistant, Shared.feedback_path, Shared.access)
    saved_limits = (Shared.changes, Shared.questions)
    yield
    Shared.settings, Shared.assistant, Shared.feedback_path, Shared.access = saved
    Shared.changes, Shared.questions = saved_limits


@pytest.fixture
def bundled_app(plan_settings, plan_assistant, tmp_path):
    """The app serving the bundled corpus (shared read-only index), feedback into tmp_path."""
    configure(plan_settings, tmp_path / "feedback.jsonl", plan_assistant)
    return plan_settings


@pytest.fixture(scope="module")
def tiny_index(tmp_path_factory, encoder_dir) -> Path:
    """An index of the tiny corpus, built once per module; tests copy it beside their corpus."""
    from qa.assistant import build
    from qa.config import Settings

    root = tmp_path_factory.mktemp("tiny")
    settings = Settings(
        corpus_dir=write_corpus(root / "corpus"), index_dir=root / "index", encoder_dir=encoder_dir
    )
    build(settings)
    return settings.index_dir


@pytest.fixture
def tiny_app(tiny_settings, tiny_index, tmp_path):
    """The app over its own copy of the tiny corpus and index: safe to modify."""
    shutil.copytree(tiny_index, tiny_settings.index_dir)
    configure(tiny_settings, tmp_path / "feedback.jsonl")
    get_assistant()
    return tiny_settings


@pytest.fixture
def served_without_server(monkeypatch) -> dict:
    """qa.web.app.main() runs as it would serve, with no server started: layout.build_app
    gives an app that records the keyword arguments of its queue() and launch() calls in the
    returned dict."""
    import qa.web.layout as layout

    seen: dict = {}

    class Served:
        local_url = "http://127.0.0.1:1/"

        def queue(self, **kwargs):
            seen["queue"] = kwargs
            return self

        def launch(self, **kwargs):
            seen["launch"] = kwargs

        def block_thread(self):
            pass

    monkeypatch.setattr(layout, "build_app", Served)
    return seen
