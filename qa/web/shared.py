"""What every handler of the web app shares: the process's one Assistant (opened lazily, swapped
after an upload), the feedback file, and the checks that turn bad input into messages.

A served app follows the index on disk: another process may rebuild it (`qa index`, a replica's
upload), and a request after the manifest changed loads the new index, at most one look every
``RELOAD_CHECK_SECONDS``. A new index that does not load yet (its files still being copied) is
tried again at the next look, and the one loaded is served meanwhile.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from qa.assistant import Assistant
from qa.config import Settings, default_feedback_path
from qa.errors import QAError
from qa.web.limits import MAX_K as MAX_K  # re-exported: handlers and layout import it here
from qa.web.limits import RateLimit, change_limit, question_limit
from qa.web.roles import Access, client_key

if TYPE_CHECKING:
    import gradio as gr

DEFAULT_FEEDBACK = default_feedback_path()  # the working folder's (or $QA_HOME's) feedback/
RELOAD_CHECK_SECONDS = 5.0  # default of $QA_RELOAD_SECONDS
LOAD_WAIT_SECONDS = 1.0  # a reload waits this long for a build's lock, then tries again later


class Shared:
    """The one Assistant of this process, its settings and the feedback file (lazy, locked)."""

    lock = threading.RLock()
    upload_lock = threading.Lock()
    settings: Settings | None = None
    assistant: Assistant | None = None
    feedback_path: Path = DEFAULT_FEEDBACK
    access: Access = Access()  # who is admin (qa.web.roles); the default: the local user
    changes: RateLimit = change_limit()  # corpus changes per user and minute
    questions: RateLimit = question_limit(0)  # questions per user and minute; main sets it
    follow_disk = False  # load a new index another process wrote (the served app; not tests)
    reload_seconds = RELOAD_CHECK_SECONDS
    loaded_stamp: tuple[int, int, int] | None = None  # the manifest the Assistant came from
    looked_at = 0.0  # time.monotonic() of the last look at the manifest
    unloadable: tuple[int, int, int] | None = None  # a new manifest that failed to load (said once)


def configure(
    settings: Settings | None = None,
    feedback_path: Path | None = None,
    assistant: Assistant | None = None,
    access: Access | None = None,
    questions_per_minute: int = 0,
    follow_disk: bool = False,
) -> None:
    """Point the app at a corpus/index (tests, main); the Assistant is opened on first use.
    ``questions_per_minute``: per user or client address; main passes the served default.
    ``follow_disk``: load a new index written by another process (main: on)."""
    with Shared.lock:
        Shared.follow_disk = follow_disk
        Shared.reload_seconds = reload_seconds() if follow_disk else RELOAD_CHECK_SECONDS
        Shared.settings = settings or Settings.from_env()
        Shared.assistant = assistant
        Shared.loaded_stamp = manifest_stamp(Shared.settings.index_dir) if assistant else None
        Shared.feedback_path = Path(feedback_path) if feedback_path else DEFAULT_FEEDBACK
        Shared.access = access or Access()
        Shared.changes = change_limit()
        Shared.questions = question_limit(questions_per_minute)  # 0: no limit (tests, scripts)


def count_question(request: gr.Request | None) -> None:
    """Count a question of the request's user (or client address); a message past the limit."""
    try:
        Shared.questions.check(client_key(request))
    except QAError as e:
        raise user_error(e) from None


def clamp(fraction: float) -> float:
    """Progress fractions from the indexer may overshoot slightly; bars need 0..1."""
    return min(1.0, max(0.0, float(fraction)))


def console_progress(message: str, fraction: float) -> None:
    print(f"[planqa] {clamp(fraction):4.0%} {message}", flush=True)


def get_assistant() -> Assistant:
    """The shared Assistant; the first call builds the index if it is missing or stale."""
    with Shared.lock:
        if Shared.assistant is None:
            if Shared.settings is None:
                Shared.settings = Settings.from_env()
            Shared.assistant = Assistant.open(Shared.settings, progress=console_progress)
            Shared.loaded_stamp = manifest_stamp(Shared.settings.index_dir)
        elif Shared.follow_disk:
            _follow_disk()
        return Shared.assistant


def swap_assistant(assistant: Assistant) -> None:
    """Serve a new Assistant (a new index) from the next request on."""
    with Shared.lock:
        Shared.assistant = assistant
        if Shared.settings is not None:
            Shared.loaded_stamp = manifest_stamp(Shared.settings.index_dir)


def _follow_disk() -> None:
    """Load the index on disk if its manifest is not the one served (see the module docstring);
    called with Shared.lock held."""
    now = time.monotonic()
    if now - Shared.looked_at < Shared.reload_seconds or Shared.upload_lock.locked():
        return  # looked a moment ago, or this process is changing the index itself
    Shared.looked_at = now
    stamp = manifest_stamp(Shared.settings.index_dir)
    if stamp is None or stamp == Shared.loaded_stamp:
        return
    try:  # a build that still holds the index lock: look again later, every request waits
        opened = Assistant.open(replace(Shared.settings, lock_timeout=LOAD_WAIT_SECONDS), False)
    except QAError as e:
        if stamp != Shared.unloadable:
            Shared.unloadable = stamp
            _log(f"a new index on disk does not load yet ({e}); serving the one loaded")
        return
    fresh = Assistant(opened.index, opened.retriever, Shared.settings)
    Shared.assistant, Shared.loaded_stamp = fresh, stamp
    _log(f"the index on disk changed: serving it now ({len(fresh.passages)} passages)")


def _log(message: str) -> None:
    print(f"[planqa] {message}", flush=True)


def reload_seconds() -> float:
    """$QA_RELOAD_SECONDS: how often a served app looks for a new index on disk."""
    raw = os.environ.get("QA_RELOAD_SECONDS", "").strip()
    try:
        seconds = float(raw) if raw else RELOAD_CHECK_SECONDS
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < float("inf"):
        raise QAError(
            f"QA_RELOAD_SECONDS must be a number of seconds (0 or more), got {raw!r}; "
            "e.g. QA_RELOAD_SECONDS=5"
        )
    return seconds


def manifest_stamp(index_dir: Path) -> tuple[int, int, int] | None:
    """(inode, mtime, size) of the index's manifest, written last by a build; None without one."""
    from qa.index.store import MANIFEST

    try:
        st = (Path(index_dir) / MANIFEST).stat()
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


# ---------------------------------------------------------------------------- input checks


def fail(message: str) -> gr.Error:
    """An error toast users see: the message only, never a traceback (nor a server log)."""
    import gradio as gr

    return gr.Error(message, print_exception=False)


def user_error(e: QAError) -> gr.Error:
    return fail(str(e))


def bounded(name: str, value: object, lo: float, hi: float, integer: bool = False) -> float:
    """Slider values arrive from browsers and API clients: check them like any input."""
    try:
        number = int(value) if integer else float(value)
    except (TypeError, ValueError):
        raise fail(f"{name} must be a number, got {value!r}") from None
    if not lo <= number <= hi:
        raise fail(f"{name} must be between {lo:g} and {hi:g}, got {number:g}")
    return number
