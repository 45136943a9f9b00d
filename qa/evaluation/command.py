"""The ``qa eval FILE`` subcommand: argparse wiring, progress, output and exit codes.

This is CLI code, so it may print: the summary table (or JSON with ``--json``) goes to stdout,
warnings, progress and gate failures to stderr. Input problems raise ``EvalInputError`` and are
left to the main CLI, which turns any ``QAError`` into ``error: ...`` and exit code 2.
Exit codes: 0 ok, 1 a ``--min``/``--max`` gate failed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from qa.config import MAX_QUESTION_CHARS
from qa.errors import EvalInputError
from qa.evaluation.schema import DECLINE_PHRASES, READINGS

# The running side is imported when `qa eval` runs, not when the CLI builds its parser: `qa ask`
# should not pay for the evaluation modules.

DEFAULT_K = 20
MAX_WARNINGS_SHOWN = 20


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def add_eval_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``eval`` on the CLI's subparsers and return its parser."""
    p = subparsers.add_parser(
        "eval",
        help="score the assistant, or another system's answers, on an eval file",
        description=(
            "Ask every question of FILE, score retrieval (by evidence characters within "
            "150/400-word budgets) and answers, and write report.json, rows.csv and report.html. "
            "Rows that already hold another system's output (ragas: response, "
            "retrieved_contexts) are scored as they are, without running planqa."
        ),
    )
    p.add_argument("file", type=Path, help="eval set: .jsonl, .json, .csv or .xlsx")
    p.add_argument(
        "--k", type=_positive_int, default=DEFAULT_K, help="passages retrieved per question"
    )
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        help="output folder, or a path ending in .json for the report (rows.csv and "
        "report.html go beside it); default reports/<file name>/",
    )
    p.add_argument(
        "--json", action="store_true", help="print {summary, by_kind, meta} as JSON on stdout"
    )
    p.add_argument(
        "--strict", action="store_true", help="treat eval file warnings as errors (for CI)"
    )
    p.add_argument(
        "--min",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="fail (exit 1) when a metric is below VALUE, e.g. --min hit@W150=0.9; "
        "KIND:METRIC=VALUE gates one kind or tag, e.g. --min chinese:hit@W400=0.8",
    )
    p.add_argument(
        "--max",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="fail (exit 1) when a metric is above VALUE, e.g. --max latency_p95_ms=800",
    )
    p.add_argument(
        "--compare",
        default=None,
        metavar="REPORT|planqa",
        help="report.json of an earlier run; or the word planqa, on a file holding another "
        "system's answers: run planqa too and put the two side by side",
    )
    p.add_argument("--limit", type=_positive_int, default=None, help="only the first N questions")
    p.add_argument(
        "--doc",
        action="append",
        default=[],
        metavar="NAME",
        help="ask within this document (a name as `qa search` shows it, or a pattern such as "
        "'licences/*'; repeat for several) every question whose row names no \"documents\"",
    )
    p.add_argument(
        "--read-as",
        choices=READINGS,
        default=None,
        help="how to read the columns when the file is ambiguous: gold (answer/contexts are the "
        "reference and its evidence) or answers (they are another system's output, ragas 0.1)",
    )
    p.add_argument(
        "--decline-phrase",
        action="append",
        default=[],
        metavar="TEXT",
        help="a phrase that marks another system's response as a decline (repeat; replaces "
        f"the defaults: {', '.join(DECLINE_PHRASES[:3])}, ...)",
    )
    p.add_argument(
        "--name", default="other", help="the other system's name in reports (default: other)"
    )
    p.add_argument(
        "--export",
        nargs=2,
        metavar=("FORMAT", "FILE"),
        default=None,
        help="also write the scored rows for another tool: --export ragas out.jsonl "
        "(loads with ragas EvaluationDataset.from_jsonl; the rest goes to out.planqa.jsonl)",
    )
    return p


def _gates(specs: list[str], is_max: bool) -> dict[str, float]:
    from qa.evaluation.evaluate import parse_gate, split_gate
    from qa.evaluation.metrics import LOWER_IS_BETTER

    gates = {}
    for spec in specs:
        name, value = parse_gate(spec)
        metric = split_gate(name)[1]
        if not is_max and metric in LOWER_IS_BETTER:
            raise EvalInputError(
                f"gate --min {spec!r}: {metric} is lower-is-better; use --max {name}={value:g}"
            )
        gates[name] = value
    return gates


def _output_place(args: argparse.Namespace) -> tuple[Path, str]:
    if args.out is None:
        return Path("reports") / args.file.stem, "report.json"
    if args.out.suffix.lower() == ".json":
        return args.out.parent, args.out.name
    return args.out, "report.json"


def _warn(lines: list[str]) -> None:
    for line in lines[:MAX_WARNINGS_SHOWN]:
        print(f"warning: {line}", file=sys.stderr)
    if len(lines) > MAX_WARNINGS_SHOWN:
        print(
            f"warning: ... and {len(lines) - MAX_WARNINGS_SHOWN} more (all are in report.json)",
            file=sys.stderr,
        )


def _run_ours(args: argparse.Namespace, assistant: Any, items: list) -> tuple[Any, list[str]]:
    from qa.evaluation.evaluate import evaluate_assistant

    show_bar = not args.json and sys.stderr.isatty()
    from tqdm import tqdm  # lazy: only eval needs it

    with tqdm(
        total=len(items), file=sys.stderr, disable=not show_bar, desc="eval", unit="q"
    ) as bar:
        return evaluate_assistant(
            assistant,
            items,
            k=args.k,
            file=str(args.file),
            strict=args.strict,
            on_progress=lambda done, total: bar.update(1),
            documents=args.doc,
        )


def _export_ragas(report: Any, path: Path) -> None:
    from qa.atomic import atomic_write
    from qa.evaluation.export import render_ragas, side_path

    rows, side = render_ragas(report)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, rows.encode("utf-8"))
    atomic_write(side_path(path), side.encode("utf-8"))
    print(f"ragas rows: {path} (and {side_path(path)})", file=sys.stderr)


def run_eval_command(args: argparse.Namespace, open_assistant: Callable[[], Any]) -> int:
    """Run ``qa eval`` with parsed ``args``; ``open_assistant()`` gives .ask/.documents/.passages.

    Everything that can be checked before the (slow) run is checked first: gates, the
    ``--compare`` report and the eval file itself.
    """
    from qa.evaluation.answers import evaluate_answers
    from qa.evaluation.evalset import load_eval_file
    from qa.evaluation.evaluate import check_gates, compare
    from qa.evaluation.report import format_compare, format_summary, load_report, write_reports
    from qa.evaluation.side_by_side import side_by_side

    min_gates = _gates(args.min, is_max=False)
    max_gates = _gates(args.max, is_max=True)
    side_by_side_run = args.compare is not None and str(args.compare).lower() == "planqa"
    old = (
        load_report(Path(args.compare))
        if args.compare is not None and not side_by_side_run
        else None
    )
    if args.export is not None and args.export[0].lower() != "ragas":
        raise EvalInputError(
            f"--export {args.export[0]!r}: unknown format; the one format is ragas, "
            "e.g. --export ragas out.jsonl"
        )
    out_dir, json_name = _output_place(args)

    # the same question bound as `qa ask`, so eval never accepts what ask would refuse
    items, warnings = load_eval_file(
        args.file,
        strict=args.strict,
        max_question_chars=MAX_QUESTION_CHARS,
        read_as=args.read_as,
    )
    if args.limit is not None:
        items = items[: args.limit]
    answers = any(item.has_output for item in items)
    if side_by_side_run and not answers:
        raise EvalInputError(
            f"{args.file}: --compare planqa needs rows holding another system's answers "
            '("response" and "retrieved_contexts", or ragas 0.1 "answer"/"contexts" with '
            '"ground_truth"); this file has none, so run qa eval on it without --compare'
        )
    _warn(warnings)
    assistant = open_assistant()
    if answers:
        report, problems = evaluate_answers(
            items,
            list(assistant.documents),
            list(getattr(assistant, "passages", None) or []),
            k=args.k,
            file=str(args.file),
            name=args.name,
            decline_phrases=tuple(args.decline_phrase) or DECLINE_PHRASES,
        )
        if problems and args.strict:
            raise EvalInputError(
                "\n".join(problems) + "\n(strict mode: fix these rows, or run without --strict)"
            )
    if answers and args.doc and not side_by_side_run:
        warnings.append("--doc is ignored: the rows hold another system's answers, not planqa's")
    if not answers or side_by_side_run:
        ours, problems_ours = _run_ours(args, assistant, items)
    if answers and side_by_side_run:
        ours.meta["warnings"] = warnings + problems_ours
        write_reports(ours, out_dir / "planqa")
        report.compare = side_by_side(report.to_dict(), ours.to_dict(), (args.name, "planqa"))
    elif not answers:
        report, problems = ours, problems_ours
    _warn(problems)
    report.meta["warnings"] = warnings + problems
    if args.limit is not None:
        report.meta["limit"] = args.limit
    paths = write_reports(report, out_dir, json_name)
    if args.export is not None:
        _export_ragas(report, Path(args.export[1]))

    groups = {**report.by_tag, **report.by_kind}
    failures = check_gates(report.summary, min_gates, max_gates, groups)
    cmp = compare(old, report.to_dict()) if old is not None else (report.compare or None)

    if args.json:
        out: dict[str, Any] = {
            "summary": report.summary,
            "by_kind": report.by_kind,
            "meta": report.meta,
        }
        if cmp is not None:
            out["compare"] = cmp
        if min_gates or max_gates:
            out["gate_failures"] = failures
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        print(format_summary(report), end="")
        if cmp is not None:
            print(format_compare(cmp), end="")
        print(f"report: {paths['html']}", file=sys.stderr)

    if report.summary.get("errors"):
        print(
            f"warning: {report.summary['errors']} question(s) raised inside the assistant; "
            f'see "error" in {paths["json"]}',
            file=sys.stderr,
        )
    if failures:
        for f in failures:
            print(f"gate failed: {f}", file=sys.stderr)
        return 1
    return 0
