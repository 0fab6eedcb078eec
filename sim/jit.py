"""Compiled kernels: :func:`kernel` compiles a plain-Python loop over arrays with numba.

The engines keep per-study state in numpy arrays; most of their work is vectorised, but a few
steps are per-element loops over random study indices (a meter change, a tier move, a day's
reads) where a dozen numpy calls and their temporaries cost more than the work.  Those steps are
written as loops and compiled.

Compiled code is cached next to the source (``__pycache__``), so only the first run on a machine
compiles (a few seconds); later runs, forked shard processes and Dask workers load the cache.
Kernels are ``nogil``: a thread may run one while another draws.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import numba
import numpy as np

F = TypeVar("F", bound=Callable[..., Any])


def kernel(function: F) -> F:
    """``function`` compiled (no Python objects inside, cached on disk, releases the GIL)."""
    return numba.njit(cache=True, nogil=True, error_model="numpy")(function)  # type: ignore[return-value]


def int64s(values: np.ndarray | int, n: int) -> np.ndarray:
    """``values`` (one per element, or one for all) as ``n`` contiguous int64, the form the
    kernels take (one compiled version, no broadcast views)."""
    if isinstance(values, np.ndarray) and values.shape == (n,):
        if values.dtype == np.int64 and values.flags.c_contiguous:
            return values
        return np.ascontiguousarray(values, dtype=np.int64)
    return np.full(n, values, dtype=np.int64)
