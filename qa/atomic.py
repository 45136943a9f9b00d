"""Durable, all-or-nothing file writes and the cross-process lock around index changes.

A write goes to a temp file in the same folder (a name unique per process, thread and call),
is fsynced, then renamed over the target, and the folder is fsynced.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from qa.errors import LockTimeoutError


def fsync_dir(folder: Path) -> None:
    """Persist renames inside folder; some filesystems refuse a directory fsync, which we accept."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def temp_name(path: Path) -> Path:
    """A hidden sibling of ``path`` no other process, thread or call can pick.

    Example: temp_name(Path("index/a.npy")) -> index/.a.npy.tmp-4242-140213-9f1c2b7e
    """
    tag = f"{os.getpid()}-{threading.get_ident()}-{uuid.uuid4().hex[:8]}"
    return path.with_name(f".{path.name}.tmp-{tag}")


def atomic_write(path: Path, data: bytes) -> None:
    """Readers see the old file or the new one, never a torn mix; on an error (disk full,
    permission denied) the old file is left as it was and the OSError propagates."""
    path = Path(path)
    tmp = temp_name(path)
    try:
        with open(tmp, "xb") as f:  # "x": never write into a file someone else made
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    fsync_dir(path.parent)


# ---------------------------------------------------------------------------- locks


def lock_path(index_dir: Path) -> Path:
    """The lock file of an index folder: a hidden sibling, so it is never copied or replaced
    with the index files.

    Example: lock_path(Path("/srv/qa/index")) -> /srv/qa/.index.lock
    """
    index_dir = Path(index_dir).absolute()
    return index_dir.parent / f".{index_dir.name}.lock"


@lru_cache(maxsize=64)
def _lock_for(path: str):
    # one FileLock per file and process: re-entrant in a thread (a build inside Assistant.open),
    # exclusive between threads (thread-local state) and between processes (flock, which the
    # kernel releases when a process dies, so a killed build leaves no stale lock)
    from filelock import FileLock

    return FileLock(path, thread_local=True)


@contextmanager
def index_lock(
    index_dir: Path, timeout: float, on_wait: Callable[[str], None] | None = None
) -> Iterator[None]:
    """Hold the lock of ``index_dir`` (builds, corpus changes, loads). If another process or
    thread holds it, say so through ``on_wait`` and wait up to ``timeout`` seconds, then raise
    LockTimeoutError naming the lock file."""
    from filelock import Timeout

    path = lock_path(index_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = _lock_for(str(path))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if on_wait:
            on_wait(
                f"another process is building or changing the index at {index_dir}; "
                f"waiting for it (up to {timeout:g} s)"
            )
        try:
            lock.acquire(timeout=timeout)
        except Timeout:
            raise LockTimeoutError(
                f"the index at {index_dir} stayed locked by another process for {timeout:g} s "
                f"(lock file {path}); wait for that `qa index` or app to finish, or raise "
                "$QA_LOCK_TIMEOUT"
            ) from None
    try:
        yield
    finally:
        lock.release()
