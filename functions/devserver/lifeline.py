"""A helper process of the local stack stops when the stack is gone, even killed outright.

The stack starts each helper (the stand-in broker, the scheduler) with a pipe as its stdin and
holds the other end; when the stack ends, however it ends, the pipe reaches its end.
"""

from __future__ import annotations

import os
import signal
import sys
import threading


def stop_when_the_stack_is_gone() -> None:
    """SIGTERM to this process, so its own orderly stop, once stdin reaches its end."""

    def watch() -> None:
        # Raw reads, not sys.stdin's: a thread blocked in sys.stdin.buffer.read() holds the
        # buffer's lock, and a server worker forked from this process closes its stdin as it
        # starts (multiprocessing does) and would wait on that lock for ever.
        while os.read(sys.stdin.fileno(), 4096):
            pass
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="stack-watch", daemon=True).start()
