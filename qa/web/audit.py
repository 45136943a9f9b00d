"""The audit log: every corpus change tried in the app (add, replace, remove; the start-up
rebuild), who tried it, and what came of it, one JSON line each in ``audit.jsonl`` next to the
feedback file::

    {"time": "2026-12-05T02:30:00Z", "user": "root", "action": "add",
     "document": "rules.txt", "result": "done", "detail": "Added `rules.txt`: 2 passages; ..."}

``user`` is the login, "local" for the local user without one (127.0.0.1), "anonymous"
with the client's address, or "cli:<os login>" for `qa index` run in a shell. ``result`` is "done", "refused" (nothing changed: not an admin,
the rate limit, a bad file) or "failed" (an unexpected error; the old index kept serving).
Appends are atomic (qa.web.append) and bounded (qa.web.limits): refused attempts stop being
logged at AUDIT_REFUSED_SHARE of the bound, so they cannot crowd out the admins' changes;
a change whose line would not fit is refused before it starts, so no change goes unlogged.
"""

from __future__ import annotations

import getpass
import json
import os
import sys
from collections import deque
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from qa.errors import QAError
from qa.web.append import append_line
from qa.web.limits import AUDIT_REFUSED_SHARE, MAX_AUDIT_BYTES

AUDIT_NAME = "audit.jsonl"
ACTIONS = ("add", "replace", "remove", "rebuild")
RESULTS = ("done", "refused", "failed")
DETAIL_CHARS = 500  # a line stays far below ROOM
ROOM = 4_096  # bytes a change's line may need; checked before the change starts
SHOWN = 50  # entries the Corpus tab shows, newest first


class AuditFullError(QAError):
    """The audit log reached its bound: no change is made until it is moved away."""


@dataclass(frozen=True)
class AuditEntry:
    """One corpus change tried in the app, and its outcome."""

    time: str
    user: str
    action: str
    document: str
    result: str
    detail: str = ""


def audit_path(feedback_path: Path) -> Path:
    """The audit log of an app: beside its feedback file."""
    return Path(feedback_path).parent / AUDIT_NAME


def entry(
    user: str, action: str, document: str | None, result: str, detail: str = ""
) -> AuditEntry:
    """A validated entry stamped with the time now (UTC).

    Example: entry("root", "remove", "a.txt", "done").result -> 'done'
    """
    if action not in ACTIONS or result not in RESULTS:
        raise ValueError(f"unknown audit action {action!r} or result {result!r}")
    detail = " ".join(detail.split())
    if len(detail) > DETAIL_CHARS:
        detail = detail[: DETAIL_CHARS - 1] + "…"
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return AuditEntry(now, user, action, (document or "")[:300], result, detail)


def check_room(path: Path, max_bytes: int | None = None) -> None:
    """AuditFullError unless a change's line still fits: checked before a change starts."""
    max_bytes = MAX_AUDIT_BYTES if max_bytes is None else max_bytes
    size = path.stat().st_size if path.is_file() else 0
    if size + ROOM > max_bytes:
        raise AuditFullError(
            f"the audit log {path} is full ({size:,} bytes; the bound is {max_bytes:,}), so "
            "no change is made until it is moved away: a change must not go unlogged. Tell "
            "whoever runs the app to archive it"
        )


def append_entry(path: Path, e: AuditEntry, max_bytes: int | None = None) -> bool:
    """Append ``e``; False when it did not fit (refused attempts past their share of the
    bound, or any line past the bound). OSError (disk full, no permission) goes to the caller."""
    max_bytes = MAX_AUDIT_BYTES if max_bytes is None else max_bytes
    bound = int(max_bytes * AUDIT_REFUSED_SHARE) if e.result == "refused" else max_bytes
    return append_line(path, json.dumps(asdict(e), ensure_ascii=False), bound) is None


def cli_user() -> str:
    """Who ran a command in a shell, as the audit log names them: ``cli:<os login>``."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no name for the uid (a bare container user)
        return f"cli:uid {os.getuid()}"


def append_or_warn(path: Path, e: AuditEntry) -> bool:
    """Append ``e``, or say on stderr why it could not be (full, disk, permissions): the work
    it records is done already and must not fail for its log line. True when appended."""
    try:
        if append_entry(path, e):
            return True
        why = f"it is full (the bound is {MAX_AUDIT_BYTES:,} bytes); archive it"
    except OSError as err:
        why = str(err.strerror or err)
    print(f"warning: could not write the audit log {path}: {why}", file=sys.stderr, flush=True)
    return False


def read_audit(path: Path, last: int = SHOWN) -> list[AuditEntry]:
    """The newest ``last`` complete entries, newest first; torn or foreign lines skipped."""
    path = Path(path)
    if not path.is_file():
        return []
    kept: deque[AuditEntry] = deque(maxlen=last)
    with path.open(encoding="utf-8", errors="replace") as f:
        for line in f:
            try:
                kept.append(AuditEntry(**json.loads(line)))
            except (json.JSONDecodeError, TypeError):
                continue
    return list(reversed(kept))
