"""Appending one JSON line to a bounded log file (feedback, audit) so that concurrent writers
never interleave and a crash loses at most the line being written: one ``write`` on an
``O_APPEND`` descriptor, fsynced, under a lock within the process.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from qa.atomic import fsync_dir

_lock = threading.Lock()  # one writer at a time within the process; O_APPEND covers the rest


def append_line(path: Path, line: str, max_bytes: int) -> int | None:
    """Append ``line`` (one JSON record, no newline) to ``path``; creates folder and file.

    Returns None once written and fsynced, or the file's size when the line would take it
    past ``max_bytes`` (nothing is written: every earlier line stays whole).

    Example: append_line(Path("log.jsonl"), '{"a": 1}', 1_000) -> None
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = (line + "\n").encode("utf-8")
    with _lock:
        created = not path.exists()
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            if not created and _ends_without_newline(fd):
                data = b"\n" + data  # a torn last line stays on its own line, not glued to ours
            size = os.fstat(fd).st_size
            if size + len(data) > max_bytes:
                return size
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        if created:
            fsync_dir(path.parent)
    return None


def _ends_without_newline(fd: int) -> bool:
    size = os.fstat(fd).st_size
    return size > 0 and os.pread(fd, 1, size - 1) != b"\n"
