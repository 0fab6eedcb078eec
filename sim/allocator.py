"""Memory allocation settings for runs of millions of studies.

A run allocates and frees arrays of tens to hundreds of megabytes many times.  By default glibc
hands each such array fresh pages from the kernel (``mmap``) and gives them back when it is freed,
and numpy asks for transparent huge pages: every new array then costs page faults and the kernel
zeroing memory again.  On the 2-core machines we measure on, that was a third of drawing a large
workload (academic medical center, 6.4 M studies: 8.8 s, of it 3.5 s in the kernel; 6.0 s and
0.6 s with the settings below; peak memory 1,324 -> 1,383 MiB).

:func:`tune_allocator` keeps freed memory in the process for the next array instead.  It changes
process-wide settings, so the package never calls it on import: the ``archive-sim`` command and
the benchmarks do, and a notebook may (the bundled ones do, in their first cell).  Memory freed
after a run is then kept by the process for the next run rather than returned to the system.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

import numpy as np

M_TRIM_THRESHOLD = -1
M_MMAP_MAX = -4
"""``mallopt`` parameters (glibc ``malloc.h``)."""

_done = False


def tune_allocator() -> bool:
    """Keep freed memory for reuse (glibc: no ``mmap`` for large blocks, no trimming) and stop
    numpy asking for transparent huge pages.  Returns whether the allocator was tuned (False
    where glibc is not the C library, e.g. macOS, Windows, musl: nothing changes there).
    Calling it again does nothing."""
    global _done
    if _done:
        return True
    hugepage = getattr(getattr(np, "_core", None), "multiarray", None)
    if hugepage is not None and hasattr(hugepage, "_set_madvise_hugepage"):
        hugepage._set_madvise_hugepage(False)
    if not sys.platform.startswith("linux"):
        return False
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    ok = bool(mallopt(M_MMAP_MAX, 0)) and bool(mallopt(M_TRIM_THRESHOLD, 2**31 - 1))
    _done = ok
    return ok
