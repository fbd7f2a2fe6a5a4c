"""A handler that holds its request open until the test releases it.

It creates `entered` in DRAIN_DIR when it starts, then waits (bounded) for `release`
to appear, so a test can act while a request is known to be in flight.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

LONGEST_WAIT_SECONDS = 10.0


def hold(event: dict[str, Any], context: Any) -> dict[str, Any]:
    folder = Path(os.environ["DRAIN_DIR"])
    (folder / "entered").touch()
    deadline = time.monotonic() + LONGEST_WAIT_SECONDS
    while not (folder / "release").exists():
        if time.monotonic() > deadline:
            return {"statusCode": 504, "body": "never released"}
        time.sleep(0.01)  # simulated work: poll for the release file
    return {"statusCode": 200, "body": "finished"}
