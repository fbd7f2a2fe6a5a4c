"""An unmodified Chalice app behind the runtime answers as it does behind `chalice local`.

The same app (demo_app/) is served twice: by `python -m functions.runtime` with
EVENT_FORMAT=apigw-rest, and by `chalice local`, Chalice's own emulation of API
Gateway REST. Every case sends one request to both and compares, as separate tests,
the status, the body (parsed when it is JSON) and the response headers.

Where the two hosts disagree because one of them departs from real API Gateway, the
case carries a `Deviation`: the reason, written next to the case, and the weaker
property both hosts do share, which is asserted instead. Nothing is skipped.
"""

from __future__ import annotations

import hashlib
import http.client
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.support.processes import free_port, running_runtime, wait_until_ready

APP_DIR = Path(__file__).resolve().parent / "demo_app"

# Headers owned by the HTTP server rather than by the app or by API Gateway's
# proxy-integration contract, so the two hosts legitimately differ on them:
# - date: the clock at the moment of the response;
# - server: names the serving software (gunicorn vs. BaseHTTP); API Gateway replaces it;
# - connection, keep-alive: hop-by-hop, each server's own connection management;
# - content-length: framing; the body it frames is compared on its own.
IGNORED_HEADERS = frozenset({"date", "server", "connection", "keep-alive", "content-length"})

APP_HEADER = "x-demo-app"  # the app's middleware sets it on every response it produces


# --------------------------------------------------------------------------- the app


def load_app_module() -> Any:
    """The app's module, imported from its file as `chalice local` imports it."""
    spec = importlib.util.spec_from_file_location("chalice_demo_app", APP_DIR / "app.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def routes_of(app: Any) -> str:
    """ROUTES for the runtime, from the app's own route table: they cannot drift."""
    return ", ".join(f"{method} {path}" for path, entries in sorted(app.routes.items()) for method in sorted(entries))


APP_MODULE = load_app_module()
DEMO_APP = APP_MODULE.app
BLOB = APP_MODULE.BLOB  # what GET /blobs/{name} answers; also what the upload cases send


# --------------------------------------------------------------------------- requests


@dataclass(frozen=True)
class Reply:
    status: int
    headers: tuple[tuple[str, str], ...]  # (lower-case name, value), repeats kept, wire order
    body: bytes

    def values(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key == name]

    def relevant_headers(self) -> dict[str, list[str]]:
        grouped: dict[str, list[str]] = {}
        for name, value in self.headers:
            if name not in IGNORED_HEADERS:
                grouped.setdefault(name, []).append(value)
        return grouped

    def parsed_body(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True)
class Deviation:
    """Where the hosts may not be compared one-to-one, and what is compared instead."""

    reason: str
    check: Callable[[Reply, Reply], None]  # (runtime, chalice local)
    aspects: frozenset[str] = frozenset({"status", "body", "headers"})


@dataclass(frozen=True)
class Case:
    id: str
    method: str
    target: str  # path and query exactly as they go on the wire
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None
    deviation: Deviation | None = None


def send(port: int, case: Case) -> Reply:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        connection.putrequest(case.method, case.target, skip_accept_encoding=True)
        for name, value in case.headers:
            connection.putheader(name, value)
        if case.body is not None:
            connection.putheader("Content-Length", str(len(case.body)))
        connection.endheaders(case.body)
        response = connection.getresponse()
        body = response.read()
        headers = tuple((name.lower(), value) for name, value in response.getheaders())
        return Reply(response.status, headers, body)
    finally:
        connection.close()


def with_json(value: Any) -> dict[str, Any]:
    return {"headers": (("Content-Type", "application/json"),), "body": json.dumps(value).encode()}


# --------------------------------------------------------------------------- deviations


def _neither_invoked_the_app(runtime: Reply, local: Reply) -> None:
    assert 400 <= runtime.status < 500, runtime
    assert 400 <= local.status < 500, local
    assert not runtime.values(APP_HEADER), "the runtime passed an unrouted request to the function"
    assert not local.values(APP_HEADER), "chalice local passed an unrouted request to the function"


def _runtime_kept_the_wrong_method_from_the_app(runtime: Reply, local: Reply) -> None:
    assert 400 <= runtime.status < 500, runtime
    assert 400 <= local.status < 500, local
    assert not runtime.values(APP_HEADER), "the runtime passed an unrouted method to the function"


def _runtime_delivers_the_last_repeated_header(runtime: Reply, local: Reply) -> None:
    assert runtime.status == local.status == 200
    assert runtime.parsed_body() == {"x_custom": "second"}
    assert runtime.values("x-echo-custom") == ["second"]
    assert local.parsed_body()["x_custom"] in ("first", "second")


# --------------------------------------------------------------------------- cases

CASES = [
    # Path parameters. API Gateway REST delivers `pathParameters` exactly as the client
    # encoded them (Chalice does not decode them either: aws/chalice#511).
    Case("path-plain", "GET", "/items/plain"),
    Case("path-percent-encoded-unicode", "GET", "/items/caf%C3%A9"),
    Case("path-percent-encoded-emoji", "GET", "/items/%F0%9F%8D%B5"),
    Case("path-encoded-space", "GET", "/items/a%20b"),
    Case("path-encoded-slash", "GET", "/items/a%2Fb"),
    Case("path-plus-sign", "GET", "/items/a+b"),
    # API Gateway REST ignores a trailing slash when it picks the resource: /items/plain/
    # invokes the function for /items/{item_id}, as chalice local does (it strips the slash
    # "as API Gateway does"; aws-powertools/powertools-lambda-python#1552 reports the same
    # of deployed REST and HTTP APIs).
    Case("path-trailing-slash", "GET", "/items/plain/"),
    # Query strings: API Gateway REST decodes names and values ('+' is a space).
    Case("query-absent", "GET", "/search"),
    Case("query-repeated-keys", "GET", "/search?tag=a+b&tag=c%26d&tag=caf%C3%A9&q=x"),
    Case("query-blank-values", "GET", "/search?tag=&tag=x&q"),
    # Request bodies.
    Case("json-body", "POST", "/items", **with_json({"name": "café", "tags": ["a", "b"], "n": 1.5})),
    Case("json-body-invalid", "POST", "/items", headers=(("Content-Type", "application/json"),), body=b"{not json"),
    Case(
        "text-body",
        "POST",
        "/notes",
        headers=(("Content-Type", "text/plain; charset=utf-8"),),
        body="héllo, wörld".encode(),
    ),
    Case("binary-body", "PUT", "/blobs/sample.bin", headers=(("Content-Type", "application/octet-stream"),), body=BLOB),
    Case(
        "binary-body-empty",
        "PUT",
        "/blobs/empty.bin",
        headers=(("Content-Type", "application/octet-stream"),),
        body=b"",
    ),
    Case("binary-body-unsupported-media-type", "PUT", "/blobs/sample.bin", **with_json({})),
    # Binary responses: Chalice answers one only to a request that accepts a binary type.
    Case("binary-response", "GET", "/blobs/pixel.png", headers=(("Accept", "image/png"),)),
    Case("binary-response-not-accepted", "GET", "/blobs/pixel.png", headers=(("Accept", "application/json"),)),
    # Request and response headers.
    Case("custom-header-echo", "GET", "/echo-headers", headers=(("X-Custom", "hello there"),)),
    Case("custom-header-absent", "GET", "/echo-headers"),
    Case(
        "custom-header-repeated",
        "GET",
        "/echo-headers",
        headers=(("X-Custom", "first"), ("X-Custom", "second")),
        deviation=Deviation(
            reason=(
                "API Gateway REST puts the last value of a repeated header in `headers` "
                "(all of them in `multiValueHeaders`), and Chalice reads `headers`. The runtime "
                "does the same; chalice local builds `headers` with dict(email.message.Message), "
                "which keeps the first value, so only the runtime's answer is pinned."
            ),
            check=_runtime_delivers_the_last_repeated_header,
        ),
    ),
    Case("multi-value-headers", "GET", "/multi"),
    # Status codes chosen by the app.
    Case("custom-status-created", "POST", "/orders", **with_json({"item": "tea"})),
    Case("custom-status-text-body", "GET", "/teapot"),
    Case("view-raises", "GET", "/boom"),
    Case("view-raises-not-found-error", "GET", "/missing/thing"),
    Case("unicode-dict", "GET", "/unicode"),
    # Requests no route takes: the gateway answers, not the function.
    Case(
        "unknown-path",
        "GET",
        "/no/such/path",
        deviation=Deviation(
            reason=(
                "API Gateway REST answers a path with no resource itself, 403 "
                '{"message": "Missing Authentication Token"}, and chalice local reproduces that '
                "exactly; the runtime answers 404 application/problem+json instead. Neither invokes "
                "the function, which is what is compared."
            ),
            check=_neither_invoked_the_app,
        ),
    ),
    Case(
        "wrong-method",
        "POST",
        "/items/plain",
        deviation=Deviation(
            reason=(
                "POST /items/{item_id} has no method in API Gateway REST, which answers 403 "
                '{"message": "Missing Authentication Token"} without invoking the function. '
                "chalice local departs from that: it invokes the app and Chalice answers 405 with "
                "an Allow header. The runtime does not invoke the function, as API Gateway, but "
                "answers 404 problem+json. Both answer a client error; that, and that the runtime "
                "kept the request from the function, is what is compared."
            ),
            check=_runtime_kept_the_wrong_method_from_the_app,
        ),
    ),
]


def case_id(case: Case) -> str:
    return case.id


# --------------------------------------------------------------------------- servers


@pytest.fixture(scope="module")
def runtime_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    env = {
        "HANDLER": "app.app",
        "EVENT_FORMAT": "apigw-rest",
        "ROUTES": routes_of(DEMO_APP),
        "FUNCTION_TIMEOUT": "10",
        "LOG_LEVEL": "WARNING",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    with running_runtime(env, tmp_path_factory.mktemp("chalice-runtime"), cwd=APP_DIR) as server:
        yield int(server.base_url.rsplit(":", 1)[1])


@pytest.fixture(scope="module")
def chalice_local_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    port = free_port()
    log_path = tmp_path_factory.mktemp("chalice-local") / "chalice-local.log"
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1"}
    with open(log_path, "wb") as log:
        # Its own process group, so stopping it leaves nothing of it running.
        process = subprocess.Popen(
            [chalice_command(), "local", "--host", "127.0.0.1", "--port", str(port), "--no-autoreload"],
            cwd=APP_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        # chalice local has no readiness path: poll a route until it answers.
        wait_until_ready(f"http://127.0.0.1:{port}/unicode", process)
        yield port
    finally:
        stop_group(process)


def chalice_command() -> str:
    beside_python = Path(sys.executable).parent / "chalice"
    found = str(beside_python) if beside_python.exists() else shutil.which("chalice")
    if found is None:
        pytest.fail("the chalice CLI is not installed next to this interpreter")
    return found


def stop_group(process: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """SIGTERM to the whole group (started with start_new_session, so its id is the pid)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break  # the group is gone
        try:
            process.wait(timeout)
            break
        except subprocess.TimeoutExpired:
            continue
    process.wait()


@dataclass
class Exchanges:
    runtime_port: int
    chalice_local_port: int
    replies: dict[str, tuple[Reply, Reply]] = field(default_factory=dict)

    def of(self, case: Case) -> tuple[Reply, Reply]:
        """(runtime, chalice local): each case is sent once, whichever test asks first."""
        if case.id not in self.replies:
            self.replies[case.id] = (send(self.runtime_port, case), send(self.chalice_local_port, case))
        return self.replies[case.id]


@pytest.fixture(scope="module")
def exchanges(runtime_port: int, chalice_local_port: int) -> Exchanges:
    return Exchanges(runtime_port, chalice_local_port)


# --------------------------------------------------------------------------- tests


def _deviation_for(case: Case, aspect: str) -> Deviation | None:
    return case.deviation if case.deviation and aspect in case.deviation.aspects else None


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_same_status(exchanges: Exchanges, case: Case) -> None:
    runtime, local = exchanges.of(case)
    if deviation := _deviation_for(case, "status"):
        deviation.check(runtime, local)
        return
    assert runtime.status == local.status, (runtime, local)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_same_body(exchanges: Exchanges, case: Case) -> None:
    runtime, local = exchanges.of(case)
    if deviation := _deviation_for(case, "body"):
        deviation.check(runtime, local)
        return
    try:
        runtime_body, local_body = runtime.parsed_body(), local.parsed_body()
    except ValueError:  # not JSON (text or binary): byte for byte
        runtime_body, local_body = runtime.body, local.body
    assert runtime_body == local_body


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_same_headers(exchanges: Exchanges, case: Case) -> None:
    runtime, local = exchanges.of(case)
    if deviation := _deviation_for(case, "headers"):
        deviation.check(runtime, local)
        return
    assert runtime.relevant_headers() == local.relevant_headers()


# ------------------------------------------------------- what the comparisons rest on


def test_routes_come_from_the_app_route_table() -> None:
    routes = routes_of(DEMO_APP)
    assert "GET /items/{item_id}" in routes
    assert "PUT /blobs/{name}" in routes
    assert routes.count(",") + 1 == sum(len(entries) for entries in DEMO_APP.routes.values())


def test_the_app_actually_ran_on_both_hosts(exchanges: Exchanges) -> None:
    runtime, local = exchanges.of(CASES[0])
    assert runtime.values(APP_HEADER) == local.values(APP_HEADER) == ["chalice"]
    assert runtime.parsed_body() == {
        "item_id": "plain",
        "resource": "/items/{item_id}",
        "uri_params": {"item_id": "plain"},
    }


def test_binary_bodies_arrive_intact_on_both_hosts(exchanges: Exchanges) -> None:
    upload = next(case for case in CASES if case.id == "binary-body")
    for reply in exchanges.of(upload):
        assert reply.parsed_body()["sha256"] == hashlib.sha256(BLOB).hexdigest()
    download = next(case for case in CASES if case.id == "binary-response")
    for reply in exchanges.of(download):
        assert reply.body == BLOB
