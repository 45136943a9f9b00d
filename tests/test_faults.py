"""Injected faults: killed builds, corrupt index files, full disks, refused writes, two indexers.

Each fault must end in the old index serving, a clean rebuild, or a plain error; never in a
mixed or half-written index being used. Every test is bounded in time.
"""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from qa.atomic import atomic_write, index_lock, lock_path
from qa.config import Settings
from qa.errors import IndexMismatchError, IndexWriteError, LockTimeoutError
from qa.index import writer as store  # the index writer (staging, atomic writes, renames)
from qa.index.build import build_index
from qa.index.hash_embedder import HashEmbedder
from qa.index.store import MANIFEST, index_status, load_index
from qa.index.writer import save_index
from qa.ingest.corpus import load_corpus

REPO = Path(__file__).resolve().parents[1]


def _hash_settings(tmp_path: Path, corpus: Path) -> Settings:
    return Settings(corpus_dir=corpus, index_dir=tmp_path / "index", use_e5=False)


@pytest.fixture
def hash_built(tmp_path, tiny_corpus):
    settings = _hash_settings(tmp_path, tiny_corpus)
    docs = load_corpus(tiny_corpus)
    index = build_index(docs, settings, HashEmbedder(64))
    save_index(index, settings.index_dir)
    return settings, docs, index


def _snapshot(folder: Path) -> dict[str, str]:
    """name -> sha256 of every visible file (what a reader could see)."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file() and not p.name.startswith(".")
    }


def _leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if ".tmp-" in p.name or p.name.startswith(".staging")]


# ---------------------------------------------------------------------------- atomic writes


def test_threads_writing_one_file_never_collide(tmp_path):
    """Temp names are unique per thread: 8 threads x 40 writes, no error, one whole payload."""
    target = tmp_path / "f.bin"
    payloads = [bytes([i]) * 50_000 for i in range(8)]
    errors: list[BaseException] = []

    def writer(i: int) -> None:
        try:
            for _ in range(40):
                atomic_write(target, payloads[i])
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert target.read_bytes() in payloads
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EACCES, errno.EIO])
def test_failed_write_keeps_the_old_file(tmp_path, monkeypatch, code):
    target = tmp_path / "f.txt"
    target.write_bytes(b"old")

    def refuse(fd):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr("qa.atomic.os.fsync", refuse)
    with pytest.raises(OSError) as e:
        atomic_write(target, b"new" * 1000)
    assert e.value.errno == code
    assert target.read_bytes() == b"old"
    assert _leftovers(tmp_path) == []


# ---------------------------------------------------------------------------- index writes


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EACCES])
@pytest.mark.parametrize("after", [0, 3, 100])  # the first file, a middle one, the manifest
def test_disk_full_or_refused_while_saving_keeps_the_old_index(
    hash_built, monkeypatch, code, after
):
    settings, docs, index = hash_built
    before = _snapshot(settings.index_dir)
    calls = {"n": 0}
    real = store.atomic_write

    def failing(path, data):
        calls["n"] += 1
        if calls["n"] > after or path.name == MANIFEST:
            raise OSError(code, os.strerror(code), str(path))
        real(path, data)

    monkeypatch.setattr(store, "atomic_write", failing)
    with pytest.raises(IndexWriteError) as e:
        save_index(build_index(docs, settings, HashEmbedder(64)), settings.index_dir)
    message = str(e.value)
    assert os.strerror(code) in message and "previous index is unchanged" in message
    assert str(settings.index_dir) in message and "qa index" in message
    assert _snapshot(settings.index_dir) == before
    assert _leftovers(settings.index_dir) == []
    assert load_index(settings.index_dir, docs).passages == index.passages  # old one serves


class Killed(BaseException):
    """Stands in for SIGKILL inside the rename phase (the process stops between two renames)."""


@pytest.mark.parametrize("renames", [1, 4, 9])
def test_killed_between_renames_is_detected_never_used(hash_built, monkeypatch, renames):
    settings, docs, _ = hash_built
    changed = settings.corpus_dir / "alpha.txt"
    changed.write_text(changed.read_text("utf-8") + "\nPigs sleep in the barn.\n", "utf-8")
    docs = load_corpus(settings.corpus_dir)
    real, done = os.replace, {"n": 0}

    def replace_then_die(src, dst):
        if Path(dst).parent == settings.index_dir:  # installing (not writing into the stage)
            if done["n"] == renames:
                raise Killed
            done["n"] += 1
        real(src, dst)

    monkeypatch.setattr(store.os, "replace", replace_then_die)
    with pytest.raises(Killed):
        save_index(build_index(docs, settings, HashEmbedder(64)), settings.index_dir)
    monkeypatch.undo()
    # old manifest, some new files: the checksums reject it and the status says rebuild
    with pytest.raises(IndexMismatchError, match="checksum|no longer matches|inconsistent"):
        load_index(settings.index_dir, docs)
    assert index_status(settings, docs).state in {"broken", "stale"}
    save_index(build_index(docs, settings, HashEmbedder(64)), settings.index_dir)
    assert "Pigs" in " ".join(p.text for p in load_index(settings.index_dir, docs).passages)


def test_a_killed_builds_staging_folder_is_cleaned(hash_built):
    settings, _, _ = hash_built
    (settings.index_dir / ".staging-dead").mkdir()
    (settings.index_dir / ".staging-dead" / "e5.npy").write_bytes(b"half")
    (settings.index_dir / ".vocab.json.tmp-1-2-3").write_bytes(b"half")
    assert sorted(store.clean_staging(settings.index_dir)) == [
        ".staging-dead",
        ".vocab.json.tmp-1-2-3",
    ]
    assert _leftovers(settings.index_dir) == []


# ---------------------------------------------------------------------------- corrupt files


def _npy(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=False)
    return buf.getvalue()


def _rewrite(index_dir: Path, name: str, data: bytes, fix_checksum: bool) -> None:
    (index_dir / name).write_bytes(data)
    if fix_checksum:  # a consistent-looking tamper: only the shape checks can catch it
        manifest = json.loads((index_dir / MANIFEST).read_text("utf-8"))
        manifest["files"][name] = hashlib.sha256(data).hexdigest()
        (index_dir / MANIFEST).write_text(json.dumps(manifest), "utf-8")


def truncate_faiss(d: Path) -> str:
    data = (d / "minilm.faiss").read_bytes()
    _rewrite(d, "minilm.faiss", data[: len(data) // 2], fix_checksum=False)
    return "minilm.faiss"


def flip_bytes(d: Path) -> str:
    data = bytearray((d / "minilm-sentences.npy").read_bytes())
    data[-5] ^= 0xFF
    _rewrite(d, "minilm-sentences.npy", bytes(data), fix_checksum=False)
    return "minilm-sentences.npy"


def manifest_disagrees(d: Path) -> str:
    manifest = json.loads((d / MANIFEST).read_text("utf-8"))
    manifest["count"] += 1
    (d / MANIFEST).write_text(json.dumps(manifest), "utf-8")
    return "inconsistent counts"


def missing_file(d: Path) -> str:
    (d / "passages.npy").unlink()
    return "passages.npy is missing"


def other_models_vectors(d: Path) -> str:
    n = json.loads((d / MANIFEST).read_text("utf-8"))["count"]
    other = np.ones((n, 32), np.float32)  # a 32-dim model's sentence vectors, checksum fixed
    _rewrite(d, "vocab-minilm.npy", _npy(other), fix_checksum=True)
    return "inconsistent vocabulary"


def corrupt_json(d: Path) -> str:
    (d / MANIFEST).write_bytes(b'{"format": "qa-index v2", "files": {')
    return "corrupt"


CORRUPTIONS = [
    truncate_faiss,
    flip_bytes,
    manifest_disagrees,
    missing_file,
    other_models_vectors,
    corrupt_json,
]


@pytest.mark.parametrize("corrupt", CORRUPTIONS, ids=lambda f: f.__name__)
def test_corrupt_index_is_detected_said_plainly_and_refused(hash_built, corrupt):
    settings, docs, _ = hash_built
    said = corrupt(settings.index_dir)
    with pytest.raises(IndexMismatchError) as e:
        load_index(settings.index_dir, docs)
    assert said in str(e.value) and "qa index --force" in str(e.value)


def test_corrupt_index_is_rebuilt_by_assistant_open(tiny_settings):
    """With real encoders: a refused index is rebuilt on open (auto_build) and then answers."""
    from qa.assistant import Assistant, build

    settings = replace(tiny_settings, use_e5=False)
    build(settings)
    truncate_faiss(settings.index_dir)
    with pytest.raises(IndexMismatchError, match=r"minilm\.faiss"):
        Assistant.open(settings, auto_build=False)
    assistant = Assistant.open(settings)
    assert assistant.search("when is wheat harvested?")[0].passage.source == "alpha.txt"
    assert load_index(settings.index_dir, assistant.documents).passages == assistant.passages


# ---------------------------------------------------------------------------- two indexers


def test_two_indexer_threads_build_once(tiny_settings):
    from qa.assistant import build

    settings = replace(tiny_settings, use_e5=False)
    reports, waits, errors = [], [], []

    def run() -> None:
        try:
            reports.append(build(settings, on_wait=waits.append))
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert sorted(r.rebuilt for r in reports) == [False, True]  # the second found it fresh
    assert len(waits) == 1 and "waiting" in waits[0]


def _qa(*args: str, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "qa", *args],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_second_indexer_process_waits_then_times_out_with_a_message(tmp_path, tiny_corpus):
    index_dir = tmp_path / "index"
    with index_lock(index_dir, timeout=1):
        t0 = time.monotonic()
        done = _qa(
            "index",
            "--corpus",
            str(tiny_corpus),
            "--index-dir",
            str(index_dir),
            env={"QA_LOCK_TIMEOUT": "1.5"},
        )
    assert done.returncode == 2, done.stderr
    assert "waiting for it (up to 1.5 s)" in done.stderr
    assert "stayed locked by another process for 1.5 s" in done.stderr
    assert str(lock_path(index_dir)) in done.stderr and "Traceback" not in done.stderr
    assert time.monotonic() - t0 < 60
    assert not index_dir.exists() or not any(index_dir.iterdir())  # nothing was written


def test_lock_timeout_in_process_names_the_lock_file(tmp_path):
    index_dir = tmp_path / "index"
    held = threading.Event()
    release = threading.Event()

    def holder() -> None:
        with index_lock(index_dir, timeout=1):
            held.set()
            release.wait(10)

    t = threading.Thread(target=holder)
    t.start()
    held.wait(10)
    try:
        with pytest.raises(LockTimeoutError, match=r"\.index\.lock"):
            with index_lock(index_dir, timeout=0.2):
                pass
    finally:
        release.set()
        t.join(10)


def test_bad_lock_timeout_setting_is_a_clear_error(monkeypatch, tmp_path, tiny_corpus):
    done = _qa(
        "index",
        "--corpus",
        str(tiny_corpus),
        "--index-dir",
        str(tmp_path / "i"),
        env={"QA_LOCK_TIMEOUT": "ten minutes"},
    )
    assert done.returncode == 2
    assert "QA_LOCK_TIMEOUT must be a number of seconds, got 'ten minutes'" in done.stderr


# ---------------------------------------------------------------------------- kill -9


def test_kill_9_during_qa_index_never_leaves_a_mixed_index(tmp_path, tiny_corpus, encoder_dir):
    """10 `qa index --force` processes killed at random moments (seeded): afterwards the old
    index loads (checksums pass) or is refused and rebuilt; a loaded index is always whole."""
    index_dir = tmp_path / "index"
    env = {"QA_ENCODER_DIR": str(encoder_dir)}
    args = ("index", "--corpus", str(tiny_corpus), "--index-dir", str(index_dir))
    first = _qa(*args, env=env, timeout=300)
    assert first.returncode == 0, first.stderr
    settings = Settings(corpus_dir=tiny_corpus, index_dir=index_dir, encoder_dir=encoder_dir)
    docs = load_corpus(tiny_corpus)
    good = load_index(index_dir, docs).passages
    t0 = time.monotonic()
    full = _qa(*args, "--force", env=env, timeout=300)
    build_time = time.monotonic() - t0
    assert full.returncode == 0, full.stderr
    rng, outcomes = random.Random(20), []
    for _ in range(10):
        proc = subprocess.Popen(
            [sys.executable, "-m", "qa", *args, "--force"],
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO), **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.3, build_time))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        try:
            loaded = load_index(index_dir, docs)  # verifies every checksum and shape
        except IndexMismatchError:
            outcomes.append("refused")
            from qa.assistant import build

            assert build(settings).rebuilt  # a clean rebuild over whatever was left
            loaded = load_index(index_dir, docs)
        else:
            outcomes.append("served")
        assert loaded.passages == good
        assert index_status(settings, docs).state == "fresh"
    print("kill -9 outcomes:", outcomes)


# ---------------------------------------------------------------------------- other writes


def test_unwritable_index_location_is_one_line_not_a_traceback(tmp_path, tiny_corpus, capsys):
    from qa.cli import main

    blocker = tmp_path / "file"
    blocker.write_text("not a folder", "utf-8")
    code = main(["index", "--corpus", str(tiny_corpus), "--index-dir", str(blocker / "index")])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: ") and str(blocker) in err
    assert "permissions" in err and blocker.read_text("utf-8") == "not a folder"


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EACCES])
def test_feedback_write_failure_keeps_earlier_votes(tmp_path, monkeypatch, code):
    from qa.web.feedback import append_feedback, feedback_record, read_feedback

    path = tmp_path / "feedback.jsonl"
    append_feedback(path, feedback_record("Who funds pilot projects?", "up"))
    before = path.read_bytes()

    def refuse(fd, data):
        raise OSError(code, os.strerror(code), str(path))

    monkeypatch.setattr("qa.web.append.os.write", refuse)
    with pytest.raises(OSError, match=os.strerror(code)):
        append_feedback(path, feedback_record("When does it run?", "down"))
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert [r["question"] for r in read_feedback(path)] == ["Who funds pilot projects?"]
