"""Running tasks on Dask: a LocalCluster or a scheduler's address (used by batches and by runs in
cohorts).  Depends on nothing in the simulator but its error type."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sim.errors import InputError


def dask_map(scheduler: str, jobs: int, fn: Callable, iterables: list[list],
             keys: list[str]) -> Iterator[tuple[int, object]]:
    """``fn`` over the ``iterables`` (as :func:`map`) on Dask: (position, result) pairs as
    they complete."""
    from distributed import as_completed as dask_completed

    with dask_client(scheduler, jobs) as client:
        futures = client.map(fn, *iterables, key=keys, pure=False)
        position = {f.key: i for i, f in enumerate(futures)}
        for future in dask_completed(futures):
            yield position[future.key], future.result()


@contextmanager
def dask_client(scheduler: str, jobs: int):
    """A Dask client: a LocalCluster of ``jobs`` single-threaded worker processes for
    ``local``, else the scheduler at that address."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise InputError("--scheduler needs Dask: pip install 'archive-sim[dask]' (dask and "
                         "distributed)") from None
    cluster = None
    if scheduler == "local":
        cluster = LocalCluster(n_workers=max(jobs, 1), threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    else:
        try:
            client = Client(scheduler, timeout=20)
        except OSError as exc:
            raise InputError(f"--scheduler {scheduler}: cannot reach the Dask scheduler "
                             f"({exc})") from None
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
