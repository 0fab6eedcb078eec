"""Writing two parts of a report at once: one in a forked process, one here.

Report writers are pure Python (matplotlib, openpyxl) and hold the GIL, so a thread would not
help; a forked process shares the finished results copy-on-write and writes its files while
this process writes the others (a comparison's workbook and PDF beside its figures and page:
about a second saved of three).  Where fork is not available the side job runs here, after
the block.
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sim.lifeline import exit_with_parent


@contextmanager
def side_process(job: Callable[[], None]) -> Iterator[None]:
    """Run ``job()`` in a forked process while the block runs; on leaving, wait for it and
    raise its error here (a ``RuntimeError`` with its traceback) if it failed.  The block's own
    error wins: the job is then stopped."""
    if "fork" not in multiprocessing.get_all_start_methods():
        yield
        job()
        return
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(send, job, os.getpid()),
                        name="archive-sim report writer")
    child.start()
    send.close()
    try:
        yield
    except BaseException:
        child.terminate()
        child.join()
        raise
    try:
        failure = receive.recv()
    except EOFError:  # killed, or out of memory
        failure = "the process ended without a word"
    child.join()
    if failure is not None:
        raise RuntimeError(f"writing the report failed in its side process:\n{failure}")


def _child(send, job: Callable[[], None], parent: int) -> None:
    exit_with_parent(parent)
    try:
        job()
        send.send(None)
    except BaseException:  # noqa: BLE001 - handed to the parent, which raises it
        send.send(traceback.format_exc())
    finally:
        send.close()
        os._exit(0)  # no atexit handlers or buffers inherited from the parent
