"""Serves a WSGI application with gunicorn: threads or processes, graceful SIGTERM.

gunicorn gives us the parts a container needs and we would otherwise hand-write:
a hardened HTTP/1.1 parser, keep-alive, worker supervision, and a SIGTERM that
stops accepting, lets in-flight requests finish and exits 0. We add three things:
the raw header list for the application, readiness that turns false on SIGTERM,
and refusing new connections while draining.

A request gunicorn cannot parse never reaches the application: gunicorn answers it
itself with a text/html 400, 414 (request line too long), 417 (an Expect it cannot
meet), 431 (header fields too large or too many), or 501 for a Transfer-Encoding it
does not implement (RFC 9112 6.1), and closes the connection.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.workers.gthread import ThreadWorker

from .app import wire_headers

WSGIApp = Callable[..., Any]

# Set in the worker process when it receives SIGTERM; readiness reads it.
draining = threading.Event()


@dataclass
class ServeOptions:
    host: str
    port: int
    threads: int = 8
    workers: int = 1
    # The longest a request may run: gunicorn's worker timeout and the SIGTERM grace
    # period are derived from it, so a slow request is never cut short by a restart.
    request_timeout: float = 30.0


class _DrainingThreadWorker(ThreadWorker):  # type: ignore[misc]
    def handle_exit(self, sig: int, frame: Any) -> None:
        draining.set()
        super().handle_exit(sig, frame)

    def set_accept_enabled(self, enabled: bool) -> None:
        super().set_accept_enabled(enabled)
        if not enabled and not self.alive:
            # Draining: refuse new connections now rather than leave them in the
            # backlog until exit, so a load balancer moves on at once.
            for listener in self.sockets:
                listener.close()


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, app: WSGIApp, options: ServeOptions) -> None:
        self._app = app
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        options = self._options
        settings: dict[str, Any] = {
            "bind": [_address(options.host, options.port)],
            "workers": options.workers,
            # One-at-a-time functions still get spare threads: the application's lock
            # serialises invocations while probes keep being answered.
            "threads": options.threads if options.threads > 1 else 4,
            "worker_class": _DrainingThreadWorker,
            "timeout": int(options.request_timeout) + 30,
            "graceful_timeout": int(options.request_timeout) + 5,
            "keepalive": 75,  # longer than the idle timeout of an ALB or Envoy in front
            "accesslog": None,
            "errorlog": "-",
            "loglevel": "warning",
            "preload_app": True,
            "proc_name": "taskforge-runtime",
            "pre_request": _keep_wire_headers,
            # No peer may set SCRIPT_NAME, PATH_INFO or the URL scheme with headers. gunicorn
            # trusts the loopback for them by default, and a Knative queue-proxy connects from
            # the loopback: a client's "SCRIPT_NAME: /x" header cost a 500. The runtime reads
            # X-Forwarded-For itself and has no use for the rest.
            "forwarded_allow_ips": "",
            "forwarder_headers": "",
        }
        for key, value in settings.items():
            self.cfg.set(key, value)

    def load(self) -> WSGIApp:
        return self._app


def _address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _keep_wire_headers(worker: Any, request: Any) -> None:
    # Runs in the thread that will run the application for this request.
    wire_headers.value = request.headers


def serve(app: WSGIApp, options: ServeOptions) -> None:
    """Blocks until SIGTERM or SIGINT has drained the server."""
    _Gunicorn(app, options).run()
