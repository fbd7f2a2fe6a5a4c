"""The data layer's promises: a statement timeout on every session, retried conflicts,
and an unreachable database turned into 503 with Retry-After."""

from __future__ import annotations

import pytest
from psycopg import errors

from functions.platform.db import Database
from functions.platform.errors import ServiceUnavailable
from functions.platform.settings import Settings
from tests.support.processes import free_port


@pytest.fixture
def database(database_url):
    database = Database(Settings(database_url=database_url, database_statement_timeout_ms=1500))
    yield database
    database.close()


def test_every_session_has_the_statement_timeout(database):
    assert database.transaction(lambda conn: conn.execute("SHOW statement_timeout").fetchone()) == {
        "statement_timeout": "1500ms"
    }


def test_a_statement_past_the_timeout_is_503_not_a_hang(database):
    with pytest.raises(ServiceUnavailable) as raised:
        database.transaction(lambda conn: conn.execute("SELECT pg_sleep(3)"))
    assert raised.value.headers == {"Retry-After": "1"}


@pytest.mark.parametrize("conflict", [errors.SerializationFailure, errors.DeadlockDetected])
def test_serialization_failures_and_deadlocks_are_retried(database, conflict):
    attempts = []

    def work(conn):
        attempts.append(1)
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS scratch (n int)")
        conn.execute("INSERT INTO scratch VALUES (%s)", (len(attempts),))
        if len(attempts) < 3:
            raise conflict("conflict")
        return conn.execute("SELECT array_agg(n) AS ns FROM scratch").fetchone()["ns"]

    # Only the third attempt's row exists: the failed attempts rolled back.
    assert database.transaction(work) == [3]
    assert len(attempts) == 3


def test_a_conflict_that_persists_is_503(database):
    def always(conn):
        raise errors.SerializationFailure("conflict")

    with pytest.raises(ServiceUnavailable):
        database.transaction(always, attempts=2)


def test_an_unreachable_database_is_503_with_retry_after():
    unreachable = Database(
        Settings(database_url=f"postgresql://postgres@127.0.0.1:{free_port()}/x", database_connect_timeout_seconds=1)
    )
    try:
        with pytest.raises(ServiceUnavailable) as raised:
            unreachable.transaction(lambda conn: conn.execute("SELECT 1"))
        assert raised.value.headers == {"Retry-After": "5"}
    finally:
        unreachable.close()
