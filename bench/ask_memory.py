"""What grows while the app answers: many asks in-process through the `/ask` endpoint's path.

    python bench/ask_memory.py [--asks 2000] [--via http|direct] [--threads 4] [--trace]

``--via http`` (the default) serves the app in this process on a free port of 127.0.0.1 and
asks through gradio's HTTP API (POST ``/gradio_api/call/ask``, then the event stream), as
``bench/load.py --client http`` does: the queue, the session state and the handler are all
in this process, where RSS and tracemalloc can see them. ``--via direct`` calls the handler
(qa.web.handlers.api_ask) only. Prints RSS (from /proc/self/status) after a warm-up pass and
at 500, 1,000 and 2,000 asks; with ``--trace``, the allocation sites that grew most between
the 500th ask and the last (tracemalloc, ``--frames`` frames).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MARKS = (500, 1_000, 2_000, 5_000, 10_000)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_asker(url: str):
    import httpx

    client = httpx.Client(timeout=120)

    def ask(question: str) -> dict:
        joined = client.post(f"{url}/gradio_api/call/ask", json={"data": [question, None]})
        joined.raise_for_status()
        event_id = joined.json()["event_id"]
        event = None
        with client.stream("GET", f"{url}/gradio_api/call/ask/{event_id}") as reply:
            for line in reply.iter_lines():
                if line.startswith("event: "):
                    event = line[len("event: ") :]
                elif line.startswith("data: ") and event in ("complete", "error"):
                    if event == "error":
                        raise RuntimeError(line)
                    return json.loads(line[len("data: ") :])[0]
        raise RuntimeError("no answer")

    return ask


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--asks", type=int, default=2_000)
    p.add_argument("--via", choices=("http", "direct"), default="http")
    p.add_argument("--threads", type=int, default=4)
    p.add_argument("--trace", action="store_true")
    p.add_argument("--frames", type=int, default=25, help="stack frames tracemalloc keeps")
    p.add_argument("--questions", type=Path, default=REPO / "eval" / "dev.jsonl")
    p.add_argument(
        "--index-dir", type=Path, default=Path(tempfile.gettempdir()) / "planqa-load-index"
    )
    args = p.parse_args(argv)
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ["QA_QUESTIONS_PER_MINUTE"] = "0"  # one client asks thousands: no rate limit
    from qa.config import Settings
    from qa.web.shared import configure, get_assistant

    work = Path(tempfile.mkdtemp(prefix="planqa-mem-"))
    configure(Settings.from_env(index_dir=args.index_dir), work / "feedback.jsonl")
    get_assistant()
    questions = [
        json.loads(line)["question"]
        for line in args.questions.read_text("utf-8").splitlines()
        if line.strip()
    ]
    if args.via == "http":
        from qa.web.app import bound_queue
        from qa.web.layout import build_app
        from qa.web.limits import STATE_SESSIONS

        demo = build_app()
        bound_queue(demo)
        port = free_port()
        demo.launch(
            server_name="127.0.0.1",
            server_port=port,
            prevent_thread_lock=True,
            quiet=True,
            state_session_capacity=STATE_SESSIONS,
        )
        asks = [http_asker(f"http://127.0.0.1:{port}") for _ in range(args.threads)]
    else:
        from qa.web.handlers import api_ask

        asks = [api_ask] * args.threads

    counter = [0]
    lock = threading.Lock()

    def run(ask, total: int) -> None:
        while True:
            with lock:
                if counter[0] >= total:
                    return
                n = counter[0]
                counter[0] += 1
            ask(questions[n % len(questions)])

    def ask_until(total: int) -> None:
        threads = [threading.Thread(target=run, args=(a, total)) for a in asks]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    def held() -> str:
        """What gradio holds per session and per event (http only)."""
        if args.via != "http":
            return ""
        queue = demo._queue
        return (
            f"; gradio holds {len(demo.state_holder.session_data)} session states, "
            f"{len(queue.event_analytics)} event records, "
            f"{len(queue.pending_event_ids_session)} session event sets"
        )

    ask_until(len(questions))  # warm-up: every question once
    counter[0] = 0
    t0 = time.monotonic()
    print(f"RSS after warm-up (0 asks): {rss_mb():.1f} MB{held()}", flush=True)
    if args.trace:
        import tracemalloc

        tracemalloc.start(args.frames)
    first = None
    for mark in (m for m in MARKS if m <= args.asks):
        ask_until(mark)
        print(
            f"RSS after {mark:>5} asks: {rss_mb():.1f} MB ({time.monotonic() - t0:.0f} s){held()}",
            flush=True,
        )
        if args.trace and first is None:
            first = tracemalloc.take_snapshot()
    if args.trace and first is not None:
        last = tracemalloc.take_snapshot()
        stats = last.compare_to(first, "traceback")
        print("grew most between the 500th ask and the last:")
        for stat in stats[:12]:
            print(f"  {stat.size_diff / 1024:+.0f} KB in {stat.count_diff:+d} blocks")
            for line in stat.traceback.format()[-12:]:
                print(f"      {line}")
    sys.stdout.flush()
    os._exit(0)  # the served app's threads need not wind down


if __name__ == "__main__":
    sys.exit(main())
