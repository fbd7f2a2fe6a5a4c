"""Hypothesis strategies for hostile HTTP/1.1 requests and CloudEvents, as raw bytes.

Each strategy yields a FuzzRequest: the exact bytes of one connection, plus what the
oracle may rely on (the method and target when the request line is sound, the body
the handler must see when the framing is honest).
"""

from __future__ import annotations

import base64
import json
from typing import Any

from hypothesis import strategies as st

from .wire import CRLF, FuzzRequest

# Short enough that an example lying about its length costs little; the server must
# then be waiting for the rest of the body, not answering.
WAIT_TIMEOUT = 0.3
# Sizes at gunicorn's defaults (limit_request_line 4094, limit_request_field_size 8190,
# limit_request_fields 100), the server before granian; hyper's limits are 100 fields and
# about 400 kB of head, which the largest examples of each kind go past.
REQUEST_LINE_LIMIT = 4094
FIELD_SIZE_LIMIT = 8190
FIELD_COUNT_LIMIT = 100
# The hosted functions' MAX_BODY_BYTES: small, so bodies past it are cheap to send.
MAX_BODY_BYTES = 65536

TCHAR = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
UNRESERVED = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~"
GOOD_METHODS = [b"GET", b"POST", b"PUT", b"PATCH", b"DELETE", b"HEAD", b"OPTIONS"]

tokens = st.text(alphabet=TCHAR, min_size=1, max_size=16).map(str.encode)


# Each part of a request is hostile about one time in FAULT_IN, so that most examples
# carry one or two faults and many still reach the handler, where the event is built.
# The sound choice is the one hypothesis starts from and shrinks towards, so a failing
# example shrinks to the fewest faults that still fail.
FAULT_IN = 8


def mostly(common: Any, *rare: Any, rare_in: int = FAULT_IN) -> st.SearchStrategy[Any]:
    """`common`, except one time in `rare_in`, one of `rare`."""
    return st.integers(0, rare_in - 1).flatmap(lambda n: st.sampled_from(rare) if n == rare_in - 1 else st.just(common))


def sometimes_hostile(sound: st.SearchStrategy[Any], hostile: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.integers(0, FAULT_IN - 1).flatmap(lambda n: hostile if n == FAULT_IN - 1 else sound)


# ---------------------------------------------------------------------------------------------
# Request line
# ---------------------------------------------------------------------------------------------

methods = sometimes_hostile(
    st.sampled_from(GOOD_METHODS),
    st.one_of(
        st.sampled_from([b"CONNECT", b"TRACE", b"PRI", b"get", b"G\xc9T", b"", b"GET GET", b"\x00GET", b"GET\t"]),
        tokens,
    ),
)

# What gunicorn lets through in a request target: the runtime must map each faithfully.
TARGET_TRAPS = [
    b"%",
    b"%z",
    b"%zz",
    b"%2",
    b"%00",
    b"%e9",
    b"%C3%A9",
    b"%c3%28",
    b"%ff%fe",
    b"%ed%a0%80",
    b"%2F",
    b"%25",
    b"%2e%2e",
    b"+",
    b"..",
    b".",
    b"%0d%0a",
    b"%u00e9",
    b"%F0%9F%98%80",
    b"#",
    b"//",
    b";",
    b"{id}",
    b"{proxy+}",
    b"\\",
    b"?",
    b"=",
    b"&",
    b"&&",
    b"[",
    b"]",
    b"@",
    b"'",
]
# What it refuses there (raw bytes outside visible ASCII).
RAW_TRAPS = [b"\xc3", b"\xe9", b"\xff", b"\xc3\xa9", b"\x7f", b"\x01", b"\t", b" ", b"\x00", b"\r", b"\n"]
segment = st.lists(
    st.one_of(st.text(alphabet=UNRESERVED, max_size=8).map(str.encode), st.sampled_from(TARGET_TRAPS)),
    max_size=4,
).map(b"".join)
paths = st.one_of(
    st.sampled_from(
        [
            b"/",
            b"/items",
            b"/items/42",
            b"/items/42/",
            b"/files/a/b/c",
            b"/fuzz-raise/now",
            b"/__runtime/live",
            b"/__runtime/ready",
            b"/__runtime/nope",
            b"/__runtime",
        ]
    ),
    st.tuples(st.sampled_from([b"/", b"/items/", b"/files/", b"/fuzz-raise/"]), segment).map(b"".join),
    st.lists(segment, min_size=1, max_size=5).map(lambda parts: b"/" + b"/".join(parts)),
)
query_pairs = st.lists(st.tuples(segment, st.one_of(st.none(), segment)), max_size=4).map(
    lambda pairs: b"&".join(name if value is None else name + b"=" + value for name, value in pairs)
)
origin_targets = st.tuples(paths, st.one_of(st.none(), query_pairs)).map(
    lambda parts: parts[0] if parts[1] is None else parts[0] + b"?" + parts[1]
)


@st.composite
def with_raw_trap(draw: st.DrawFn, target: bytes) -> bytes:
    at = draw(st.integers(0, len(target)))
    return target[:at] + draw(st.sampled_from(RAW_TRAPS)) + target[at:]


targets = sometimes_hostile(
    origin_targets,
    st.one_of(
        origin_targets.flatmap(with_raw_trap),
        st.sampled_from(
            [
                b"*",
                b"",
                b"http://fuzz/items/1?x=1",
                b"http://[::1/",
                b"http://fuzz:99999/",
                b"//double",
                b"items/no-slash",
                b"?q=1",
                b"/a b",
                b"https://user@fuzz/files/x",
                b"HTTP://FUZZ",
            ]
        ),
    ),
)
versions = mostly(
    b"HTTP/1.1",
    b"HTTP/1.0",
    b"HTTP/1.2",
    b"HTTP/2.0",
    b"HTTP/0.9",
    b"http/1.1",
    b"HTTP/11",
    b"HTTP/1.1\x00",
    b"HTTP/1",
    b"",
    b"HTTP/1.1 extra",
    b"HTTP/3",
    rare_in=FAULT_IN,
)
line_ends = mostly(CRLF, b"\n", b"\r", b" \r\n", b"\r\r\n", rare_in=3 * FAULT_IN)


# ---------------------------------------------------------------------------------------------
# Header fields
# ---------------------------------------------------------------------------------------------

FRAMING_NAMES = (b"content-length", b"transfer-encoding")
# Fields the runtime reads or copies into the event.
EVENT_NAMES = [
    b"Content-Type",
    b"Host",
    b"X-Forwarded-For",
    b"X-Request-Id",
    b"Cookie",
    b"Content-Encoding",
    b"Traceparent",
    b"User-Agent",
    b"Accept",
    b"X-Forwarded-Proto",
    b"Authorization",
    b"ce-id",
]
# Fields that change how the server frames or handles the connection, or that a WSGI
# server may take from a proxy it trusts (the peer here is on the loopback, as a
# Knative queue-proxy is).
CONNECTION_NAMES = [
    b"Content-Length",
    b"Transfer-Encoding",
    b"Expect",
    b"Connection",
    b"Upgrade",
    b"Trailer",
    b"TE",
    b"Keep-Alive",
    b"HTTP2-Settings",
    b"ce-specversion",
    b"SCRIPT_NAME",
    b"PATH_INFO",
    b"X-Forwarded-Proto",
    b"X-Forwarded-Ssl",
    b"X-Forwarded-Protocol",
    b"Forwarded",
    b"X-Forwarded-Host",
    b"X-Forwarded-Port",
    b"Proxy-Connection",
]
INVALID_NAMES = [
    b"",
    b"Bad Name",
    b" Leading",
    b"Trailing ",
    b"X\x00Y",
    b"X\xe9",
    b"X\tY",
    b"X_Under_Score",
    b"(paren)",
    b'X"Q',
    b"\xff\xfe",
    b"X\x7f",
    b"X:Colon",
    b"X/Slash",
    b"Host\x0b",
]
VALUE_TRAPS = [
    b"",
    b" ",
    b"\x00",
    b"a\x00b",
    b"a\r\n b",
    b"a\r\n\tb",
    b"\xe9t\xe9",
    "été ✓".encode(),
    b"\xff\xfe",
    b"a\rb",
    b"a\nb",
    b"\x7f",
    b"\x01",
    b"=?utf-8?q?x?=",
    b"1.2.3.4, 5.6.7.8",
    b"not-an-ip",
    b"::1",
    b"a" * 300,
    b'"quoted"',
    b"\\",
    b"100-continue",
    b"close",
    b"h2c",
    b"chunked",
    b"-1",
    b"0",
    b"a=1; b=2; =3; ;",
    b"fuzz-raise",
    b"/nope",
    b"/items",
    b"/__runtime",
    b"https",
    b"http",
    b"off",
    b"on",
    b"for=1.2.3.4;proto=https",
]
header_values = st.one_of(
    st.sampled_from(VALUE_TRAPS),
    st.text(st.characters(codec="ascii", exclude_categories=["Cc"]), max_size=40).map(str.encode),
    st.binary(max_size=40),
)
# A field value the server takes: visible latin-1 text and spaces, as a client could send.
sound_values = st.text(st.characters(codec="latin-1", exclude_categories=["Cc"]), max_size=40).map(
    lambda text: text.strip().encode("latin-1")
)
sound_header_lines = st.tuples(st.one_of(st.sampled_from(EVENT_NAMES), tokens), sound_values).map(
    lambda pair: pair[0] + b": " + pair[1]
)
hostile_header_lines = st.tuples(
    st.one_of(st.sampled_from(CONNECTION_NAMES), st.sampled_from(EVENT_NAMES), tokens, st.sampled_from(INVALID_NAMES)),
    mostly(b": ", b":", b" : ", b":\t", b"", b"::", b": \x00"),
    header_values,
).map(lambda parts: b"".join(parts))
header_lines = sometimes_hostile(sound_header_lines, hostile_header_lines)
# X-Forwarded-For becomes the event's source address: proxies write addresses, clients anything.
forwarded_values = st.lists(
    st.one_of(
        st.ip_addresses().map(str),
        st.sampled_from(["unknown", "", "198.51.100.4:443", "[::1]", "_hidden"]),
        sound_values.map(lambda value: value.decode("latin-1")),
    ),
    min_size=1,
    max_size=3,
).map(lambda hops: ", ".join(hops).encode("latin-1"))


# ---------------------------------------------------------------------------------------------
# Bodies and their framing
# ---------------------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
LYING_BODIES = [
    b"\xc3\x28",
    b"\xff\xfe\x00a",
    b"\xef\xbb\xbf{}",
    b'{"a":',
    b"\x00" * 10,
    b"aGVsbG8=",
    b"not base64!!",
    b"\x1f\x8b\x08\x00garbage",
    b"%%%",
    b"a=1&b=%zz",
    "caf\xe9".encode("latin-1"),
]
bodies = st.one_of(
    st.binary(max_size=200),
    st.text(max_size=60).map(lambda text: text.encode("utf-8", "surrogatepass")),
    json_values.map(lambda value: json.dumps(value).encode()),
    st.sampled_from(LYING_BODIES),
)
json_bodies = json_values.map(lambda value: json.dumps(value).encode())
MEDIA_TYPES = [
    b"application/json",
    b"application/json; charset=utf-8",
    b"text/plain; charset=iso-8859-1",
    b"text/plain; charset=utf-16",
    b"application/octet-stream",
    b"image/png",
    b"application/x-www-form-urlencoded",
    b"multipart/form-data; boundary=x",
    b"application/vnd.api+json",
    b"text/html;charset=\xff",
    b"",
    b";;",
    b"application/cloudevents+json",
    b"application/cloudevents-batch+json",
    b"APPLICATION/JSON",
]
content_types = st.one_of(st.none(), st.sampled_from(MEDIA_TYPES))
content_encodings = st.sampled_from([None, b"gzip", b"base64", b"identity", b"br, gzip", b"IDENTITY", b" ", b"x\xe9"])


def honest_length(body: bytes) -> tuple[list[bytes], bytes]:
    return [b"Content-Length: %d" % len(body)], body


@st.composite
def chunked(draw: st.DrawFn, body: bytes) -> bytes:
    """A well-formed chunked encoding of `body`, in random pieces, maybe with extensions and trailers."""
    cuts = sorted(draw(st.lists(st.integers(0, len(body)), max_size=4)))
    pieces = [body[start:end] for start, end in zip([0, *cuts], [*cuts, len(body)], strict=True) if end > start]
    out = b""
    for piece in pieces:
        extension: bytes = draw(mostly(b"", b";name=value", b';q="quoted"', b" ;x"))
        out += b"%x%s\r\n%s\r\n" % (len(piece), extension, piece)
    trailer: bytes = draw(mostly(b"", b"X-Trailer: yes\r\n"))
    return out + b"0\r\n" + trailer + b"\r\n"


BROKEN_CHUNKS = [
    b"zz\r\nabc\r\n0\r\n\r\n",  # size is not hex
    b"5\r\nab\r\n0\r\n\r\n",  # size promises more than follows
    b"3\r\nabcdef\r\n0\r\n\r\n",  # more data than the size
    b"3\r\nabc0\r\n\r\n",  # no CRLF after the data
    b"3\r\nabc\r\n",  # no last chunk
    b"-3\r\nabc\r\n0\r\n\r\n",
    b"ffffffffffffffffffffffff\r\nabc\r\n0\r\n\r\n",
    b"3;\x00\r\nabc\r\n0\r\n\r\n",
    b"3 \r\nabc\r\n0\r\n\r\n",
    b"3\nabc\n0\n\n",  # bare LF
    b"0x3\r\nabc\r\n0\r\n\r\n",
    b"3\r\nabc\r\n0\r\nBad Trailer\r\n\r\n",
    b"0\r\n",  # no end of trailers
    b"",
    b"\r\n",
]
BAD_LENGTHS = [
    b"-1",
    b"abc",
    b"+5",
    b"0x10",
    b"1e3",
    b"5 5",
    b"5,5",
    b"\xb2",
    b"99999999999999999999999",
    b"",
    b"1.0",
    b"\x005",
    "٣".encode(),
]
CODINGS = [
    b"gzip",
    b"chunked, gzip",
    b"gzip, chunked",
    b"identity",
    b"Chunked",
    b"chunked\x0b",
    b"chunked;q=1",
    b" chunked",
    b"chunked,",
    b",chunked",
    b"xchunked",
]


@st.composite
def framings(draw: st.DrawFn, body: bytes, lying: bool = False) -> tuple[list[bytes], bytes, bytes | None, bool, float]:
    """(framing header lines, bytes after the head, the body the handler must see or None, half-close, timeout).

    Honest now and then when `lying`, lying now and then otherwise.
    """
    honest = st.sampled_from(["exact", "chunked"] if body else ["exact", "none", "chunked"])
    lies = st.sampled_from(
        [
            "none",
            "shorter",
            "longer",
            "bad-length",
            "duplicate-length",
            "broken-chunked",
            "length-and-chunked",
            "coding",
            "two-codings",
            "expect",
        ]
    )
    kind = draw(sometimes_hostile(lies, honest) if lying else sometimes_hostile(honest, lies))
    if kind == "none":  # the body is never sent
        return [], b"", b"", True, 15.0
    if kind == "exact":
        lines, sent = honest_length(body)
        return lines, sent, body, True, 15.0
    if kind == "shorter":  # the rest of the body is the next request on the connection
        cut = draw(st.integers(0, max(0, len(body) - 1)))
        return [b"Content-Length: %d" % cut], body, None, True, 15.0
    if kind == "longer":
        extra = draw(st.integers(1, 10_000))
        half_close = draw(st.booleans())
        return (
            [b"Content-Length: %d" % (len(body) + extra)],
            body,
            None,
            half_close,
            15.0 if half_close else WAIT_TIMEOUT,
        )
    if kind == "bad-length":
        return [b"Content-Length: " + draw(st.sampled_from(BAD_LENGTHS))], body, None, True, 15.0
    if kind == "duplicate-length":
        other = draw(st.sampled_from([len(body), len(body) + 1, 0]))
        return [b"Content-Length: %d" % len(body), b"Content-Length: %d" % other], body, None, True, 15.0
    if kind == "chunked":
        return [b"Transfer-Encoding: chunked"], draw(chunked(body)), body, True, 15.0
    if kind == "broken-chunked":
        return [b"Transfer-Encoding: chunked"], draw(st.sampled_from(BROKEN_CHUNKS)), None, True, 15.0
    if kind == "length-and-chunked":
        encoded = draw(chunked(body))
        lines = [
            b"Content-Length: %d" % draw(st.sampled_from([len(body), len(encoded), 0])),
            b"Transfer-Encoding: chunked",
        ]
        return draw(st.permutations(lines)), encoded, None, True, 15.0
    if kind == "coding":
        return [b"Transfer-Encoding: " + draw(st.sampled_from(CODINGS))], draw(chunked(body)), None, True, 15.0
    if kind == "two-codings":
        return [b"Transfer-Encoding: chunked", b"Transfer-Encoding: chunked"], draw(chunked(body)), None, True, 15.0
    # Expect: 100-continue, honestly framed: the handler must still get the body.
    lines, sent = honest_length(body)
    return (
        [*lines, b"Expect: " + draw(st.sampled_from([b"100-continue", b"200-ok", b"100-Continue"]))],
        sent,
        None,
        True,
        15.0,
    )


# ---------------------------------------------------------------------------------------------
# Whole requests
# ---------------------------------------------------------------------------------------------


def _assemble(request_line: bytes, lines: list[bytes], eol: bytes, after_head: bytes) -> bytes:
    return request_line + eol + b"".join(line + eol for line in lines) + eol + after_head


@st.composite
def http_requests(draw: st.DrawFn) -> FuzzRequest:
    """Any request: a hostile request line, hostile headers and hostile framing, each part now and then."""
    method, target, version = draw(methods), draw(targets), draw(versions)
    spacing = draw(mostly(b" ", b"  ", b"\t", b"", rare_in=3 * FAULT_IN))
    request_line = method + spacing + target + spacing + version
    body = draw(bodies)
    framing, after_head, handler_body, half_close, timeout = draw(framings(body))
    lines = [] if draw(st.integers(0, 2 * FAULT_IN - 1)) == 2 * FAULT_IN - 1 else [b"Host: fuzz"]
    if (content_type := draw(content_types)) is not None:
        lines.append(b"Content-Type: " + content_type)
    if (encoding := draw(content_encodings)) is not None:
        lines.append(b"Content-Encoding: " + encoding)
    if draw(st.booleans()):
        lines.append(b"X-Forwarded-For: " + draw(forwarded_values))
    extra = draw(st.lists(header_lines, max_size=4))
    lines = draw(st.permutations([*lines, *framing, *extra]))
    if draw(st.booleans()):
        lines.append(b"Connection: close")
    eol = draw(line_ends)
    sound_head = (
        method in GOOD_METHODS
        and spacing == b" "
        and version == b"HTTP/1.1"
        and eol == CRLF
        and target.startswith(b"/")
        and b" " not in target
        and all(byte >= 0x21 for byte in target)
    )
    touches_framing = any(line.lower().startswith(FRAMING_NAMES) for line in extra)
    return FuzzRequest(
        payload=_assemble(request_line, lines, eol, after_head),
        kind="request",
        half_close=half_close,
        timeout=timeout,
        head=method == b"HEAD",
        method=method.decode() if sound_head else None,
        target=target if sound_head else None,
        body=handler_body if sound_head and not touches_framing else None,
        unframed=body,
    )


@st.composite
def hostile_headers(draw: st.DrawFn) -> FuzzRequest:
    """A sound request line and body carrying one to four hostile header fields."""
    method = draw(st.sampled_from([b"GET", b"POST", b"PUT", b"HEAD"]))
    target = draw(st.sampled_from([b"/items/7", b"/items", b"/files/a/b", b"/__runtime/live", b"/", b"/fuzz-raise/x"]))
    body = draw(json_bodies) if method in (b"POST", b"PUT") else b""
    lines = [
        b"Host: fuzz",
        b"Content-Type: application/json",
        b"Content-Length: %d" % len(body),
        *draw(st.lists(hostile_header_lines, min_size=1, max_size=4)),
    ]
    return FuzzRequest(
        _assemble(method + b" " + target + b" HTTP/1.1", draw(st.permutations(lines)), CRLF, body),
        kind="headers",
        head=method == b"HEAD",
        unframed=body,
    )


@st.composite
def lying_framings(draw: st.DrawFn) -> FuzzRequest:
    """A sound request line and headers; only the framing of the body lies (or, sometimes, does not)."""
    method = draw(st.sampled_from([b"POST", b"PUT", b"PATCH", b"DELETE", b"GET"]))
    target = draw(st.sampled_from([b"/items", b"/items/7", b"/files/up/load", b"/"]))
    body = draw(bodies)
    framing, after_head, handler_body, half_close, timeout = draw(framings(body, lying=True))
    lines = [b"Host: fuzz", b"Content-Type: " + draw(st.sampled_from(MEDIA_TYPES)), *framing]
    pipelined = b""
    if draw(st.booleans()):  # a second, valid request behind it on the same connection
        pipelined = b"GET /items/second HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n\r\n"
    return FuzzRequest(
        payload=_assemble(method + b" " + target + b" HTTP/1.1", lines, CRLF, after_head) + pipelined,
        kind="framing",
        half_close=half_close,
        timeout=timeout,
        method=method.decode(),
        target=target,
        body=handler_body,
        unframed=body,
    )


@st.composite
def oversized(draw: st.DrawFn) -> FuzzRequest:
    """Heads past the server's limits, and bodies past MAX_BODY_BYTES (declared or chunked)."""
    size = draw(st.sampled_from([-1, 0, 1, 2]))
    kind = draw(
        st.sampled_from(["request-line", "field", "field-count", "head", "body", "chunked-body", "declared-body"])
    )
    head, after = b"POST /items HTTP/1.1", b""
    lines = [b"Host: fuzz"]
    if kind == "request-line":
        length = REQUEST_LINE_LIMIT + size if size < 2 else 64 * 1024
        head = b"GET /" + b"a" * (length - len(b"GET / HTTP/1.1")) + b" HTTP/1.1"
    elif kind == "field":
        length = FIELD_SIZE_LIMIT + size if size < 2 else 64 * 1024
        lines.append(b"X-Big: " + b"v" * (length - len(b"X-Big: ")))
    elif kind == "field-count":
        count = FIELD_COUNT_LIMIT + size if size < 2 else 5000
        lines += [b"X-Many-%d: %d" % (index, index) for index in range(count - 1)]
    elif kind == "head":  # many fields, each under the limit: a large head overall
        lines += [b"X-Wide-%d: " % index + b"w" * 8000 for index in range(draw(st.integers(10, 99)))]
    elif kind == "body":
        body = b"b" * (MAX_BODY_BYTES + size if size < 2 else 4 * MAX_BODY_BYTES)
        lines.append(b"Content-Length: %d" % len(body))
        after = body
    elif kind == "chunked-body":
        body = b"c" * (MAX_BODY_BYTES + size if size < 2 else 4 * MAX_BODY_BYTES)
        lines.append(b"Transfer-Encoding: chunked")
        after = draw(chunked(body))
    else:  # a huge declared length with no body behind it
        lines.append(b"Content-Length: " + draw(st.sampled_from([b"6291457", b"2147483648", b"9" * 30])))
    lines.append(b"Connection: close")
    return FuzzRequest(_assemble(head, lines, CRLF, after), kind=f"oversized {kind}")


@st.composite
def byte_soup(draw: st.DrawFn) -> FuzzRequest:
    """A plausible start, then anything at all."""
    prefix = draw(
        st.sampled_from(
            [
                b"",
                b"GET ",
                b"GET / HTTP/1.1\r\n",
                b"POST / HTTP/1.1\r\nHost: fuzz\r\n",
                b"POST / HTTP/1.1\r\nce-specversion: 1.0\r\n",
                b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
                b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
            ]
        )
    )
    return FuzzRequest(prefix + draw(st.binary(min_size=1, max_size=300)), kind="soup")


# ---------------------------------------------------------------------------------------------
# CloudEvents
# ---------------------------------------------------------------------------------------------

SUBJECTS = [None, None, "task-17", "task-17", "task-17", "fuzz-raise"]  # the handler raises on fuzz-raise
TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
TIMES = [
    None,
    "2026-03-01T09:30:00Z",
    "2026-03-01T09:30:00.123456789+02:00",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "not-a-time",
    "2024-02-30T00:00:00Z",
    "",
    "2024-01-01T00:00:00",
    "2024-01-01",
    "2024-01-01T25:00:00Z",
    "1" * 40,
]
attribute_texts = st.one_of(
    st.sampled_from(
        ["", " ", "/fuzz", "fuzz.type", "urn:x", "fuzz-raise", "\xe9", "a" * 300, "http://[::1", "1.0", "0.3", "2.0"]
    ),
    st.text(st.characters(codec="latin-1", exclude_characters="\r\n"), max_size=30),
)
# Around the interpreter's recursion limit (1000), and past it while still under MAX_BODY_BYTES.
deep_json = st.sampled_from([100, 999, 1001, 5000, 30_000]).map(lambda depth: b"[" * depth + b"]" * depth)
event_bodies = st.one_of(
    json_values.map(lambda value: json.dumps(value).encode()),
    st.binary(max_size=100),
    st.sampled_from(LYING_BODIES),
    st.sampled_from([10, 1000, 10_000]).map(lambda depth: b'{"a":' * depth + b"1" + b"}" * depth),
    deep_json,
    st.sampled_from([b"1" * 5000, b'"' + b"x" * 60_000 + b'"', b"{" + b'"k":1,' * 9000 + b'"k":2}']),
)


@st.composite
def binary_cloudevents(draw: st.DrawFn) -> FuzzRequest:
    """Binary mode: attributes in ce-* headers, each now and then missing, empty or wrong; any body."""

    def attribute(sound: str, *hostile: str | None) -> Any:
        return draw(sometimes_hostile(st.just(sound), st.one_of(st.sampled_from(hostile), attribute_texts)))

    attributes: dict[bytes, str | None] = {
        b"ce-specversion": attribute("1.0", "0.3", "", "2.0", "1.0 ", "\xe9"),
        b"ce-id": attribute("evt-1", None, "", "a" * 200, "\xff", "id with spaces"),
        b"ce-source": attribute("/fuzz", None, "", "http://[::1", "\x7f"),
        b"ce-type": attribute("fuzz.happened", None, "", "dev.knative.sources.ping"),
        b"ce-time": draw(sometimes_hostile(st.sampled_from(TIMES[:3]), st.sampled_from(TIMES))),
        b"ce-subject": draw(sometimes_hostile(st.sampled_from(SUBJECTS), attribute_texts)),
        b"ce-dataschema": draw(sometimes_hostile(st.sampled_from([None, "https://fuzz/schema"]), attribute_texts)),
        b"ce-traceparent": draw(sometimes_hostile(st.sampled_from([None, TRACEPARENT]), attribute_texts)),
    }
    lines = [b"Host: fuzz"]
    for name, value in attributes.items():
        if value is not None:
            lines.append(name + b": " + value.encode("latin-1"))
    extension = sometimes_hostile(
        st.tuples(
            st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=20).map(str.encode),
            sound_values,
        ),
        st.tuples(tokens, header_values),
    )
    lines += draw(st.lists(extension.map(lambda pair: b"ce-" + pair[0] + b": " + pair[1]), max_size=2))
    content_type = draw(
        sometimes_hostile(
            st.sampled_from(
                [b"application/json", b"application/json; charset=utf-8", b"text/plain", b"application/octet-stream"]
            ),
            st.sampled_from(
                [
                    b"application/json; charset=latin-1",
                    b"application/cloudevents+json",
                    b"application/xml",
                    b"x/y+json",
                    None,
                    b"\xff",
                ]
            ),
        )
    )
    if content_type is not None:
        lines.append(b"Content-Type: " + content_type)
    body = draw(sometimes_hostile(json_bodies, event_bodies))
    framing, after_head, _, half_close, timeout = draw(framings(body))
    lines = draw(st.permutations([*lines, *framing, b"Connection: close"]))
    return FuzzRequest(
        _assemble(b"POST / HTTP/1.1", lines, CRLF, after_head),
        kind="binary event",
        half_close=half_close,
        timeout=timeout,
        unframed=body,
    )


envelope_values = st.one_of(json_values, attribute_texts)
SOUND_VALUES: dict[str, list[Any]] = {
    "time": TIMES[1:3],
    "subject": ["task-17", "task-17", "task-17", "fuzz-raise"],
    "datacontenttype": ["application/json", "text/plain"],
    "dataschema": ["https://fuzz/schema"],
    "traceparent": [TRACEPARENT],
    "data_base64": [base64.b64encode(b"\x00\xff").decode()],
    "fuzzextension": ["value", 7, True],
}
HOSTILE_VALUES: dict[str, list[Any]] = {
    "time": TIMES,
    "datacontenttype": ["text/x", "", "application/json; charset=utf-16"],
    "data_base64": ["!!!", "AAA", "aGVsbG8=\n", ""],
}


@st.composite
def structured_cloudevents(draw: st.DrawFn) -> FuzzRequest:
    """Structured mode (and batch mode): an envelope with attributes of the wrong type, broken JSON, huge data."""
    envelope: dict[str, Any] = {}
    for name, good in (("specversion", "1.0"), ("id", "evt-1"), ("source", "/fuzz"), ("type", "fuzz.happened")):
        choice = draw(st.integers(0, 2 * FAULT_IN - 1))
        if choice < 2 * FAULT_IN - 2:
            envelope[name] = good
        elif choice == 2 * FAULT_IN - 2:
            envelope[name] = draw(envelope_values)  # else absent
    for name in (
        "time",
        "subject",
        "datacontenttype",
        "dataschema",
        "traceparent",
        "data",
        "data_base64",
        "fuzzextension",
        "UPPER",
        "",
    ):
        # Ten optional attributes: each is hostile more rarely, so that whole events still get through.
        choice = draw(st.integers(0, 3 * FAULT_IN - 1))
        if choice == 3 * FAULT_IN - 1:
            envelope[name] = draw(st.one_of(envelope_values, st.sampled_from(HOSTILE_VALUES.get(name, [None]))))
        elif choice >= 2 * FAULT_IN and name in SOUND_VALUES:
            envelope[name] = draw(st.sampled_from(SOUND_VALUES[name]))
        elif choice >= FAULT_IN and name == "data":
            envelope[name] = draw(json_values)  # else absent
    as_json = json.dumps(envelope).encode()
    body = draw(
        sometimes_hostile(
            st.just(as_json),
            st.one_of(
                st.just(as_json[:-1]),  # cut short
                st.sampled_from([b"[" + as_json + b"]", b"[]", b"[" + as_json + b"," + as_json + b"]"]),  # batch-shaped
                st.just(as_json.replace(b'"evt-1"', b'"\xff\xfe"')),  # invalid UTF-8 in a string
                st.just(b"\xef\xbb\xbf" + as_json),  # byte order mark
                deep_json.map(lambda nested: as_json[:-1] + b',"data":' + nested + b"}"),
                st.just(as_json[:-1] + b',"data":"' + b"d" * 60_000 + b'"}'),
                event_bodies,
            ),
        )
    )
    content_type = draw(
        sometimes_hostile(
            st.sampled_from(
                [
                    b"application/cloudevents+json",
                    b"application/cloudevents+json; charset=utf-8",
                    b"APPLICATION/CLOUDEVENTS+JSON",
                ]
            ),
            st.sampled_from(
                [
                    b"application/cloudevents",
                    b"application/cloudevents+xml",
                    b"application/cloudevents-batch+json",
                    b"application/cloudevents+json; charset=utf-16",
                ]
            ),
        )
    )
    lines = [b"Host: fuzz", b"Content-Type: " + content_type]
    if draw(st.integers(0, FAULT_IN - 1)) == FAULT_IN - 1:
        lines.append(b"ce-specversion: 1.0")  # binary-mode marker on a structured body
    framing, after_head, _, half_close, timeout = draw(framings(body))
    lines = draw(st.permutations([*lines, *framing, b"Connection: close"]))
    return FuzzRequest(
        _assemble(b"POST / HTTP/1.1", lines, CRLF, after_head),
        kind="structured event",
        half_close=half_close,
        timeout=timeout,
        unframed=body,
    )
