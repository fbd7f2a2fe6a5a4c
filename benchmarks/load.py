"""Closed-loop HTTP load on one URL: wrk when it is installed, else threads of our own.

Both keep every connection alive and send the next request as soon as the answer
is in, so the figure is the server's throughput at that many connections. A run
that saw errors or a status other than 200 raises: its rate would not be the rate
of the responses we mean to measure.
"""

from __future__ import annotations

import http.client
import re
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit


class LoadError(RuntimeError):
    pass


@dataclass(frozen=True)
class Load:
    connections: int = 16
    threads: int = 2  # wrk's threads; the Python generator runs one thread per connection
    use_wrk: bool = True

    @property
    def tool(self) -> str:
        return "wrk" if self._wrk() else "python"

    def describe(self) -> str:
        if self._wrk():
            return f"wrk ({self.threads} threads, {self.connections} keep-alive connections)"
        return f"python http.client ({self.connections} threads, one keep-alive connection each)"

    def rate(self, url: str, seconds: float) -> float:
        """Requests per second answered 200 on `url` during `seconds`."""
        wrk = self._wrk()
        return _wrk_rate(wrk, url, seconds, self) if wrk else _python_rate(url, seconds, self.connections)

    def _wrk(self) -> str | None:
        return shutil.which("wrk") if self.use_wrk else None


def _wrk_rate(wrk: str, url: str, seconds: float, load: Load) -> float:
    duration = f"{max(1, round(seconds))}s"  # wrk takes whole seconds
    threads = min(load.threads, load.connections)
    result = subprocess.run(
        [wrk, f"-t{threads}", f"-c{load.connections}", f"-d{duration}", url],
        capture_output=True,
        text=True,
        timeout=seconds + 30,
    )
    out = result.stdout
    found = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if result.returncode != 0 or found is None:
        raise LoadError(f"wrk failed on {url}: {result.stderr.strip() or out.strip()}")
    for pattern in (r"Non-2xx or 3xx responses: (\d+)", r"Socket errors: (.*)"):
        problem = re.search(pattern, out)
        if problem:
            raise LoadError(f"wrk on {url}: {problem.group(0)}")
    return float(found.group(1))


def _python_rate(url: str, seconds: float, connections: int) -> float:
    parts = urlsplit(url)
    host = parts.hostname
    if host is None:
        raise LoadError(f"{url} names no host")
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    start = threading.Barrier(connections + 1)
    counts = [0] * connections
    failures: list[str] = []

    def client(index: int) -> None:
        connection = http.client.HTTPConnection(host, parts.port, timeout=10)
        start.wait()
        try:
            while time.monotonic() < deadline:
                connection.request("GET", target)
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    raise LoadError(f"status {response.status}")
                counts[index] += 1
        except Exception as exc:
            failures.append(f"{type(exc).__name__}: {exc}")
        finally:
            connection.close()

    workers = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(connections)]
    for worker in workers:
        worker.start()
    deadline = time.monotonic() + seconds
    began = time.monotonic()
    start.wait()
    for worker in workers:
        worker.join(seconds + 15)
    elapsed = time.monotonic() - began
    if failures:
        raise LoadError(f"load on {url}: {len(failures)} connection(s) failed, first: {failures[0]}")
    return sum(counts) / elapsed
