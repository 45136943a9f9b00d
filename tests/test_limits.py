"""The web app's bounds (qa/web/limits.py), each enforced: eval rows, feedback size, one
evaluation at a time, temporary folders removed, a full queue answering busy at once."""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path

import gradio as gr
import pytest

import qa.web.handlers as handlers
import qa.web.limits as limits
from qa.web.feedback import FeedbackFullError, append_feedback, feedback_record, read_feedback
from qa.web.limits import (
    MAX_EVAL_ROWS,
    MAX_FEEDBACK_BYTES,
    QUEUE_SIZE,
    BusyError,
    Gate,
    RateLimit,
    RateLimitError,
    TempFolders,
    TooManyRowsError,
    check_eval_rows,
    question_limit,
    questions_per_minute,
    questions_refused,
)
from qa.web.shared import Shared

pytestmark = pytest.mark.usefixtures("restore_app_state")  # tests.app_fixtures

WHEAT = "when is wheat harvested?"


def eval_file(folder: Path, rows: int, name: str = "questions.jsonl") -> str:
    path = folder / name
    lines = (json.dumps({"id": f"q{i}", "question": f"Question {i}?"}) for i in range(rows))
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return str(path)


# ---------------------------------------------------------------------------- eval rows


def test_eval_rows_past_the_bound_are_a_clear_error(bundled_app, tmp_path):
    check_eval_rows("ok.jsonl", MAX_EVAL_ROWS)
    with pytest.raises(TooManyRowsError, match="holds 1,001 questions.*up to 1,000.*qa eval x"):
        check_eval_rows("x", MAX_EVAL_ROWS + 1)
    t0 = time.monotonic()
    status, *rest = handlers.handle_evaluate_ui(eval_file(tmp_path, MAX_EVAL_ROWS + 1), 5)
    assert status == (
        "⚠ questions.jsonl holds 1,001 questions; the app evaluates up to 1,000 at a time. "
        "Split the file, or run all of them with `qa eval questions.jsonl` on the command line"
    )
    assert time.monotonic() - t0 < 30  # refused before any question is asked
    assert all(r == {"__type__": "update"} for r in rest)


# ---------------------------------------------------------------------------- evaluations


def test_a_second_evaluation_is_told_busy_at_once(bundled_app, tmp_path):
    with limits.EVALUATIONS.enter():  # an evaluation of another session is running
        t0 = time.monotonic()
        status, *_ = handlers.handle_evaluate_ui(eval_file(tmp_path, 2), 5)
        assert time.monotonic() - t0 < 1.0
    assert status.startswith("⚠ busy, try again in a minute: another evaluation is running")
    status, summary, *_ = handlers.handle_evaluate_ui(eval_file(tmp_path, 2), 5)
    assert status == "" and summary  # the slot is free again once the first one ends


def test_the_gate_is_released_when_a_run_fails():
    gate = Gate(1, "evaluation")
    with pytest.raises(ValueError), gate.enter():
        raise ValueError("a bad file")
    with gate.enter(), pytest.raises(BusyError, match="another evaluation is running"):
        with gate.enter():
            pass


# ---------------------------------------------------------------------------- rate limit


def test_rate_limit_counts_per_key_within_the_window():
    now = [100.0]
    rl = RateLimit(2, 60.0, clock=lambda: now[0])
    rl.check("ann")
    now[0] = 130.0
    rl.check("ann")
    with pytest.raises(RateLimitError, match="try again in 30 s"):
        rl.check("ann")
    rl.check("bob")  # another user has their own count
    now[0] = 160.0  # the first change left the window
    rl.check("ann")
    with pytest.raises(RateLimitError):
        rl.check("ann")
    now[0] = 1000.0
    rl.check("carol")
    assert set(rl._events) == {"carol"}  # users who stopped are forgotten: memory is bounded


# ---------------------------------------------------------------------------- questions


def test_questions_per_minute_come_from_the_flag_the_environment_or_the_default(monkeypatch):
    monkeypatch.delenv("QA_QUESTIONS_PER_MINUTE", raising=False)
    assert questions_per_minute() == limits.QUESTIONS_PER_MINUTE == 30
    monkeypatch.setenv("QA_QUESTIONS_PER_MINUTE", "12")
    assert questions_per_minute() == 12 and question_limit().limit == 12
    assert questions_per_minute("0") == 0 and questions_per_minute(" 5 ") == 5  # the flag wins
    for bad in ("ten", "-1", "2.5"):
        with pytest.raises(ValueError, match=f"whole number, 0 for no limit, got '{bad}'"):
            questions_per_minute(bad)


def test_the_question_limit_says_how_many_the_limit_and_when_to_try_again():
    now = [0.0]
    rl = RateLimit(3, 60.0, clock=lambda: now[0], refused=questions_refused)
    for t in (0.0, 10.0, 20.0):
        now[0] = t
        rl.check("user:ann")
    now[0] = 47.5
    with pytest.raises(RateLimitError) as e:
        rl.check("user:ann")
    assert str(e.value) == ("3 questions in the last minute; the limit is 3; try again in 13 s")
    rl.check("client:10.0.0.9")  # another user (or address) has their own count
    now[0] = 60.0  # the first question left the minute: one more
    rl.check("user:ann")
    off = RateLimit(0, 60.0, refused=questions_refused)
    for _ in range(1_000):
        off.check("local")
    assert off._events == {}  # 0 is no limit, and keeps nothing


def test_a_rate_limit_remembers_at_most_its_keys_and_its_limit_per_key():
    rl = RateLimit(4, 60.0, clock=lambda: 0.0, max_keys=100)
    for n in range(1_000):  # 1,000 addresses within one minute
        rl.check(f"client:{n}")
    assert len(rl._events) == 100
    assert set(rl._events) == {f"client:{n}" for n in range(900, 1_000)}  # the most recent
    for _ in range(3):
        rl.check("client:999")
    with pytest.raises(RateLimitError):
        rl.check("client:999")
    assert all(len(times) <= 4 for times in rl._events.values())


def test_the_rate_limit_counts_exactly_under_concurrent_requests():
    rl = RateLimit(50, 60.0, refused=questions_refused)
    allowed, refused = [], []

    def ask() -> None:
        for _ in range(20):
            try:
                rl.check("client:127.0.0.1")
                allowed.append(1)
            except RateLimitError:
                refused.append(1)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert (len(allowed), len(refused)) == (50, 110)


def test_a_user_past_the_question_limit_is_told_at_once_and_keeps_the_conversation(
    bundled_app,
):
    from types import SimpleNamespace

    now = [0.0]
    Shared.questions = RateLimit(2, 60.0, clock=lambda: now[0], refused=questions_refused)
    ann = SimpleNamespace(username="ann", client=SimpleNamespace(host="10.0.0.7"))
    bob = SimpleNamespace(username="bob", client=SimpleNamespace(host="10.0.0.7"))
    history, _, _, state, _, status = handlers.handle_ask_ui(WHEAT, [], 5, 0.35, 3, None, None, ann)
    assert status == "" and len(history) == 2
    now[0] = 15.0
    assert handlers.api_ask(WHEAT, None, ann)["question"] == WHEAT  # /ask counts too
    t0 = time.monotonic()
    *kept, status = handlers.handle_ask_ui(WHEAT, history, 5, 0.35, 3, state, None, ann)
    assert time.monotonic() - t0 < 0.5  # answered at once, nothing searched
    assert status == "⚠ 2 questions in the last minute; the limit is 2; try again in 45 s"
    assert all(out == gr.update() for out in kept)  # conversation, sources, box stay on screen
    with pytest.raises(gr.Error, match="2 questions in the last minute; the limit is 2; try"):
        handlers.api_ask(WHEAT, None, ann)
    assert handlers.handle_ask_ui(WHEAT, [], 5, 0.35, 3, None, None, bob)[-1] == ""  # his own
    now[0] = 61.0
    assert handlers.api_ask(WHEAT, None, ann)["question"] == WHEAT


# ---------------------------------------------------------------------------- feedback


def test_feedback_stops_growing_at_its_bound_and_keeps_every_line(tmp_path):
    path = tmp_path / "feedback.jsonl"
    record = feedback_record("Who funds pilot projects?", "up")
    line = len(json.dumps(record, ensure_ascii=False).encode()) + 1
    for _ in range(3):
        append_feedback(path, record, max_bytes=3 * line)
    before = path.read_bytes()
    with pytest.raises(FeedbackFullError, match=f"feedback file is full \\({3 * line:,} bytes"):
        append_feedback(path, record, max_bytes=3 * line + line // 2)
    assert path.read_bytes() == before and len(read_feedback(path)) == 3


def test_a_full_feedback_file_is_a_message_in_the_app(bundled_app, tmp_path):
    path = tmp_path / "feedback.jsonl"
    with path.open("wb") as f:
        f.truncate(MAX_FEEDBACK_BYTES - 10)  # sparse: no 20 MB written
    Shared.feedback_path = path
    state = {"turns": {"0": {"question": WHEAT, "cited": [], "abstained": True}}, "pending": None}
    with pytest.raises(gr.Error, match="feedback file is full.*earlier feedback is kept"):
        handlers.record_vote(state, 0, True)
    assert path.stat().st_size == MAX_FEEDBACK_BYTES - 10


# ---------------------------------------------------------------------------- temp folders


def test_temporary_folders_are_removed_past_the_newest_and_at_exit():
    folders = TempFolders(keep=2, prefix="planqa-test-")
    made = [folders.make("eval") for _ in range(3)]
    for m in made:
        if m.exists():
            (m / "report.html").write_text("x", "utf-8")
    assert [m.exists() for m in made] == [False, True, True]
    root = made[-1].parent
    folders.remove_all()  # registered with atexit on first use
    assert not root.exists()
    assert folders.make("doc").is_dir()  # usable again afterwards
    folders.remove_all()


def test_evaluation_reports_go_to_the_bounded_folders(bundled_app, tmp_path):
    _, _, paths = handlers.evaluate_file(eval_file(tmp_path, 2), 5)
    report_folder = Path(paths["json"]).parent.parent
    assert report_folder.parent == limits.DOWNLOADS._root
    for _ in range(limits.REPORT_FOLDERS_KEPT):
        limits.DOWNLOADS.make("doc")
    assert not report_folder.exists()


# ---------------------------------------------------------------------------- the queue


def test_the_app_queue_is_bounded():
    from qa.web.app import bound_queue

    demo = bound_queue(gr.Blocks())
    assert demo._queue.max_size == QUEUE_SIZE
    assert demo._queue.default_concurrency_limit == limits.CONCURRENCY


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_full_queue_answers_busy_at_once():
    """One request running, one waiting (max_size=1): the third is refused in well under the
    time the first takes, with gradio_client's QueueError, instead of hanging."""
    from gradio_client import Client
    from gradio_client.utils import QueueError

    from qa.web.app import bound_queue

    release = threading.Event()

    def slow(text: str) -> str:
        release.wait(30)
        return text

    with gr.Blocks() as demo:
        box = gr.Textbox()
        gr.api(slow, api_name="slow")
        box.submit(slow, box, box, api_visibility="private")
    bound_queue(demo, max_size=1, concurrency=1)
    demo.launch(server_name="127.0.0.1", server_port=free_port(), prevent_thread_lock=True)
    try:
        client = Client(demo.local_url, verbose=False)
        running = client.submit("a", api_name="/slow")
        deadline = time.monotonic() + 10
        while running.status().code.name not in ("PROCESSING",) and time.monotonic() < deadline:
            time.sleep(0.05)
        waiting = client.submit("b", api_name="/slow")
        time.sleep(0.5)
        t0 = time.monotonic()
        with pytest.raises(QueueError, match="Queue is full"):
            client.predict("c", api_name="/slow")
        assert time.monotonic() - t0 < 5
        release.set()
        assert running.result(timeout=30) == "a" and waiting.result(timeout=30) == "b"
    finally:
        release.set()
        demo.close()


def test_the_served_app_bounds_its_queue_and_kept_sessions(
    monkeypatch, tmp_path, served_without_server
):
    """main() hands gradio the bounds: the queue's size and concurrency, the request file size,
    and how many sessions' state is kept (each page load or API call without one makes one)."""
    import qa.web.app as app

    seen = served_without_server
    no_docs = type("Stub", (), {"passages": [], "documents": []})()
    monkeypatch.setattr(app, "get_assistant", lambda: no_docs)
    monkeypatch.setattr(app, "configure", lambda *a, **k: None)
    monkeypatch.delenv("QA_AUTH", raising=False)
    assert app.main(["--port", "1", "--feedback", str(tmp_path / "f.jsonl")]) == 0
    assert seen["queue"] == {
        "max_size": QUEUE_SIZE,
        "default_concurrency_limit": limits.CONCURRENCY,
    }
    assert seen["launch"]["state_session_capacity"] == limits.STATE_SESSIONS
    assert seen["launch"]["max_file_size"] == limits.MAX_REQUEST_FILE
    assert seen["launch"]["server_name"] == "127.0.0.1" and seen["launch"]["auth"] is None


def test_the_served_app_takes_its_question_limit_from_the_flag_or_the_environment(
    tiny_app, tmp_path, monkeypatch, served_without_server
):
    import qa.web.app as app

    monkeypatch.setenv("QA_ENCODER_DIR", str(tiny_app.encoder_dir))
    monkeypatch.delenv("QA_AUTH", raising=False)
    monkeypatch.delenv("QA_QUESTIONS_PER_MINUTE", raising=False)
    args = [
        "--port", "1",
        "--corpus", str(tiny_app.corpus_dir),
        "--index-dir", str(tiny_app.index_dir),
        "--feedback", str(tmp_path / "feedback.jsonl"),
    ]  # fmt: skip
    assert app.main(args) == 0 and Shared.questions.limit == 30
    monkeypatch.setenv("QA_QUESTIONS_PER_MINUTE", "7")
    assert app.main(args) == 0 and Shared.questions.limit == 7
    assert app.main([*args, "--questions-per-minute", "0"]) == 0 and Shared.questions.limit == 0
    with pytest.raises(SystemExit) as e:
        app.main([*args, "--questions-per-minute", "many"])
    assert e.value.code == 2


def test_the_served_ask_api_counts_questions_per_client_address(bundled_app, tmp_path):
    """Through gradio's HTTP API: the request reaches api_ask, so the limit counts the
    client's address, and the third question in a minute gets the message."""
    from gradio_client import Client

    from qa.web.app import bound_queue
    from qa.web.layout import build_app
    from qa.web.shared import configure

    configure(bundled_app, tmp_path / "feedback.jsonl", Shared.assistant, questions_per_minute=2)
    demo = build_app()
    bound_queue(demo)
    demo.launch(server_name="127.0.0.1", server_port=free_port(), prevent_thread_lock=True)
    try:
        client = Client(demo.local_url, verbose=False)
        for _ in range(2):
            assert client.predict(WHEAT, api_name="/ask")["question"] == WHEAT
        with pytest.raises(Exception, match="2 questions in the last minute; the limit is 2"):
            client.predict(WHEAT, api_name="/ask")
        assert list(Shared.questions._events) == ["client:127.0.0.1"]
    finally:
        demo.close()
