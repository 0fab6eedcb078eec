"""Worker processes end when the process that started them is gone.

A run's shard processes and a batch's pool workers are forked children; if the main process is
killed (SIGKILL, out of memory) nothing tells them to stop, and they would compute on for
minutes.  Each worker calls :func:`exit_with_parent` first, with the pid its parent passed it: a
daemon thread that notices its parent changed (the orphan is re-parented) and ends the process.
"""

from __future__ import annotations

import os
import threading
import time


def exit_with_parent(parent: int, poll_s: float = 0.5) -> None:
    """End this process within ``poll_s`` seconds of the end of ``parent`` (the pid of the
    process that started it, taken there: a worker that starts after its parent already died
    sees it at once). [s]"""
    if os.getppid() != parent:
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(poll_s)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="archive-sim lifeline", daemon=True).start()
