"""One local gateway for every catalog function, routing by the catalog.

Each function runs in its own RuntimeApp, the code path production uses (HTTP →
event → handler → HTTP); only the process boundary differs. What the ingress does in
the cluster (pick a function by method and path) the gateway does here, and it
serves the built SPA from web/dist for everything else.

Given the mailer's directory, it shows the mail the stack sent at /__dev/mail (mail.py).
The stand-in for the Knative Broker is not here: it runs apart, as in the cluster (broker.py).
"""

from __future__ import annotations

import logging
import mimetypes
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any

from functions.catalog import Function
from functions.devserver import mail
from functions.runtime.app import READINESS_PATH, RuntimeApp, StartResponse
from functions.runtime.config import RuntimeConfig, load_handler
from functions.runtime.problem import problem
from functions.runtime.routes import Route, specificity

logger = logging.getLogger("functions.devserver")

# The web app manifest's type (W3C Web App Manifest), which not every Python's table has. The
# service worker (sw.js) is not under assets/, so it goes out with no-cache: a new build reaches
# browsers at their next visit.
mimetypes.add_type("application/manifest+json", ".webmanifest")


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
        mail_directory: Path | None = None,
    ) -> None:
        """`mail_directory`: where the mailer keeps its copies, shown at /__dev/mail (mail.py);
        without one that path is served by nothing."""
        self.mounted = tuple(mounted)
        self.static_dir = static_dir.resolve() if static_dir else None
        self.mail_directory = mail_directory
        # Most specific first across all functions, as one ingress would order them.
        self._routes = sorted(
            ((route, item) for item in self.mounted for route in item.routes),
            key=lambda pair: specificity(pair[0]),
        )

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        return logged(logger, self._dispatch, environ, start_response)

    def _dispatch(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET").upper()
        raw_path = (environ.get("RAW_URI") or environ.get("PATH_INFO") or "/").split("?", 1)[0]
        if raw_path == mail.MAIL_PATH and self.mail_directory is not None:
            return mail.serve(self.mail_directory, environ, start_response)
        if environ.get("PATH_INFO", "").startswith("/__runtime/"):
            return respond(
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
            return respond(start_response, response.status, response.headers, response.body)
        if method in ("GET", "HEAD") and self.static_dir and not raw_path.startswith("/api/"):
            return self._static(environ, start_response, method)
        response = problem(404, f"nothing is served at {raw_path}")
        return respond(start_response, response.status, response.headers, response.body)

    def _static(self, environ: dict[str, Any], start_response: StartResponse, method: str) -> Iterable[bytes]:
        assert self.static_dir is not None
        relative = _static_path(environ.get("PATH_INFO", "/"))
        if relative is None:
            response = problem(400, "the path is not a valid page or file name")
            return respond(start_response, response.status, response.headers, response.body)
        candidate = (self.static_dir / relative).resolve()
        try:
            found = candidate.is_relative_to(self.static_dir) and candidate.is_file()
        except OSError:  # a name the file system refuses (too long, say) names no file of ours
            response = problem(404, "nothing is served at this path")
            return respond(start_response, response.status, response.headers, response.body)
        if not found:
            # Client-side routes (/tasks/42) get the SPA's entry point.
            candidate = self.static_dir / "index.html"
            if not candidate.is_file():
                response = problem(404, "the web app is not built; run `make web`")
                return respond(start_response, response.status, response.headers, response.body)
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
        return respond(start_response, 200, headers, body)


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


def logged(
    log: logging.Logger, app: Callable[..., Iterable[bytes]], environ: dict[str, Any], start_response: StartResponse
) -> Iterable[bytes]:
    """`app`'s answer, with a line in `log` saying what was asked, the status and how long it took."""
    started = time.perf_counter()
    status_holder: list[str] = []

    def recording_start_response(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
        status_holder.append(status)
        return start_response(status, headers, *rest)

    body = app(environ, recording_start_response)
    log.info(
        "%s %s %s %.1fms",
        environ.get("REQUEST_METHOD"),
        environ.get("RAW_URI", ""),
        status_holder[0].split()[0] if status_holder else "-",
        (time.perf_counter() - started) * 1000,
    )
    return body


def respond(start_response: StartResponse, status: int, headers: list[tuple[str, str]], body: bytes) -> list[bytes]:
    start_response(f"{status} {HTTPStatus(status).phrase}", [*headers, ("Content-Length", str(len(body)))])
    return [body]
