"""Every file of a folder through its converter, as the corpus reads it: how many are read, how
many skipped and why, how many crash (a converter error the corpus would not name), and the
slowest. For a sweep over a project's test files (Apache POI's test-data: bug reports, fuzzed
and encrypted files).

    python bench/convert_sweep.py FOLDER [--timeout 60] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qa.ingest.converted import UnreadableFileError  # noqa: E402
from qa.ingest.formats import CONVERTED_SUFFIXES, convert  # noqa: E402

REASONS = {  # a skip's reason, grouped by the words its message holds
    "encrypted": ("password",),
    "Strict Open XML": ("Strict Open XML",),
    "over a limit": ("limit",),
    "no text": ("no text", "no body text", "no visible sheet"),
    "no e-mail": ("no e-mail headers",),
    "no document in the archive": ("no document of a kind read",),
    "its reader stopped (a crash kept apart)": ("stopped on it",),
}


class _Slow(Exception):
    pass


def _alarm(*_):
    raise _Slow


def sweep(folder: Path, timeout: int) -> list[dict]:
    """One row per file: name, outcome (read / skipped / slow / crash), seconds, characters,
    pages, reason."""
    signal.signal(signal.SIGALRM, _alarm)
    rows = []
    for path in sorted(p for p in folder.iterdir() if p.suffix.lower() in CONVERTED_SUFFIXES):
        row = {"file": path.name, "chars": 0, "pages": 0, "reason": ""}
        began = time.perf_counter()
        signal.alarm(timeout)
        try:
            converted = convert(path, path.read_bytes())
            row |= {"outcome": "read", "chars": len(converted.text), "pages": len(converted.pages)}
        except UnreadableFileError as e:
            row |= {"outcome": "skipped", "reason": str(e)}
        except _Slow:
            row |= {"outcome": "slow", "reason": f"over {timeout} s"}
        except Exception as e:  # noqa: BLE001 - what the sweep is for
            row |= {"outcome": "crash", "reason": f"{type(e).__name__}: {e}"}
        finally:
            signal.alarm(0)
        row["seconds"] = round(time.perf_counter() - began, 2)
        rows.append(row)
    return rows


def kind_of(reason: str) -> str:
    return next((k for k, words in REASONS.items() if any(w in reason for w in words)), "damaged")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--timeout", type=int, default=60, help="seconds one file may take")
    parser.add_argument("--json", type=Path, help="write every file's row here")
    args = parser.parse_args()
    rows = sweep(args.folder, args.timeout)
    outcomes = Counter(r["outcome"] for r in rows)
    read = [r for r in rows if r["outcome"] == "read"]
    print(f"{len(rows)} files: " + ", ".join(f"{n} {k}" for k, n in outcomes.most_common()))
    print(
        f"read: {sum(r['pages'] for r in read)} pages, {sum(r['chars'] for r in read):,} characters"
    )
    skipped = Counter(kind_of(r["reason"]) for r in rows if r["outcome"] == "skipped")
    print("skipped: " + ", ".join(f"{n} {k}" for k, n in skipped.most_common()))
    for r in sorted(rows, key=lambda r: -r["seconds"])[:5]:
        print(f"slow: {r['file']} {r['seconds']} s, {r['chars']:,} characters")
    for r in rows:
        if r["outcome"] in ("crash", "slow"):
            print(f"{r['outcome']}: {r['file']}: {r['reason'][:200]}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
