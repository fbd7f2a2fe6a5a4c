"""Raw HTTP/1.1 over a socket: write exactly the given bytes, read every byte back, parse strictly.

No HTTP client library stands between the fuzz and the runtime: a client would refuse
to send most of what the fuzz writes, and would forgive answers the fuzz must catch.
"""

from __future__ import annotations

import re
import select
import socket
from dataclasses import dataclass, field

CRLF = b"\r\n"
# RFC 9110 field names are tokens; values never hold CR, LF or NUL.
_TOKEN = re.compile(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
# gunicorn echoes the request's minor version (HTTP/1.2 in, HTTP/1.2 out).
_STATUS_LINE = re.compile(rb"HTTP/1\.[0-9] ([1-5][0-9][0-9]) ([\t !-~\x80-\xff]*)")
# Every send and read of one example ends within this, unless the example asks for less.
READ_TIMEOUT = 15.0
# A half-closing client waits this long for the answer to begin before it ends its side.
# As the front doors do (an ALB, Envoy, the kubelet's probes), it never ends its side while
# the server is still working on a complete request: hyper (granian) takes the end of the
# stream for a client gone and drops the answer, which would leave the oracle nothing to judge.
HALF_CLOSE_AFTER = 0.5


@dataclass
class FuzzRequest:
    """One connection's worth of bytes, and what the fuzz knows about them."""

    payload: bytes
    kind: str
    # Half-close after writing (see HALF_CLOSE_AFTER), so the server sees the end of the stream
    # and answers or closes at once. Off only where a lying Content-Length must make it wait.
    half_close: bool = True
    timeout: float = READ_TIMEOUT
    head: bool = False  # the first request is a HEAD: its answer has no body
    method: str | None = None  # set when the request line is well-formed
    target: bytes | None = None
    # The exact body the handler must be given, when the framing is honest.
    body: bytes | None = None
    # The body before its framing (a chunked encoding may split a marker in two).
    unframed: bytes = b""

    def __repr__(self) -> str:
        shown = self.payload if len(self.payload) <= 600 else self.payload[:600] + b"..."
        return f"FuzzRequest({shown!r} ({len(self.payload)} bytes), kind={self.kind!r}, half_close={self.half_close})"

    @property
    def names_failure(self) -> bool:
        from .handlers.fuzz_handlers import FAILURE_MARKER

        return FAILURE_MARKER.encode() in self.payload or FAILURE_MARKER.encode() in self.unframed


@dataclass
class Exchange:
    received: bytes
    closed: bool  # the server closed the connection (EOF)
    reset: bool  # the connection was reset, possibly before all of the answer arrived
    timed_out: bool


@dataclass
class WireResponse:
    status: int
    reason: bytes
    headers: list[tuple[str, str]]
    body: bytes
    complete: bool = True  # False: cut short by a reset

    def header(self, name: str) -> str | None:
        values = [value for key, value in self.headers if key.lower() == name.lower()]
        return ",".join(values) if values else None


class MalformedResponse(AssertionError):
    """The bytes the server wrote are not a well-formed HTTP/1.1 response."""


@dataclass
class Parsed:
    responses: list[WireResponse] = field(default_factory=list)
    interim: list[int] = field(default_factory=list)  # 1xx


def exchange(host: str, port: int, request: FuzzRequest) -> Exchange:
    chunks: list[bytes] = []
    reset = timed_out = closed = False
    with socket.create_connection((host, port), timeout=READ_TIMEOUT) as connection:
        try:
            connection.sendall(request.payload)
            if request.half_close:
                select.select([connection], [], [], HALF_CLOSE_AFTER)  # the answer begins, or the server waits
                connection.shutdown(socket.SHUT_WR)
        except OSError:  # EPIPE, ECONNRESET, ENOTCONN
            reset = True  # the server answered and closed before reading everything
        connection.settimeout(request.timeout)
        while True:
            try:
                chunk = connection.recv(65536)
            except TimeoutError:
                timed_out = True
                break
            except ConnectionResetError:
                reset = True
                break
            if not chunk:
                closed = True
                break
            chunks.append(chunk)
    return Exchange(b"".join(chunks), closed, reset, timed_out)


def parse_responses(data: bytes, first_is_head: bool = False, truncated_ok: bool = False) -> Parsed:
    """Every response in `data`, in order; MalformedResponse for anything else.

    `truncated_ok`: the stream ended early (a reset or a timeout), so the last response
    may be cut short; it is kept with complete=False.
    """
    parsed = Parsed()
    position = 0
    while position < len(data):
        end = data.find(b"\r\n\r\n", position)
        if end < 0:
            if truncated_ok:
                break
            raise MalformedResponse(f"a response head never ends: {data[position : position + 200]!r}")
        status_line, *header_lines = data[position:end].split(CRLF)
        position = end + 4
        match = _STATUS_LINE.fullmatch(status_line)
        if not match:
            raise MalformedResponse(f"not a status line: {status_line[:200]!r}")
        status = int(match.group(1))
        headers = [_header(line) for line in header_lines]
        if 100 <= status < 200:  # interim (100 Continue): the final response follows
            parsed.interim.append(status)
            continue
        response = WireResponse(status, match.group(2), headers, b"")
        is_head = first_is_head and not parsed.responses
        position = _read_body(data, position, response, is_head, truncated_ok)
        parsed.responses.append(response)
    return parsed


def _header(line: bytes) -> tuple[str, str]:
    name, colon, value = line.partition(b":")
    if not colon or not _TOKEN.fullmatch(name):
        raise MalformedResponse(f"not a header field: {line[:200]!r}")
    if any(byte in value for byte in b"\r\n\x00"):
        raise MalformedResponse(f"a header value holds CR, LF or NUL: {line[:200]!r}")
    return name.decode("ascii"), value.strip(b" \t").decode("latin-1")


def _read_body(data: bytes, position: int, response: WireResponse, is_head: bool, truncated_ok: bool) -> int:
    lengths = [value for name, value in response.headers if name.lower() == "content-length"]
    codings = [value for name, value in response.headers if name.lower() == "transfer-encoding"]
    if lengths and codings:
        raise MalformedResponse("a response with both Content-Length and Transfer-Encoding")
    if len(lengths) > 1 or (lengths and not lengths[0].isascii()) or (lengths and not lengths[0].isdigit()):
        raise MalformedResponse(f"Content-Length is not one decimal number: {lengths!r}")
    # The server's own refusal (a 4xx/5xx text/html it writes before parsing the method)
    # carries its body even for a HEAD.
    server_refusal = response.status >= 400 and response.header("Content-Type") == "text/html"
    if (is_head and not server_refusal) or response.status in (204, 304):
        return position
    if codings:
        if [coding.strip().lower() for coding in codings] != ["chunked"]:
            raise MalformedResponse(f"unexpected Transfer-Encoding {codings!r}")
        return _read_chunked(data, position, response, truncated_ok)
    if lengths:
        length = int(lengths[0])
        response.body = data[position : position + length]
        if len(response.body) < length:
            if not truncated_ok:
                raise MalformedResponse(f"Content-Length {length} but {len(response.body)} bytes followed")
            response.complete = False
        return position + length
    # Neither: the body runs to the end of the connection (RFC 9112 6.3, rule 8).
    if "close" not in (response.header("Connection") or "").lower():
        raise MalformedResponse("a response without framing that does not close the connection")
    response.body = data[position:]
    return len(data)


def _read_chunked(data: bytes, position: int, response: WireResponse, truncated_ok: bool) -> int:
    body = bytearray()
    while True:
        line_end = data.find(CRLF, position)
        if line_end < 0:
            break
        size_text = data[position:line_end].split(b";")[0].strip()
        if not re.fullmatch(rb"[0-9a-fA-F]+", size_text):
            raise MalformedResponse(f"bad chunk size {size_text[:40]!r}")
        size = int(size_text, 16)
        position = line_end + 2
        if size == 0:
            trailer_end = data.find(CRLF, position)
            while trailer_end > position:  # skip trailer fields
                position = trailer_end + 2
                trailer_end = data.find(CRLF, position)
            if trailer_end < 0:
                break
            response.body = bytes(body)
            return trailer_end + 2
        body += data[position : position + size]
        if data[position + size : position + size + 2] != CRLF:
            break
        position += size + 2
    if not truncated_ok:
        raise MalformedResponse("a chunked body that never ends")
    response.body, response.complete = bytes(body), False
    return len(data)
