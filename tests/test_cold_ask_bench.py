"""bench/cold_ask.py refuses an index its checkout would rebuild: `qa ask` builds a stale
index in place, and a bench run must never replace an index that something else still needs."""

from __future__ import annotations

import os
from pathlib import Path

from bench.cold_ask import compile_bytecode, not_fresh

REPO = str(Path(__file__).resolve().parent.parent)


def test_a_missing_index_is_refused_and_nothing_is_built(tmp_path, tiny_corpus, monkeypatch):
    monkeypatch.setenv("QA_CORPUS_DIR", str(tiny_corpus))
    index = tmp_path / "index"
    assert "no index" in not_fresh(REPO, str(index))
    assert not index.exists()


def test_a_fresh_index_passes_and_a_changed_corpus_is_refused(tiny_settings, monkeypatch):
    from qa.assistant import build

    build(tiny_settings)
    monkeypatch.setenv("QA_CORPUS_DIR", str(tiny_settings.corpus_dir))
    monkeypatch.setenv("QA_ENCODER_DIR", str(tiny_settings.encoder_dir))
    assert not_fresh(REPO, str(tiny_settings.index_dir)) is None
    first = sorted(tiny_settings.corpus_dir.iterdir())[0]
    first.write_text(first.read_text("utf-8") + " Fees rise in May.", "utf-8")
    assert "corpus changed" in not_fresh(REPO, str(tiny_settings.index_dir))


def test_each_checkouts_bytecode_is_written_even_where_python_writes_none(tmp_path, monkeypatch):
    # as pip installs it: a run must not spend time compiling what an installed copy never does
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    (tmp_path / "qa").mkdir()
    (tmp_path / "qa" / "module.py").write_text("ANSWER = 42\n", "utf-8")
    compile_bytecode(str(tmp_path))
    assert list((tmp_path / "qa" / "__pycache__").glob("module.*.pyc"))


def test_the_scale_bench_writes_the_bytecode_of_the_qa_it_will_run(tmp_path, monkeypatch):
    from bench.scale import write_bytecode

    (tmp_path / "qa").mkdir()
    (tmp_path / "qa" / "__init__.py").write_text("", "utf-8")
    (tmp_path / "qa" / "module.py").write_text("ANSWER = 42\n", "utf-8")
    # the qa that `python -m qa` finds from here: the working folder's, as the bench runs it
    monkeypatch.chdir(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "PYTHONDONTWRITEBYTECODE": "1"}
    write_bytecode(env)
    assert list((tmp_path / "qa" / "__pycache__").glob("module.*.pyc"))
