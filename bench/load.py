"""Load benchmark of the web app: N closed-loop users asking the eval questions through `/ask`.

    python bench/load.py [--users 50] [--duration 120] [--client gradio|http]

Starts the app itself (``python app.py``) on a free port of 127.0.0.1 (loopback only, never
another address), waits until it serves, runs ``--users`` threads, each with its own
gradio_client, each asking the next question as soon as the previous answer arrives, for
``--duration`` seconds (and at most ``--max-asks`` asks), then stops the app. Prints p50/p95/p99
latency, errors, "busy" answers (queue full), throughput, the server's RSS after warm-up,
after 1,000 asks and at the end, and the CPU seconds the server and this load generator used.
Targets (issue 20): 0 errors, p95 <= 2 s, RSS growth <= 10%.

``--client http`` asks through gradio's documented HTTP API instead (POST
``/gradio_api/call/ask``, then read the event stream): the same queue and handler, with a far
lighter client, so a 2-core machine is not mostly busy running 50 gradio_clients.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"  # loopback only: this benchmark never serves beyond the machine
RSS_AT = 1_000  # asks after warm-up at which RSS is read (the target)
RSS_EVERY = 250  # and every so many asks, to tell a leak (steady growth) from warming caches


# ---------------------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_app(port: int, index_dir: Path, feedback: Path, log: Path) -> subprocess.Popen:
    """``python app.py`` on 127.0.0.1:port, output into ``log``; the caller waits for it."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}
    env.pop("QA_AUTH", None)  # loopback without a login: nothing to log in with
    cmd = [sys.executable, str(REPO / "app.py"), "--host", HOST, "--port", str(port)]
    cmd += ["--index-dir", str(index_dir), "--feedback", str(feedback)]
    cmd += ["--questions-per-minute", "0"]  # every user here is 127.0.0.1: one address
    with log.open("wb") as out:
        return subprocess.Popen(cmd, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)


def wait_until_serving(proc: subprocess.Popen, url: str, timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the app exited with {proc.returncode}:\n{log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/config", timeout=5):  # noqa: S310 - loopback
                return
        except OSError:
            time.sleep(1)
    raise SystemExit(f"the app did not serve within {timeout:.0f} s:\n{log.read_text()[-2000:]}")


def stop_app(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=30)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def rss_mb(pid: int) -> float:
    """Resident memory of a process (Linux /proc), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


# ---------------------------------------------------------------------------- the users


@dataclass
class Tally:
    """What every user saw; one lock, appended by all threads."""

    latencies: list[float] = field(default_factory=list)  # seconds, answered asks
    errors: list[str] = field(default_factory=list)
    busy: int = 0
    rss_at_mark: float | None = None
    rss_series: list[tuple[int, float]] = field(default_factory=list)  # (asks, MB) every 250
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def done(self) -> int:
        return len(self.latencies) + len(self.errors) + self.busy


def is_busy(e: Exception) -> bool:
    text = str(e).lower()
    return type(e).__name__ == "QueueError" or "queue is full" in text or "busy" in text


class HttpAsker:
    """One user of gradio's HTTP API: POST the question, then read the event stream."""

    def __init__(self, url: str, timeout: float):
        import httpx

        self.url, self.client = url, httpx.Client(timeout=timeout)

    def ask(self, question: str) -> dict:
        joined = self.client.post(
            f"{self.url}/gradio_api/call/ask", json={"data": [question, None]}
        )
        if joined.status_code == 503:
            raise RuntimeError("queue is full")
        joined.raise_for_status()
        event_id = joined.json()["event_id"]
        event = None
        with self.client.stream("GET", f"{self.url}/gradio_api/call/ask/{event_id}") as reply:
            for line in reply.iter_lines():
                if line.startswith("event: "):
                    event = line[len("event: ") :]
                elif line.startswith("data: ") and event in ("complete", "error"):
                    data = json.loads(line[len("data: ") :])
                    if event == "error":
                        raise RuntimeError(f"the app answered an error: {data}")
                    return data[0]
        raise RuntimeError(f"the event stream of {event_id} ended without an answer")


class GradioAsker:
    """One user of gradio_client (what the README shows)."""

    def __init__(self, url: str, timeout: float):
        from gradio_client import Client

        self.client, self.timeout = Client(url, verbose=False), timeout

    def ask(self, question: str) -> dict:
        return self.client.submit(question, api_name="/ask").result(timeout=self.timeout)


ASKERS = {"gradio": GradioAsker, "http": HttpAsker}


def user(n: int, url: str, questions: list[str], stop: float, args, tally: Tally, pid: int) -> None:
    try:
        client = ASKERS[args.client](url, args.timeout)
    except Exception as e:  # noqa: BLE001 - a user that cannot connect is an error
        with tally.lock:
            tally.errors.append(f"connect: {type(e).__name__}: {e}")
        return
    i = n * 7  # users start at different questions
    while time.monotonic() < stop and tally.done < args.max_asks:
        question = questions[i % len(questions)]
        i += 1
        t0 = time.perf_counter()
        try:
            answer = client.ask(question)
            if not isinstance(answer, dict) or "answer" not in answer:
                raise ValueError(f"unexpected reply {str(answer)[:80]!r}")
        except Exception as e:  # noqa: BLE001 - counted, the run goes on
            with tally.lock:
                if is_busy(e):
                    tally.busy += 1
                else:
                    tally.errors.append(f"{type(e).__name__}: {str(e)[:200]}")
            continue
        elapsed = time.perf_counter() - t0
        with tally.lock:
            tally.latencies.append(elapsed)
            count = len(tally.latencies)
            if count % RSS_EVERY == 0:
                tally.rss_series.append((count, rss_mb(pid)))
            if tally.rss_at_mark is None and count >= RSS_AT:
                tally.rss_at_mark = rss_mb(pid)


def warm_up(url: str, questions: list[str], threads: int = 4) -> None:
    """Every question once (4 clients at a time): the library fills its per-word caches and
    the server its per-thread buffers on first use, so RSS measured after this is the base
    that a leak would grow from."""
    from gradio_client import Client

    def ask_all(part: list[str]) -> None:
        client = Client(url, verbose=False)
        for q in part:
            client.predict(q, api_name="/ask")

    workers = [
        threading.Thread(target=ask_all, args=(questions[k::threads],)) for k in range(threads)
    ]
    for t in workers:
        t.start()
    for t in workers:
        t.join()


# ---------------------------------------------------------------------------- report


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def report(
    args, tally: Tally, elapsed: float, rss_before: float, rss_end: float, cpu: tuple
) -> bool:
    lat = tally.latencies
    p50, p95, p99 = (percentile(lat, q) for q in (0.50, 0.95, 0.99))
    print(f"users {args.users} ({args.client} client), {elapsed:.0f} s, questions {args.questions}")
    print(f"asks answered {len(lat)}, errors {len(tally.errors)}, busy {tally.busy}")
    print(f"throughput {len(lat) / elapsed:.1f} asks/s")
    if lat:
        print(
            f"latency p50 {p50:.2f} s, p95 {p95:.2f} s, p99 {p99:.2f} s, max {max(lat):.2f} s, "
            f"mean {statistics.mean(lat):.2f} s"
        )
    mark = tally.rss_at_mark
    growth = (mark / rss_before - 1) * 100 if mark else float("nan")
    mark_text = f"{mark:.0f} MB ({growth:+.1f}%)" if mark else f"not reached (< {RSS_AT} asks)"
    print(
        f"server RSS: after warm-up (each question once) {rss_before:.0f} MB; after {RSS_AT:,} asks {mark_text}"
    )
    print(f"server RSS at the end {rss_end:.0f} MB ({(rss_end / rss_before - 1) * 100:+.1f}%)")
    series = ", ".join(f"{n}: {mb:.0f}" for n, mb in tally.rss_series)
    print(f"server RSS (MB) by asks answered: {series}")
    server_cpu, client_cpu = cpu
    print(
        f"CPU seconds during the load: server {server_cpu:.0f}, this load generator "
        f"{client_cpu:.0f} (the machine has {os.cpu_count()} cores x {elapsed:.0f} s)"
    )
    for e in sorted(set(tally.errors))[:5]:
        print(f"  error: {e} (x{tally.errors.count(e)})")
    ok = not tally.errors and lat and p95 <= 2.0 and (mark is None or growth <= 10.0)
    print(f"targets (0 errors, p95 <= 2 s, RSS growth <= 10%): {'met' if ok else 'MISSED'}")
    return bool(ok)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--users", type=int, default=50, help="concurrent users (default 50)")
    p.add_argument("--duration", type=float, default=120.0, help="seconds of load (default 120)")
    p.add_argument("--max-asks", type=int, default=20_000, help="stop after this many asks")
    p.add_argument("--timeout", type=float, default=60.0, help="an ask slower than this fails")
    p.add_argument("--questions", type=Path, default=REPO / "eval" / "dev.jsonl")
    p.add_argument(
        "--client",
        choices=sorted(ASKERS),
        default="gradio",
        help="gradio_client (default) or gradio's plain HTTP API (a lighter load generator)",
    )
    p.add_argument(
        "--index-dir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "planqa-load-index",
        help="the app's index (built on first use, reused by later runs)",
    )
    p.add_argument("--start-timeout", type=float, default=900.0, help="seconds to wait for it")
    args = p.parse_args(argv)
    if not 1 <= args.users <= 500 or not 1 <= args.duration <= 3600:
        p.error("--users must be 1..500 and --duration 1..3600 seconds")
    questions = [
        json.loads(line)["question"]
        for line in args.questions.read_text("utf-8").splitlines()
        if line.strip()
    ]
    work = Path(tempfile.mkdtemp(prefix="planqa-load-"))
    port = free_port()
    url = f"http://{HOST}:{port}"
    log = work / "app.log"
    proc = start_app(port, args.index_dir, work / "feedback.jsonl", log)
    try:
        wait_until_serving(proc, url, args.start_timeout, log)
        warm_up(url, questions)
        rss_before = rss_mb(proc.pid)
        tally = Tally()
        cpu0 = (cpu_seconds(proc.pid), own_cpu_seconds())
        t0 = time.monotonic()
        stop = t0 + args.duration
        threads = [
            threading.Thread(
                target=user, args=(n, url, questions, stop, args, tally, proc.pid), daemon=True
            )
            for n in range(args.users)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(args.duration + args.timeout + 30)
        elapsed = time.monotonic() - t0
        cpu = (cpu_seconds(proc.pid) - cpu0[0], own_cpu_seconds() - cpu0[1])
        met = report(args, tally, elapsed, rss_before, rss_mb(proc.pid), cpu)
    finally:
        stop_app(proc)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
