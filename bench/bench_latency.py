"""Warm latency of `ask` next to one MiniLM query encode, measured side by side in one run.

    python bench/bench_latency.py [eval/dev.jsonl]

Prints medians over the file's questions: the sentence-transformers (torch) MiniLM encode the
target is stated against, the ONNX MiniLM encode we run, `search`, `ask`, and the ratio
ask / torch encode (target <= 1.3). Also prints the index build time of the last build.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qa.assistant import Assistant  # noqa: E402
from qa.index.embedding import bundled_model_dir  # noqa: E402
from qa.index.torch_minilm import SentenceTransformerMiniLM  # noqa: E402


def timings_ms(fn, items, repeat: int = 3) -> list[float]:
    times = []
    for _ in range(repeat):
        for x in items:
            t0 = time.perf_counter()
            fn(x)
            times.append((time.perf_counter() - t0) * 1000)
    return times


def median_ms(fn, items) -> float:
    return statistics.median(timings_ms(fn, items))


def main() -> None:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "eval/dev.jsonl")
    questions = [
        json.loads(line)["question"] for line in path.read_text("utf-8").splitlines() if line
    ]
    assistant = Assistant.open()
    torch_minilm = SentenceTransformerMiniLM(bundled_model_dir())
    for q in questions[:5]:  # warm up both
        torch_minilm.encode_queries([q])
        assistant.ask(q)
    st = median_ms(lambda q: torch_minilm.encode_queries([q]), questions)
    onnx = median_ms(lambda q: assistant.retriever.minilm.encode_queries([q]), questions)
    search = median_ms(lambda q: assistant.search(q, 20), questions)
    ask_times = timings_ms(lambda q: assistant.ask(q), questions)
    ask = statistics.median(ask_times)
    p95 = statistics.quantiles(ask_times, n=20)[-1]
    manifest = assistant.index.manifest
    print(f"questions: {len(questions)} from {path}")
    print(f"MiniLM query encode, sentence-transformers (torch): {st:6.2f} ms (median)")
    print(f"MiniLM query encode, ONNX runtime (ours):            {onnx:6.2f} ms (median)")
    print(f"search k=20:                                         {search:6.2f} ms (median)")
    print(
        f"ask:                                                 {ask:6.2f} ms (median), p95 {p95:.2f} ms"
    )
    print(f"ask / torch encode = {ask / st:.2f} (target <= 1.30)")
    print(f"index build: {manifest.get('build_seconds')} s for {manifest['count']} passages")


if __name__ == "__main__":
    main()
