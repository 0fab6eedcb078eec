"""Memory allocation while a large workload is drawn.

Drawing a workload allocates and frees arrays of tens to hundreds of megabytes many times.  By
default glibc hands each such array fresh pages from the kernel (``mmap``) and gives them back
when it is freed, and numpy asks for transparent huge pages: every new array then costs page
faults and the kernel zeroing memory again.  On the 2-core machines we measure on, that was a
third of drawing a large workload (academic medical center, 6.4 M studies: 8.8 s, of it 3.5 s in
the kernel; 6.0 s and 0.6 s inside :func:`reuse_freed_memory`).

:func:`reuse_freed_memory` keeps freed memory in the process for the next array while it is
active, then restores the allocator and gives the kept memory back to the system, so a run's
simulation, its worker processes and a notebook around it see the usual allocator.  The settings
are process-wide while active: nested and concurrent uses (threads) share one activation.  Where
the C library is not glibc (macOS, Windows, musl) only the huge-page request changes.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

M_TRIM_THRESHOLD = -1
M_MMAP_MAX = -4
"""``mallopt`` parameters (glibc ``malloc.h``)."""
DEFAULT_TRIM_THRESHOLD = 128 * 1024
DEFAULT_MMAP_MAX = 65_536
"""glibc's defaults, restored afterwards (glibc's own raising of the mmap threshold as large
blocks are freed stays off once a threshold has been set: large arrays then always get their
own pages, as at a process's start)."""

_lock = threading.Lock()
_depth = 0
_pages_depth = 0
_hugepage_before = True


def _glibc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        if libc is None or not hasattr(libc, "mallopt") or not hasattr(libc, "malloc_trim"):
            return None
    except OSError:
        return None
    libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    libc.mallopt.restype = ctypes.c_int
    return libc


_LIBC = _glibc()


def _set_hugepage(enabled: bool) -> bool:
    """numpy's transparent-huge-page request on or off; returns the previous setting."""
    multiarray = getattr(getattr(np, "_core", None), "multiarray", None)
    setter = getattr(multiarray, "_set_madvise_hugepage", None)
    return bool(setter(enabled)) if setter is not None else enabled


@contextmanager
def small_pages() -> Iterator[None]:
    """While active, numpy asks for no transparent huge pages for new arrays.

    numpy advises the kernel to back large arrays with 2 MB pages.  Where the kernel then
    compacts memory on the fault (``defrag: madvise``, the default) and on virtual machines whose
    host backs guest memory lazily, a fresh gigabyte took 7.9 s instead of 0.4 s on our 2-core
    machines, and a run of the academic medical center spent about 5 of its 20 s there.  Runs
    and the CLI hold this for their whole duration (forked shard processes inherit it); nested
    and concurrent uses share one activation, and the previous setting comes back at the end.
    """
    global _pages_depth, _hugepage_before
    with _lock:
        _pages_depth += 1
        if _pages_depth == 1:
            _hugepage_before = _set_hugepage(False)
    try:
        yield
    finally:
        with _lock:
            _pages_depth -= 1
            if _pages_depth == 0:
                _set_hugepage(_hugepage_before)


@contextmanager
def reuse_freed_memory() -> Iterator[None]:
    """While active, freed memory is kept for the next allocation (glibc: no ``mmap`` for large
    blocks, no trimming) and numpy asks for no transparent huge pages (:func:`small_pages`); on
    leaving, the usual settings come back and the kept memory is returned to the system."""
    global _depth
    with small_pages():
        with _lock:
            _depth += 1
            if _depth == 1 and _LIBC is not None:
                _LIBC.mallopt(M_MMAP_MAX, 0)
                _LIBC.mallopt(M_TRIM_THRESHOLD, 2**31 - 1)
        try:
            yield
        finally:
            with _lock:
                _depth -= 1
                if _depth == 0 and _LIBC is not None:
                    _LIBC.mallopt(M_MMAP_MAX, DEFAULT_MMAP_MAX)
                    _LIBC.mallopt(M_TRIM_THRESHOLD, DEFAULT_TRIM_THRESHOLD)
                    _LIBC.malloc_trim(0)


_kept_for_process: contextlib.AbstractContextManager | None = None


def keep_freed_memory() -> None:
    """For the rest of this process, keep freed memory for the next allocation, as
    :func:`reuse_freed_memory` does while active.  For worker processes that run one evaluation
    after another (Monte Carlo runs, sensitivity cases): each run would otherwise give its
    gigabytes back to the system and fault them in again (on the 2-core machines we measure on,
    about a second of a 5-second Monte Carlo run of the academic medical center).  The process
    then holds its largest run's memory until it exits."""
    global _kept_for_process
    if _kept_for_process is None:
        _kept_for_process = reuse_freed_memory()
        _kept_for_process.__enter__()


def give_back_freed_memory() -> None:
    """Return the memory freed so far to the system (glibc ``malloc_trim``), unless
    :func:`reuse_freed_memory` is keeping it.  A run calls it once its archives are simulated:
    what the engines freed would otherwise stay with this process while a comparison's next
    option runs beside it (and on the 2-core machines we measure on, memory beyond about 4 GB in
    use at once costs several seconds a gigabyte to fault in)."""
    with _lock:
        if _depth == 0 and _LIBC is not None:
            _LIBC.malloc_trim(0)
