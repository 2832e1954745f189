"""How a records run asks the C allocator to treat the memory it frees (glibc's ``mallopt``).

On the virtual machines offices run on, memory the process has never touched costs more than the
arithmetic done in it: each fresh page is zeroed, and the host backs it on first touch (issue 28:
zeroing pages was a quarter of a ten-million-case run's CPU, its system time 2-3 s against
DuckDB's 1 s). glibc hands every array over its sliding threshold (a million-row block's columns,
a ten-million-row mask) a fresh mapping and unmaps it when freed, and gives back the top of its
heap as soon as 128 KB lie free there, so each block and each measure faulted its temporaries in
anew. During a run, arrays up to 32 MB (every block's) come from the heap and what is freed stays
for the next block or measure to reuse; between phases ``give_back`` returns what lies free, so
the peak stays the run's own. Nothing is done where the C library has no such calls.

Arrow's buffers are taken from the same heap during a run (its system pool): its default pool
(mimalloc) gives freed pages back to the system 10 ms after they are freed, so every row group
decoded and every kernel's output faulted its pages in anew (2.5 GB of pages given back and
touched again over ten million cases; the run's system time 2.6-4.9 s against 1.3-2.1 s with
the heap's, issue 28). Each buffer is freed to the pool that made it, so switching is safe.

And numpy does not ask for huge pages meanwhile: on these machines a huge page is zeroed and
backed whole on its first touch, often for an array that uses a part of it, and the heap's pages
are reused anyway (six runs each: a median of 4.7 s against 5.1 s, system time 1.6-2.0 s
against 1.8-2.6 s).
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import threading
from collections.abc import Iterator

import numpy as np
import pyarrow as pa

__all__ = ["give_back", "kept_for_reuse"]

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
HEAP_UP_TO = 32 << 20  # glibc's own ceiling for its sliding threshold (DEFAULT_MMAP_THRESHOLD_MAX)
NEVER = 2**31 - 1
# after a run: the values glibc's sliding thresholds reach by themselves once a 32 MB array was
# freed (setting them stops the sliding; these are where it would have stopped)
TRIM_AFTER = 2 * HEAP_UP_TO

_lock = threading.Lock()
_runs = 0
_heap_runs = 0  # the runs that asked Arrow onto the heap
_huge_before = True  # numpy's own choice, put back when the last run ends
_arrow_pool: pa.MemoryPool | None = None  # Arrow's own pool, put back when the last run ends


@functools.cache
def _libc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None


def give_back() -> None:
    """Return to the system what the allocator holds free (``malloc_trim``): a phase's temporaries,
    freed but kept, before the next phase's peak."""
    pa.default_memory_pool().release_unused()  # Arrow's own allocator keeps what it freed, too
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


def _numpy_huge_pages(on: bool) -> bool:
    """Whether numpy asks for huge pages for its large arrays (``madvise``), set to ``on``; the
    setting before. numpy has no public switch (its NUMPY_MADVISE_HUGEPAGE is read at import):
    where the private one is missing, nothing is changed."""
    switch = getattr(np._core.multiarray if hasattr(np, "_core") else np.core.multiarray, "_set_madvise_hugepage", None)
    return bool(switch(on)) if switch is not None else on


@contextlib.contextmanager
def kept_for_reuse(arrow_on_heap: bool = True) -> Iterator[None]:
    """Freed memory kept for reuse while the block is run (by any of the runs of a process at once:
    the settings are the process's, set by the first and undone by the last). ``arrow_on_heap``:
    Arrow allocates from the same heap meanwhile (set by the first run that asks, undone by the
    last); a run that reads CSV does not ask: Arrow's CSV reader decodes on threads of its own, and
    on glibc's heap each of their arenas kept what it freed (a peak of 2.6 GB against 1.5 GB over
    the 1.5 GB export, issue 28)."""
    global _runs, _heap_runs, _arrow_pool, _huge_before
    libc = _libc()
    if libc is None:
        yield
        return
    with _lock:
        _runs += 1
        if _runs == 1:
            libc.mallopt(M_MMAP_THRESHOLD, HEAP_UP_TO)
            libc.mallopt(M_TRIM_THRESHOLD, NEVER)
            _huge_before = _numpy_huge_pages(False)
        if arrow_on_heap:
            _heap_runs += 1
            if _heap_runs == 1:
                _arrow_pool = pa.default_memory_pool()
                pa.set_memory_pool(pa.system_memory_pool())
    try:
        yield
    finally:
        with _lock:
            if arrow_on_heap:
                _heap_runs -= 1
                if _heap_runs == 0:
                    pa.set_memory_pool(_arrow_pool)
            _runs -= 1
            if _runs == 0:
                _numpy_huge_pages(_huge_before)
                libc.mallopt(M_TRIM_THRESHOLD, TRIM_AFTER)
                libc.malloc_trim(0)
