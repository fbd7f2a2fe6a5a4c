"""Closed-loop load with a latency per request, for authenticated API calls.

load.py measures throughput only and sends no headers; the API benchmarks (api.py, the race
against the monolith) need a bearer token per connection, a latency for every request, other
methods and paths than one GET, and a hook that runs before each request (api.py bumps the
caller's cache generation to force a miss). Every connection is one thread with one keep-alive
connection that sends the next request as soon as the answer is in. Only the HTTP exchange is
timed (a reconnect, when the server closed the connection, included); the hook is not. A status
other than the one expected fails the run.
"""

from __future__ import annotations

import http.client
import math
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from load import LoadError


@dataclass(frozen=True)
class Run:
    latencies: list[float]  # seconds, one per request answered 200
    elapsed: float  # seconds from the start to the last answer

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.requests / self.elapsed

    def percentile(self, fraction: float) -> float:
        """Nearest-rank percentile, in seconds."""
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]

    @property
    def p50(self) -> float:
        return self.percentile(0.50)

    @property
    def p99(self) -> float:
        return self.percentile(0.99)


@dataclass(frozen=True)
class Client:
    """One connection: its request headers, what it does before each request, and what it
    sends: `method` to each of `paths` in turn (none: the run's path), with `body` (JSON),
    answered `expect`."""

    headers: dict[str, str]
    before: Callable[[], object] = lambda: None
    method: str = "GET"
    paths: tuple[str, ...] = ()
    body: bytes | None = None
    expect: int = 200


def closed_loop(port: int, path: str | None, clients: list[Client], seconds: float) -> Run:
    """One connection per client, each sending its requests (or GET `path`) back to back for
    `seconds`."""
    connections = len(clients)
    start = threading.Barrier(connections + 1)
    latencies: list[list[float]] = [[] for _ in range(connections)]
    failures: list[str] = []
    deadline = 0.0

    def client(index: int) -> None:
        calls = clients[index]
        paths = calls.paths or (path or "/",)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = latencies[index]
        headers = {**calls.headers, "Content-Type": "application/json"} if calls.body else calls.headers
        start.wait()
        try:
            turn = 0
            while time.perf_counter() < deadline:
                target = paths[turn % len(paths)]
                turn += 1
                calls.before()
                began = time.perf_counter()
                connection.request(calls.method, target, body=calls.body, headers=headers)
                response = connection.getresponse()
                body = response.read()
                mine.append(time.perf_counter() - began)
                if response.status != calls.expect:
                    raise LoadError(f"{calls.method} {target}: status {response.status}: {body[:300]!r}")
        except Exception as exc:
            failures.append(f"{type(exc).__name__}: {exc}")
        finally:
            connection.close()

    workers = [threading.Thread(target=client, args=(index,), daemon=True) for index in range(connections)]
    for worker in workers:
        worker.start()
    began = time.perf_counter()
    deadline = began + seconds
    start.wait()
    for worker in workers:
        worker.join(seconds + 60)
    elapsed = time.perf_counter() - began
    if failures:
        raise LoadError(f"{len(failures)} connection(s) failed, first: {failures[0]}")
    return Run([value for values in latencies for value in values], elapsed)


@dataclass(frozen=True)
class WrkRun:
    p50: float
    p99: float
    rate: float


def wrk_latency(
    port: int, path: str, headers: dict[str, str], seconds: float, connections: int, threads: int = 2
) -> WrkRun | None:
    """Load from wrk (`--latency`) with one set of headers for every connection, or None when
    wrk is not installed."""
    wrk = shutil.which("wrk")
    if wrk is None:
        return None
    argv = [wrk, f"-t{min(threads, connections)}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency"]
    for name, value in headers.items():
        argv += ["-H", f"{name}: {value}"]
    result = subprocess.run(
        [*argv, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, timeout=seconds + 30
    )
    out = result.stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if result.returncode != 0 or rate is None or re.search(r"Non-2xx|Socket errors", out):
        raise LoadError(f"wrk failed: {result.stderr.strip() or out.strip()}")
    return WrkRun(wrk_seconds(out, "50%"), wrk_seconds(out, "99%"), float(rate.group(1)))


def wrk_seconds(out: str, label: str) -> float:
    """A latency percentile (`label`, such as "99%") of `wrk --latency`'s output, in seconds."""
    found = re.search(rf"^\s*{re.escape(label)}\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)
    if found is None:
        raise LoadError(f"wrk printed no {label} latency:\n{out}")
    return float(found.group(1)) * {"us": 1e-6, "ms": 1e-3, "s": 1.0}[found.group(2)]
