"""Checking index files on load without reading the large ones whole.

Small files are hashed whole (sha256, as listed in the manifest). A file past
``WHOLE_CHECK_BYTES`` (token and sentence vectors of a large library: hundreds of MB) would cost
seconds to hash at every start, so it is checked by its size and a digest of blocks spread over
it, then memory-mapped: a truncated, extended or replaced file is caught, and a few flipped bytes
in its middle may not be (`qa index --force` rewrites everything).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

# 8 MB: the plan's index (< 2 MB a file) is hashed whole; a 2 MB library's sentence, e5 and
# word vectors (20 MB each) were read and hashed at every start (1.3 s of a 4.5 s load)
WHOLE_CHECK_BYTES = 8 << 20
SAMPLE_BLOCKS = 64
BLOCK = 4096


def sample_digest(size: int, read: Callable[[int, int], bytes]) -> str:
    """sha256 of the size and SAMPLE_BLOCKS blocks at evenly spaced offsets (the first and the
    last included); ``read(offset, length)`` returns those bytes.

    Example: sample_digest(3, lambda o, n: b"abc"[o : o + n])[:8] == "46f8af02"
    """
    digest = hashlib.sha256(str(size).encode())
    last = max(size - BLOCK, 0)
    for i in range(SAMPLE_BLOCKS):
        offset = last * i // (SAMPLE_BLOCKS - 1)
        digest.update(read(offset, BLOCK))
    return digest.hexdigest()


def sample_digest_of_bytes(data: bytes) -> str:
    return sample_digest(len(data), lambda offset, n: data[offset : offset + n])


def sample_digest_of_file(path: Path) -> str:
    with Path(path).open("rb") as f:

        def read(offset: int, n: int) -> bytes:
            f.seek(offset)
            return f.read(n)

        return sample_digest(Path(path).stat().st_size, read)
