"""Benchmark the embedders: cold load time and median warm single-query latency.

Each encoder is measured in a fresh subprocess, so "cold" includes importing its runtime
(torch for sentence-transformers, onnxruntime for ONNX) exactly as the CLI would pay it.

Usage: python bench/bench_encode.py [--onnx-dir DIR] [--repeats 30]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run from a checkout without installing planqa

QUERIES = [
    "What is the deadline for the annual tax declaration?",
    "How can small and micro enterprises get intellectual property pledge loans?",
    "Which ministry approves new industrial parks?",
    "What subsidies exist for rural broadband?",
    "How long is maternity leave?",
    "When does the carbon trading scheme start?",
    "Who can apply for the start-up grant?",
    "What is the minimum wage in 2025?",
    "How are pension contributions calculated?",
    "What documents are needed to register a company?",
    "Is there support for research and development spending?",
    "What penalties apply to late filing?",
    "How is farmland protected from conversion?",
    "What is the target share of renewable energy?",
    "Which cities are pilot zones for digital currency?",
    "How will vocational training be expanded?",
    "What are the rules for cross-border data transfer?",
    "How does the plan support elderly care?",
    "What is the budget deficit target?",
    "How are local government debts managed?",
    "小微企业如何申请知识产权质押贷款？",
    "今年的经济增长目标是多少？",
    "如何加强生态环境保护？",
    "新能源汽车有哪些补贴政策？",
    "What measures reduce air pollution?",
    "How are housing prices stabilised?",
    "What support is there for export companies?",
    "How will the healthcare system be reformed?",
    "What are the priorities for education spending?",
    "How is food security ensured?",
]


def measure(kind: str, onnx_dir: str, repeats: int) -> dict[str, float]:
    """Load one encoder and time single-query calls; runs inside a fresh process."""
    from qa.index.e5 import E5Small
    from qa.index.onnx_minilm import OnnxMiniLM
    from qa.index.torch_minilm import SentenceTransformerMiniLM

    start = time.perf_counter()
    if kind == "onnx":
        model = OnnxMiniLM(Path(onnx_dir))
    elif kind == "st":
        model = SentenceTransformerMiniLM()
    else:
        model = E5Small()
    model.encode_queries(["warm up"])
    load_s = time.perf_counter() - start
    times = []
    for i in range(repeats):
        query = QUERIES[i % len(QUERIES)]
        t0 = time.perf_counter()
        model.encode_queries([query])
        times.append((time.perf_counter() - t0) * 1000)
    return {"load_s": load_s, "median_ms": statistics.median(times), "max_ms": max(times)}


def in_subprocess(args: list[str]) -> str:
    env = {**os.environ, "PYTHONPATH": str(REPO), "TOKENIZERS_PARALLELISM": "false"}
    done = subprocess.run(
        [sys.executable, *args], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--onnx-dir", type=Path, help="existing export; default: export to temp")
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--one", choices=["onnx", "st", "e5"], help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.one:  # child process: measure one encoder, print JSON
        print(json.dumps(measure(args.one, str(args.onnx_dir), args.repeats)))
        return

    torch_s = float(
        in_subprocess(
            ["-c", "import time; t=time.perf_counter(); import torch; print(time.perf_counter()-t)"]
        )
    )
    print(f"import torch: {torch_s:.2f} s")

    with tempfile.TemporaryDirectory() as tmp:
        onnx_dir = args.onnx_dir
        if onnx_dir is None:
            from qa.index.embedding import bundled_model_dir
            from qa.index.onnx_export import export_minilm_onnx

            onnx_dir = Path(tmp)
            report = export_minilm_onnx(bundled_model_dir(), onnx_dir)
            print(f"export: {report.seconds:.1f} s, min cosine vs torch {report.min_cosine:.7f}")

        print(f"{'encoder':<28}{'cold load (s)':>14}{'median (ms)':>13}{'max (ms)':>10}")
        labels = {
            "onnx": "OnnxMiniLM",
            "st": "SentenceTransformerMiniLM",
            "e5": "E5Small",
        }
        for kind, label in labels.items():
            out = in_subprocess(
                [
                    __file__,
                    "--one",
                    kind,
                    "--onnx-dir",
                    str(onnx_dir),
                    "--repeats",
                    str(args.repeats),
                ]
            )
            r = json.loads(out)
            print(f"{label:<28}{r['load_s']:>14.2f}{r['median_ms']:>13.1f}{r['max_ms']:>10.1f}")


if __name__ == "__main__":
    main()
