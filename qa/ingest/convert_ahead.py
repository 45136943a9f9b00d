"""Convert a corpus's new PDF and Word files on every core before it is read.

pypdf and python-docx are pure Python: one process converts one file at a time, on one core.
A shared drive's first read converts every file (about a second for a 250 KB PDF here), so the
files no conversion cache holds yet are converted by worker processes, each writing its texts
into the cache; reading the corpus then finds them there. A file that cannot be converted is
left alone: reading it again gives the error that names it.

The workers are `python -m qa.ingest.convert_ahead CACHE` processes fed file paths on stdin, not
a multiprocessing pool: a spawned pool imports the caller's main script again (a user's script
without a ``__main__`` guard would run twice), and a forked one can deadlock in a process with
threads (the web app).
"""

from __future__ import annotations

import os
import selectors
import subprocess
import sys
import time
from pathlib import Path

from qa.ingest.conversion_cache import ConversionCache
from qa.ingest.formats import convert
from qa.progress import Progress, time_left

SLOW_SUFFIXES = (".pdf", ".docx")  # HTML converts in about a millisecond: not worth a process
MIN_FILES = 2  # a worker starts in a fraction of a second: fewer files convert as they are read


def convert_ahead(
    files: list[Path],
    conversions: ConversionCache,
    max_bytes: int,
    progress: Progress | None = None,
    share: float = 0.0,
    workers: int | None = None,
) -> int:
    """Convert the files among ``files`` that are slow to convert and not in ``conversions``
    yet (up to ``max_bytes`` each), in parallel; returns how many were handed to workers.
    ``progress`` is told the files converted, as the first ``share`` of the work."""
    workers = min(workers or os.cpu_count() or 1, len(files))
    todo = [
        p for p in files if p.suffix.lower() in SLOW_SUFFIXES and _new(p, conversions, max_bytes)
    ]
    if workers < 2 or len(todo) < MIN_FILES:
        return 0
    say = progress or (lambda message, fraction: None)
    workers = min(workers, len(todo))
    say(f"converting {len(todo)} new PDF/Word file(s) in {workers} processes", 0.0)
    # the largest first, dealt in turn: each worker gets about as many bytes
    todo.sort(key=lambda p: -p.stat().st_size)
    command = [sys.executable, "-m", "qa.ingest.convert_ahead", str(conversions.folder)]
    procs = []
    with selectors.DefaultSelector() as selector:
        for i in range(workers):
            proc = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                bufsize=1,
                env=_worker_environment(),
            )
            proc.stdin.write("".join(f"{p}\n" for p in todo[i::workers]))
            proc.stdin.close()
            selector.register(proc.stdout, selectors.EVENT_READ)
            procs.append(proc)
        done, t0, open_pipes = 0, time.perf_counter(), workers
        while open_pipes:
            for key, _ in selector.select():
                if key.fileobj.readline():
                    done += 1
                    left = time_left(done, len(todo), time.perf_counter() - t0)
                    say(
                        f"converting: {done}/{len(todo)} files, about {left} left",
                        share * done / len(todo),
                    )
                else:
                    selector.unregister(key.fileobj)
                    open_pipes -= 1
    for proc in procs:
        proc.wait()
    return len(todo)


def _worker_environment() -> dict[str, str]:
    """This process's environment, with its import path: a worker imports qa as this process
    did (a checkout on sys.path, not installed, included)."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}


def _new(path: Path, conversions: ConversionCache, max_bytes: int) -> bool:
    """Whether the file is one to convert: readable, within the size limit, not in the cache."""
    try:
        if path.stat().st_size > max_bytes:
            return False
        return not conversions.has(path.suffix, path.read_bytes())
    except OSError:
        return False  # reading the corpus names it


def convert_into(cache: ConversionCache, path: Path) -> bool:
    """Convert one file and keep its text in the cache; False when it cannot be converted."""
    try:
        data = path.read_bytes()
        converted = convert(path, data)
    except Exception:  # unreadable, damaged, a converter missing: reading it again reports it
        return False
    cache.put(path.suffix, data, converted)
    return True


def main() -> None:
    """A worker: converts each path read from stdin into the cache folder given as argument,
    writing one line per file ("ok" or "no") as it is done."""
    cache = ConversionCache(Path(sys.argv[1]))
    for line in sys.stdin:
        ok = convert_into(cache, Path(line.rstrip("\n")))
        print("ok" if ok else "no", flush=True)


if __name__ == "__main__":
    main()
