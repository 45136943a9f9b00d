"""Scale-out benchmark, Dask part: build time of a local build and of `qa index --dask local:N`
for N = 1 and 2, and of local:2 with one worker killed mid-build; whether each gives the local
build's passages, vectors and search results.

    python bench/scaleout_dask.py [--mb 2] [--work /tmp/scaleout] [--corpus DIR] [--e5]

Every build starts from an empty index and vector cache. The corpus is made as in
bench/scaleout.py (the scale corpus at --mb MB plus the repo's corpus). Target (issue 19):
--dask local:2 at most 25% slower than the local build on one machine, identical search results,
and a killed worker does not fail the build.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.scaleout import make_corpus  # noqa: E402
from bench.table import print_table  # noqa: E402
from qa.assistant import Assistant, build  # noqa: E402
from qa.config import Settings  # noqa: E402
from qa.index.distributed import DaskTarget, dask_client, dask_factory  # noqa: E402
from qa.index.store import load_index  # noqa: E402
from qa.ingest.corpus import load_corpus  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def killing(factory, victim: int, after: int):
    """A factory whose builds kill process ``victim`` once ``after`` documents are back."""

    def make(minilm, e5):
        run = factory(minilm, e5)

        def embed(jobs):
            for n, result in enumerate(run(jobs)):
                if n == after:
                    os.kill(victim, signal.SIGKILL)
                yield result

        return embed

    return make


def timed_build(settings: Settings, workers: int = 0, kill: bool = False) -> float:
    shutil.rmtree(settings.index_dir, ignore_errors=True)
    t0 = time.perf_counter()
    if not workers:
        build(settings, force=True)
        return time.perf_counter() - t0
    target = DaskTarget(workers=workers)
    with dask_client(target) as client:
        factory = dask_factory(client, settings.encoder_path, target)
        if kill:
            victim = sorted(client.run(os.getpid).values())[0]
            factory = killing(factory, victim, after=3)
        build(settings, force=True, embed_many_factory=factory)
    return time.perf_counter() - t0


def agreement(reference: Settings, other: Settings, questions: list[str]) -> dict:
    docs = load_corpus(reference.corpus_dir)
    a, b = load_index(reference.index_dir, docs), load_index(other.index_dir, docs)
    same_passages = a.passages == b.passages and a.sentences == b.sentences
    cosine = float(np.sum(np.asarray(a.minilm) * np.asarray(b.minilm), axis=1).min())
    ra, rb = Assistant.open(reference, auto_build=False), Assistant.open(other, auto_build=False)
    same = sum(
        [h.passage.id for h in ra.search(q, k=5)] == [h.passage.id for h in rb.search(q, k=5)]
        for q in questions
    )
    return {
        "same passages": same_passages,
        "min cosine": round(cosine, 6),
        "same top-5": f"{same}/{len(questions)}",
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--mb", type=float, default=2.0, help="scale corpus size (2 = ~100x the plan)")
    ap.add_argument("--work", type=Path, default=Path("/tmp/scaleout"))
    ap.add_argument("--corpus", type=Path, help="use this corpus instead of building one")
    ap.add_argument("--e5", action="store_true", help="index multilingual e5 vectors too")
    ap.add_argument("--questions", type=Path, default=REPO / "eval" / "dev.jsonl")
    args = ap.parse_args(argv)
    corpus = args.corpus or make_corpus(args.work, args.mb)
    questions = [json.loads(line)["question"] for line in args.questions.open(encoding="utf-8")]
    base = Settings(
        corpus_dir=corpus,
        index_dir=args.work / "dask-local",
        encoder_dir=args.work / "encoder",
        use_e5=args.e5,
    )
    runs = [
        ("local build", 0, False),
        ("--dask local:1", 1, False),
        ("--dask local:2", 2, False),
        ("--dask local:2, a worker killed", 2, True),
    ]
    # the ONNX export and the common-word table are made once, before any timed build
    build(replace(base, corpus_dir=REPO / "corpus", index_dir=args.work / "warm-up"))
    rows, local = [], None
    for name, workers, kill in runs:
        settings = replace(base, index_dir=args.work / f"dask-{workers}-{int(kill)}")
        seconds = timed_build(settings, workers, kill)
        row = {"build": name, "seconds": round(seconds, 1)}
        if local is None:
            local = (settings, seconds)
        else:
            row["vs local"] = f"{seconds / local[1] - 1:+.0%}"
            row.update(agreement(local[0], settings, questions))
        rows.append(row)
        print(json.dumps(row), flush=True)
    print(
        f"corpus: {corpus} ({len(load_corpus(corpus))} files), e5 {'on' if args.e5 else 'off'}, "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}"
    )
    keys = ["build", "seconds", "vs local", "same passages", "min cosine", "same top-5"]
    print_table(rows, keys)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
