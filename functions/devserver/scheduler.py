"""Fires scheduled functions on their cron schedule, as a Knative PingSource does.

Each tick is a real CloudEvent (binary mode, type dev.knative.sources.ping) sent
through the function's RuntimeApp, so the handler receives the same "Scheduled
Event" it gets in the cluster. `python -m functions.devserver.scheduler` runs it as a
process of its own beside the gateway, as scheduled functions are services of
their own in the cluster.
"""

from __future__ import annotations

import io
import json
import logging
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from croniter import croniter

from functions.runtime.cloudevents import PING_TYPE

from .gateway import Mounted

logger = logging.getLogger("functions.devserver.scheduler")


class Scheduler:
    def __init__(self, scheduled: list[Mounted], clock: Callable[[], datetime] | None = None) -> None:
        self.scheduled = [item for item in scheduled if item.function.schedule]
        self._clock = clock or (lambda: datetime.now(UTC))
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self.scheduled and self._thread is None:
            self._thread = threading.Thread(target=self._run, name="scheduler", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        now = self._clock()
        upcoming = {
            item.function.name: croniter(item.function.schedule, now).get_next(datetime) for item in self.scheduled
        }
        while not self._stop.is_set():
            name, due = min(upcoming.items(), key=lambda pair: pair[1])
            delay = (due - self._clock()).total_seconds()
            if delay > 0 and self._stop.wait(min(delay, 1.0)):
                return
            if delay > 0:
                continue
            item = next(entry for entry in self.scheduled if entry.function.name == name)
            fire(item, due)
            upcoming[name] = croniter(item.function.schedule, due).get_next(datetime)


def fire(item: Mounted, scheduled_time: datetime) -> int:
    """Delivers one PingSource tick to the function; returns the HTTP status it answered."""
    body = json.dumps({}).encode()
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/",
        "RAW_URI": "/",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_CE_SPECVERSION": "1.0",
        "HTTP_CE_ID": str(uuid.uuid4()),
        "HTTP_CE_TYPE": PING_TYPE,
        "HTTP_CE_SOURCE": f"/apis/v1/namespaces/local/pingsources/{item.function.name}",
        "HTTP_CE_TIME": scheduled_time.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "wsgi.input": io.BytesIO(body),
        "REMOTE_ADDR": "127.0.0.1",
    }
    statuses: list[int] = []
    item.app(environ, lambda status, headers, *rest: statuses.append(int(status.split()[0])))
    status = statuses[0]
    log = logger.info if status < 300 else logger.error
    log("schedule fired %s at %s: %s", item.function.name, scheduled_time.isoformat(), status)
    return status


def main() -> int:
    import os
    import signal
    from pathlib import Path

    from functions.catalog import FUNCTIONS
    from functions.platform import mailer

    from . import lifeline
    from .gateway import mount

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if os.environ.get("MAIL_DIRECTORY"):  # set by the stack (__main__): reminders and digests land there too
        mailer.keep_copies_in(Path(os.environ["MAIL_DIRECTORY"]))
    scheduler = Scheduler([mount(function) for function in FUNCTIONS if function.schedule])
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    lifeline.stop_when_the_stack_is_gone()
    scheduler.start()
    stop.wait()
    scheduler.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
