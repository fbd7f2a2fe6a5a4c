"""On the local stack (`python -m functions.devserver`, one worker process hosting every
function) a change reaches the activity feed within two seconds, through the write handler's
own publish to the stand-in broker: the relay runs once a minute. The broker runs apart from
the API's server, so it takes a publish even while every server thread is busy."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest
import requests

from tests.support.processes import REPO_ROOT, free_port, stop, wait_until_ready

DEADLINE_SECONDS = 2.0


@pytest.fixture
def stack(tmp_path: Path, database_url: str) -> Iterator[str]:
    """The stack's base URL; its log is tmp_path / "devserver.log"."""
    # One worker: the publishing handler and the broker's subscriber share a process (and
    # its one-invocation lock), the case where a broker answering only after delivery would
    # make the publisher wait on itself.
    port = free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "PYTHONPATH": str(REPO_ROOT),
        "DATABASE_URL": database_url,
        "DEVDATA_DIR": str(tmp_path / "devdata"),
        "WEB_DIST_DIR": str(tmp_path / "no-web"),
        "WORKERS": "1",
    }
    env.pop("BROKER_URL", None)  # the stack's own stand-in broker
    with open(tmp_path / "devserver.log", "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "functions.devserver"], cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(base_url + "/ready", process, timeout=90)
        yield base_url
    finally:
        stop(process)


def _poll(read, done, deadline: float):
    while True:
        value = read()
        if done(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.02)  # polling interval, not a wait for a known event


def test_a_change_reaches_the_feed_within_two_seconds(stack, database_url):
    credentials = {"email": "prompt@example.com", "password": "a long enough password"}
    assert requests.post(f"{stack}/api/auth/register", json=credentials, timeout=10).status_code == 201
    token = requests.post(f"{stack}/api/auth/login", json=credentials, timeout=10).json()["access_token"]
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"

    written_at = time.monotonic()
    created = session.post(f"{stack}/api/tasks", json={"title": "Seen at once"}, timeout=10)
    assert created.status_code == 201, created.text
    deadline = written_at + DEADLINE_SECONDS

    feed = _poll(
        lambda: session.get(f"{stack}/api/activity", timeout=5).json()["items"], lambda items: bool(items), deadline
    )
    assert [item["summary"] for item in feed] == ["created “Seen at once”"]

    # The write handler marked it published itself: it did not wait out its budget on its own process.
    def published() -> bool:
        with psycopg.connect(database_url) as conn:
            row = conn.execute("SELECT published_at FROM outbox WHERE data->>'title' = 'Seen at once'").fetchone()
        return row is not None and row[0] is not None

    assert _poll(published, bool, deadline)


# More writes at once than the stack's one worker has threads (4): each holds a thread while
# it publishes.
CONCURRENT_WRITES = 16


def test_every_write_publishes_its_event_while_writes_hold_every_server_thread(stack, database_url, tmp_path):
    credentials = {"email": "busy@example.com", "password": "a long enough password"}
    assert requests.post(f"{stack}/api/auth/register", json=credentials, timeout=10).status_code == 201
    token = requests.post(f"{stack}/api/auth/login", json=credentials, timeout=10).json()["access_token"]
    titles = [f"Busy {index}" for index in range(CONCURRENT_WRITES * 2)]

    def write(title: str) -> int:
        headers = {"Authorization": f"Bearer {token}"}
        return requests.post(f"{stack}/api/tasks", json={"title": title}, headers=headers, timeout=30).status_code

    with ThreadPoolExecutor(CONCURRENT_WRITES) as writers:
        statuses = list(writers.map(write, titles))

    assert statuses == [201] * len(titles)
    # Each write marks its own event published before it answers: the broker took every
    # publish at once, none waited out its budget behind the writes, none was left to the relay.
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT data->>'title', published_at IS NOT NULL FROM outbox WHERE data->>'title' = ANY(%s)", (titles,)
        ).fetchall()
    assert sorted(rows) == sorted((title, True) for title in titles)
    log = (tmp_path / "devserver.log").read_text(errors="replace")
    assert "the relay will" not in log
