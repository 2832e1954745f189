"""The allocator settings of a records run (``scoring.records.memory``), seen from the process's
resident size in a fresh interpreter (the allocator's state is the process's): inside a run a
freed block-sized array stays for the next one to reuse, and the run's end gives it back."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from scoring.records.memory import _libc


def _needs_glibc() -> None:
    """CI's Debian has glibc: there the settings must be seen to work, not skipped."""
    if _libc() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("the C library has no mallopt under CI=true (CI runs on Debian's glibc)")
        pytest.skip("the C library has no mallopt (not glibc)")


PROBE = r"""
import numpy as np
from scoring.records.memory import kept_for_reuse

def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20

def churn():
    before = rss_mb()
    a = np.ones(3_000_000)  # 24 MB: a million-row block's column of int64 three times over
    b = np.ones(3_000_000)
    c = np.ones(3_000_000)  # 72 MB in all: more than glibc keeps free at the top of its heap by itself
    held = rss_mb()
    del a, b, c
    return held - before, held - rss_mb()  # grown by, given back by at once

print("default", *churn())
with kept_for_reuse():
    with kept_for_reuse():  # a second run at once in the same process
        pass
    grown, freed = churn()
    inside = rss_mb()
print("inside", grown, freed)
print("after", inside - rss_mb())
"""


def test_freed_arrays_stay_for_reuse_during_a_run_and_are_given_back_after():
    _needs_glibc()
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True).stdout
    seen = {line.split()[0]: [float(v) for v in line.split()[1:]] for line in out.splitlines()}
    grown, freed = seen["default"]
    assert grown > 60 and freed > 60  # glibc's own way: fresh mappings, unmapped when freed
    grown, freed = seen["inside"]
    assert grown > 60 and freed < 5  # kept, though a nested run ended meanwhile
    assert seen["after"][0] > 60  # the last run's end returned them


ARROW_PROBE = r"""
import pyarrow as pa
import pyarrow.compute as pc
from scoring.records.memory import _numpy_huge_pages, kept_for_reuse

def huge():  # numpy's setting, read by setting it and putting it back
    was = _numpy_huge_pages(True)
    _numpy_huge_pages(was)
    return was

print("huge-before", huge())
print("before", pa.default_memory_pool().backend_name)
with kept_for_reuse(arrow_on_heap=False):  # a run that reads CSV keeps Arrow's pool
    print("csv", pa.default_memory_pool().backend_name)
with kept_for_reuse():
    with kept_for_reuse():
        made = pc.add(pa.array(range(1_000_000)), 1)  # a buffer of the run's pool, freed after it
    print("inside", pa.default_memory_pool().backend_name)
    print("huge-inside", huge())
print("after", pa.default_memory_pool().backend_name, pc.sum(made).as_py())
print("huge-after", huge())
del made
"""


def test_arrow_takes_its_buffers_from_the_heap_during_a_run_and_its_own_pool_after():
    """mimalloc gives freed pages back 10 ms after they are freed: a run's row groups and kernels
    faulted theirs in anew. During a run Arrow allocates from the system pool (the heap the
    settings above keep), and numpy asks for no huge pages; the last run's end puts back what the
    process had."""
    _needs_glibc()
    out = subprocess.run([sys.executable, "-c", ARROW_PROBE], capture_output=True, text=True, check=True).stdout
    seen = {line.split()[0]: line.split()[1:] for line in out.splitlines()}
    assert seen["inside"] == ["system"]
    assert seen["csv"] == seen["before"]
    assert seen["huge-inside"] == ["False"]  # numpy asks for no huge pages during a run
    assert seen["huge-after"] == seen["huge-before"]  # and as it did by itself after it
    assert seen["after"] == [seen["before"][0], str(sum(range(1, 1_000_001)))]
    assert seen["before"] != ["system"]  # the wheel's default (mimalloc or jemalloc) is back
