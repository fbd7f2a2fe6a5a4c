"""Shared helpers: start the runtime on the test handlers, speak raw HTTP to it."""

from __future__ import annotations

import http.client
import socket
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from tests.support.processes import Server, running_runtime

HANDLERS = Path(__file__).resolve().parent / "handlers"

# Every variable the runtime reads, pinned so the outer environment cannot leak in.
BASE_ENV = {
    "EVENT_FORMAT": "alb",
    "ALB_MULTI_VALUE_HEADERS": "false",
    "ROUTES": "",
    "FUNCTION_TIMEOUT": "30",
    "FUNCTION_NAME": "",
    "FUNCTION_MEMORY_MB": "",
    "CONCURRENCY": "8",
    "WORKERS": "1",
    "MAX_BODY_BYTES": "",
    "LOG_LEVEL": "INFO",
}
THREADED = {"CONCURRENCY": "8", "WORKERS": "1"}
STRICT = {"CONCURRENCY": "1", "WORKERS": "1"}  # one invocation at a time, as on Lambda


@contextmanager
def runtime(tmp_path_factory: pytest.TempPathFactory, name: str, env: Mapping[str, str]) -> Iterator[Server]:
    """The runtime as the image runs it, with the test handlers as its task root."""
    with running_runtime({**BASE_ENV, **env}, tmp_path_factory.mktemp(name), cwd=HANDLERS) as server:
        yield server


@dataclass
class RawResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        values = self.all(name)
        return values[-1] if values else None

    def all(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name.lower()]


def raw_request(
    base_url: str,
    method: str,
    target: str,
    headers: list[tuple[str, str]] | None = None,
    body: bytes | None = None,
    timeout: float = 30.0,
) -> RawResponse:
    """One request written byte for byte: repeated header lines and the target exactly as given."""
    address = urlsplit(base_url)
    lines = [f"{method} {target} HTTP/1.1", f"Host: {address.netloc}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers or []]
    if body is not None:
        lines.append(f"Content-Length: {len(body)}")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    with socket.create_connection((address.hostname, address.port), timeout=timeout) as connection:
        connection.sendall(head + (body or b""))
        response = http.client.HTTPResponse(connection)
        response.begin()
        payload = response.read()
        return RawResponse(response.status, response.getheaders(), payload)


def wait_for(predicate: Callable[[], bool], timeout: float = 10.0, interval: float = 0.02) -> bool:
    """Poll until `predicate` holds; False when `timeout` passes first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)  # polling interval, not a wait for a known event
    return predicate()


@dataclass
class InFlight:
    server: Server
    request: Future[requests.Response]
    release_file: Path

    def release(self) -> requests.Response:
        self.release_file.touch()
        return self.request.result(timeout=30)

    def exit_code(self) -> int | None:
        wait_for(lambda: self.server.process.poll() is not None, timeout=20)
        return self.server.process.poll()


@contextmanager
def request_in_flight(tmp_path_factory: pytest.TempPathFactory, mode: dict[str, str]) -> Iterator[InFlight]:
    drain_dir = tmp_path_factory.mktemp("drain")
    env = {"HANDLER": "drain_handlers.hold", "DRAIN_DIR": str(drain_dir), **mode}
    with runtime(tmp_path_factory, "in-flight", env) as server, ThreadPoolExecutor(max_workers=1) as pool:
        request = pool.submit(requests.get, f"{server.base_url}/work", timeout=30, headers={"Connection": "close"})
        assert wait_for((drain_dir / "entered").exists, timeout=10), "the request never reached the handler"
        in_flight = InFlight(server, request, drain_dir / "release")
        try:
            yield in_flight
        finally:
            in_flight.release_file.touch()  # never leave the handler waiting out its bound
