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
import tempfile
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from qa.ingest.conversion_cache import ConversionCache
from qa.ingest.converted import Converted
from qa.progress import Progress, time_left

SLOW_SUFFIXES = (".pdf", ".docx")  # HTML converts in about a millisecond: not worth a process
# a file still converting after this long is stopped and skipped: a damaged PDF can keep pypdf
# busy for hours, and the rest of the drive waits for none
TIMEOUT_SECONDS = 600.0


@dataclass
class _Worker:
    """One `python -m qa.ingest.convert_ahead` process and the file it converts now."""

    proc: subprocess.Popen
    path: Path | None = None
    since: float = 0.0

    def give(self, path: Path) -> None:
        self.proc.stdin.write(f"{path}\n")
        self.proc.stdin.flush()
        self.path, self.since = path, time.perf_counter()

    def finish(self) -> None:
        """No more files: the process ends once it has read the end of its input."""
        self.proc.stdin.close()
        self.path = None

    def end(self, kill: bool = False) -> None:
        """Wait for the process (kill it first if asked) and close its pipes."""
        if kill:
            self.proc.kill()
        self.proc.wait()
        for pipe in (self.proc.stdin, self.proc.stdout):
            try:
                pipe.close()
            except OSError:  # a broken pipe to a process that died
                pass


def convert_ahead(
    files: list[Path],
    conversions: ConversionCache,
    max_bytes: int,
    progress: Progress | None = None,
    share: float = 0.0,
    workers: int | None = None,
    timeout: float = TIMEOUT_SECONDS,
) -> int:
    """Convert the files among ``files`` that are slow to convert and not in ``conversions``
    yet (up to ``max_bytes`` each), in parallel; returns how many were handed to workers. A
    file still converting after ``timeout`` seconds is recorded as failed in ``conversions``
    (reading it then skips it, saying why). ``progress`` is told the files converted, as the
    first ``share`` of the work."""
    todo = [
        p for p in files if p.suffix.lower() in SLOW_SUFFIXES and _new(p, conversions, max_bytes)
    ]
    if not todo:
        return 0
    say = progress or (lambda message, fraction: None)
    workers = min(workers or os.cpu_count() or 1, len(todo))
    say(f"converting {len(todo)} new PDF/Word file(s) in {workers} process(es)", 0.0)
    pending = deque(sorted(todo, key=lambda p: -p.stat().st_size))  # the largest first
    command = [sys.executable, "-m", "qa.ingest.convert_ahead", str(conversions.folder)]
    done, t0, started = 0, time.perf_counter(), []
    with selectors.DefaultSelector() as selector:

        def start() -> None:
            proc = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                bufsize=1,
                env=_worker_environment(),
            )
            worker = _Worker(proc)
            started.append(worker)
            selector.register(proc.stdout, selectors.EVENT_READ, worker)
            worker.give(pending.popleft())

        def handled(worker: _Worker, next_file: bool = True) -> None:
            nonlocal done
            done += 1
            left = time_left(done, len(todo), time.perf_counter() - t0)
            say(
                f"converting: {done}/{len(todo)} files, about {left} left", share * done / len(todo)
            )
            if next_file and pending:
                worker.give(pending.popleft())
            elif next_file:
                worker.finish()

        try:
            for _ in range(workers):
                start()
            while selector.get_map():
                for key, _ in selector.select(timeout=min(1.0, timeout / 2)):
                    worker = key.data
                    if worker.proc.stdout.readline():
                        handled(worker)
                        continue
                    selector.unregister(worker.proc.stdout)  # the end of its output: it ended
                    worker.end()
                    if worker.path is not None:  # it died on a file: reading converts it again
                        handled(worker, next_file=False)
                        if pending:
                            start()
                now = time.perf_counter()
                for key in list(selector.get_map().values()):
                    worker = key.data
                    if worker.path is not None and now - worker.since > timeout:
                        selector.unregister(worker.proc.stdout)
                        worker.end(kill=True)
                        _give_up(conversions, worker.path, timeout)
                        handled(worker, next_file=False)
                        if pending:
                            start()
        except OSError:  # a worker that cannot start or be fed: reading converts the rest
            pass
        finally:  # Ctrl-C, an error: no worker outlives the read
            for worker in started:
                if worker.proc.poll() is None:
                    worker.end(kill=True)
    return len(todo)


def convert_in_time(
    name: str,
    data: bytes,
    conversions: ConversionCache,
    progress: Progress | None = None,
    timeout: float | None = None,
) -> Converted:
    """The text of one PDF, Word or HTML file given as bytes (an upload), kept in
    ``conversions``: a PDF or Word file is converted by a worker process, stopped after
    ``timeout`` seconds (TIMEOUT_SECONDS) as reading a corpus stops it, so a damaged upload
    cannot keep the web app busy for hours, and the build that indexes the upload then finds
    its text in the cache instead of converting it again. Raises UnreadableFileError (its
    reason, or that converting it was stopped) like ConversionCache.converted."""
    suffix = Path(name).suffix.lower()
    if suffix in SLOW_SUFFIXES and not conversions.has(suffix, data):
        with tempfile.TemporaryDirectory(prefix="qa-convert-") as folder:
            path = Path(folder) / f"upload{suffix}"
            path.write_bytes(data)
            convert_ahead(
                [path],
                conversions,
                max_bytes=len(data),
                progress=progress,
                workers=1,
                timeout=timeout or TIMEOUT_SECONDS,
            )
    return conversions.converted(Path(name), data)  # a worker that could not start: converted here


def _give_up(conversions: ConversionCache, path: Path, timeout: float) -> None:
    """Record that converting the file took too long, so reading it skips it, saying why."""
    try:
        data = path.read_bytes()
    except OSError:
        return
    conversions.put_failure(
        path.suffix,
        data,
        f"converting it took over {timeout:g} s, so it was stopped (a damaged or unusual "
        "file?); save it again as PDF, or convert it to text, and index the result",
    )


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
    """Convert one file into the cache (its text, or why it cannot be converted); False when
    it could not be (reading it again reports why)."""
    try:
        cache.converted(path, path.read_bytes())
    except Exception:  # damaged (kept as such), unreadable, a converter missing
        return False
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
