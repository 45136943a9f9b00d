"""Progress of long work (reading a shared drive, embedding a library): the callback every
stage takes, and the time left at the rate so far."""

from __future__ import annotations

import sys
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


def stderr_progress(quiet: bool = False):
    """Progress for long builds: a tqdm bar on stderr, created only when a build really starts."""
    if quiet:
        return None
    state: dict = {}
    if not sys.stderr.isatty():

        def plain(message: str, fraction: float) -> None:
            step = message.split(":")[0]  # one line per step, not per batch
            if state.get("step") != step:
                state["step"] = step
                print(f"[{fraction:4.0%}] {message}", file=sys.stderr, flush=True)

        return plain

    def progress(message: str, fraction: float) -> None:
        from tqdm import tqdm

        bar = state.get("bar")
        if bar is None:
            bar = state["bar"] = tqdm(
                total=100, file=sys.stderr, unit="%", bar_format="{l_bar}{bar}| {desc}", leave=False
            )
        bar.n = int(fraction * 100)
        bar.set_description_str(message[:60])
        bar.refresh()
        if fraction >= 1.0:
            bar.close()
            state.clear()

    return progress
