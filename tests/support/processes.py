"""Start the runtime (or any server) as a real subprocess, as the image would, and stop it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

REPO_ROOT = Path(__file__).resolve().parents[2]
READINESS_PATH = "/__runtime/ready"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base_url: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def wait_until_ready(url: str, process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before it was ready")
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):  # still starting, or a busy machine
            pass
        time.sleep(0.02)  # polling interval, not a wait for a known event
    raise TimeoutError(f"{url} not ready within {timeout}s")


@contextmanager
def running_runtime(
    env: Mapping[str, str], tmp_path: Path, cwd: Path | None = None, ready_timeout: float = 30.0
) -> Iterator[Server]:
    """`python -m functions.runtime` with `env` on a free port; yields once it is ready."""
    port = free_port()
    python_path = [str(REPO_ROOT), str(cwd or ""), os.environ.get("PYTHONPATH", "")]
    full_env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, python_path)),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        **env,
    }
    log_path = tmp_path / f"runtime-{port}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "functions.runtime"],
            env=full_env,
            cwd=cwd or REPO_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = Server(process, f"http://127.0.0.1:{port}", log_path)
    try:
        wait_until_ready(server.base_url + READINESS_PATH, process, ready_timeout)
        yield server
    finally:
        stop(process)


def stop(process: subprocess.Popen[bytes], timeout: float = 15.0) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode
