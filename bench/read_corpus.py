"""Reading a folder of PDF and Word files the first time: converted one after another, and
converted ahead by one worker process per core (qa/ingest/convert_ahead.py), each from an empty
conversion cache; then read again from the cache. Prints seconds and checks both give the same
documents.

    python bench/read_corpus.py FOLDER [--runs 2]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qa.ingest.conversion_cache import ConversionCache  # noqa: E402
from qa.ingest.corpus import corpus_checksums, read_corpus  # noqa: E402


def timed_read(folder: Path, cache: ConversionCache | None):
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # skipped files are counted below
        corpus = read_corpus(folder, cache)
    return corpus, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    sums = set()
    for run in range(1, args.runs + 1):
        alone, seconds = timed_read(args.folder, None)  # no cache: nothing is converted ahead
        chars = sum(len(d.text) for d in alone.documents)
        print(
            f"run {run}: one after another {seconds:.1f} s ({len(alone.documents)} read, "
            f"{len(alone.skipped)} skipped, {chars / 1e6:.1f} M characters)"
        )
        with tempfile.TemporaryDirectory() as folder:
            cache = ConversionCache(Path(folder))
            ahead, seconds = timed_read(args.folder, cache)
            print(f"run {run}: converted ahead {seconds:.1f} s")
            _, seconds = timed_read(args.folder, cache)
            print(f"run {run}: again, from the cache {seconds:.1f} s")
        sums |= {tuple(sorted(corpus_checksums(c.documents).items())) for c in (alone, ahead)}
    print("same documents both ways" if len(sums) == 1 else "THE DOCUMENTS DIFFER")


if __name__ == "__main__":
    main()
