"""Give freed array memory back to the operating system during a large build.

glibc serves allocations below its mmap threshold from the heap, and raises that threshold
(up to 32 MB) each time a block above it is freed: after a few documents, every document's
vectors come from the heap, and memory freed there is rarely returned. A build holds each
document's vectors, then the stacked ones, then lets the first go: with the heap it peaked at
6.3 GB for a 20 MB library (token vectors 2 GB). Fixing the threshold at 1 MB makes larger
arrays their own mappings, returned when freed.
"""

from __future__ import annotations

import ctypes
import ctypes.util

_M_MMAP_THRESHOLD = -3  # mallopt parameter (glibc malloc.h)


def return_freed_arrays_to_the_os(threshold: int = 1 << 20) -> bool:
    """True when the C library took the setting (glibc); False elsewhere, harmlessly."""
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        libc = ctypes.CDLL(name)
        return bool(libc.mallopt(_M_MMAP_THRESHOLD, threshold))
    except (OSError, AttributeError):
        return False
