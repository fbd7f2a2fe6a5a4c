"""One local gateway for every catalog function, routing by the catalog.

Each function runs in its own RuntimeApp, the code path production uses (HTTP →
event → handler → HTTP); only the process boundary differs. What the ingress does in
the cluster (pick a function by method and path) the gateway does here, and it
serves the built SPA from web/dist for everything else.

It also stands in for the Knative Broker (POST /__broker). That path shares the port
with the public API, so it takes only events that carry the stack's own broker token:
without it, anyone who can reach the port could write activity into any user's feed.
An event a function fails on goes on to the dead-letter function, as the Broker's
dead-letter sink sends it in the cluster (without the retries first).

Given the mailer's directory, it shows the mail the stack sent at /__dev/mail (mail.py).

A publisher that sends `Prefer: respond-async` (every one of ours) hears 202 as soon as the
broker holds the event, as from the Knative Broker, and the event is delivered after that on
a thread of its own. Here that matters: a write handler publishes from inside its invocation,
which holds its process's one-invocation lock, and the subscriber may be hosted in that very
process; answering only after delivery would have it wait on itself. Without the preference
the broker delivers first and its status says how delivery went.
"""

from __future__ import annotations

import hmac
import io
import logging
import mimetypes
import os
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any

from functions.catalog import Function
from functions.devserver import mail
from functions.runtime.app import READINESS_PATH, RuntimeApp, StartResponse
from functions.runtime.config import RuntimeConfig, load_handler
from functions.runtime.http_results import HttpResponse
from functions.runtime.problem import problem
from functions.runtime.routes import Route, specificity

logger = logging.getLogger("functions.devserver")

# The web app manifest's type (W3C Web App Manifest), which Python's table lacks. The service
# worker (sw.js) is not under assets/, so it goes out with no-cache: a new build reaches
# browsers at their next visit.
mimetypes.add_type("application/manifest+json", ".webmanifest")

# Where the local stack's outbox relay publishes: see Gateway._broker.
BROKER_PATH = "/__broker"
BROKER_TOKEN_HEADER = "X-TaskForge-Broker-Token"  # noqa: S105 - a header name, not a secret


@dataclass(frozen=True)
class Mounted:
    function: Function
    app: RuntimeApp
    routes: tuple[Route, ...]


def mount(function: Function, account_id: str = "000000000000", region: str = "us-east-1") -> Mounted:
    config = RuntimeConfig(
        handler_path=function.handler,
        event_format=function.event_format,
        function_name=function.name,
        function_timeout=float(function.timeout_seconds),
        concurrency=1,  # one invocation per process, as in the cluster
        routes=function.parsed_routes(),
        region=region,
        account_id=account_id,
    )
    return Mounted(function, RuntimeApp(config, load_handler(function.handler)), config.routes)


class Gateway:
    def __init__(
        self,
        mounted: Iterable[Mounted],
        static_dir: Path | None,
        broker_token: str | None = None,
        mail_directory: Path | None = None,
    ) -> None:
        """`broker_token`: what a publisher must send in X-TaskForge-Broker-Token; without one
        the broker takes nothing. `mail_directory`: where the mailer keeps its copies, shown at
        /__dev/mail (mail.py); without one that path is served by nothing."""
        self.mounted = tuple(mounted)
        self.static_dir = static_dir.resolve() if static_dir else None
        self.mail_directory = mail_directory
        self._broker_token = broker_token.encode() if broker_token else None
        self._deliveries: tuple[int, ThreadPoolExecutor] | None = None  # (pid, executor): made after a fork
        self._deliveries_lock = threading.Lock()
        # Most specific first across all functions, as one ingress would order them.
        self._routes = sorted(
            ((route, item) for item in self.mounted for route in item.routes),
            key=lambda pair: specificity(pair[0]),
        )

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        status_holder: list[str] = []

        def recording_start_response(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            status_holder.append(status)
            return start_response(status, headers, *rest)

        body = self._dispatch(environ, recording_start_response)
        logger.info(
            "%s %s %s %.1fms",
            environ.get("REQUEST_METHOD"),
            environ.get("RAW_URI", ""),
            status_holder[0].split()[0] if status_holder else "-",
            (time.perf_counter() - started) * 1000,
        )
        return body

    def _dispatch(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET").upper()
        raw_path = (environ.get("RAW_URI") or environ.get("PATH_INFO") or "/").split("?", 1)[0]
        if raw_path == BROKER_PATH and method == "POST":
            return self._broker(environ, start_response)
        if raw_path == mail.MAIL_PATH and self.mail_directory is not None:
            return mail.serve(self.mail_directory, environ, start_response)
        if environ.get("PATH_INFO", "").startswith("/__runtime/"):
            return _respond(
                start_response,
                200 if environ["PATH_INFO"] == READINESS_PATH else 404,
                [("Content-Type", "text/plain")],
                b"ready\n",
            )
        candidates: list[Route] = []
        for route, item in self._routes:
            if route.match(method, raw_path) is not None:
                # As an ALB does: the peer's address goes on the end of X-Forwarded-For.
                if environ.get("REMOTE_ADDR"):
                    environ["HTTP_X_FORWARDED_FOR"] = ", ".join(
                        filter(None, [environ.get("HTTP_X_FORWARDED_FOR"), environ["REMOTE_ADDR"]])
                    )
                return item.app(environ, start_response)
            if route.match(route.method, raw_path) is not None:
                candidates.append(route)
        if candidates:
            # As API Gateway: the most specific path that matches names the allowed methods.
            best = min(specificity(route)[:2] for route in candidates)
            allowed = {route.method for route in candidates if specificity(route)[:2] == best}
            response = problem(
                405, f"{method} is not allowed on {raw_path}", headers=[("Allow", ", ".join(sorted(allowed)))]
            )
            return _respond(start_response, response.status, response.headers, response.body)
        if method in ("GET", "HEAD") and self.static_dir and not raw_path.startswith("/api/"):
            return self._static(environ, start_response, method)
        response = problem(404, f"nothing is served at {raw_path}")
        return _respond(start_response, response.status, response.headers, response.body)

    def _broker(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """The local stand-in for the Knative Broker: a CloudEvent goes to every event
        function whose trigger names its type, through that function's runtime."""
        refusal = self._broker_refusal(environ.get("HTTP_X_TASKFORGE_BROKER_TOKEN"))
        if refusal is not None:
            return _respond(start_response, refusal.status, refusal.headers, refusal.body)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        if "respond-async" in environ.get("HTTP_PREFER", "").lower():
            # A delivery after the answer keeps the request's text (method, headers), not the server's objects.
            request = {key: value for key, value in environ.items() if isinstance(value, str)}
            self._executor().submit(self._deliver_later, request, body)
            return _respond(start_response, 202, [("Content-Type", "text/plain")], b"accepted for delivery\n")
        delivered, triggers = self._deliver_all(environ, body)
        return _respond(
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
        process that delivers (the server forks its workers after the gateway is built)."""
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

    def _broker_refusal(self, presented: str | None) -> HttpResponse | None:
        if self._broker_token is None:
            return problem(403, "this broker takes no events: the stack started it without a token")
        if not presented:
            return problem(401, f"send the stack's broker token in {BROKER_TOKEN_HEADER}")
        # WSGI gives header values as latin-1 text: compare the bytes that were sent, in constant time.
        if not hmac.compare_digest(presented.encode("latin-1", errors="replace"), self._broker_token):
            return problem(403, f"the {BROKER_TOKEN_HEADER} is not this stack's broker token")
        return None

    def _static(self, environ: dict[str, Any], start_response: StartResponse, method: str) -> Iterable[bytes]:
        assert self.static_dir is not None
        relative = _static_path(environ.get("PATH_INFO", "/"))
        if relative is None:
            response = problem(400, "the path is not a valid page or file name")
            return _respond(start_response, response.status, response.headers, response.body)
        candidate = (self.static_dir / relative).resolve()
        try:
            found = candidate.is_relative_to(self.static_dir) and candidate.is_file()
        except OSError:  # a name the file system refuses (too long, say) names no file of ours
            response = problem(404, "nothing is served at this path")
            return _respond(start_response, response.status, response.headers, response.body)
        if not found:
            # Client-side routes (/tasks/42) get the SPA's entry point.
            candidate = self.static_dir / "index.html"
            if not candidate.is_file():
                response = problem(404, "the web app is not built; run `make web`")
                return _respond(start_response, response.status, response.headers, response.body)
        content_type = mimetypes.guess_type(candidate.name)[0] or "application/octet-stream"
        # Vite fingerprints everything under assets/, so those never change.
        immutable = candidate.parent.name == "assets"
        headers = [
            ("Content-Type", content_type),
            ("Cache-Control", "public, max-age=31536000, immutable" if immutable else "no-cache"),
            ("X-Content-Type-Options", "nosniff"),
            # As CloudFront's response headers policy does for the SPA in the cloud.
            ("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'"),
            ("Referrer-Policy", "no-referrer"),
        ]
        body = candidate.read_bytes()
        if method == "HEAD":
            headers.append(("Content-Length", str(len(body))))
            start_response("200 OK", headers)
            return [b""]
        return _respond(start_response, 200, headers, body)


def _deliver(item: Mounted, environ: dict[str, Any], body: bytes) -> int:
    """One CloudEvent to one function's runtime; its status."""
    delivery = {**environ, "wsgi.input": io.BytesIO(body), "PATH_INFO": "/", "RAW_URI": "/"}
    captured: list[str] = []
    b"".join(item.app(delivery, lambda status, headers, *rest: captured.append(status)))
    return int(captured[0].split()[0])


def _static_path(path_info: str) -> str | None:
    """The path of a page or file relative to web/dist, or None when no browser would ask for it:
    bytes that are not UTF-8 (overlong forms included), control characters (NUL), backslashes,
    or `.` and `..` segments."""
    try:
        # WSGI carries the decoded path's bytes as latin-1 text.
        path = path_info.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return None
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in path) or "\\" in path:
        return None
    segments = path.split("/")
    if any(segment in (".", "..") for segment in segments):
        return None
    return path.lstrip("/")


def _respond(start_response: StartResponse, status: int, headers: list[tuple[str, str]], body: bytes) -> list[bytes]:
    start_response(f"{status} {HTTPStatus(status).phrase}", [*headers, ("Content-Length", str(len(body)))])
    return [body]
