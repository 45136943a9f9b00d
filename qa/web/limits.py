"""Every bound of the web app in one place, and the small mechanisms that enforce them: a rate
limit on corpus changes, a busy-at-once gate on evaluations, and temporary folders that are
removed. A shared app must answer "busy, try again" at once rather than queue without end.
"""

from __future__ import annotations

import atexit
import math
import os
import shutil
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from qa.errors import QAError

# ---------------------------------------------------------------------------- the bounds

QUEUE_SIZE = 64  # requests waiting in gradio's queue; the 65th is told "queue is full" at once
CONCURRENCY = 4  # requests run at a time: 4 kept 2 cores busier than 2 (bench/load.py), 8 did not
MAX_REQUEST_FILE = "10mb"  # gradio's upload bound: eval spreadsheets are the largest files
MAX_EVAL_ROWS = 1_000  # questions in one uploaded eval file; `qa eval` runs larger ones
CONCURRENT_EVALUATIONS = 1  # a second evaluation meanwhile is told "busy" at once
MAX_FEEDBACK_BYTES = 20_000_000  # the feedback file stops growing here
MAX_AUDIT_BYTES = 20_000_000  # the audit log of corpus changes stops growing here
# refused attempts (a reader's, say) fill at most this share of it: a flood of them cannot use
# up the room an admin's changes need, and a change is refused while its line would not fit
AUDIT_REFUSED_SHARE = 0.9
CHANGES_PER_MINUTE = 6  # corpus changes (add, replace, remove) per user: each re-indexes
# questions (chat and /ask) per user, or per client address without logins; 0 turns it off.
# A person asks a few a minute; 30 lets a script ask one every 2 s and stops one from taking
# every worker of a shared app. QA_QUESTIONS_PER_MINUTE or `--questions-per-minute` change it
QUESTIONS_PER_MINUTE = 30
RATE_KEYS = 10_000  # users (or addresses) a rate limit remembers; the least recent go first
REPORT_FOLDERS_KEPT = 8  # evaluation reports and document copies kept for download
GRADIO_CACHE = (3600, 3600)  # every hour, gradio deletes its copies of files older than an hour
MAX_UPLOAD_BYTES = 2_000_000  # one added .txt, .md, .html, .htm document
MAX_BINARY_UPLOAD_BYTES = 20_000_000  # one added .pdf, .docx: pictures and fonts make them larger
MAX_K = 20  # passages a chat or search request may ask for
# sessions whose state gradio keeps (chat history, follow-ups); a new session costs about 130 KB
# (a copy of every component's config), and every page load or API call without a session
# makes one: gradio's default of 10,000 would let clients grow the server by 1.3 GB
STATE_SESSIONS = 400
# the `/ask` API's calls make sessions too: qa.web.api_sessions drops theirs once answered
ANALYTICS_EVENTS = 1_000  # events whose timings gradio's queue keeps (its default: 10,000)


class BusyError(QAError):
    """The app is doing as much of this as it may; try again shortly."""


class TooManyRowsError(QAError):
    """An uploaded evaluation file holds more questions than the app runs."""


class RateLimitError(QAError):
    """A user changed the corpus too often in the last minute."""


# ---------------------------------------------------------------------------- checks


def check_eval_rows(name: str, count: int, limit: int = MAX_EVAL_ROWS) -> None:
    """Refuse an eval file past ``limit`` questions, saying how to run it anyway.

    Example: check_eval_rows("qs.jsonl", 1_200) raises TooManyRowsError
    """
    if count > limit:
        raise TooManyRowsError(
            f"{name} holds {count:,} questions; the app evaluates up to {limit:,} at a time. "
            f"Split the file, or run all of them with `qa eval {name}` on the command line"
        )


def changes_refused(limit: int, window: float, wait: float) -> str:
    return (
        f"{limit} changes to the corpus in {window:g} s is the limit "
        f"(each one re-indexes every document); try again in {wait:.0f} s"
    )


def questions_refused(limit: int, window: float, wait: float) -> str:
    return (
        f"{limit} questions in the last minute; the limit is {limit}; "
        f"try again in {max(1, math.ceil(wait))} s"
    )


class RateLimit:
    """At most ``limit`` events per ``window`` seconds for each key (a user or a client);
    ``limit`` 0 counts nothing. Memory is bounded: at most ``limit`` times per key, keys whose
    events left the window are dropped, and past ``max_keys`` the least recent key goes.

    Example:
        >>> rl = RateLimit(2, 60.0, clock=lambda: 0.0)
        >>> rl.check("ann"); rl.check("ann"); rl.check("bob")
    """

    def __init__(
        self,
        limit: int,
        window: float,
        clock: Callable[[], float] = time.monotonic,
        refused: Callable[[int, float, float], str] = changes_refused,
        max_keys: int = RATE_KEYS,
    ):
        self.limit, self.window, self.clock = limit, window, clock
        self.refused, self.max_keys = refused, max_keys
        # insertion order is recency order: a key is moved to the end at each event
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, key: str) -> None:
        """Count one event for ``key``; RateLimitError (counting nothing) past the limit."""
        if self.limit <= 0:
            return
        now = self.clock()
        with self._lock:
            for other in list(self._events):  # forget users who stopped: memory stays bounded
                old = self._events[other]
                while old and now - old[0] >= self.window:
                    old.popleft()
                if not old:
                    del self._events[other]
            events = self._events.pop(key, None) or deque(maxlen=self.limit)
            self._events[key] = events  # now the most recent key
            if len(events) >= self.limit:
                raise RateLimitError(
                    self.refused(self.limit, self.window, self.window - (now - events[0]))
                )
            events.append(now)
            while len(self._events) > self.max_keys:
                del self._events[next(iter(self._events))]


class Gate:
    """At most ``slots`` runs at a time; one more is refused at once, never queued."""

    def __init__(self, slots: int, what: str):
        self.what = what
        self._slots = threading.BoundedSemaphore(slots)

    @contextmanager
    def enter(self) -> Iterator[None]:
        if not self._slots.acquire(blocking=False):
            raise BusyError(
                f"busy, try again in a minute: another {self.what} is running and the app "
                "runs one at a time"
            )
        try:
            yield
        finally:
            self._slots.release()


class TempFolders:
    """Temporary folders for files served to the browser (reports, document copies).

    Gradio copies a returned file into its own cache when it sends it, so only the newest
    ``keep`` folders are kept (a download link of the last runs keeps working); older ones go
    when a new one is made, and all of them when the process exits.
    """

    def __init__(self, keep: int = REPORT_FOLDERS_KEPT, prefix: str = "planqa-web-"):
        self.keep, self.prefix = keep, prefix
        self._root: Path | None = None
        self._made: deque[Path] = deque()
        self._lock = threading.Lock()

    def make(self, label: str) -> Path:
        """A new empty folder; the oldest past ``keep`` are removed."""
        with self._lock:
            if self._root is None or not self._root.is_dir():
                self._root = Path(tempfile.mkdtemp(prefix=self.prefix))
                atexit.register(self.remove_all)
            folder = Path(tempfile.mkdtemp(prefix=f"{label}-", dir=self._root))
            self._made.append(folder)
            while len(self._made) > self.keep:
                shutil.rmtree(self._made.popleft(), ignore_errors=True)
            return folder

    def remove_all(self) -> None:
        with self._lock:
            if self._root is not None:
                shutil.rmtree(self._root, ignore_errors=True)
            self._root = None
            self._made.clear()


def change_limit() -> RateLimit:
    """The corpus changes limit of a served app (qa.web.shared.configure makes a fresh one)."""
    return RateLimit(CHANGES_PER_MINUTE, 60.0)


def questions_per_minute(raw: str | None = None) -> int:
    """The question limit: ``raw`` (a flag's value), else $QA_QUESTIONS_PER_MINUTE, else
    QUESTIONS_PER_MINUTE; 0 turns it off.

    Example: questions_per_minute("12") -> 12
    """
    if raw is None:
        raw = os.environ.get("QA_QUESTIONS_PER_MINUTE") or str(QUESTIONS_PER_MINUTE)
    try:
        value = int(str(raw).strip())
    except ValueError:
        value = -1
    if value < 0:
        raise ValueError(
            f"questions per minute must be a whole number, 0 for no limit, got {raw!r}; "
            "e.g. QA_QUESTIONS_PER_MINUTE=30"
        )
    return value


def question_limit(per_minute: int | None = None) -> RateLimit:
    """The questions limit of a served app (chat and /ask), per user or client address."""
    limit = questions_per_minute() if per_minute is None else per_minute
    return RateLimit(limit, 60.0, refused=questions_refused)


# the process's own: one of each, shared by every session
EVALUATIONS = Gate(CONCURRENT_EVALUATIONS, "evaluation")
DOWNLOADS = TempFolders()
