"""A second thread for the workload draw, where it helps.

numpy releases the GIL in sorts, random draws and most array arithmetic, so a large draw runs
independent stages side by side (study sizes while patients are matched, priors while the random
reads are drawn, the two halves of a large sort).  Each stage keeps its own random stream, so the
draws are the same with or without threads.

Worker processes that already share the cores with other workers (Monte Carlo and sweep pools)
call :func:`allow_threads` with False: there a second thread only competes with the neighbours.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")

_allowed = True


def allow_threads(allowed: bool) -> None:
    """Let the workload draw use a second thread (the default on a machine with two or more
    cores) or not (worker processes sharing the cores)."""
    global _allowed
    _allowed = allowed


def threads_allowed() -> bool:
    """Whether a draw may use a second thread now."""
    return _allowed and (os.cpu_count() or 1) >= 2


@contextmanager
def beside(fn: Callable[..., T], *args: Any):
    """Run ``fn(*args)`` on a second thread while the ``with`` block runs (or first, in this
    thread, when threads are not allowed); the block gets its future."""
    with second_thread() as start:
        yield start(fn, *args)


@contextmanager
def second_thread():
    """A function ``start(fn, *args)`` that runs ``fn(*args)`` on a second thread and returns
    its future (or runs it at once, in this thread, when threads are not allowed); the thread
    ends with the block.  For work found in one stage and used several stages later."""
    if not threads_allowed():
        def now(fn: Callable[..., T], *args: Any) -> Future:
            done: Future = Future()
            done.set_result(fn(*args))
            return done
        yield now
        return
    with ThreadPoolExecutor(max_workers=1) as pool:
        yield pool.submit
