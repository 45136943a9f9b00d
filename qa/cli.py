"""Command line: `qa index | search | ask | eval | serve`. Turns QAError into a message and exit 2."""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import textwrap
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from qa.config import Settings, VectorStoreSpec, add_location_args
from qa.errors import ConfigError, QAError
from qa.ingest.formats import page_place
from qa.progress import stderr_progress
from qa.types import hits_by_document

if TYPE_CHECKING:
    from qa.types import Signals

EXAMPLE = "how are small enterprises supported in pledge loans?"


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.from_env(
        corpus_dir=args.corpus, index_dir=args.index_dir, vector_store=_vector_store(args)
    )


def _vector_store(args: argparse.Namespace) -> VectorStoreSpec | None:
    """`qa index --backend ...` as a spec; None (no flag) keeps the backend the index records.
    A --qdrant-* location alone means the qdrant backend."""
    backend = getattr(args, "backend", None)
    path, url = getattr(args, "qdrant_path", None), getattr(args, "qdrant_url", None)
    if backend is None and not (path or url):
        return None
    backend = backend or "qdrant"
    if backend == "faiss" and (path or url):
        raise ConfigError("--qdrant-path/--qdrant-url go with --backend qdrant, not faiss")
    spec = VectorStoreSpec(
        backend,
        str(Path(path).expanduser().resolve()) if path else None,
        url,
        args.qdrant_api_key_env,
        args.qdrant_api_key_file,
        args.qdrant_collection,
        args.qdrant_shards,
        args.qdrant_replicas,
    )
    from qa.index.vector_store import check_backend

    check_backend(spec)
    return spec


def _say_waiting(message: str) -> None:
    """Another `qa index` or the app holds the index lock: say why we pause (stderr)."""
    print(f"{message} ...", file=sys.stderr, flush=True)


def _open_assistant(args: argparse.Namespace):
    from qa.assistant import Assistant

    assistant = Assistant.open(
        _settings(args),
        progress=stderr_progress(getattr(args, "json", False)),
        on_wait=_say_waiting,
    )
    if args.whole_process:  # set by main()
        gc.freeze()
    return assistant


# ---------------------------------------------------------------------------- commands


def cmd_index(args: argparse.Namespace) -> int:
    from contextlib import nullcontext

    from qa.assistant import build
    from qa.index.advice import index_notes
    from qa.ingest.corpus import reading_notes

    settings = _settings(args)
    target = None
    if args.dask:
        from qa.index.distributed import DaskTarget, dask_client, dask_factory

        target = DaskTarget.parse(args.dask)
    try:
        with dask_client(target) if target else nullcontext() as client:
            factory = (
                None if client is None else dask_factory(client, settings.encoder_path, target)
            )
            report = build(
                settings,
                force=args.force,
                progress=stderr_progress(args.json),
                on_wait=_say_waiting,
                embed_many_factory=factory,
            )
    except BaseException as e:  # a bad corpus, a full disk, Ctrl-C: logged, then as before
        _audit_index(args, settings, None, e)
        raise
    if report.rebuilt:  # an index already up to date changed nothing: no line
        _audit_index(args, settings, report, None)
    for skipped in report.skipped:  # a file of a kind read that could not be read
        print(f"warning: {skipped}", file=sys.stderr)
    for note in reading_notes(report.left_out, report.windows_1252, report.chinese_code_page):
        print(f"note: {note}", file=sys.stderr)
    if args.json:
        from dataclasses import asdict

        print(json.dumps(asdict(report), indent=2))
    elif not report.rebuilt:
        print(
            f"index is up to date ({report.passages} passages from {report.files} file(s)); nothing to do"
        )
    else:
        print(
            f"indexed {report.files} file(s): {report.passages} passages "
            f"({report.min_words}-{report.max_words} words), dim {report.dim}, "
            f"{report.seconds:.1f} s ({report.reason})"
        )
        if report.changes is not None:
            print(_changes_line(report))
        if report.e5_scope == "candidates":
            print(
                f"e5 (questions in other languages): more than {settings.e5_max_passages:,} "
                "passages, so e5 ranks each such question's candidates when it is asked"
            )
        store = report.vector_store or {}
        if store.get("backend") == "qdrant":
            where = store.get("url") or store.get("path")
            print(f"vectors in Qdrant collection {store.get('collection')} at {where}")
    notes = index_notes(report.passages, report.retired_passages, report.vector_store)
    for line in [] if args.json else notes:  # rows set aside; a library HNSW would search faster
        print(line)
    return 0


def _audit_index(args, settings: Settings, report, error: BaseException | None) -> None:
    """A rebuild changes what the app serves: one line in the app's audit log (beside the
    default feedback file) as ``cli:<login>``; a log that cannot be written is a warning."""
    from qa.config import default_feedback_path
    from qa.web.audit import append_or_warn, audit_path, cli_user, entry

    command = f"qa index{' --force' if args.force else ''} ({settings.index_dir})"
    if error is None:
        c = report.changes
        counts = (
            f"added {len(c.added)}, changed {len(c.changed)}, removed {len(c.removed)}"
            if c is not None
            else "changes not known"
        )
        detail = f"{command}: {counts}; {report.passages} passages from {report.files} file(s)"
        result = "done"
    else:
        detail = f"{command}: {type(error).__name__}: {error}".rstrip(": ")
        result = "failed"
    line = entry(cli_user(), "rebuild", None, result, detail)
    append_or_warn(audit_path(default_feedback_path()), line)


def _changes_line(report) -> str:
    """What changed since the last build and how much was embedded, e.g. for one new file:
    "files: added 1, changed 0, removed 0, kept 84; embedded 1 file (12 passages), 84 from the cache"
    """
    changes = report.changes
    lines = [
        f"files: {changes.summary()}; embedded {report.documents_embedded} file(s) "
        f"({report.passages_embedded} passages), "
        f"{report.files - report.documents_embedded} from the cache"
    ]
    for label, names in (
        ("added", changes.added),
        ("changed", changes.changed),
        ("removed", changes.removed),
    ):
        if names:
            shown = ", ".join(names[:10]) + (
                f" and {len(names) - 10} more" if len(names) > 10 else ""
            )
            lines.append(f"  {label}: {shown}")
    return "\n".join(lines)


def _print_reading(signals: Signals) -> None:
    """How acronyms and typos were read, on stderr so that --json output stays clean."""
    if signals.read_as:
        from qa.query.acronyms import reading_note

        print(reading_note(signals.read_as), file=sys.stderr)


def cmd_search(args: argparse.Namespace) -> int:
    assistant = _open_assistant(args)
    retrieval = assistant.retrieve(args.query, k=args.k, documents=args.doc)
    hits = retrieval.hits
    _print_reading(retrieval.signals)
    if args.json:
        print(
            json.dumps(
                {"query": args.query, "passages": [h.to_dict() for h in hits]},
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    several = len({h.passage.source for h in hits}) > 1
    for source, group in hits_by_document(hits):
        if several:  # a library: each document once, in the order of its best passage
            print(f"== {source} ==")
        for h in group:
            p = h.passage
            print(f"{h.rank}. [{h.score:.3f}] {p.section}")
            print(f"   {p.source}:{p.start}-{p.end}")
            if h.also_in:
                print(f"   same text also in: {', '.join(h.also_in)}")
            print(textwrap.fill(p.text, width=100, initial_indent="   ", subsequent_indent="   "))
            print()
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    generator = None
    if args.llm:  # made first so that a bad --llm fails before the index loads
        from qa.answering.generate_backends import make_generator

        generator = make_generator(
            args.llm, model=args.llm_model, api_key=os.environ.get("QA_LLM_API_KEY")
        )
    assistant = _open_assistant(args)
    answer = assistant.ask(args.question, k=args.k, generator=generator, documents=args.doc)
    dropped = answer.generation.dropped_sentences if answer.generation else ()
    if dropped:
        print(f"{len(dropped)} unsupported generated sentence(s) dropped", file=sys.stderr)
    _print_reading(answer.signals)
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print(textwrap.fill(answer.text, width=100))
    print()
    if answer.abstained:
        print(textwrap.fill(f"Why: {answer.reason}.", width=100))
        print()
        print("Closest passages:")
        for p in (h.passage for h in answer.hits[:3]):
            print(f"  - {p.section}  ({p.source}:{p.start}-{p.end})")
        return 0
    print("Sources:")
    for c in answer.citations:
        p = c.hit.passage
        place = f", {page_place(p.source, p.page)}" if p.page else ""
        print(f"  [{c.n}] {p.section}\n      {p.source}:{p.start}-{p.end}{place}")
    return 0


# ---------------------------------------------------------------------------- parser


def _add_doc_arg(p: argparse.ArgumentParser) -> None:
    """--doc for search and ask: the documents of a library to search within."""
    p.add_argument(
        "--doc",
        action="append",
        metavar="NAME",
        help="search only this document (its name as `qa search` shows it, or a pattern such "
        "as 'licences/*'); repeat for several",
    )


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    add_location_args(common)
    common.add_argument(
        "--json", action="store_true", help="print JSON (shape documented in README)"
    )

    parser = argparse.ArgumentParser(
        prog="qa",
        description="Answers from policy documents with exact, cited passages, fully offline.",
        epilog=f'example: qa ask "{EXAMPLE}"',
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "index", parents=[common], help="build index/ from corpus/ (no-op when up to date)"
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="rebuild even when the index is up to date (also compacts the rows that removed or "
        "changed files left set aside)",
    )
    add_vector_store_args(p)
    p.add_argument(
        "--dask",
        metavar="CLUSTER",
        help="embed on Dask workers: local:N (N processes on this machine, bound to 127.0.0.1) "
        "or a scheduler address tcp://HOST:8786; needs pip install 'planqa[dask]'",
    )
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("search", parents=[common], help="ranked source passages for a query")
    p.add_argument("query")
    p.add_argument("-k", type=int, default=5, help="passages to return (default 5)")
    _add_doc_arg(p)
    p.set_defaults(func=cmd_search)

    p = sub.add_parser(
        "ask", parents=[common], help="an answer quoting the document, with citations"
    )
    p.add_argument("question")
    _add_doc_arg(p)
    p.add_argument(
        "--llm",
        metavar="MODEL_DIR|URL",
        help="write the answer with a local transformers model folder or an OpenAI-compatible "
        "endpoint; sentences the passages do not support are dropped (default: extractive)",
    )
    p.add_argument("--llm-model", default="default", help="model name sent to an --llm endpoint")
    p.add_argument("-k", type=int, default=5, help="passages to retrieve (default 5)")
    p.set_defaults(func=cmd_ask)

    from qa.evaluation.command import add_eval_parser, run_eval_command

    p = add_eval_parser(sub)
    add_location_args(p)
    p.set_defaults(func=lambda args: run_eval_command(args, lambda: _open_assistant(args)))

    # listed for --help; main() hands `serve ...` straight to app.main
    sub.add_parser("serve", help="start the web app (same options as python app.py)")
    return parser


def add_vector_store_args(p: argparse.ArgumentParser) -> None:
    """Where `qa index` puts the passage vectors; recorded in the manifest for every reader."""
    g = p.add_argument_group(
        "vector store (default: what the index records, FAISS for a new one; see README)"
    )
    g.add_argument("--backend", choices=["faiss", "qdrant"], help="faiss (embedded) or qdrant")
    g.add_argument("--qdrant-path", metavar="DIR", help="Qdrant local mode: its storage folder")
    g.add_argument("--qdrant-url", metavar="URL", help="a Qdrant server or cluster")
    g.add_argument(
        "--qdrant-api-key-env", metavar="VAR", help="environment variable holding its API key"
    )
    g.add_argument("--qdrant-api-key-file", metavar="FILE", help="or a file holding the key")
    g.add_argument(
        "--qdrant-collection",
        metavar="PREFIX",
        help="collection name prefix (default: from the index folder); each build adds an id",
    )
    g.add_argument("--qdrant-shards", type=int, metavar="N", help="shards of a new collection")
    g.add_argument(
        "--qdrant-replicas", type=int, metavar="N", help="replication factor of a new collection"
    )


def _one_line_corpus_warnings(show):
    """A skipped corpus file as one line on stderr (``warning: scan.pdf: skipped, ...``), like
    errors; other warnings as Python shows them."""
    from qa.ingest.corpus import CorpusWarning

    def showwarning(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, CorpusWarning):
            print(f"warning: {message}", file=sys.stderr)
        else:
            show(message, category, filename, lineno, file, line)

    return showwarning


def main(argv: Sequence[str] | None = None, whole_process: bool = False) -> int:
    """Run one command; ``whole_process``: it is the process (`qa ...`), so the index it opens
    lives until the exit and its objects are frozen out of the collector's reach (gc.freeze): no
    collection walks them again, and the exit does not tear them down one by one (README,
    "A large library"). Off for a caller that goes on (a test): its index must be collected."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["serve"]:  # the app parses its own options (--host, --port, --auth, ...)
        from qa.web.app import main as serve

        return serve(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    args.whole_process = whole_process
    if getattr(args, "k", None) is not None and args.k < 1:
        parser.error(f"-k must be at least 1, got {args.k}")
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _one_line_corpus_warnings(warnings.showwarning)
            code = args.func(args)
    except QAError as e:
        print(f"error: {e}", file=sys.stderr)
        code = 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        code = 130
    except BrokenPipeError:  # `qa ask ... --json | head`: the reader left; no traceback
        try:  # point stdout at devnull, so the flush at exit does not fail again
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass  # stdout is no real file (a test's capture): nothing left to flush
        code = 141
    except OSError as e:  # disk full, permission denied, a file where a folder should be
        where = f"{e.filename}: " if e.filename else ""
        print(
            f"error: {where}{e.strerror or e}; free disk space or check that folder's permissions",
            file=sys.stderr,
        )
        code = 2
    return code


if __name__ == "__main__":
    sys.exit(main(whole_process=True))


def entry() -> None:
    """Console-script entry point: exit with main()'s code."""
    sys.exit(main(whole_process=True))
