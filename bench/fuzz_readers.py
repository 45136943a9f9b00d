"""Damaged copies of real files through their readers, as a shared drive's damaged files reach
them: random bytes changed or the file cut short. Each outcome must be text or a skip that says
what is wrong; prints, per kind, how many were read, skipped and crashed, how many skips fell
back to the converter's generic "could not be converted (Error: ...)" (a reason worth naming),
and the slowest.

    python bench/fuzz_readers.py [--rounds 150] [--seed 25] [FILE ...]

Without files it uses the repository's test files of the kinds read from binary containers
(.msg, .ppt, .xlsx, .epub, .mht, .zip, .doc, .xlsb); given files, each is mutated by its own suffix.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from qa.ingest.converted import UnreadableFileError  # noqa: E402
from qa.ingest.formats import convert  # noqa: E402

DATA = REPO / "tests" / "data"


def default_seeds() -> dict[str, list[bytes]]:
    from tests.test_epub import _book
    from tests.test_formats import MHTML
    from tests.test_zip import FEES, _mail, _zip

    archive = _zip({"annexes/fees.html": FEES, "mail.eml": _mail("Fees", "See fees.", {})})
    return {
        ".msg": [p.read_bytes() for p in sorted((DATA / "msg").glob("*.msg"))],
        ".ppt": [p.read_bytes() for p in sorted((DATA / "ppt").glob("*.ppt"))],
        ".xlsx": [(DATA / "xlsx" / "SampleSS.strict.xlsx").read_bytes()],
        ".epub": [_book()],
        ".mht": [MHTML],
        ".zip": [archive],
        ".doc": [p.read_bytes() for p in sorted((DATA / "word97").glob("*.doc"))],
        ".xlsb": [p.read_bytes() for p in sorted((DATA / "xlsb").glob("*.xlsb"))],
    }


def damaged(data: bytes, rng: random.Random) -> bytes:
    """A copy cut short (one time in three) or with 1-20 bytes changed."""
    if rng.random() < 1 / 3:
        return data[: rng.randrange(1, len(data))]
    copy = bytearray(data)
    for _ in range(rng.randint(1, 20)):
        copy[rng.randrange(len(copy))] = rng.randrange(256)
    return bytes(copy)


def fuzz(suffix: str, seeds: list[bytes], rounds: int, rng: random.Random) -> str:
    outcome: Counter = Counter()
    generic: Counter = Counter()
    slowest = 0.0
    for _ in range(rounds):
        data = damaged(rng.choice(seeds), rng)
        start = time.perf_counter()
        try:
            convert(Path("damaged" + suffix), data)
            outcome["read"] += 1
        except UnreadableFileError as e:
            outcome["skipped"] += 1
            if "could not be converted (" in str(e):
                generic[str(e).split("(", 1)[1].split(":", 1)[0]] += 1
        except Exception as e:  # noqa: BLE001 - what this bench looks for
            outcome["crashed"] += 1
            print(f"crash: {suffix}: {type(e).__name__}: {e}", file=sys.stderr)
        slowest = max(slowest, time.perf_counter() - start)
    return (
        f"{suffix}: {rounds} damaged files: {outcome['read']} read, {outcome['skipped']} skipped "
        f"({sum(generic.values())} with the generic reason{': ' + dict(generic).__repr__() if generic else ''}), "
        f"{outcome['crashed']} crashed; slowest {slowest:.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--rounds", type=int, default=150)
    parser.add_argument("--seed", type=int, default=25)
    args = parser.parse_args()
    seeds: dict[str, list[bytes]] = {}
    for path in args.files:
        seeds.setdefault(path.suffix.lower(), []).append(path.read_bytes())
    rng = random.Random(args.seed)
    for suffix, files in (seeds or default_seeds()).items():
        print(fuzz(suffix, files, args.rounds, rng))


if __name__ == "__main__":
    main()
