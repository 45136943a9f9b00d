"""Thumbs up/down from the app, stored as eval cases: ``qa eval feedback.jsonl`` replays them.

A record is one line in the ``qa eval`` input format, plus who-said-what fields that the eval
reader ignores::

    {"id": "fb-20250101T120000-1a2b3c4d", "question": "...", "answer": "reference or null",
     "evidence": ["passage text"] or [], "answerable": true, "kind": "feedback",
     "vote": "down", "created_at": "2025-01-01T12:00:00+00:00"}

Lines are appended (qa.web.append) with one ``write`` on an ``O_APPEND`` descriptor and fsynced,
so concurrent writers never interleave and a crash loses at most the line being written.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

from qa.errors import QAError
from qa.web.append import append_line
from qa.web.limits import MAX_FEEDBACK_BYTES

VOTES = ("up", "down")
FIELDS = ("id", "question", "answer", "evidence", "answerable", "kind", "vote", "created_at")
KIND = "feedback"


class FeedbackFullError(QAError):
    """The feedback file reached its bound; nothing more is appended until it is moved away."""


def feedback_record(
    question: str,
    vote: str,
    *,
    evidence: list[str] | tuple[str, ...] = (),
    answerable: bool = True,
    reference: str | None = None,
    now: datetime | None = None,
    record_id: str | None = None,
) -> dict:
    """A feedback record for ``append_feedback``; validates the vote and the question.

    Example:
        >>> r = feedback_record("Who funds it?", "down", answerable=False)
        >>> r["kind"], r["evidence"], r["answerable"]
        ('feedback', [], False)
    """
    if vote not in VOTES:
        raise ValueError(f"vote must be one of {VOTES}, got {vote!r}")
    if not isinstance(question, str) or not question.strip():
        raise ValueError(f"question must be a non-empty string, got {question!r}")
    now = now or datetime.now(UTC)
    evidence = [e for e in evidence if e and e.strip()] if answerable else []
    return {
        "id": record_id or f"fb-{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}",
        "question": question.strip(),
        "answer": (reference or "").strip() or None,
        "evidence": evidence,
        "answerable": bool(answerable),
        "kind": KIND,
        "vote": vote,
        "created_at": now.isoformat(timespec="seconds"),
    }


def append_feedback(path: Path, record: dict, max_bytes: int = MAX_FEEDBACK_BYTES) -> None:
    """Append one record as a JSON line; creates the folder and file, fsyncs before returning.

    A line that would take the file past ``max_bytes`` is not written (FeedbackFullError):
    the file keeps every earlier line whole, and visitors cannot fill the disk.
    """
    missing = [f for f in FIELDS if f not in record]
    if missing:
        raise ValueError(
            f"feedback record lacks {', '.join(missing)}; build it with feedback_record"
        )
    size = append_line(Path(path), json.dumps(record, ensure_ascii=False), max_bytes)
    if size is not None:
        raise FeedbackFullError(
            f"the feedback file is full ({size:,} bytes; the bound is {max_bytes:,}), "
            "so this vote was not saved; earlier feedback is kept. Tell whoever runs "
            f"the app to replay it with `qa eval {Path(path).name}` and move it away"
        )


def read_feedback(path: Path) -> list[dict]:
    """Every complete record of a feedback file, skipping blank or torn lines."""
    path = Path(path)
    if not path.is_file():
        return []
    out = []
    for line in path.read_text("utf-8").splitlines():
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(rec, dict):
            out.append(rec)
    return out
