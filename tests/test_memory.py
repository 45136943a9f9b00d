"""Scratch memory of an encoder pass is reused, and a build's arrays are returned after it
(qa.index.memory), measured by the page faults of allocating and freeing arrays."""

from __future__ import annotations

import json
import platform
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# A fresh process, so the heap holds nothing freed before. 3 MB arrays: over the build's 1 MB
# threshold, under the 4 MB from which numpy asks for huge pages (which fault far less).
PROGRAM = """
import json, resource
import numpy as np
from qa.index.memory import return_freed_arrays_to_the_os, scratch_memory_reused

def faults(passes=50):
    before = resource.getrusage(resource.RUSAGE_THREAD).ru_minflt
    for _ in range(passes):  # as a layer's activations are made and dropped
        a = np.empty(3 << 18, np.float32)
        a.fill(1.0)
        del a
    return resource.getrusage(resource.RUSAGE_THREAD).ru_minflt - before

out = {"set": return_freed_arrays_to_the_os(), "build": faults()}
with scratch_memory_reused():
    faults(1)  # the first one grows the heap
    with scratch_memory_reused():  # passes in two threads at once
        pass
    out["pass"] = faults()  # still reused after the inner one ended
out["after"] = faults()
print(json.dumps(out))
"""


@pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
    reason="the thresholds are glibc's",
)
def test_a_pass_reuses_its_scratch_memory_and_a_build_gets_its_setting_back() -> None:
    run = subprocess.run(
        [sys.executable, "-c", PROGRAM], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    got = json.loads(run.stdout)
    pages = 50 * (3 << 20) // 4096
    assert got["set"]
    assert got["build"] > pages // 2  # each array its own mapping, faulting in anew
    assert got["pass"] < pages // 10
    assert got["after"] > pages // 2  # mappings again, returned when freed
