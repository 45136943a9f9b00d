"""A question's work runs one BLAS and OpenMP thread; the pools are found again only when a
library is loaded."""

from __future__ import annotations

import numpy as np
from threadpoolctl import threadpool_info

from qa.retrieval import one_thread
from qa.retrieval.one_thread import OneThread, loaded_libraries


def test_loaded_libraries_are_counted_and_a_new_one_counts():
    import ctypes
    import ctypes.util

    before = loaded_libraries()
    assert before > 3  # python, libc, numpy's BLAS at least
    name = ctypes.util.find_library("z") or ctypes.util.find_library("bz2")
    already = any(name and name in str(p) for p in open("/proc/self/maps"))
    ctypes.CDLL(name)
    assert loaded_libraries() == before + (0 if already else 1)


def test_every_pool_runs_one_thread_within_the_limit():
    np.ones((4, 4)) @ np.ones((4, 4))  # numpy's BLAS is loaded
    limiter = OneThread()
    for _ in range(2):  # a kept controller limits as the first did
        with limiter.limit():
            pools = threadpool_info()
            assert pools and all(p["num_threads"] == 1 for p in pools)


def test_the_controller_is_kept_until_a_library_is_loaded(monkeypatch):
    made = []
    import threadpoolctl

    real = threadpoolctl.ThreadpoolController

    def counting():
        made.append(1)
        return real()

    monkeypatch.setattr(threadpoolctl, "ThreadpoolController", counting)
    count = iter([50, 50, 50, 51, 51, -1, -1])
    monkeypatch.setattr(one_thread, "loaded_libraries", lambda: next(count))
    limiter = OneThread()
    seen = []
    for _ in range(7):
        with limiter.limit():
            seen.append(len(made))
    # made at first, kept, made again when a 51st library appeared, kept, and for every
    # question where libraries cannot be counted
    assert seen == [1, 1, 1, 2, 2, 3, 4]
