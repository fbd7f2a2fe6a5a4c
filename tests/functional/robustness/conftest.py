"""Fixtures for the robustness tests: the API in process (shared with the API tests),
row counts, and real processes (one runtime, the whole local stack, a private
redis-server) for the concurrency and outage tests."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import psycopg
import pytest

# `gateway`, `client` and `make_account` (every catalog function in process, behind the
# local gateway) come from tests/functional/conftest.py, as for every functional folder.
from tests.support.processes import REPO_ROOT, Server, free_port, running_runtime, stop, wait_until_ready
from tests.support.redis_server import RedisServer

PROBLEM_JSON = "application/problem+json"
T = TypeVar("T")
# No request below may take longer than this; requests raises when one does.
CLIENT_TIMEOUT = 5.0


def access_token(user_id: str, token_version: int = 0) -> str:
    """A valid access token, signed with the key the test process gave every handler."""
    from functions.platform.tokens import TokenSigner

    signer = TokenSigner(os.environ["JWT_PRIVATE_KEY"], "taskforge", "taskforge-api")
    token, _ = signer.issue(user_id, "access", token_version, 900)
    return token


@dataclass(frozen=True)
class Rows:
    """Row counts in the API database, to prove a refused request wrote nothing."""

    url: str

    def count(self, table: str, owner: str | None = None) -> int:
        queries = {
            "users": "SELECT count(*) FROM users",
            "tasks": "SELECT count(*) FROM tasks",
            "idempotency_records": "SELECT count(*) FROM idempotency_records",
            "workspaces": "SELECT count(*) FROM workspaces",
        }
        query, params = queries[table], tuple[str, ...]()
        if owner is not None:
            assert table == "tasks"
            query, params = "SELECT count(*) FROM tasks WHERE owner_id = %s", (owner,)
        with psycopg.connect(self.url, autocommit=True) as conn:
            row = conn.execute(query, params).fetchone()
        assert row is not None
        return int(row[0])

    def snapshot(self) -> dict[str, int]:
        return {table: self.count(table) for table in ("users", "workspaces", "tasks", "idempotency_records")}


@pytest.fixture
def rows(api_database: str) -> Rows:
    return Rows(api_database)


def as_if_still_running(database_url: str, first: Callable[[], T]) -> T:
    """Sends `first` (one request with an Idempotency-Key), then puts the record it left back
    into its in-progress state, its deadline a minute away, as if that request were still
    running; returns what `first` returned."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        known = {row[0] for row in conn.execute("SELECT id FROM idempotency_records")}
    answer = first()
    with psycopg.connect(database_url, autocommit=True) as conn:
        records = [row[0] for row in conn.execute("SELECT id FROM idempotency_records") if row[0] not in known]
        assert len(records) == 1, records
        conn.execute(
            "UPDATE idempotency_records SET status = 'INPROGRESS', response_data = NULL,"
            " in_progress_expiry = %s WHERE id = %s",
            (int(time.time() * 1000) + 60_000, records[0]),
        )
    return answer


@pytest.fixture
def start_runtime(tmp_path: Path, api_database: str) -> Iterator[Callable[..., Server]]:
    """Starts one function as a real runtime subprocess (`python -m functions.runtime`);
    it inherits the test process's environment (API database, Redis prefix, signing key)
    unless `env` overrides it. Everything started is stopped when the test ends."""
    with ExitStack() as stack:

        def start(handler: str, **env: str) -> Server:
            return stack.enter_context(running_runtime({"HANDLER": handler, **env}, tmp_path))

        yield start


# Several worker processes, each one invocation at a time: replicas racing for real.
REPLICAS = {"WORKERS": "4", "CONCURRENCY": "1"}


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (connections are refused)."""
    return free_port()


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.close()


@contextmanager
def local_stack(tmp_path: Path, **env: str) -> Iterator[str]:
    """`python -m functions.devserver` (every catalog function behind one gateway) on a free port."""
    port = free_port()
    full_env = {
        **os.environ,
        "PORT": str(port),
        "PYTHONPATH": str(REPO_ROOT),
        "DEVDATA_DIR": str(tmp_path / "devdata"),
        "WEB_DIST_DIR": str(tmp_path / "no-web"),
        **env,
    }
    log_path = tmp_path / f"devserver-{port}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "functions.devserver"],
            cwd=REPO_ROOT,
            env=full_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_until_ready(base_url + "/__runtime/ready", process, timeout=60)
        except (RuntimeError, TimeoutError) as exc:
            raise RuntimeError(f"{exc}\n{log_path.read_text(errors='replace')[-4000:]}") from None
        yield base_url
    finally:
        stop(process)
