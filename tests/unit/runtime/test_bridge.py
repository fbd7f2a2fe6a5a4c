"""The ASGI bridge in one process: what the WSGI application is handed, and what goes back out.

granian is not involved: each test drives `Bridge` with an ASGI scope and records the
messages it sends, as granian would take them.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from functions.runtime import app as app_module
from functions.runtime.bridge import Bridge

StartResponse = Any


def scope(
    path: str = "/items/1",
    raw_path: bytes = b"/items/1",
    query: bytes = b"",
    headers: list[tuple[bytes, bytes]] | None = None,
    method: str = "GET",
) -> dict[str, Any]:
    return {
        "type": "http",
        "http_version": "1.1",
        "method": method,
        "path": path,
        "raw_path": raw_path,
        "query_string": query,
        "headers": headers or [(b"host", b"h")],
        "server": ("127.0.0.1", 8080),
        "client": ("203.0.113.9", 50000),
    }


class Exchange:
    """One request through the bridge: the body it is fed, the messages it sends."""

    def __init__(self, body_chunks: list[bytes] | None = None) -> None:
        self.body_chunks = list(body_chunks or [])
        self.received = 0
        self.sent: list[dict[str, Any]] = []

    async def receive(self) -> dict[str, Any]:
        chunk = self.body_chunks.pop(0) if self.body_chunks else b""
        self.received += 1
        return {"type": "http.request", "body": chunk, "more_body": bool(self.body_chunks)}

    async def send(self, message: dict[str, Any]) -> None:
        self.sent.append(message)

    @property
    def status(self) -> int:
        return int(self.sent[0]["status"])

    @property
    def headers(self) -> list[tuple[bytes, bytes]]:
        return list(self.sent[0]["headers"])

    @property
    def body(self) -> bytes:
        return b"".join(message.get("body", b"") for message in self.sent[1:])


def run(bridge: Bridge, request_scope: dict[str, Any], exchange: Exchange | None = None) -> Exchange:
    exchange = exchange or Exchange()
    asyncio.run(bridge(request_scope, exchange.receive, exchange.send))
    return exchange


class Recorder:
    """A WSGI application that keeps what it was handed and answers 200."""

    def __init__(self) -> None:
        self.environ: dict[str, Any] = {}
        self.wire_headers: Any = None
        self.body = b""
        self.thread = ""

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        self.environ = environ
        self.wire_headers = app_module.wire_headers.value
        self.body = environ["wsgi.input"].read()
        self.thread = threading.current_thread().name
        start_response("200 OK", [("Content-Type", "text/plain"), ("X-Seen", "yes")])
        return [b"ok"]


def test_the_application_gets_the_target_and_every_header_line_as_written() -> None:
    recorder = Recorder()
    headers = [(b"host", b"h"), (b"x-tag", b"a"), (b"x-tag", b"b"), (b"cookie", b"a=1"), (b"cookie", b"b=2")]
    request = scope(path="/items/a/b", raw_path=b"/items/a%2Fb", query=b"x=%20", headers=headers)

    exchange = run(Bridge(recorder, threads=2, max_body_bytes=10), request)

    assert (exchange.status, exchange.body) == (200, b"ok")
    assert (b"X-Seen", b"yes") in exchange.headers
    environ = recorder.environ
    assert environ["RAW_URI"] == "/items/a%2Fb?x=%20"
    assert (environ["PATH_INFO"], environ["QUERY_STRING"]) == ("/items/a/b", "x=%20")
    assert (environ["HTTP_X_TAG"], environ["HTTP_COOKIE"]) == ("a,b", "a=1; b=2")
    assert recorder.wire_headers == [
        ("host", "h"),
        ("x-tag", "a"),
        ("x-tag", "b"),
        ("cookie", "a=1"),
        ("cookie", "b=2"),
    ]
    assert (environ["REMOTE_ADDR"], environ["SERVER_PROTOCOL"]) == ("203.0.113.9", "HTTP/1.1")
    assert recorder.thread.startswith("invocation-")  # never on the event loop


@pytest.mark.parametrize(
    ("raw_path", "path_info"),
    [(b"/%ff", "/\xff"), (b"/caf%C3%A9", "/caf\xc3\xa9"), (b"/a%2Fb", "/a/b"), (b"/%c0%af", "/\xc0\xaf")],
)
def test_path_info_is_the_decoded_path_as_latin_1_even_where_it_is_no_utf_8(raw_path: bytes, path_info: str) -> None:
    # PEP 3333; what a WSGI application checks before trusting a path (the local stack's
    # static files refuse one that is not UTF-8). granian's own decoded path has U+FFFD there.
    recorder = Recorder()

    run(Bridge(recorder, threads=1, max_body_bytes=10), scope(path="/\ufffd", raw_path=raw_path))

    assert recorder.environ["PATH_INFO"] == path_info
    assert recorder.environ["RAW_URI"] == raw_path.decode()


def test_a_header_name_with_an_underscore_never_passes_for_one_with_a_dash() -> None:
    recorder = Recorder()
    request = scope(headers=[(b"host", b"h"), (b"x_forwarded_for", b"198.51.100.1")])

    run(Bridge(recorder, threads=1, max_body_bytes=10), request)

    assert "HTTP_X_FORWARDED_FOR" not in recorder.environ
    assert ("x_forwarded_for", "198.51.100.1") in recorder.wire_headers  # still in the event, as sent


def test_the_body_is_read_whole_within_the_limit() -> None:
    recorder = Recorder()
    request = scope(method="POST", headers=[(b"content-length", b"6")])

    run(Bridge(recorder, threads=1, max_body_bytes=10), request, Exchange([b"abc", b"def"]))

    assert recorder.body == b"abcdef"
    assert recorder.environ["CONTENT_LENGTH"] == "6"


def test_a_declared_length_over_the_limit_is_not_read_at_all() -> None:
    recorder = Recorder()
    request = scope(method="POST", headers=[(b"content-length", b"11")])
    exchange = Exchange([b"x" * 11])

    run(Bridge(recorder, threads=1, max_body_bytes=10), request, exchange)

    assert exchange.received == 0
    assert recorder.body == b""  # the application refuses it by its Content-Length


def test_a_chunked_body_is_read_one_chunk_past_the_limit_and_no_further() -> None:
    recorder = Recorder()
    request = scope(method="POST", headers=[(b"transfer-encoding", b"chunked")])
    exchange = Exchange([b"x" * 6, b"y" * 6, b"z" * 6])

    run(Bridge(recorder, threads=1, max_body_bytes=10), request, exchange)

    assert exchange.received == 2  # 12 bytes: past the limit, so the third chunk stays unread
    assert recorder.body == b"x" * 6 + b"y" * 6


def test_an_application_that_raises_costs_a_500_and_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    def failing(environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        raise RuntimeError("boom")

    exchange = run(Bridge(failing, threads=1, max_body_bytes=10), scope())

    assert exchange.status == 500
    assert "the application failed: GET /items/1" in caplog.text


def test_an_application_that_exits_costs_a_500_and_its_thread_serves_on() -> None:
    calls: list[str] = []

    def exiting(environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        calls.append(threading.current_thread().name)
        if len(calls) == 1:
            raise SystemExit(3)
        start_response("200 OK", [])
        return [b"again"]

    bridge = Bridge(exiting, threads=1, max_body_bytes=10)

    assert run(bridge, scope()).status == 500
    assert run(bridge, scope()).body == b"again"
    assert calls == ["invocation-1", "invocation-1"]  # the one thread lived through it


def test_a_streamed_body_is_closed_when_its_headers_cannot_be_sent() -> None:
    body = Chunks([b"a"])

    def application(environ: dict[str, Any], start_response: StartResponse) -> Chunks:
        start_response("200 OK", [("X-Wide", "日本")])  # no latin-1 for it
        return body

    exchange = run(Bridge(application, threads=1, max_body_bytes=10), scope())

    assert exchange.status == 500
    assert body.closed


def test_a_probe_is_answered_on_the_loop_while_every_thread_is_busy() -> None:
    release = threading.Event()

    def application(environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        if environ["PATH_INFO"] == "/slow":
            release.wait(10)
        start_response("200 OK", [])
        return [threading.current_thread().name.encode()]

    bridge = Bridge(application, threads=1, max_body_bytes=10)

    async def main() -> tuple[Exchange, Exchange]:
        slow, probe = Exchange(), Exchange()
        invocation = asyncio.ensure_future(bridge(scope("/slow", b"/slow"), slow.receive, slow.send))
        await asyncio.sleep(0)  # the invocation now holds the only thread
        await bridge(scope("/__runtime/live", b"/__runtime/live"), probe.receive, probe.send)
        answered_first = not slow.sent
        release.set()
        await invocation
        assert answered_first
        return slow, probe

    slow, probe = asyncio.run(main())
    assert probe.body == threading.main_thread().name.encode()
    assert slow.body == b"invocation-1"


def test_when_idle_waits_for_the_last_request_in_flight() -> None:
    release = threading.Event()
    idle: list[bool] = []

    def application(environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        release.wait(10)
        start_response("200 OK", [])
        return [b""]

    bridge = Bridge(application, threads=1, max_body_bytes=10)

    async def main() -> None:
        exchange = Exchange()
        invocation = asyncio.ensure_future(bridge(scope(), exchange.receive, exchange.send))
        await asyncio.sleep(0)
        bridge.when_idle(lambda: idle.append(bool(exchange.sent)))
        assert idle == []  # a request is in flight
        release.set()
        await invocation

    asyncio.run(main())
    assert idle == [True]  # called once its answer had gone out
    called: list[bool] = []
    bridge.when_idle(lambda: called.append(True))
    assert called == [True]  # nothing in flight: at once


class Chunks:
    """A streamed WSGI body that records whether it was closed."""

    def __init__(self, chunks: list[bytes], fail_after: int | None = None) -> None:
        self.chunks = chunks
        self.fail_after = fail_after
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        for index, chunk in enumerate(self.chunks):
            if index == self.fail_after:
                raise RuntimeError("half way")
            yield chunk

    def close(self) -> None:
        self.closed = True


def streaming(body: Chunks) -> Any:
    def application(environ: dict[str, Any], start_response: StartResponse) -> Chunks:
        start_response("200 OK", [("Content-Type", "text/csv")])
        return body

    return application


def test_a_streamed_body_goes_out_chunk_by_chunk_then_is_closed() -> None:
    body = Chunks([b"a,", b"", b"b"])

    exchange = run(Bridge(streaming(body), threads=1, max_body_bytes=10), scope())

    assert exchange.status == 200
    assert [(m.get("body"), m.get("more_body", False)) for m in exchange.sent[1:]] == [
        (b"a,", True),
        (b"b", True),
        (b"", False),
    ]
    assert body.closed


def test_a_stream_failing_half_way_raises_so_the_response_ends_without_its_last_chunk() -> None:
    body = Chunks([b"a,", b"b"], fail_after=1)
    exchange = Exchange()

    with pytest.raises(RuntimeError, match="half way"):
        asyncio.run(Bridge(streaming(body), threads=1, max_body_bytes=10)(scope(), exchange.receive, exchange.send))

    assert [m.get("body") for m in exchange.sent[1:]] == [b"a,"]  # no final, empty message
    assert body.closed
