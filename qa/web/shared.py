"""What every handler of the web app shares: the process's one Assistant (opened lazily, swapped
after an upload), the feedback file, and the checks that turn bad input into messages.
"""

from __future__ import annotations

import threading
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


def configure(
    settings: Settings | None = None,
    feedback_path: Path | None = None,
    assistant: Assistant | None = None,
    access: Access | None = None,
    questions_per_minute: int = 0,
) -> None:
    """Point the app at a corpus/index (tests, main); the Assistant is opened on first use.
    ``questions_per_minute``: per user or client address; main passes the served default."""
    with Shared.lock:
        Shared.settings = settings or Settings.from_env()
        Shared.assistant = assistant
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
        return Shared.assistant


def swap_assistant(assistant: Assistant) -> None:
    """Serve a new Assistant (a new index) from the next request on."""
    with Shared.lock:
        Shared.assistant = assistant


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
