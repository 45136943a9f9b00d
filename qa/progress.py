"""Progress of long work (reading a shared drive, embedding a library): the callback every
stage takes, and the time left at the rate so far."""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[str, float], None]  # (message, fraction done 0..1)


def duration(seconds: float) -> str:
    """Example: duration(75) -> '1 min 15 s'"""
    seconds = int(round(seconds))
    return f"{seconds // 60} min {seconds % 60} s" if seconds >= 60 else f"{seconds} s"


def time_left(done: float, total: float, elapsed: float) -> str:
    """The time the rest takes at the rate so far.

    Example: time_left(10, 40, 5.0) -> '15 s'
    """
    return duration((total - done) * elapsed / done) if done > 0 else "unknown"
