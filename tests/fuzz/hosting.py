"""The runtime processes under fuzz, and the oracle every example's answer must satisfy.

The oracle, for each connection:
- whatever the server wrote parses as a sequence of well-formed HTTP/1.1 responses
  (status line, token header names, exact framing); silence is allowed, since a
  request cut short by the client gets no answer;
- no status >= 500 except the documented ones: 502 problem+json when the handler
  itself raised (HTTP), 500 problem+json when it raised on a CloudEvent (Knative
  retries it), and the server's empty 501 for a transfer coding it does not
  implement (RFC 9112 6.1);
- a 4xx is either the runtime's problem+json or the HTTP server's own refusal of a
  request it could not parse (400, 414, 431: empty, without a content type);
- a 200 from the echo carries the event: the method, the raw path and query, and,
  where the framing was honest, the body byte for byte;
and, after each example, the process and its worker are the ones that started, the
liveness probe answers, and the log holds no server error.
"""

from __future__ import annotations

import base64
import json
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
from hypothesis import HealthCheck, event, settings
from hypothesis.control import currently_in_test_context

from tests.support.processes import Server

from .strategies import MAX_BODY_BYTES
from .wire import (
    READ_TIMEOUT,
    Exchange,
    FuzzRequest,
    MalformedResponse,
    Parsed,
    WireResponse,
    exchange,
    parse_responses,
)

# Hypothesis' budget per test: small by default, so the folder stays fast in `make test`;
# a long run sets FUZZ_EXAMPLES=2000. A failure prints a `@reproduce_failure` blob.
FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
# An example takes milliseconds; a second each leaves room for the slow ones (lying lengths
# wait out their read timeout) on a loaded machine.
FUZZ_TIMEOUT = max(120, FUZZ_EXAMPLES)
HANDLERS = Path(__file__).resolve().parent / "handlers"
ROUTES = "GET /items/{item_id}, POST /items, ANY /files/{path+}, ANY /fuzz-raise/{rest+}"
BASE_ENV = {
    "HANDLER": "fuzz_handlers.handler",
    "ALB_MULTI_VALUE_HEADERS": "false",
    "FUNCTION_TIMEOUT": "10",
    "FUNCTION_NAME": "fuzz",
    "FUNCTION_MEMORY_MB": "",
    "CONCURRENCY": "8",
    "WORKERS": "1",
    "MAX_BODY_BYTES": str(MAX_BODY_BYTES),
    "LOG_LEVEL": "WARNING",
}
FUNCTIONS = {
    # No routes: takes HTTP requests (as behind an ALB) and CloudEvents.
    "alb": {"EVENT_FORMAT": "alb", "ROUTES": ""},
    "alb-multi-value-strict": {
        "EVENT_FORMAT": "alb",
        "ALB_MULTI_VALUE_HEADERS": "true",
        "CONCURRENCY": "1",
        "ROUTES": "",
    },
    "apigw-rest": {"EVENT_FORMAT": "apigw-rest", "ROUTES": ROUTES},
    "apigw-http": {"EVENT_FORMAT": "apigw-http", "ROUTES": ROUTES},
}

fuzz_settings = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    derandomize=False,  # also under CI (hypothesis' CI profile would fix the examples): every run explores
    print_blob=True,
    database=None,  # nothing written into the work tree; a failure prints its reproduction
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)

PROBLEM_JSON = "application/problem+json"
# What granian (hyper) answers itself, empty and without a content type, when it cannot
# parse a request.
SERVER_REFUSALS = frozenset({400, 414, 431})
# Log lines that mean the server, not the handler, failed on a request: granian's own, the
# bridge's (an application that raised), and the fuzz handler's breach of the contract.
SERVER_ERRORS = (
    "Application callable raised an exception",
    "ASGI protocol failure",
    "Unexpected exit from worker",
    "refused to gracefully stop",
    "crash loop",
    "the application failed",
    "ContractBreach",
)
HANDLER_FAILED_EVENT = "the function failed; the event will be redelivered"
HANDLER_FAILED_HTTP = "the function failed; see its log for this request id"
# Outcomes of every example this process sent, by test and answer; the run's summary prints it.
TALLY: Counter[tuple[str, str]] = Counter()


class OracleViolation(AssertionError):
    pass


@dataclass
class Hosted:
    """One runtime process with the fuzz handler, as the image runs it."""

    name: str
    server: Server
    event_format: str
    takes_cloudevents: bool
    worker_pids: frozenset[int]
    log_offset: int = 0

    @property
    def address(self) -> tuple[str, int]:
        host, port = self.server.base_url.removeprefix("http://").rsplit(":", 1)
        return host, int(port)

    def send(self, request: FuzzRequest) -> Exchange:
        return exchange(*self.address, request)

    def new_log(self) -> str:
        with open(self.server.log_path, "rb") as log:
            log.seek(self.log_offset)
            text = log.read()
        self.log_offset += len(text)
        return text.decode(errors="replace")

    def assert_healthy(self) -> None:
        """The process and its worker live, the liveness probe answers, the log is clean."""
        assert self.server.process.poll() is None, f"{self.name}: the runtime exited\n{self.server.log()[-4000:]}"
        workers = worker_pids(self.server)
        assert workers == self.worker_pids, f"{self.name}: worker restarted ({self.worker_pids} → {workers})"
        probe = FuzzRequest(b"GET /__runtime/live HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n\r\n", "probe")
        [response] = parse_responses(self.send(probe).received).responses
        assert (response.status, response.body) == (200, b"live\n"), f"{self.name}: liveness {response}"
        log = self.new_log()
        errors = [line for line in log.splitlines() if any(marker in line for marker in SERVER_ERRORS)]
        assert not errors, f"{self.name}: the server logged errors:\n{log[-6000:]}"

    def assert_serves(self) -> None:
        """A plain valid request (and, for an event function, a valid CloudEvent) still succeeds."""
        valid = FuzzRequest(
            b"GET /items/after-the-fuzz?x=1 HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n\r\n",
            "valid",
            method="GET",
            target=b"/items/after-the-fuzz?x=1",
        )
        [response] = judge(self, valid, self.send(valid)).responses
        assert response.status == 200, f"{self.name}: a valid request got {response}"
        if self.takes_cloudevents:
            cloud_event = FuzzRequest(
                b"POST / HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\nce-specversion: 1.0\r\n"
                b"ce-id: after-the-fuzz\r\nce-source: /fuzz\r\nce-type: fuzz.checked\r\n"
                b"Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
                "valid-event",
            )
            [response] = judge(self, cloud_event, self.send(cloud_event)).responses
            assert response.status == 204, f"{self.name}: a valid CloudEvent got {response}"


def worker_pids(server: Server) -> frozenset[int]:
    return frozenset(child.pid for child in psutil.Process(server.process.pid).children())


def judge(function: Hosted, request: FuzzRequest, result: Exchange) -> Parsed:
    """Apply the oracle to one exchange; OracleViolation (or MalformedResponse) when it fails."""
    truncated = result.reset or result.timed_out
    parsed = parse_responses(result.received, first_is_head=request.head, truncated_ok=truncated)
    if result.timed_out and request.timeout >= READ_TIMEOUT:
        raise OracleViolation(f"no answer and no close within {READ_TIMEOUT} s; got {result.received[:300]!r}")
    if not parsed.responses:
        _record(request, "no answer: " + ("reset" if result.reset else "waiting" if result.timed_out else "closed"))
    for index, response in enumerate(parsed.responses):
        _record(request, str(response.status) if index == 0 else f"{response.status} (pipelined)")
        _judge_status(function, request, response)
        if (
            index == 0
            and response.status == 200
            and response.complete
            and response.header("Content-Type") == "application/json"
            and not request.head
        ):
            _judge_echo(function, request, _json(response))
    return parsed


def _record(request: FuzzRequest, outcome: str) -> None:
    if currently_in_test_context():
        event(f"{request.kind}: {outcome}")
        TALLY[(request.kind, outcome)] += 1


def _judge_status(function: Hosted, request: FuzzRequest, response: WireResponse) -> None:
    status, media = response.status, (response.header("Content-Type") or "").split(";")[0].strip()
    if media == PROBLEM_JSON and response.complete and not request.head:
        problem = _json(response)
        if problem.get("status") != status or not problem.get("title") or "detail" not in problem:
            raise OracleViolation(f"a problem+json body that does not describe its {status}: {problem}")
        if response.header("X-Content-Type-Options") != "nosniff":
            raise OracleViolation(f"a problem+json answer without the hardening headers: {response.headers}")
    if status >= 500:
        if status == 501 and not media and not response.body and b"transfer-encoding" in request.payload.lower():
            return  # RFC 9112 6.1: a transfer coding the server does not implement
        if request.names_failure and media == PROBLEM_JSON:
            readable = response.complete and not request.head
            detail = _json(response).get("detail") if readable else None
            if (status, detail) in ((502, HANDLER_FAILED_HTTP), (500, HANDLER_FAILED_EVENT)) or (
                not readable and status in (500, 502)
            ):
                return  # the handler raised on purpose: the runtime's documented answer
        raise OracleViolation(f"{function.name} answered {status} {response.reason!r}: {response.body[:1000]!r}")
    if 400 <= status < 500:
        if media == PROBLEM_JSON:
            return
        if status in SERVER_REFUSALS and not media and not response.body:
            return  # the HTTP server refused what it could not parse
        raise OracleViolation(f"a {status} that is neither problem+json nor the server's own refusal: {response}")
    if status == 204:
        if not function.takes_cloudevents or response.body:
            raise OracleViolation(f"an unexpected 204: {response}")
        return
    if status == 200 and media in ("application/json", "text/plain"):
        return
    raise OracleViolation(f"an unexpected answer: {response}")


def _json(response: WireResponse) -> dict[str, Any]:
    try:
        document = json.loads(response.body)
    except ValueError:
        raise OracleViolation(f"a JSON answer whose body is not JSON: {response}") from None
    if not isinstance(document, dict):
        raise OracleViolation(f"a JSON answer whose body is not an object: {response}")
    return document


def _judge_echo(function: Hosted, request: FuzzRequest, seen: dict[str, Any]) -> None:
    """What the handler saw matches what was sent, where the fuzz knows what that was."""
    v2 = function.event_format == "apigw-http"
    method = seen["requestContext"]["http"]["method"] if v2 else seen["httpMethod"]
    if request.method is not None and method != request.method:
        raise OracleViolation(f"the handler saw method {method!r}, the request sent {request.method!r}")
    if request.target is not None and request.target.startswith(b"/"):
        target = request.target.decode("latin-1")
        seen_target = (seen["rawPath"], seen["rawQueryString"]) if v2 else (seen["path"], None)
        # A fragment is no part of a request target (RFC 9112 3.2.1): the server may drop it.
        sent = {_path_and_query(target), _path_and_query(target.partition("#")[0])}
        if not any(seen_target == (path, query if v2 else None) for path, query in sent):
            raise OracleViolation(f"the handler saw {seen_target!r}, the request sent {target!r}")
    if request.body is not None:
        body = seen.get("body") or ""
        received = base64.b64decode(body) if seen.get("isBase64Encoded") else body.encode("utf-8")
        if received != request.body:
            raise OracleViolation(f"the handler got body {received[:200]!r}, the request sent {request.body[:200]!r}")


def _path_and_query(target: str) -> tuple[str, str]:
    path, _, query = target.partition("?")
    return path, query


def check_example(function: Hosted, request: FuzzRequest) -> None:
    """Send one example, judge the answer, then check the process is still well."""
    result = function.send(request)
    try:
        judge(function, request, result)
    except (OracleViolation, MalformedResponse) as exc:
        log = function.new_log()
        raise OracleViolation(
            f"{exc}\n--- sent ({len(request.payload)} bytes): {request.payload[:2000]!r}\n"
            f"--- received: {result.received[:2000]!r}\n--- server log:\n{log[-6000:]}"
        ) from None
    function.assert_healthy()
