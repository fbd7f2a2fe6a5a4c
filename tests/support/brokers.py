"""A broker that takes every event (202) and records its headers and the connection it came on:
what a publisher sends, seen from the other end of a real socket."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Received = list[tuple[dict[str, str], tuple[str, int]]]


class _Recording(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    received: Received = []
    hang_up_after: set[str] = set()  # event ids after which it closes the connection unannounced

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.received.append((dict(self.headers), self.client_address))
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()
        self.close_connection = self.headers["ce-id"] in self.hang_up_after

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def recording_broker(hang_up_after: set[str] | None = None) -> Iterator[tuple[str, Received]]:
    """Its URL, and the list its events land in; it hangs up after the events `hang_up_after`
    names (a set the caller may fill later), as a server closes a connection it finds idle."""
    _Recording.received = []
    _Recording.hang_up_after = hang_up_after if hang_up_after is not None else set()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recording)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", _Recording.received
    finally:
        server.shutdown()
        server.server_close()
