"""The installed `qa` command, run as a user would."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from tests.test_plan import CARD, PLEDGE

QA = shutil.which("qa") or "qa"


def run(args, settings, check=True, **env):
    e = {
        **os.environ,
        "QA_CORPUS_DIR": str(settings.corpus_dir),
        "QA_INDEX_DIR": str(settings.index_dir),
        **env,
    }
    proc = subprocess.run([QA, *args], capture_output=True, text=True, env=e, timeout=300)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def test_ask_json_on_the_plan(plan_settings):
    out = json.loads(run(["ask", CARD, "--json"], plan_settings).stdout)
    assert set(out) >= {"question", "answer", "abstained", "citations", "passages"}
    assert out["abstained"] is False and PLEDGE in out["answer"]
    text = (plan_settings.corpus_dir / out["passages"][0]["source"]).read_text("utf-8")
    for p in out["passages"]:
        assert text[p["start"] : p["end"]] == p["text"]
        assert p["section"] and isinstance(p["score"], float)


def test_search_and_ask_human_output(plan_settings):
    out = run(["search", CARD, "-k", "2"], plan_settings).stdout
    assert out.startswith("1. [") and "ip_strategy_action_plan_2014_2020.txt:" in out
    out = run(["ask", CARD], plan_settings).stdout
    assert "[1]" in out and "Sources:" in out and "Why:" not in out
    out = run(
        ["ask", "What punishment do infringing exhibitors face at trade fairs?"], plan_settings
    ).stdout
    assert "Why: the question asks for a penalty; the closest passages give none" in out
    assert out.index("Why:") < out.index("Closest passages:")


def test_index_is_a_noop_when_fresh(plan_settings):
    out = run(["index"], plan_settings).stdout
    assert "up to date" in out and "nothing to do" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ask", "   "], "the question is empty"),
        (["ask", "x" * 2001], "limit is 2,000"),
        (["search", "ok", "-k", "0"], "-k must be at least 1"),
    ],
)
def test_bad_input_is_a_message_not_a_traceback(plan_settings, args, message):
    proc = run(args, plan_settings, check=False)
    assert proc.returncode == 2
    assert message in proc.stderr and "Traceback" not in proc.stderr


def test_missing_corpus_and_non_utf8(tmp_path, plan_settings):
    from dataclasses import replace

    missing = replace(plan_settings, corpus_dir=tmp_path / "none", index_dir=tmp_path / "ix")
    proc = run(["ask", "patents?"], missing, check=False)
    assert (
        proc.returncode == 2 and "does not exist" in proc.stderr and "Traceback" not in proc.stderr
    )
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "gbk.txt").write_bytes("会议纪要".encode("gbk"))
    proc = run(["index"], replace(missing, corpus_dir=bad), check=False)
    assert proc.returncode == 2 and "gbk.txt: skipped, not valid UTF-8" in proc.stderr
    assert "could be read" in proc.stderr and "Traceback" not in proc.stderr


def test_changed_corpus_is_rebuilt_and_noop_after(tiny_settings):
    env = {"QA_ENCODER_DIR": str(tiny_settings.encoder_path)}
    first = run(["index"], tiny_settings, **env).stdout
    assert "indexed 2 file(s)" in first
    assert "up to date" in run(["index"], tiny_settings, **env).stdout
    (tiny_settings.corpus_dir / "gamma.txt").write_text(
        "Lighthouses guide ships at night.", "utf-8"
    )
    out = json.loads(run(["search", "lighthouse ships", "--json"], tiny_settings, **env).stdout)
    assert out["passages"][0]["source"] == "gamma.txt"
    assert "up to date" in run(["index"], tiny_settings, **env).stdout


def test_python_module_entry_point(plan_settings):
    proc = subprocess.run(
        [sys.executable, "-m", "qa", "--help"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0 and "search" in proc.stdout and "ask" in proc.stdout


def test_a_reader_that_leaves_early_gets_no_traceback(plan_settings):
    """`qa search ... --json | head -c 10`: the pipe closes before the output is written."""
    env = {
        **os.environ,
        "QA_CORPUS_DIR": str(plan_settings.corpus_dir),
        "QA_INDEX_DIR": str(plan_settings.index_dir),
    }
    proc = subprocess.Popen(
        [QA, "search", CARD, "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    proc.stdout.close()  # no reader: the first write fails with a broken pipe
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=300) == 141, err
    assert "Traceback" not in err


def test_a_library_past_the_e5_limit_is_indexed_without_e5_and_still_reads_chinese(tiny_settings):
    """QA_E5_MAX_PASSAGES below the corpus: the build says e5 works on demand, stores no e5
    vectors, and a Chinese question is still answered from the English text."""
    env = {"QA_ENCODER_DIR": str(tiny_settings.encoder_path), "QA_E5_MAX_PASSAGES": "1"}
    out = run(["index", "--force"], tiny_settings, **env).stdout
    assert "e5 ranks each such question's candidates when it is asked" in out
    manifest = json.loads((tiny_settings.index_dir / "manifest.json").read_text("utf-8"))
    assert manifest["e5_scope"] == "candidates" and "e5.npy" not in manifest["files"]
    found = json.loads(run(["search", "小麦", "--json"], tiny_settings, **env).stdout)
    assert "wheat" in found["passages"][0]["text"].lower()  # via the dictionary, ranked by e5
    bad = run(["index"], tiny_settings, check=False, QA_E5_MAX_PASSAGES="many")
    assert bad.returncode != 0 and "QA_E5_MAX_PASSAGES must be a whole number" in bad.stderr


def test_the_command_freezes_the_index_it_keeps_and_a_caller_that_goes_on_does_not(
    plan_settings, monkeypatch, capsys
):
    """`qa ask` is the whole process: the index it opens is frozen out of the collector's reach
    (gc.freeze); main() called by code that goes on leaves the collector as it was."""
    import gc

    from qa.cli import main

    monkeypatch.setenv("QA_CORPUS_DIR", str(plan_settings.corpus_dir))
    monkeypatch.setenv("QA_INDEX_DIR", str(plan_settings.index_dir))
    gc.unfreeze()
    try:
        assert main(["ask", CARD, "--json"]) == 0
        assert gc.get_freeze_count() == 0
        assert PLEDGE in json.loads(capsys.readouterr().out)["answer"]
        assert main(["ask", CARD, "--json"], whole_process=True) == 0
        assert gc.get_freeze_count() > 1000
        assert PLEDGE in json.loads(capsys.readouterr().out)["answer"]
    finally:
        gc.unfreeze()
