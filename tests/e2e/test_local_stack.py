"""`make dev`'s stack as a person runs it: one command, one port, Ctrl-C ends everything."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
import pytest
import requests

from tests.support.processes import REPO_ROOT, free_port, stop, wait_until_ready

pytestmark = pytest.mark.e2e


@contextmanager
def local_stack(tmp_path: Path, **env: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    full_env = {**os.environ, "PORT": str(port), "PYTHONPATH": str(REPO_ROOT), **env}
    with open(tmp_path / "devserver.log", "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "functions.devserver"],
            cwd=REPO_ROOT,
            env=full_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(base_url + "/__runtime/ready", process, timeout=60)
        yield base_url, process
    finally:
        stop(process)


def test_the_gateway_routes_by_the_catalog(tmp_path, database_url):
    web = tmp_path / "dist"
    (web / "assets").mkdir(parents=True)
    (web / "index.html").write_text("<!doctype html><title>TaskForge</title>")
    (web / "assets" / "app-1234.js").write_text("console.log('hi')")

    with local_stack(tmp_path, DATABASE_URL=database_url, WEB_DIST_DIR=str(web)) as (base_url, _):
        health = requests.get(f"{base_url}/health", timeout=5)
        ready = requests.get(f"{base_url}/ready", timeout=5)
        wrong_method = requests.post(f"{base_url}/health", timeout=5)
        unknown_api = requests.get(f"{base_url}/api/nothing", timeout=5)
        spa_route = requests.get(f"{base_url}/tasks/42", timeout=5)
        asset = requests.get(f"{base_url}/assets/app-1234.js", timeout=5)
        traversal = requests.get(f"{base_url}/assets/%2e%2e/%2e%2e/pyproject.toml", timeout=5)

    assert health.json() == {"status": "ok"}
    assert ready.status_code == 200
    assert ready.json()["checks"]["database"] == "ok"
    assert wrong_method.status_code == 405
    assert wrong_method.headers["Allow"] == "GET"
    assert unknown_api.status_code == 404
    assert unknown_api.headers["Content-Type"] == "application/problem+json"
    assert spa_route.status_code == 200
    assert "<title>TaskForge</title>" in spa_route.text
    assert "immutable" in asset.headers["Cache-Control"]
    assert "[project]" not in traversal.text


def test_without_database_url_an_embedded_postgres_starts_and_stops_with_the_stack(tmp_path):
    devdata = tmp_path / "devdata"
    with local_stack(tmp_path, DEVDATA_DIR=str(devdata), DATABASE_URL="", JWT_PRIVATE_KEY="") as (base_url, process):
        ready = requests.get(f"{base_url}/ready", timeout=10)
        credentials = {"email": "first@example.com", "password": "a long enough password"}
        registered = requests.post(f"{base_url}/api/auth/register", json=credentials, timeout=10)
        login = requests.post(f"{base_url}/api/auth/login", json=credentials, timeout=10)
        helpers = psutil.Process(process.pid).children(recursive=True)  # workers, broker, scheduler, database
        # Ctrl-C, as a person stops `make dev`
        process.send_signal(signal.SIGINT)
        exit_code = process.wait(timeout=30)

    assert ready.status_code == 200
    assert registered.status_code == 201
    assert login.status_code == 200
    assert (devdata / "jwt-ed25519.pem").stat().st_mode & 0o077 == 0  # the key is private to its owner
    assert exit_code == 0
    assert (devdata / "postgres" / "PG_VERSION").is_file()
    leftovers = [p for p in psutil.process_iter(["cmdline"]) if str(devdata) in " ".join(p.info["cmdline"] or [])]
    assert leftovers == []
    assert _still_running(helpers) == []


def _still_running(processes: list[psutil.Process], timeout: float = 0) -> list[psutil.Process]:
    """Those of `processes` still running after `timeout` seconds (zombies are not running)."""
    _, alive = psutil.wait_procs(processes, timeout=timeout)
    return [each for each in alive if each.is_running() and each.status() != psutil.STATUS_ZOMBIE]


def _helper_processes(process: subprocess.Popen[bytes], module: str) -> list[psutil.Process]:
    children = psutil.Process(process.pid).children(recursive=True)
    return [each for each in children if module in " ".join(each.cmdline())]


def _broker_url(tmp_path: Path) -> str:
    """Where the stack's stand-in broker takes events, as its log says."""
    [url] = re.findall(r"the stand-in broker takes events at (\S+)", (tmp_path / "devserver.log").read_text())
    return url


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL])
def test_the_stand_in_broker_and_the_scheduler_never_outlive_the_stack(tmp_path, database_url, how):
    with local_stack(tmp_path, DATABASE_URL=database_url) as (_, process):
        brokers = _helper_processes(process, "functions.devserver.broker")
        assert len(brokers) == 2  # its server and its worker
        schedulers = _helper_processes(process, "functions.devserver.scheduler")
        assert len(schedulers) == 1
        assert requests.get(_broker_url(tmp_path).replace("/__broker", "/__runtime/ready"), timeout=5).ok
        # SIGTERM as a supervisor stops them; SIGKILL leaves the stack no chance to stop anything.
        process.send_signal(how)
        process.wait(timeout=30)

    assert _still_running(brokers + schedulers, timeout=60) == []


def _raw_get(base_url: str, raw_path: str) -> int:
    """The status of a GET whose path goes on the wire byte for byte (no client normalises it)."""
    import http.client
    from urllib.parse import urlsplit

    address = urlsplit(base_url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=5)
    try:
        connection.putrequest("GET", raw_path, skip_accept_encoding=True)
        connection.endheaders()
        return connection.getresponse().status
    finally:
        connection.close()


def test_the_stack_guards_its_own_paths_and_keeps_the_mail_it_sends(tmp_path, database_url):
    web = tmp_path / "dist"
    (web / "assets").mkdir(parents=True)
    (web / "index.html").write_text("<!doctype html><title>TaskForge</title>")
    devdata = tmp_path / "devdata"
    hostile = [
        "/%00",
        "/assets/%00.js",
        "/%ff",
        "/%c0%af",
        "/%c0%ae%c0%ae/pyproject.toml",
        "/..%2fpyproject.toml",
        "/assets/..%5c..%5cpyproject.toml",
        "/" + "a" * 300,
        "/assets/" + "%c3%a9" * 200 + ".js",
    ]
    forged = {"workspace_id": "w", "task_id": "t", "title": "forged"}
    event_headers = {
        "ce-specversion": "1.0",
        "ce-id": "e1",
        "ce-type": "dev.taskforge.task.created",
        "ce-source": "/taskforge/tasks",
        "ce-time": "2026-01-01T00:00:00Z",
    }
    email = "mailbox@example.com"

    with local_stack(tmp_path, DATABASE_URL=database_url, WEB_DIST_DIR=str(web), DEVDATA_DIR=str(devdata)) as (
        base_url,
        _,
    ):
        statuses = {path: _raw_get(base_url, path) for path in hostile}
        broker_url = _broker_url(tmp_path)
        no_token = requests.post(broker_url, json=forged, headers=event_headers, timeout=5)
        wrong_token = requests.post(
            broker_url,
            json=forged,
            timeout=5,
            headers={**event_headers, "X-TaskForge-Broker-Token": "guessed"},
        )
        on_the_api_port = requests.post(
            f"{base_url}/__broker", json=forged, timeout=5, headers={**event_headers, "X-TaskForge-Broker-Token": "x"}
        )
        registered = requests.post(
            f"{base_url}/api/auth/register", timeout=10, json={"email": email, "password": "a long enough password"}
        )

    # A path no browser sends is refused, never a 500 (and never a file outside web/dist).
    assert all(400 <= status < 500 for status in statuses.values()), statuses
    # The stand-in broker takes only the stack's own events.
    assert (no_token.status_code, wrong_token.status_code) == (401, 403)
    assert no_token.headers["Content-Type"] == "application/problem+json"
    assert broker_url.startswith("http://127.0.0.1:")
    assert on_the_api_port.status_code == 404  # the API's port takes no events: the broker runs apart
    # moto's SES keeps mail to itself: the stack writes a copy where a developer can read the link.
    assert registered.status_code == 201, registered.text
    [message] = (devdata / "mail").glob("*.eml")
    assert f"To: {email}" in message.read_text()
    assert "/verify-email?token=" in message.read_text()
    log = (tmp_path / "devserver.log").read_text()
    assert (
        f"mail to {email}: Confirm your e-mail address for TaskForge http://localhost:8000/verify-email?token=" in log
    )
