"""Handlers that observe how many invocations run at once in this process."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

# Four invocations must be inside the handler together for any of them to return.
_together = threading.Barrier(4, timeout=10)

_lock = threading.Lock()
_inside = 0
_most_inside = 0


def rendezvous(event: dict[str, Any], context: Any) -> dict[str, Any]:
    position = _together.wait()  # raises BrokenBarrierError after 10 s alone
    return {"statusCode": 200, "body": str(position)}


def count(event: dict[str, Any], context: Any) -> dict[str, Any]:
    global _inside, _most_inside
    if event.get("path") == "/most":
        with _lock:
            return {"statusCode": 200, "body": json.dumps({"most_inside": _most_inside})}
    with _lock:
        _inside += 1
        _most_inside = max(_most_inside, _inside)
    try:
        time.sleep(0.2)  # simulated work, long enough for overlapping requests to meet
    finally:
        with _lock:
            _inside -= 1
    return {"statusCode": 200, "body": "counted"}
