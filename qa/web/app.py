"""planqa web app: chat with cited answers, passage search, the document reader, evaluation,
corpus.

    python app.py [--host 127.0.0.1] [--port 7860] [--share] [--auth USERS_FILE]
                  [--corpus DIR] [--index-dir DIR] [--feedback FILE] [--questions-per-minute N]

(``qa serve`` passes its arguments here.) This module parses the arguments, loads the one
Assistant of the process and serves the page of qa.web.layout; the handlers are in
qa.web.handlers, the HTML in qa.web.views and its templates, and all question answering is the
library's (qa.assistant). Uploading a document updates the index (qa.web.corpus_update) and
swaps it in.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from qa.config import Settings, add_location_args
from qa.errors import QAError
from qa.web.exposure import ExposureError, check_exposure, logins
from qa.web.limits import (
    ANALYTICS_EVENTS,
    CONCURRENCY,
    MAX_REQUEST_FILE,
    QUESTIONS_PER_MINUTE,
    QUEUE_SIZE,
    STATE_SESSIONS,
    questions_per_minute,
)
from qa.web.roles import access_for
from qa.web.shared import DEFAULT_FEEDBACK, Shared, configure, get_assistant, manifest_stamp
from qa.web.templating import asset

# gradio reads this when it would send telemetry (launch, version check), not at import
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
# gradio's queue keeps a timing record of each of the last N events, 10,000 by default
os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", str(ANALYTICS_EVENTS))


# ---------------------------------------------------------------------------- serving


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python app.py",
        description="planqa web app: cited answers from your documents, offline.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    p.add_argument("--share", action="store_true", help="create a public gradio.live link (off)")
    p.add_argument(
        "--auth",
        metavar="FILE",
        help="require a login: a file of user:password lines; those under an [admins] line may "
        "change the corpus (or put the same lines in $QA_AUTH)",
    )
    p.add_argument(
        "--allow-anonymous",
        action="store_true",
        help="serve beyond 127.0.0.1 (or --share) without a login anyway (a loud warning)",
    )
    add_location_args(p)
    p.add_argument(
        "--feedback",
        metavar="FILE",
        type=Path,
        default=DEFAULT_FEEDBACK,
        help="where thumbs up/down are appended (default feedback/feedback.jsonl)",
    )
    p.add_argument(
        "--questions-per-minute",
        metavar="N",
        help=f"questions (chat and /ask) one user, or one address without logins, may ask per "
        f"minute; 0: no limit (default $QA_QUESTIONS_PER_MINUTE, else {QUESTIONS_PER_MINUTE})",
    )
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Serve the app until interrupted; 2 on a QAError (bad corpus, unreadable index)."""
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--"]:  # `qa serve -- --port 8000` passes the separator through
        argv = argv[1:]
    args = parser.parse_args(argv)
    try:
        auth = logins(args.auth, os.environ.get("QA_AUTH"))
        warning = check_exposure(args.host, args.share, auth is not None, args.allow_anonymous)
        per_minute = questions_per_minute(args.questions_per_minute)
    except ValueError as e:
        parser.error(str(e))
    except ExposureError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if warning:
        print(warning, file=sys.stderr, flush=True)
    from qa.web.layout import build_app  # gradio loads here, once the arguments are good

    settings = Settings.from_env(corpus_dir=args.corpus, index_dir=args.index_dir)
    access = access_for(auth, args.host, args.share)
    try:
        configure(
            settings,
            args.feedback,
            access=access,
            questions_per_minute=per_minute,
            follow_disk=True,
        )
        before = manifest_stamp(settings.index_dir)
        assistant = get_assistant()  # build/load once, before the first visitor waits for it
        if manifest_stamp(settings.index_dir) != before:
            log_startup_build(args.feedback, len(assistant.passages), len(assistant.documents))
        demo = build_app()
    except QAError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(
        f"[planqa] {len(assistant.passages)} passages from {len(assistant.documents)} document(s); "
        f"feedback -> {Shared.feedback_path}",
        flush=True,
    )
    bound_queue(demo)
    demo.launch(
        server_name=args.host,
        server_port=args.port,
        share=args.share,
        auth=list(auth.logins) if auth else None,
        max_file_size=MAX_REQUEST_FILE,
        state_session_capacity=STATE_SESSIONS,  # the oldest sessions' state is dropped past it
        css=asset("planqa.css"),
        head=asset("head.html"),
        footer_links=["api"],
        show_error=False,
        # gradio's own start-up lines advise `share=True` in launch(); ours names --share
        quiet=not args.share,
        prevent_thread_lock=True,
    )
    if not args.share:
        print(
            f"[planqa] serving on {demo.local_url} (add --share for a public gradio.live link)",
            flush=True,
        )
    demo.block_thread()
    return 0


def log_startup_build(feedback_path: Path, passages: int, documents: int) -> None:
    """The index was missing or stale and the start-up built it: an audit log entry of the
    local user who started the app (a warning on stderr when it cannot be written)."""
    from qa.web.audit import append_or_warn, audit_path, entry

    detail = f"built at start-up (missing or stale): {passages} passages, {documents} document(s)"
    append_or_warn(audit_path(feedback_path), entry("local", "rebuild", None, "done", detail))


def bound_queue(demo, max_size: int = QUEUE_SIZE, concurrency: int = CONCURRENCY):
    """At most ``max_size`` requests wait: one more is told "queue is full" at once (HTTP 503,
    gradio_client's QueueError), instead of waiting behind an unbounded line."""
    return demo.queue(max_size=max_size, default_concurrency_limit=concurrency)


if __name__ == "__main__":
    sys.exit(main())
