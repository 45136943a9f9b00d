"""planqa at 1x, 100x and 1,000x the bundled corpus's text: build, size, latency, quality.

    python bench/scale.py                      # 1x and 100x
    python bench/scale.py --sizes 1 100 1000   # also 1,000x (20 MB; long)
    python bench/scale.py --sizes 100 --skip-eval

For each size N it makes a corpus folder (the bundled corpus plus N-1 times its size of real
government, legal and policy text from ../shared/scale/make_scale_corpus.sh; nothing large is
committed), then runs `qa` as a user would, each step a new process, and prints one table row:
build seconds (from scratch), passages/s, peak RSS of the build, index size on disk (index
files; the vector cache beside them), adding one ~20 KB file, changing it and removing it
(seconds, incremental; a large library retires the old rows, qa.index.retire), cold
`qa ask`, warm ask p50/p95 over the dev questions, and the bundled eval sets' figures with all
those documents indexed and no document filter.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.table import print_table  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
# beside the repository's folder on these machines; --scale-script (or $SCALE_CORPUS_SCRIPT) elsewhere
SCALE_SCRIPT = Path(
    os.environ.get("SCALE_CORPUS_SCRIPT", "/work/shared/scale/make_scale_corpus.sh")
)
QUESTION = "How are small enterprises supported in pledge loans?"
EVAL_SETS = ("dev", "test")


def run(args: list[str], env: dict, timeout: float = 6 * 3600) -> tuple[float, int, str]:
    """Run a command; returns (wall seconds, peak RSS in MB of that process, stdout)."""
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", PEAK_RSS, *args], env=env, capture_output=True, timeout=timeout
    )
    seconds = time.perf_counter() - t0
    err = proc.stderr.decode()
    if proc.returncode:
        sys.exit(f"{' '.join(args)} failed ({proc.returncode}):\n{err[-2000:]}")
    peak_kb = int(err.rsplit("peak-rss-kb=", 1)[1].split()[0])
    return seconds, peak_kb // 1024, proc.stdout.decode()


def write_bytecode(env: dict) -> None:
    """Write the bytecode of the qa that `qa ask` will import, as pip does when it installs:
    where PYTHONDONTWRITEBYTECODE is set (this sandbox sets it), each cold ask would compile
    its modules again, about 0.2 s that no installed copy spends."""
    code = (
        "import compileall, importlib.util, os\n"
        "compileall.compile_dir(os.path.dirname(importlib.util.find_spec('qa').origin), quiet=1)\n"
    )
    subprocess.run([sys.executable, "-c", code], env=env, check=True, stdout=subprocess.DEVNULL)


# runs the command as its only child, so the children's peak RSS is that command's
PEAK_RSS = (
    "import resource, subprocess, sys\n"
    "rc = subprocess.run(sys.argv[1:]).returncode\n"
    "print('peak-rss-kb=%d' % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
    "sys.exit(rc)\n"
)


def qa(*args: str) -> list[str]:
    return [sys.executable, "-m", "qa", *args]


def _script() -> str:
    return os.environ.get("SCALE_CORPUS_SCRIPT", str(SCALE_SCRIPT))


def make_corpus(root: Path, size: int) -> Path:
    """The bundled corpus plus (size-1) times its bytes of scale text, in root/corpus."""
    corpus = root / "corpus"
    if corpus.is_dir():
        return corpus
    bundled = sorted((REPO / "corpus").glob("*"))
    extra_mb = (size - 1) * sum(p.stat().st_size for p in bundled) / 1e6
    staging = root / "corpus.part"
    shutil.rmtree(staging, ignore_errors=True)
    if size > 1:
        subprocess.run(
            ["bash", _script(), str(staging), f"{extra_mb:.2f}"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    staging.mkdir(parents=True, exist_ok=True)
    for p in bundled:
        shutil.copy(p, staging / p.name)
    staging.rename(corpus)
    return corpus


def extra_file(root: Path) -> Path:
    """About 20 KB of text no corpus holds: paragraphs of scale text under a new name."""
    source = root.parent / "extra-source"
    if not source.is_dir():
        subprocess.run(
            ["bash", _script(), str(source), "0.05"],
            check=True,
            stdout=subprocess.DEVNULL,
            env={**os.environ, "SEED": "7"},
        )
    text = ""
    for p in sorted(source.glob("*.md"), reverse=True):
        text += p.read_text("utf-8") + "\n\n"
        if len(text) > 20_000:
            break
    out = root / "added-later.md"
    out.write_text("# Added later\n\n" + text[:20_000].rsplit("\n\n", 1)[0] + "\n", "utf-8")
    return out


def disk_mb(folder: Path, skip: tuple[str, ...] = ()) -> float:
    return (
        sum(
            p.stat().st_size
            for p in folder.rglob("*")
            if p.is_file() and not any(part in skip for part in p.relative_to(folder).parts)
        )
        / 1e6
    )


def warm_latency(env: dict, questions: list[str]) -> tuple[float, float]:
    code = (
        "import json,sys,time,statistics\n"
        "from qa.assistant import Assistant\n"
        "a=Assistant.open(auto_build=False)\n"
        "qs=json.loads(sys.stdin.read())\n"
        "for q in qs[:3]: a.ask(q)\n"
        "t=[]\n"
        "for q in qs:\n"
        "    t0=time.perf_counter(); a.ask(q); t.append(time.perf_counter()-t0)\n"
        "t.sort(); print(json.dumps([t[len(t)//2], t[min(len(t)-1,int(len(t)*.95))]]))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        input=json.dumps(questions),
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    p50, p95 = json.loads(proc.stdout.strip().splitlines()[-1])
    return p50 * 1000, p95 * 1000


def eval_figures(env: dict, name: str, out: Path) -> dict:
    _, _, stdout = run(
        qa("eval", str(REPO / "eval" / f"{name}.jsonl"), "--json", "--out", str(out)), env
    )
    report = json.loads(stdout)
    overall, chinese = report["summary"], report["by_kind"].get("chinese", {})
    figures = {
        k: overall.get(k) for k in ("hit@W150", "hit@W400", "mrr@10", "abstain", "false_abstain")
    }
    figures["chinese hit@W400"] = chinese.get("hit@W400")
    return figures


def environment(root: Path, corpus: Path, work: Path) -> dict:
    return {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "HF_HUB_OFFLINE": "1",
        "QA_CORPUS_DIR": str(corpus),
        "QA_INDEX_DIR": str(root / "index"),
        "QA_ENCODER_DIR": str(work / "encoder"),  # the ONNX export, made once for all sizes
    }


def eval_row(size: int, work: Path) -> dict:
    root = work / f"{size}x"
    env = environment(root, root / "corpus", work)
    row: dict = {"size": f"{size}x"}
    for name in EVAL_SETS:
        for key, value in eval_figures(env, name, root / f"eval-{name}").items():
            row[f"{name} {key}"] = None if value is None else round(value, 3)
    return row


def measure(size: int, work: Path, skip_eval: bool) -> dict:
    root = work / f"{size}x"
    root.mkdir(parents=True, exist_ok=True)
    corpus = make_corpus(root, size)
    env = environment(root, corpus, work)
    run(
        qa("index", "--json"),
        {**env, "QA_CORPUS_DIR": str(REPO / "corpus"), "QA_INDEX_DIR": str(work / "warmup")},
    )
    shutil.rmtree(root / "index", ignore_errors=True)
    (corpus / "added-later.md").unlink(missing_ok=True)  # left by an interrupted run
    build_s, build_rss, out = run(qa("index", "--force", "--json"), env)
    report = json.loads(out)
    added = corpus / "added-later.md"
    added.unlink(missing_ok=True)
    shutil.copy(extra_file(root), added)
    add_s, _, _ = run(qa("index", "--json"), env)
    with added.open("a", encoding="utf-8") as f:  # a new version of the file: one more line
        f.write("\nThis paragraph was added to the file after it was indexed.\n")
    change_s, _, _ = run(qa("index", "--json"), env)
    added.unlink()  # the figures below are for the corpus as first built
    remove_s, _, _ = run(qa("index", "--json"), env)
    write_bytecode(env)
    cold = statistics.median(run(qa("ask", QUESTION), env)[0] for _ in range(3))
    questions = [json.loads(line)["question"] for line in (REPO / "eval" / "dev.jsonl").open()]
    p50, p95 = warm_latency(env, questions)
    row = {
        "size": f"{size}x",
        "files": report["files"],
        "passages": report["passages"],
        "search": (report.get("vector_store") or {}).get("index", "-"),  # flat or hnsw32
        "build s": round(build_s, 1),
        "passages/s": round(report["passages"] / max(report["seconds"], 1e-9), 1),
        "build peak RSS MB": build_rss,
        "index MB": round(disk_mb(root / "index", skip=("cache", "encoder")), 1),
        "cache MB": round(disk_mb(root / "index" / "cache"), 1),
        "add 20 KB file s": round(add_s, 1),
        "change it s": round(change_s, 1),
        "remove it s": round(remove_s, 1),
        "cold ask s": round(cold, 2),
        "warm p50 ms": round(p50, 1),
        "warm p95 ms": round(p95, 1),
    }
    if not skip_eval:
        row.update({k: v for k, v in eval_row(size, work).items() if k != "size"})
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 100])
    parser.add_argument("--work", type=Path, default=Path("/tmp/planqa-scale"))
    parser.add_argument("--skip-eval", action="store_true")
    parser.add_argument(
        "--eval-only",
        action="store_true",
        help="only the eval figures, on the index an earlier run left in --work",
    )
    parser.add_argument("--scale-script", type=Path, default=SCALE_SCRIPT)
    args = parser.parse_args(argv)
    if not args.scale_script.is_file():
        parser.error(f"no {args.scale_script}; give --scale-script PATH/make_scale_corpus.sh")
    os.environ["SCALE_CORPUS_SCRIPT"] = str(args.scale_script)
    rows = []
    for size in args.sizes:
        print(f"measuring {size}x ...", file=sys.stderr, flush=True)
        if args.eval_only:
            rows.append(eval_row(size, args.work))
        else:
            rows.append(measure(size, args.work, args.skip_eval))
        print(json.dumps(rows[-1]), flush=True)
    keys = list(rows[0])
    print_table(rows, keys)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
