"""Updating a library that bench/scale.py built: add, change and remove one ~20 KB file.

    python bench/scale.py --sizes 1000 --work /tmp/planqa-scale     # once: builds the library
    python bench/library_updates.py --size 1000 --work /tmp/planqa-scale [--eval] [--corpus-tab]

Each step is a `qa index` process, as a user runs it, and prints its seconds and peak RSS: add
the file (its rows appended), change it (a large library retires the old rows and adds the new
version, qa.index.retire), remove it (the manifest alone). Then, with those rows retired: cold
`qa ask`, warm p50/p95 over the dev questions and (``--eval``) the dev and test figures; last,
`qa index --force` compacts the index back to the library as first built. ``--corpus-tab`` then
does the same three changes as the app's Corpus tab does them (qa.web.corpus_update, in one
process: a large library is changed in place) and prints their seconds.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scale  # noqa: E402 - the same runner, environment and figures as bench/scale.py


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/planqa-scale"))
    parser.add_argument("--eval", action="store_true", help="also the dev and test figures")
    parser.add_argument(
        "--corpus-tab", action="store_true", help="also add, replace, remove as the app does"
    )
    args = parser.parse_args(argv)
    root = args.work / f"{args.size}x"
    corpus = root / "corpus"
    if not (root / "index" / "manifest.json").is_file():
        sys.exit(f"no library at {root}; build it first with bench/scale.py --sizes {args.size}")
    env = scale.environment(root, corpus, args.work)

    def step(label: str, *qa_args: str) -> dict:
        seconds, rss, out = scale.run(scale.qa("index", "--json", *qa_args), env)
        report = json.loads(out)
        print(
            f"{label}: {seconds:.1f} s, peak RSS {rss} MB; {report['passages']} passages, "
            f"{report.get('retired_passages', 0)} retired, "
            f"{report.get('documents_embedded', 0)} file(s) embedded",
            flush=True,
        )
        return report

    step("up to date")
    added = corpus / "added-later.md"
    shutil.copy(scale.extra_file(root), added)
    step("add a 20 KB file")
    with added.open("a", encoding="utf-8") as f:
        f.write("\nThis paragraph was added to the file after it was indexed.\n")
    step("change it")
    added.unlink()
    step("remove it")
    cold = statistics.median(scale.run(scale.qa("ask", scale.QUESTION), env)[0] for _ in range(3))
    questions = [json.loads(line)["question"] for line in (scale.REPO / "eval" / "dev.jsonl").open()]
    p50, p95 = scale.warm_latency(env, questions)
    print(f"with those rows retired: cold ask {cold:.2f} s, warm p50 {p50:.1f} / p95 {p95:.1f} ms")
    if args.eval:
        for name in scale.EVAL_SETS:
            figures = scale.eval_figures(env, name, root / f"eval-{name}-retired")
            print(name, {k: None if v is None else round(v, 3) for k, v in figures.items()})
    step("compact (qa index --force)", "--force")
    if args.corpus_tab:
        import subprocess

        code = CORPUS_TAB.format(file=str(scale.extra_file(root)))
        subprocess.run([sys.executable, "-c", code], env=env, check=True)
        step("compact (qa index --force)", "--force")
    return 0


# the Corpus tab's three changes, timed in one process as the app makes them
CORPUS_TAB = """
import time
from pathlib import Path
from qa.assistant import Assistant
from qa.web.corpus_update import add_document, remove_document, replace_document
live = Assistant.open(auto_build=False)
data = Path({file!r}).read_bytes()
for label, change in (
    ("Corpus tab: add the file", lambda a: add_document(a, "added-later.md", data)),
    ("Corpus tab: replace it", lambda a: replace_document(a, "added-later.md", data + b"One more line.")),
    ("Corpus tab: remove it", lambda a: remove_document(a, "added-later.md")),
):
    t0 = time.perf_counter()
    live = change(live)
    print(f"{{label}}: {{time.perf_counter() - t0:.1f}} s", flush=True)
"""


if __name__ == "__main__":
    raise SystemExit(main())
