"""The local stand-in for the Knative Broker: a CloudEvent goes to every event function whose
trigger names its type, through that function's runtime.

`python -m functions.devserver.broker PORT` runs it as a process of its own on the loopback,
started and stopped by the stack (__main__), as the Broker is a service of its own in the
cluster. A write handler publishes from inside its invocation; were the broker served by the
API's own server, concurrent writes would hold every server thread while their publishes queued
behind them, and each write would wait out its whole publish budget.

It takes only events that carry the stack's own broker token: without it, anyone who can reach
the port could write activity into any user's feed. An event a function fails on goes on to the
dead-letter function, as the Broker's dead-letter sink sends it in the cluster (without the
retries first).

A publisher that sends `Prefer: respond-async` (every one of ours) hears 202 as soon as the
broker holds the event, as from the Knative Broker, and the events are delivered after that, in
the order they came, on a thread of their own: the subscriber runs one invocation at a time, and
answering only after delivery would make a publisher wait on it. Without the preference the
broker delivers first and its status says how delivery went.

It stops on SIGTERM or SIGINT, and when its stdin ends: the stack holds the other end, so the
broker never outlives it.
"""

from __future__ import annotations

import hmac
import io
import logging
import os
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from functions.runtime.app import READINESS_PATH, StartResponse
from functions.runtime.http_results import HttpResponse
from functions.runtime.problem import problem

from . import lifeline
from .gateway import Mounted, logged, respond

logger = logging.getLogger("functions.devserver.broker")

# Where the outbox's publishers send events: BROKER_URL names this path on the broker's port.
BROKER_PATH = "/__broker"
BROKER_TOKEN_HEADER = "X-TaskForge-Broker-Token"  # noqa: S105 - a header name, not a secret


class Broker:
    def __init__(self, mounted: Iterable[Mounted], token: str | None) -> None:
        """`mounted`: the functions it may deliver to (those with triggers, those that take
        dead letters). `token`: what a publisher must send in X-TaskForge-Broker-Token; without
        one the broker takes nothing."""
        self.mounted = tuple(mounted)
        self._token = token.encode() if token else None
        self._deliveries: tuple[int, ThreadPoolExecutor] | None = None  # (pid, executor): made after a fork
        self._deliveries_lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        return logged(logger, self._dispatch, environ, start_response)

    def _dispatch(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET").upper()
        path = (environ.get("RAW_URI") or environ.get("PATH_INFO") or "/").split("?", 1)[0]
        if path == READINESS_PATH and method in ("GET", "HEAD"):
            return respond(start_response, 200, [("Content-Type", "text/plain")], b"ready\n")
        if path != BROKER_PATH:
            response = problem(404, f"nothing is served at {path}; events go to {BROKER_PATH}")
        elif method != "POST":
            response = problem(405, f"{method} is not allowed on {path}", headers=[("Allow", "POST")])
        else:
            return self._take(environ, start_response)
        return respond(start_response, response.status, response.headers, response.body)

    def _take(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        refusal = self._refusal(environ.get("HTTP_X_TASKFORGE_BROKER_TOKEN"))
        if refusal is not None:
            return respond(start_response, refusal.status, refusal.headers, refusal.body)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        if "respond-async" in environ.get("HTTP_PREFER", "").lower():
            # A delivery after the answer keeps the request's text (method, headers), not the server's objects.
            request = {key: value for key, value in environ.items() if isinstance(value, str)}
            self._executor().submit(self._deliver_later, request, body)
            return respond(start_response, 202, [("Content-Type", "text/plain")], b"accepted for delivery\n")
        delivered, triggers = self._deliver_all(environ, body)
        return respond(
            start_response,
            202 if delivered == triggers else 502,
            [("Content-Type", "text/plain")],
            f"delivered to {delivered} of {triggers} triggers\n".encode(),
        )

    def _deliver_all(self, environ: dict[str, Any], body: bytes) -> tuple[int, int]:
        """The event to every function whose trigger names its type; a failure goes on to the
        dead letters. (delivered, triggers)."""
        event_type = environ.get("HTTP_CE_TYPE", "")
        statuses = []
        for item in self.mounted:
            if event_type in item.function.events:
                status = _deliver(item, environ, body)
                statuses.append(status)
                if status >= 300:
                    self._dead_letter(environ, body, item.function.name, status)
        return sum(status < 300 for status in statuses), len(statuses)

    def _deliver_later(self, environ: dict[str, Any], body: bytes) -> None:
        try:
            self._deliver_all(environ, body)
        except Exception:  # nobody waits for this thread: say what went wrong in the log
            logger.exception("event %s was not delivered", environ.get("HTTP_CE_ID", "?"))

    def _executor(self) -> ThreadPoolExecutor:
        """One delivery thread per process, deliveries in the order they came; made in the
        process that delivers (the server forks its worker after the broker is built)."""
        with self._deliveries_lock:
            if self._deliveries is None or self._deliveries[0] != os.getpid():
                self._deliveries = (os.getpid(), ThreadPoolExecutor(1, thread_name_prefix="broker"))
            return self._deliveries[1]

    def _dead_letter(self, environ: dict[str, Any], body: bytes, destination: str, status: int) -> None:
        """As the Knative Broker's dead-letter sink: the failed event, with the extensions
        Knative adds (where it failed and how), to the functions that take dead letters."""
        failed = {**environ, "HTTP_CE_KNATIVEERRORDEST": destination, "HTTP_CE_KNATIVEERRORCODE": str(status)}
        for item in self.mounted:
            if item.function.dead_letters and _deliver(item, failed, body) >= 300:
                logger.error("a dead letter was not stored: event %s", environ.get("HTTP_CE_ID", "?"))

    def _refusal(self, presented: str | None) -> HttpResponse | None:
        if self._token is None:
            return problem(403, "this broker takes no events: the stack started it without a token")
        if not presented:
            return problem(401, f"send the stack's broker token in {BROKER_TOKEN_HEADER}")
        # WSGI gives header values as latin-1 text: compare the bytes that were sent, in constant time.
        if not hmac.compare_digest(presented.encode("latin-1", errors="replace"), self._token):
            return problem(403, f"the {BROKER_TOKEN_HEADER} is not this stack's broker token")
        return None


def _deliver(item: Mounted, environ: dict[str, Any], body: bytes) -> int:
    """One CloudEvent to one function's runtime; its status."""
    delivery = {**environ, "wsgi.input": io.BytesIO(body), "PATH_INFO": "/", "RAW_URI": "/"}
    captured: list[str] = []
    b"".join(item.app(delivery, lambda status, headers, *rest: captured.append(status)))
    return int(captured[0].split()[0])


def main(argv: list[str] | None = None) -> int:
    import sys
    from pathlib import Path

    from functions.catalog import FUNCTIONS
    from functions.platform import mailer
    from functions.runtime.server import ServeOptions, draining, serve

    from .gateway import mount

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    [port] = argv if argv is not None else sys.argv[1:]
    if os.environ.get("MAIL_DIRECTORY"):  # set by the stack (__main__): mail an event sends lands there too
        mailer.keep_copies_in(Path(os.environ["MAIL_DIRECTORY"]))
    mounted = [mount(function) for function in FUNCTIONS if function.events or function.dead_letters]
    for item in mounted:
        item.app.draining = draining
    lifeline.stop_when_the_stack_is_gone()
    serve(
        Broker(mounted, os.environ.get("BROKER_TOKEN")),
        # One process, so one delivery thread keeps the events in order; its threads only
        # take events and hand them over, so none waits on a function.
        ServeOptions(
            host="127.0.0.1",
            port=int(port),
            workers=1,
            threads=8,
            request_timeout=max(item.function.timeout_seconds for item in mounted),
        ),
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
