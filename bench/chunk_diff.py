"""What a chunking change does to a corpus: two checkouts' chunkers over the same folder.

    python bench/chunk_diff.py OLD_CHECKOUT NEW_CHECKOUT CORPUS [--examples 15]

Prints how many files and passages change their section path, how many files a rebuild embeds
again (new passage boundaries, or a passage whose last heading changed: the encoders read it
with the passage, qa.index.store.embed_text), and one changed path per file.
Each checkout runs in its own process from an empty folder, so neither imports the other's code.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile

_CHUNK = r"""
import json, sys
from pathlib import Path
from qa.ingest.chunking import chunk
from qa.ingest.corpus import read_corpus
docs = read_corpus(Path(sys.argv[1])).documents
json.dump({d.source: [[p.start, p.end, p.section] for p in chunk(d)] for d in docs}, sys.stdout)
"""


def passages(checkout: str, corpus: str) -> dict[str, list]:
    with tempfile.TemporaryDirectory() as empty:
        done = subprocess.run(
            [sys.executable, "-c", _CHUNK, corpus],
            env={"PYTHONPATH": checkout, "HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"},
            cwd=empty,
            capture_output=True,
            text=True,
            check=True,
        )
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("corpus")
    parser.add_argument("--examples", type=int, default=15)
    args = parser.parse_args()
    old, new = passages(args.old, args.corpus), passages(args.new, args.corpus)
    files = bounds = embedded = paths = 0
    examples = []
    for source in sorted(set(old) | set(new)):
        before, after = old.get(source, []), new.get(source, [])
        if before == after:
            continue
        files += 1
        new_bounds = [p[:2] for p in before] != [p[:2] for p in after]
        bounds += new_bounds
        last = [p[2].split(" > ")[-1] for p in before] != [p[2].split(" > ")[-1] for p in after]
        embedded += new_bounds or last
        was = {(a, b): s for a, b, s in before}
        moved = [(was[(a, b)], s) for a, b, s in after if was.get((a, b), s) != s]
        paths += len(moved)
        if moved:
            examples.append((source, *moved[0]))
    total = sum(len(v) for v in new.values())
    print(
        f"{files} files changed, {bounds} with new boundaries, {embedded} to embed again; "
        f"{paths} of {total} passages have a new section path"
    )
    for source, before, after in examples[: args.examples]:
        print(f"- {source}\n    old: {before[:140]}\n    new: {after[:140]}")


if __name__ == "__main__":
    main()
