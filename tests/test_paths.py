"""Default folders: the working folder or $QA_HOME, never the package folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import qa
from qa.atomic import lock_path
from qa.config import Settings, data_home, default_feedback_path
from qa.errors import ConfigError
from tests.conftest import write_corpus

REPO = Path(__file__).resolve().parents[1]
PACKAGE = Path(qa.__file__).resolve().parent
ENV = ("QA_HOME", "QA_CORPUS_DIR", "QA_INDEX_DIR", "QA_FEEDBACK", "QA_LOCK_TIMEOUT")


@pytest.fixture
def clean_env(monkeypatch):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_defaults_follow_the_working_folder(clean_env, tmp_path):
    clean_env.chdir(tmp_path)
    s = Settings.from_env()
    assert (s.corpus_dir, s.index_dir) == (tmp_path / "corpus", tmp_path / "index")
    assert s.feedback_path == tmp_path / "feedback" / "feedback.jsonl"
    assert s.encoder_path == tmp_path / "index" / "encoder"
    for path in (s.corpus_dir, s.index_dir, s.feedback_path, s.encoder_path):
        assert not path.is_relative_to(PACKAGE), path  # never site-packages


def test_qa_home_moves_every_default(clean_env, tmp_path):
    clean_env.chdir(REPO)
    clean_env.setenv("QA_HOME", str(tmp_path / "home"))
    s = Settings()
    assert data_home() == tmp_path / "home"
    assert s.corpus_dir == tmp_path / "home" / "corpus"
    assert s.index_dir == tmp_path / "home" / "index"
    assert default_feedback_path() == s.feedback_path == tmp_path / "home/feedback/feedback.jsonl"


def test_specific_variables_and_options_beat_qa_home(clean_env, tmp_path):
    clean_env.setenv("QA_HOME", str(tmp_path / "home"))
    clean_env.setenv("QA_CORPUS_DIR", str(tmp_path / "docs"))
    clean_env.setenv("QA_FEEDBACK", str(tmp_path / "votes.jsonl"))
    s = Settings.from_env(index_dir=str(tmp_path / "idx"))
    assert s.corpus_dir == tmp_path / "docs" and s.index_dir == tmp_path / "idx"
    assert s.feedback_path == tmp_path / "votes.jsonl"


def test_a_clone_run_from_its_folder_finds_the_bundled_corpus(clean_env):
    """README's first command, `python app.py` in a clone: corpus/ and index/ of the clone."""
    clean_env.chdir(REPO)
    s = Settings.from_env()
    assert s.corpus_dir == REPO / "corpus" and s.index_dir == REPO / "index"
    assert any(s.corpus_dir.glob("*.txt"))


def test_lock_file_sits_beside_the_index_folder(tmp_path):
    assert lock_path(tmp_path / "index") == tmp_path / ".index.lock"


@pytest.mark.parametrize("value", ["soon", "", "10"])
def test_lock_timeout_from_the_environment(clean_env, value):
    clean_env.setenv("QA_LOCK_TIMEOUT", value)
    if value == "soon":
        with pytest.raises(ConfigError, match="QA_LOCK_TIMEOUT must be a number"):
            Settings.from_env()
    else:
        assert Settings.from_env().lock_timeout == (10.0 if value else 600.0)


def test_qa_index_without_options_writes_into_the_working_folder(tmp_path, encoder_dir):
    work = tmp_path / "work"
    write_corpus(work / "corpus")
    package_before = sorted(p.name for p in PACKAGE.iterdir())
    env = {k: v for k, v in os.environ.items() if k not in ENV}
    done = subprocess.run(
        [sys.executable, "-m", "qa", "index"],
        cwd=work,
        env={**env, "PYTHONPATH": str(REPO), "QA_ENCODER_DIR": str(encoder_dir)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert (work / "index" / "manifest.json").is_file()
    assert (work / ".index.lock").is_file()
    assert sorted(p.name for p in PACKAGE.iterdir()) == package_before
