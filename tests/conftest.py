"""Shared fixtures: tiny corpora in tmp_path, one ONNX export and one real-plan index per session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

pytest_plugins = ["tests.app_fixtures"]  # the web-app fixtures (tiny_app, bundled_app, ...)

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO = Path(__file__).resolve().parents[1]
PLAN = REPO / "corpus" / "ip_strategy_action_plan_2014_2020.txt"

TINY_DOCS = {
    "alpha.txt": (
        "Farming notes\n\n"
        "1. Crops\n\n"
        "——Grow wheat in spring. Wheat needs water and sun. Harvest it in late summer.\n\n"
        "Store the grain in dry barns. Dry barns keep mice away from the grain.\n\n"
        "2. Animals\n\n"
        "——Keep goats on the hill. Goats eat grass and give milk every morning.\n"
    ),
    "beta.md": (
        "# Harbour rules\n\n"
        "Boats must dock before sunset. The harbour master checks every licence.\n\n"
        "Fishing nets are repaired on Tuesdays. Broken nets are burned.\n"
    ),
}


def write_corpus(folder: Path, docs: dict[str, str] = TINY_DOCS) -> Path:
    for name, text in docs.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def built_library(folder: Path, docs: dict[str, str], encoder_dir: Path):
    """Settings of a small library of ``docs`` (names may hold folders), indexed without e5."""
    from qa.assistant import build
    from qa.config import Settings

    settings = Settings(
        corpus_dir=write_corpus(folder / "corpus", docs),
        index_dir=folder / "index",
        encoder_dir=encoder_dir,
        use_e5=False,
    )
    build(settings)
    return settings


@pytest.fixture(autouse=True)
def audit_log_in_tmp(tmp_path: Path, monkeypatch):
    """`qa index` appends to the audit log beside the default feedback file: in tmp_path, not
    in the working folder (a test that sets $QA_FEEDBACK itself wins)."""
    if "QA_FEEDBACK" not in os.environ:
        monkeypatch.setenv("QA_FEEDBACK", str(tmp_path / "feedback" / "feedback.jsonl"))


@pytest.fixture
def tiny_corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "corpus")


@pytest.fixture(scope="session")
def encoder_dir(tmp_path_factory) -> Path:
    """The MiniLM ONNX export, made once per test session (it needs torch, ~10 s)."""
    from qa.index.embedding import bundled_model_dir
    from qa.index.onnx_export import export_minilm_onnx

    out = tmp_path_factory.mktemp("encoder")
    export_minilm_onnx(bundled_model_dir(), out)
    return out


@pytest.fixture
def tiny_settings(tmp_path: Path, tiny_corpus: Path, encoder_dir: Path):
    from qa.config import Settings

    return Settings(corpus_dir=tiny_corpus, index_dir=tmp_path / "index", encoder_dir=encoder_dir)


@pytest.fixture(scope="session")
def plan_settings(tmp_path_factory, encoder_dir: Path):
    """The real plan in a temp corpus folder, indexed once for the session."""
    from qa.assistant import build
    from qa.config import Settings

    root = tmp_path_factory.mktemp("plan")
    corpus = root / "corpus"
    corpus.mkdir()
    shutil.copy(PLAN, corpus / PLAN.name)
    settings = Settings(corpus_dir=corpus, index_dir=root / "index", encoder_dir=encoder_dir)
    build(settings)
    return settings


@pytest.fixture(scope="session")
def plan_assistant(plan_settings):
    from qa.assistant import Assistant

    return Assistant.open(plan_settings, auto_build=False)


def stale_reason_without(settings, documents, key: str) -> str:
    """Why the index is stale once ``key`` is dropped from its manifest (an older index)."""
    import json

    from qa.index.store import MANIFEST, index_status

    path = settings.index_dir / MANIFEST
    manifest = json.loads(path.read_text("utf-8"))
    del manifest[key]
    path.write_text(json.dumps(manifest), "utf-8")
    status = index_status(settings, documents)
    assert status.state == "stale"
    return status.reason
