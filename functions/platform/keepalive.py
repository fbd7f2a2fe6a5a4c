"""POSTs over a connection that each thread keeps open to each origin.

A write publishes its event to the broker as it answers: opening a connection for every event
(a TCP handshake, TLS where the broker is reached over it, and urllib's handler chain) cost
more than sending it. The broker's ingress keeps connections alive, as HTTP/1.1 servers do.

No proxy is consulted: the broker is a service of the cluster (or the local stack's own
process), reached directly.
"""

from __future__ import annotations

import http.client
import threading
from urllib.parse import urlsplit

# What a connection the server closed while it sat idle raises on its next request: the
# request never reached anything, so it is sent once more, on a new connection.
_STALE = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError, ConnectionAbortedError)


class KeptAlive:
    def __init__(self) -> None:
        self._local = threading.local()

    def post(self, url: str, headers: dict[str, str], body: bytes, timeout: float) -> int:
        """The status the server answered `body` with; raises OSError or HTTPException when no
        answer came (refused, timed out, reset)."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {url}")
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        for attempt in range(2):
            connection, reused = self._connection(parts.scheme, parts.netloc, timeout)
            try:
                connection.request("POST", target, body, headers)
                response = connection.getresponse()
                response.read()
            except _STALE:
                self._drop(parts.scheme, parts.netloc)
                if reused and attempt == 0:
                    continue
                raise
            except BaseException:
                self._drop(parts.scheme, parts.netloc)
                raise
            if response.will_close:
                self._drop(parts.scheme, parts.netloc)
            return response.status
        raise AssertionError("unreachable: the second attempt returns or raises")

    def _connection(self, scheme: str, netloc: str, timeout: float) -> tuple[http.client.HTTPConnection, bool]:
        """This thread's connection to the origin, with `timeout` for what comes next, and
        whether it has carried a request before."""
        connections: dict[tuple[str, str], http.client.HTTPConnection] = self._local.__dict__.setdefault(
            "connections", {}
        )
        connection = connections.get((scheme, netloc))
        if connection is not None and connection.sock is not None:
            connection.sock.settimeout(timeout)
            connection.timeout = timeout
            return connection, True
        factory = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
        connection = factory(netloc, timeout=timeout)
        connections[(scheme, netloc)] = connection
        return connection, False

    def _drop(self, scheme: str, netloc: str) -> None:
        connection = self._local.__dict__.get("connections", {}).pop((scheme, netloc), None)
        if connection is not None:
            connection.close()
