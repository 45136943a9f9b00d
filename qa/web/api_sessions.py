"""Forget the session state gradio makes for each `/ask` API call.

Gradio keeps a state per session (qa.web.limits.STATE_SESSIONS of them), and a new state costs
about 170 KB: a copy of every component's config. An HTTP API call without a session of its own
(``POST /gradio_api/call/ask``) is a new session each time, so 1,000 asks grew the server by up
to 400 such states (+12% RSS in bench/load.py), and pushed the chat sessions of people in the
browser out of the same bound. `/ask` keeps nothing in its session, so once a call has been
over for a moment its state is dropped here, with what gradio's queue keeps for the session
once nothing of it is pending; a session that holds state (a chat's history) is left alone.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

SETTLE_SECONDS = 2.0  # gradio sends the answer after the function returns: leave it that long
MAX_TRACKED = 4_096  # calls remembered for dropping; past it the oldest are forgotten (gradio's
# own bound on sessions still holds for them)


def state_holder_of(request: Any) -> Any | None:
    """Gradio's StateHolder of the app that received ``request``; None for a direct call."""
    starlette_request = getattr(request, "request", None) if request is not None else None
    app = getattr(starlette_request, "app", None)
    return getattr(app, "state_holder", None)


class ApiSessions:
    """Sessions of finished API calls, dropped from gradio's state holder once settled.

    Example:
        >>> sessions = ApiSessions()
        >>> sessions.finished(request)   # after api_ask answered it; later calls drop it
    """

    def __init__(self, settle: float = SETTLE_SECONDS, clock: Callable[[], float] = time.monotonic):
        self.settle, self.clock = settle, clock
        self._done: deque[tuple[float, str, Any]] = deque(maxlen=MAX_TRACKED)
        self._lock = threading.Lock()

    def finished(self, request: Any) -> int:
        """Note the session of an API call that has answered, and drop the settled ones;
        returns how many were dropped."""
        holder = state_holder_of(request)
        session = getattr(request, "session_hash", None) if request is not None else None
        now = self.clock()
        with self._lock:
            if holder is not None and session:
                self._done.append((now, session, holder))
            settled = []
            while self._done and now - self._done[0][0] >= self.settle:
                settled.append(self._done.popleft())
        dropped = sum(drop_stateless(h, s) for _, s, h in settled)
        for h in {id(h): h for _, _, h in settled}.values():
            forget_queue_entries(h, [s for _, s, other in settled if other is h])
        return dropped

    def __len__(self) -> int:
        return len(self._done)


def drop_stateless(holder: Any, session: str) -> bool:
    """Remove ``session`` from gradio's state holder unless it holds state; True if removed."""
    with holder.lock:
        state = holder.session_data.get(session)
        if state is None or state.state_data:
            return False
        del holder.session_data[session]
        holder.time_last_used.pop(session, None)
        return True


def forget_queue_entries(holder: Any, sessions: list[str]) -> None:
    """Gradio's queue also keeps, per session, a message queue (its last 2,000) and the ids of
    its events, which an HTTP API call's stream never removes (one set per call, without end).
    Both go once every event of the session has finished and its messages were all read. Done
    in the event loop's thread, where gradio changes them, so that no new request of the same
    session is half-way through adding its own."""
    queue = getattr(getattr(holder, "blocks", None), "_queue", None)
    if queue is None:
        return

    def forget() -> None:
        for session in sessions:
            ids = queue.pending_event_ids_session.get(session)
            if ids is None or any(i in queue.event_ids_to_events for i in ids):
                continue  # gone already, or an event of it still runs
            messages = queue.pending_messages_per_session.get(session)
            if messages is not None and not messages.empty():
                continue  # its stream is not read yet
            del queue.pending_event_ids_session[session]
            if messages is not None:
                del queue.pending_messages_per_session[session]

    import anyio.from_thread

    try:
        anyio.from_thread.run_sync(forget)
    except RuntimeError:  # not called from gradio's worker threads (a test, a script)
        pass


API_SESSIONS = ApiSessions()  # the process's one
