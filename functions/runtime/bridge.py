"""A WSGI application behind granian's ASGI interface, on threads of its own.

Why ASGI and not granian's WSGI interface: only ASGI hands over the request as it was
written, the raw path (`/items/a%2Fb` is not `/items/a/b`) and every header line on its
own (two `X-Tag` lines are two entries of API Gateway's multiValueHeaders, not one
joined value), which the runtime must put in the event as the AWS front door would.

The event loop reads the request and writes the response; the application runs on a
fixed set of threads fed by a queue, as gunicorn's gthread worker ran it. The runtime's
probes (paths under `/__runtime/`) are answered on the loop itself, so they never wait
behind invocations.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import queue
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import unquote_to_bytes

from .app import wire_headers

WSGIApp = Callable[..., Any]
Headers = list[tuple[bytes, bytes]]
# What a thread hands back to the loop: status, headers and the whole body, or an
# iterator of its chunks when the application streams (no Content-Length).
Outcome = tuple[int, Headers, bytes | Iterator[bytes]]
Job = tuple[asyncio.AbstractEventLoop, asyncio.Future[Outcome], dict[str, Any], list[tuple[str, str]]]

PROBE_PREFIX = "/__runtime/"

logger = logging.getLogger("functions.runtime")

_BASE_ENVIRON: dict[str, Any] = {
    "SCRIPT_NAME": "",
    "wsgi.version": (1, 0),
    "wsgi.url_scheme": "http",
    "wsgi.errors": sys.stderr,
    "wsgi.multithread": True,
    "wsgi.multiprocess": True,
    "wsgi.run_once": False,
}
_INTERNAL_ERROR: Outcome = (
    500,
    [(b"content-type", b"text/plain"), (b"content-length", b"22")],
    b"Internal Server Error\n",
)
_EMPTY = b""


class Bridge:
    """The ASGI application granian calls; `app` is the WSGI application it runs.

    Everything but the application's own call runs on the event loop's thread, the count of
    requests in flight included, so it needs no lock."""

    def __init__(self, app: WSGIApp, threads: int, max_body_bytes: int) -> None:
        self._app = app
        self._threads = threads
        self._max_body_bytes = max_body_bytes
        self._jobs: queue.SimpleQueue[Job] = queue.SimpleQueue()
        self._started = False
        self._in_flight = 0
        self._when_idle: Callable[[], None] | None = None

    async def __call__(self, scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        if scope["type"] != "http":
            return
        headers = [(name.decode("latin-1"), value.decode("latin-1")) for name, value in scope["headers"]]
        environ = _environ(scope, headers)
        self._in_flight += 1
        try:
            environ["wsgi.input"] = io.BytesIO(await self._body(receive, environ))
            if environ["PATH_INFO"].startswith(PROBE_PREFIX):
                outcome = _run(self._app, environ, headers)  # no I/O: answered on the loop
            else:
                outcome = await self._on_a_thread(environ, headers)
            status, response_headers, body = outcome
            await send({"type": "http.response.start", "status": status, "headers": response_headers})
            if isinstance(body, bytes):
                await send({"type": "http.response.body", "body": body})
            else:
                await self._stream(body, send)
        finally:
            self._in_flight -= 1
            if not self._in_flight and self._when_idle is not None:
                self._when_idle()

    def when_idle(self, callback: Callable[[], None]) -> None:
        """Calls `callback` (on the loop) once no request is in flight: the drain's last step."""
        if self._in_flight:
            self._when_idle = callback
        else:
            callback()

    async def _body(self, receive: Callable[..., Any], environ: dict[str, Any]) -> bytes:
        length = environ.get("CONTENT_LENGTH")
        if length is None and "HTTP_TRANSFER_ENCODING" not in environ:
            return _EMPTY
        if length is not None and length.isdigit() and int(length) > self._max_body_bytes:
            return _EMPTY  # the application refuses it by its length, unread
        # Chunked (or within its declared length): never hold more than one byte past the limit.
        chunks: list[bytes] = []
        size = 0
        while size <= self._max_body_bytes:
            message = await receive()
            chunk = message.get("body", _EMPTY)
            chunks.append(chunk)
            size += len(chunk)
            if not message.get("more_body", False):
                break
        return _EMPTY.join(chunks)

    async def _on_a_thread(self, environ: dict[str, Any], headers: list[tuple[str, str]]) -> Outcome:
        if not self._started:  # threads start in the worker process, after granian forked it
            self._started = True
            for index in range(self._threads):
                threading.Thread(target=self._work, name=f"invocation-{index + 1}", daemon=True).start()
        loop = asyncio.get_running_loop()
        result: asyncio.Future[Outcome] = loop.create_future()
        self._jobs.put((loop, result, environ, headers))
        return await result

    def _work(self) -> None:
        while True:
            loop, result, environ, headers = self._jobs.get()
            outcome = _run(self._app, environ, headers)
            loop.call_soon_threadsafe(_settle, result, outcome)

    async def _stream(self, chunks: Iterator[bytes], send: Callable[..., Any]) -> None:
        """Each chunk as the application produces it, produced on a thread: a failure half
        way raises here, and granian then ends the response without its last chunk."""
        loop = asyncio.get_running_loop()
        try:
            while (chunk := await loop.run_in_executor(None, next, chunks, None)) is not None:
                if chunk:
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": _EMPTY})
        finally:
            await loop.run_in_executor(None, _close, chunks)


def _settle(result: asyncio.Future[Outcome], outcome: Outcome) -> None:
    if not result.done():  # cancelled when the client went away
        result.set_result(outcome)


def _run(app: WSGIApp, environ: dict[str, Any], headers: list[tuple[str, str]]) -> Outcome:
    """One call of the WSGI application; never raises, whatever the application does."""
    response: list[Any] = []

    def start_response(status: str, response_headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        response[:] = [status, response_headers]

    wire_headers.value = headers  # the header lines as written, for the runtime
    chunks: Iterable[bytes] = ()
    try:
        chunks = app(environ, start_response)
        if isinstance(chunks, list):
            body: bytes | Iterator[bytes] = _EMPTY.join(chunks)
        else:
            body = _Chunks(chunks)
        status, response_headers = response
        encoded = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in response_headers]
        return int(status[:3]), encoded, body
    # SystemExit from an application too: a thread that died would leave its request unanswered
    # and in flight for ever, and the drain waiting on it.
    except BaseException:
        logger.exception("the application failed: %s %s", environ["REQUEST_METHOD"], environ["RAW_URI"])
        with contextlib.suppress(Exception):
            _close(chunks)  # what a streamed body holds open (a cursor) is let go
        return _INTERNAL_ERROR
    finally:
        wire_headers.value = None


class _Chunks(Iterator[bytes]):
    """A WSGI body iterable as an iterator that can still be closed."""

    def __init__(self, iterable: Iterable[bytes]) -> None:
        self._iterable = iterable
        self._iterator = iter(iterable)

    def __next__(self) -> bytes:
        return next(self._iterator)

    def close(self) -> None:
        _close(self._iterable)


def _close(chunks: Iterable[bytes]) -> None:
    close = getattr(chunks, "close", None)
    if close is not None:
        close()


def _environ(scope: dict[str, Any], headers: list[tuple[str, str]]) -> dict[str, Any]:
    query = scope["query_string"].decode("latin-1")
    raw_path = scope["raw_path"].decode("latin-1")
    client = scope.get("client") or ("127.0.0.1", 0)
    server = scope.get("server") or ("127.0.0.1", 0)
    environ = {
        **_BASE_ENVIRON,
        "REQUEST_METHOD": scope["method"],
        # PEP 3333: PATH_INFO is the decoded path's bytes as latin-1 text (granian's own decoded
        # path replaced invalid UTF-8, "%ff", with U+FFFD); RAW_URI the target as sent.
        "PATH_INFO": unquote_to_bytes(raw_path).decode("latin-1"),
        "RAW_URI": f"{raw_path}?{query}" if query else raw_path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": f"HTTP/{scope['http_version']}",
        "SERVER_NAME": str(server[0]),
        "SERVER_PORT": str(server[1]),
        "REMOTE_ADDR": str(client[0]),
        "REMOTE_PORT": str(client[1]),
    }
    for name, value in headers:
        if name == "content-length":
            environ["CONTENT_LENGTH"] = value
        elif name == "content-type":
            environ["CONTENT_TYPE"] = value
        elif "_" not in name:  # as gunicorn: "X_Forwarded_For" must not pass for X-Forwarded-For
            key = "HTTP_" + name.upper().replace("-", "_")
            if key in environ:  # repeated lines fold as RFC 9110 5.3 allows; cookies with "; "
                value = environ[key] + ("; " if key == "HTTP_COOKIE" else ",") + value
            environ[key] = value
    return environ
