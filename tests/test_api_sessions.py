"""The session state gradio makes for each `/ask` API call is dropped once the call is over
(qa.web.api_sessions): 1,000 asks no longer keep up to 400 states of ~170 KB each."""

from __future__ import annotations

import json
import socket
import threading
import time
from types import SimpleNamespace

import pytest

from qa.web.api_sessions import API_SESSIONS, MAX_TRACKED, ApiSessions, drop_stateless

pytestmark = pytest.mark.usefixtures("restore_app_state")  # tests.app_fixtures


def holder(**sessions: dict) -> SimpleNamespace:
    """What the dropping reads of gradio's StateHolder."""
    data = {name: SimpleNamespace(state_data=state) for name, state in sessions.items()}
    return SimpleNamespace(
        lock=threading.Lock(), session_data=data, time_last_used=dict.fromkeys(data, 0)
    )


def call(h: SimpleNamespace, session: str) -> SimpleNamespace:
    """A gr.Request of a call in ``session`` to the app that holds ``h``."""
    return SimpleNamespace(
        session_hash=session, request=SimpleNamespace(app=SimpleNamespace(state_holder=h))
    )


def test_sessions_of_finished_calls_are_dropped_once_settled_and_only_without_state():
    now = [0.0]
    h = holder(a={}, b={}, chat={7: {"questions": ["q"]}})
    sessions = ApiSessions(settle=2.0, clock=lambda: now[0])
    assert sessions.finished(call(h, "a")) == 0  # just answered: gradio may still send it
    now[0] = 1.0
    assert sessions.finished(call(h, "chat")) == 0
    now[0] = 2.5
    assert sessions.finished(call(h, "b")) == 1  # "a" settled
    assert set(h.session_data) == {"b", "chat"} and "a" not in h.time_last_used
    now[0] = 10.0
    assert sessions.finished(None) == 1  # "b" dropped; the chat session holds state: kept
    assert set(h.session_data) == {"chat"} and len(sessions) == 0
    assert not drop_stateless(h, "gone")  # a session gradio already evicted: nothing to do


def test_finished_calls_are_remembered_up_to_a_bound():
    h = holder()
    sessions = ApiSessions(settle=3600.0, clock=lambda: 0.0)
    for n in range(MAX_TRACKED + 500):
        sessions.finished(call(h, f"s{n}"))
    assert len(sessions) == MAX_TRACKED
    assert sessions.finished(SimpleNamespace(session_hash="x")) == 0  # a direct call: no app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_served_ask_api_keeps_no_session_state_per_call(bundled_app, monkeypatch):
    """Forty HTTP API calls, each a session of its own: gradio made forty states, and kept
    them (up to STATE_SESSIONS) before; now at most the last call's remains. The queue keeps
    timings of at most ANALYTICS_EVENTS events."""
    import httpx

    from qa.web.app import bound_queue
    from qa.web.layout import build_app
    from qa.web.limits import ANALYTICS_EVENTS

    monkeypatch.setattr(API_SESSIONS, "settle", 0.3)
    demo = build_app()
    bound_queue(demo)
    assert demo._queue.ANALYTICS_MAX_EVENTS == ANALYTICS_EVENTS == 1_000
    demo.launch(server_name="127.0.0.1", server_port=free_port(), prevent_thread_lock=True)
    try:
        with httpx.Client(base_url=demo.local_url.rstrip("/"), timeout=60) as client:
            for _ in range(40):
                time.sleep(0.35)  # the previous call settled: gradio is done with it
                posted = client.post(
                    "/gradio_api/call/ask", json={"data": ["when is wheat harvested?", None]}
                )
                event_id = posted.json()["event_id"]
                reply = client.get(f"/gradio_api/call/ask/{event_id}").text
                assert "event: complete" in reply
                data = json.loads(reply.split("data: ", 1)[1].splitlines()[0])
                assert data[0]["question"] == "when is wheat harvested?"
        assert len(demo.state_holder.session_data) <= 1, len(demo.state_holder.session_data)
        queue = demo._queue  # nor what its queue keeps per session, once delivered
        assert len(queue.pending_event_ids_session) <= 1, len(queue.pending_event_ids_session)
        assert len(queue.pending_messages_per_session) <= 1
    finally:
        demo.close()
