"""A lock that goes to its waiters in the order they came.

threading.Lock wakes any one waiter when it is released, and a thread that just arrived can
take it before all of them: with several requests waiting for a process that runs one
invocation at a time, one could wait through many others' turns, which is a latency tail.
Here each waiter gets its turn in arrival order, handed over by the holder as it leaves.
"""

from __future__ import annotations

import threading
from collections import deque
from types import TracebackType


class TurnLock:
    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._held = False
        self._waiting: deque[threading.Lock] = deque()

    def __enter__(self) -> TurnLock:
        with self._guard:
            if not self._held:
                self._held = True
                return self
            turn = threading.Lock()
            turn.acquire()
            self._waiting.append(turn)
        # Released by the holder as it hands the lock over; only the runtime's own threads
        # wait here, and no signal interrupts them (signals go to the main thread).
        turn.acquire()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        with self._guard:
            if self._waiting:
                self._waiting.popleft().release()  # still held: it passes to the next in line
            else:
                self._held = False
