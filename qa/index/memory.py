"""Give freed array memory back to the operating system during a large build, and keep an
encoder's scratch memory while it runs.

glibc serves allocations below its mmap threshold from the heap, and raises that threshold
(up to 32 MB) each time a block above it is freed: after a few documents, every document's
vectors come from the heap, and memory freed there is rarely returned. A build holds each
document's vectors, then the stacked ones, then lets the first go: with the heap it peaked at
6.3 GB for a 20 MB library (token vectors 2 GB). Fixing the threshold at 1 MB makes larger
arrays their own mappings, returned when freed.

An encoder's forward pass (qa.index.bert_numpy) allocates and frees tens of MB of activations
per layer: as their own mappings, every page of them faults in again each time. A 20 MB library's
build took 226 million page faults and 520 s of system time that way. While a pass runs, the
thresholds are raised, so activations come from the heap and its freed memory is reused; they
go back to what they were when the last pass ends.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_M_TRIM_THRESHOLD = -1  # mallopt parameters (glibc malloc.h)
_M_MMAP_THRESHOLD = -3
_GLIBC_CEILING = 32 << 20  # where glibc's own dynamic mmap threshold stops growing
SCRATCH_THRESHOLD = 64 << 20  # above any one activation array of a pass (at most 48 MB)

_libc: ctypes.CDLL | None = None
_thresholds = (_GLIBC_CEILING, 2 * _GLIBC_CEILING)  # (mmap, trim) outside passes
_passes = 0  # passes running now, in any thread
_lock = threading.Lock()


def _mallopt(parameter: int, value: int) -> bool:
    global _libc
    try:
        if _libc is None:
            name = ctypes.util.find_library("c")
            if not name:
                return False
            _libc = ctypes.CDLL(name)
        return bool(_libc.mallopt(parameter, value))
    except (OSError, AttributeError):
        return False


def return_freed_arrays_to_the_os(threshold: int = 1 << 20) -> bool:
    """True when the C library took the setting (glibc); False elsewhere, harmlessly."""
    global _thresholds
    with _lock:
        _thresholds = (threshold, 2 * threshold)
        return _passes > 0 or _mallopt(_M_MMAP_THRESHOLD, threshold)


@contextmanager
def scratch_memory_reused() -> Iterator[None]:
    """Within: arrays up to SCRATCH_THRESHOLD come from the heap, and freed heap memory is kept
    for the next ones. After the last pass (passes may run in several threads): the thresholds
    set before, or glibc's ceiling."""
    global _passes
    with _lock:
        _passes += 1
        if _passes == 1:
            _mallopt(_M_MMAP_THRESHOLD, SCRATCH_THRESHOLD)
            _mallopt(_M_TRIM_THRESHOLD, 4 * SCRATCH_THRESHOLD)
    try:
        yield
    finally:
        with _lock:
            _passes -= 1
            if _passes == 0:
                _mallopt(_M_MMAP_THRESHOLD, _thresholds[0])
                _mallopt(_M_TRIM_THRESHOLD, _thresholds[1])
