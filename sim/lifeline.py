"""Worker processes end when the process that started them is gone.

A run's shard processes and a batch's pool workers are forked children; if the main process is
killed (SIGKILL, out of memory) nothing tells them to stop, and they would compute on for
minutes.  Each worker calls :func:`exit_with_parent` first: a daemon thread that notices its
parent changed (the orphan is re-parented) and ends the process.
"""

from __future__ import annotations

import os
import threading
import time


def exit_with_parent(poll_s: float = 0.5) -> None:
    """End this process within ``poll_s`` seconds of its parent's end. [s]"""
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(poll_s)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="archive-sim lifeline", daemon=True).start()
