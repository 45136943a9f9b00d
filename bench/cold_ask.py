"""Cold `qa ask` (a new process: imports, index load, encoders, one answer), side by side for
several checkouts of planqa, runs interleaved so machine load falls on each alike.

    python bench/cold_ask.py --checkout before=/path/to/old:/tmp/old_index \
                             --checkout after=.:/tmp/new_index [--runs 5] [--question "..."]

Each checkout is NAME=SOURCE_DIR:INDEX_DIR (the index built by that checkout's own code).
Prints each run's wall time and the median per checkout; each checkout's bytecode is written
first, as an installed copy has it. An index a checkout's code would
rebuild (another chunking, another corpus) is refused before any run: `qa ask` builds a stale
index in place, so timing it would replace an index another checkout or a bench still needs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

QUESTIONS = [
    "How are small enterprises supported in pledge loans?",
    "如何支持小微企业的知识产权质押贷款？",
]


# run in a checkout: is its index fresh for its own code and the corpus (qa.index.store)?
FRESH_CHECK = (
    "from qa.config import Settings; from qa.index.store import index_status; "
    "s = index_status(Settings.from_env()); print(s.state, s.reason)"
)


def _env(source: str, index: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": os.path.abspath(source), "QA_INDEX_DIR": index}
    env.setdefault("HF_HUB_OFFLINE", "1")
    return env


def not_fresh(source: str, index: str) -> str | None:
    """Why the checkout at ``source`` would rebuild ``index`` (None when it is fresh for it)."""
    done = subprocess.run(
        [sys.executable, "-c", FRESH_CHECK],
        cwd=source,
        env=_env(source, index),
        capture_output=True,
        text=True,
    )
    state, _, reason = done.stdout.strip().partition(" ")
    if done.returncode == 0 and state == "fresh":
        return None
    if reason:
        return reason
    errors = done.stderr.strip().splitlines()
    return errors[-1] if errors else "unknown"


def compile_bytecode(source: str) -> None:
    """Write the checkout's bytecode, as pip does when it installs: where
    PYTHONDONTWRITEBYTECODE is set (this sandbox sets it) a checkout without it compiles its
    modules again on every run, about 0.2 s that no installed copy spends."""
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", os.path.join(source, "qa")],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def cold_ask(source: str, index: str, question: str) -> float:
    env = _env(source, index)
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "qa", "ask", question],
        cwd=source,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkout", action="append", required=True, metavar="NAME=SRC:INDEX")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--question", action="append", help="default: an English and a Chinese one")
    args = parser.parse_args()
    checkouts = {}
    for spec in args.checkout:
        name, _, rest = spec.partition("=")
        source, _, index = rest.partition(":")
        checkouts[name] = (source, index)
    for name, (source, index) in checkouts.items():
        reason = not_fresh(source, index)
        if reason:
            sys.exit(
                f"error: {name}: the index {index} is not fresh for {source} ({reason}); "
                f"`qa ask` would rebuild it there. Build that checkout an index of its own "
                f"(cd {source} && QA_INDEX_DIR=<new folder> python -m qa index) and pass that."
            )
    for source, _ in checkouts.values():
        compile_bytecode(source)
    for question in args.question or QUESTIONS:
        times: dict[str, list[float]] = {name: [] for name in checkouts}
        for source, index in checkouts.values():  # warm the file cache once
            cold_ask(source, index, question)
        for _ in range(args.runs):
            for name, (source, index) in checkouts.items():
                times[name].append(cold_ask(source, index, question))
        print(f"cold qa ask {question!r}, {args.runs} runs each:")
        for name, ts in times.items():
            runs = " ".join(f"{t:.2f}" for t in ts)
            print(f"  {name:<10} median {statistics.median(ts):.2f} s   ({runs})")


if __name__ == "__main__":
    main()
