"""A TCP proxy in front of PostgreSQL that counts the round trips its clients make.

A client of the v3 protocol waits for the server after a Sync (the end of an extended-query
exchange: Parse, Bind, Execute, Sync), a Query (a simple query) or a Flush (what a client in
pipeline mode sends to have the answers so far without ending the exchange). A round trip is
counted when the server answers such a wait: messages sent together before the answer (a
pipeline's statements, a Sync and a Flush) are one. Outside a pipeline BEGIN, COMMIT, the pool's
empty-query check and every statement each count one. The proxy must see the protocol in
clear: give clients `sslmode=disable`.
"""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from psycopg.conninfo import conninfo_to_dict, make_conninfo

from tests.support.processes import free_port

_PROTOCOL_3 = 196608  # the startup message's protocol number (3.0); SSL and GSS requests differ
_WAITS_FOR_SERVER = {ord("S"), ord("Q"), ord("H")}


class RoundTripCounter:
    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self._upstream = (upstream_host, upstream_port)
        self._lock = threading.Lock()
        self._count = 0
        self.port = free_port()
        self._listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def count(self) -> int:
        with self._lock:
            return self._count

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed
            server = socket.create_connection(self._upstream)
            waiting = threading.Event()  # the client waits for an answer not yet begun
            threading.Thread(target=self._server_to_client, args=(server, client, waiting), daemon=True).start()
            threading.Thread(target=self._client_to_server, args=(client, server, waiting), daemon=True).start()

    def _client_to_server(self, client: socket.socket, server: socket.socket, waiting: threading.Event) -> None:
        buffer, started = b"", False
        while chunk := _receive(client):
            buffer += chunk
            while True:
                kind = None
                if not started:  # untyped: length, then the protocol number
                    if len(buffer) < 8:
                        break
                    length, protocol = struct.unpack("!ii", buffer[:8])
                else:
                    if len(buffer) < 5:
                        break
                    kind, length = buffer[0], struct.unpack("!i", buffer[1:5])[0] + 1
                if len(buffer) < length:
                    break  # counted once whole: a long query can come in pieces
                if kind in _WAITS_FOR_SERVER:
                    waiting.set()
                started = started or protocol == _PROTOCOL_3
                buffer = buffer[length:]
            # Marked before it is sent, so the answer always finds the mark.
            server.sendall(chunk)
        _close(client, server)

    def _server_to_client(self, server: socket.socket, client: socket.socket, waiting: threading.Event) -> None:
        while chunk := _receive(server):
            if waiting.is_set():
                waiting.clear()
                with self._lock:  # counted before it is passed on, so a count read once the answer is in includes it
                    self._count += 1
            client.sendall(chunk)
        _close(server, client)

    def close(self) -> None:
        self._listener.close()


def _receive(sock: socket.socket) -> bytes:
    try:
        return sock.recv(65536)
    except OSError:
        return b""


def _close(*sockets: socket.socket) -> None:
    for sock in sockets:
        with suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()


@contextmanager
def counting_round_trips(conninfo: str) -> Iterator[tuple[RoundTripCounter, str]]:
    """A proxy to `conninfo`'s server (a URL or key=value pairs) and the conninfo that reaches
    the same database through it."""
    target = conninfo_to_dict(conninfo)
    counter = RoundTripCounter(str(target.get("host") or "127.0.0.1"), int(target.get("port") or 5432))
    try:
        yield (
            counter,
            make_conninfo(conninfo, host="127.0.0.1", port=counter.port, sslmode="disable", gssencmode="disable"),
        )
    finally:
        counter.close()
