"""Which MiniLM runtime to use: each candidate's agreement with the reference vectors and speed.

    python bench/encoder_choice.py [--passages 400] [--onnx-dir DIR] [--corpus DIR]

The reference is the bundled sentence-transformers model in torch. The candidates are the ONNX
export planqa embeds questions with (float32), the same weights in numpy that `qa index` embeds
with (qa.index.minilm_numpy), and smaller copies of the export made with onnxruntime's quantizers:
int8 weights and activations (``quantize_dynamic``, per tensor and per channel) and 8-bit or
4-bit weights only (``MatMulNBits``, computing in float or, at accuracy level 4, in int8). For
each it prints the cosine of its passage and question vectors to the reference (min, 1st
percentile, mean), of its content-token vectors (MaxSim) to float32's, the median time of one
question on one thread (as a query is embedded), and passages per second on every core in
batches of 64 (as an index is built). The rule (issue 18): the fastest whose vectors keep a
minimum cosine of at least .999.

Texts: passages of the bundled plan and the other documents of eval/other, or of the documents in
``--corpus`` (chunked as an index chunks them), and the plan's dev questions.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from qa.config import ChunkingConfig  # noqa: E402
from qa.index.embedding import ONNX_FILE, TOKENIZER_FILE, bundled_model_dir  # noqa: E402
from qa.index.minilm_numpy import MiniLMWeights, NumpyMiniLM  # noqa: E402
from qa.index.onnx_minilm import OnnxMiniLM  # noqa: E402
from qa.index.store import embed_text  # noqa: E402
from qa.ingest.chunking import chunk  # noqa: E402
from qa.ingest.corpus import load_corpus  # noqa: E402
from qa.types import Document  # noqa: E402


def texts(limit: int, corpus: Path | None = None) -> tuple[list[str], list[str]]:
    """Passages (every k-th of the plan's and eval/other's, or of ``corpus``'s documents,
    ``limit`` of them) and questions."""
    if corpus is not None:
        docs = load_corpus(corpus)
    else:
        others = sorted((REPO / "eval" / "other" / "corpus").glob("*.txt"))
        docs = load_corpus(REPO / "corpus") + [
            Document(p.name, p.read_text("utf-8")) for p in others
        ]
    passages = [embed_text(p) for d in docs for p in chunk(d, ChunkingConfig())]
    step = max(1, len(passages) // limit)
    questions = [json.loads(line)["question"] for line in (REPO / "eval" / "dev.jsonl").open()]
    return passages[::step][:limit], questions


def variants(onnx_dir: Path, out: Path) -> dict[str, Path]:
    """The float32 export and its quantized copies, each a folder OnnxMiniLM opens."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    try:
        from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer
    except ImportError as e:  # newer onnxruntime wants onnx_ir for it
        print(f"(no MatMulNBits copies: {e})")
        MatMulNBitsQuantizer = None

    tokenizer = (onnx_dir / TOKENIZER_FILE).read_bytes()
    made = {"float32 (planqa)": onnx_dir}
    for per_channel in (False, True):
        folder = out / f"int8-dynamic-{per_channel}"
        folder.mkdir()
        quantize_dynamic(
            onnx_dir / ONNX_FILE,
            folder / ONNX_FILE,
            weight_type=QuantType.QInt8,
            per_channel=per_channel,
        )
        made[f"int8 dynamic{' per channel' if per_channel else ''}"] = folder
    for bits, level in ((8, None), (8, 4), (4, 4)) if MatMulNBitsQuantizer else ():
        folder = out / f"nbits{bits}-{level}"
        folder.mkdir()
        quantizer = MatMulNBitsQuantizer(
            onnx.load(onnx_dir / ONNX_FILE), bits=bits, block_size=32, accuracy_level=level
        )
        quantizer.process()
        quantizer.model.save_model_to_file(str(folder / ONNX_FILE), use_external_data_format=False)
        compute = "int8 compute" if level == 4 else "float compute"
        made[f"{bits}-bit weights, {compute} (MatMulNBits)"] = folder
    for folder in made.values():
        if not (folder / TOKENIZER_FILE).is_file():
            (folder / TOKENIZER_FILE).write_bytes(tokenizer)
    return made


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    b = b / np.linalg.norm(b, axis=1, keepdims=True)
    return (a * b).sum(axis=1)


def spread(c: np.ndarray) -> str:
    return f"{c.min():.5f} / {np.percentile(c, 1):.5f} / {c.mean():.6f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--passages", type=int, default=400)
    parser.add_argument("--onnx-dir", type=Path, default=None, help="an existing export")
    parser.add_argument("--corpus", type=Path, default=None, help="passages from this folder")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    passages, questions = texts(args.passages, args.corpus)
    from sentence_transformers import SentenceTransformer

    torch_model = SentenceTransformer(str(bundled_model_dir()), device="cpu")
    reference_p = torch_model.encode(passages, batch_size=32, normalize_embeddings=True)
    reference_q = torch_model.encode(questions, batch_size=32, normalize_embeddings=True)
    with tempfile.TemporaryDirectory(prefix="encoders-") as tmp:
        onnx_dir = args.onnx_dir
        if onnx_dir is None:
            from qa.index.onnx_export import export_minilm_onnx

            onnx_dir = Path(tmp) / "float32"
            export_minilm_onnx(bundled_model_dir(), onnx_dir)
        made = variants(onnx_dir, Path(tmp))
        base_tokens = None
        print(f"{len(passages)} passages, {len(questions)} questions; cosine min / 1% / mean")
        print(
            "| runtime | MB | passages | questions | tokens (to float32) | query ms | passages/s |"
        )
        print("|---|---|---|---|---|---|---|")
        runs = [(label, folder, "onnx") for label, folder in made.items()]
        runs.insert(1, ("float32, numpy (planqa's index)", made["float32 (planqa)"], "numpy"))
        weights = MiniLMWeights(bundled_model_dir() / "model.safetensors")
        for label, folder, runtime in runs:
            query = OnnxMiniLM(folder)
            if runtime == "numpy":
                bulk = NumpyMiniLM(weights, query._tok)
            else:
                bulk = OnnxMiniLM(folder, batch_size=64, threads=os.cpu_count() or 1)
            t0 = time.perf_counter()
            vectors, tokens = bulk.encode_with_tokens(passages)
            rate = len(passages) / (time.perf_counter() - t0)
            q_vectors = query.encode_queries(questions)
            for q in questions[:5]:  # warm
                query.encode_query_tokens(q)
            times = []
            for q in questions:
                t0 = time.perf_counter()
                query.encode_query_tokens(q)
                times.append(time.perf_counter() - t0)
            stacked = np.vstack(tokens)
            base_tokens = stacked if base_tokens is None else base_tokens
            token_cos = cosines(stacked.astype(np.float32), base_tokens.astype(np.float32))
            size = (folder / ONNX_FILE).stat().st_size / 1e6
            print(
                f"| {label} | {size:.0f} | {spread(cosines(vectors, reference_p))} | "
                f"{spread(cosines(q_vectors, reference_q))} | {spread(token_cos)} | "
                f"{statistics.median(times) * 1000:.2f} | {rate:.0f} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
