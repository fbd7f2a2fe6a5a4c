"""The data layer's promises: a statement timeout on every session, retried conflicts,
and an unreachable database turned into 503 with Retry-After, in a transaction as in a
pipelined one; and a pipelined transaction's own: a failure anywhere in it rolls back all of
it, the connection goes back to the pool as it came, and one the database dropped is replaced."""

from __future__ import annotations

import logging

import psycopg
import pytest
from psycopg import errors
from psycopg.conninfo import make_conninfo
from psycopg.pq import TransactionStatus

from functions.platform.db import Database
from functions.platform.errors import ServiceUnavailable, Unauthorized
from functions.platform.settings import Settings
from tests.support.processes import free_port


@pytest.fixture
def database(database_url):
    database = Database(Settings(database_url=database_url, database_statement_timeout_ms=1500))
    yield database
    database.close()


@pytest.fixture(params=["transaction", "pipelined"])
def in_transaction(request, database):
    """Database.transaction or Database.pipelined: each keeps the promises below."""
    return getattr(database, request.param)


def test_every_session_has_the_statement_timeout(in_transaction):
    assert in_transaction(lambda conn: conn.execute("SHOW statement_timeout").fetchone()) == {
        "statement_timeout": "1500ms"
    }


def test_a_statement_past_the_timeout_is_503_not_a_hang(in_transaction):
    with pytest.raises(ServiceUnavailable) as raised:
        in_transaction(lambda conn: conn.execute("SELECT pg_sleep(3)"))
    assert raised.value.headers == {"Retry-After": "1"}


@pytest.mark.parametrize("conflict", [errors.SerializationFailure, errors.DeadlockDetected])
def test_serialization_failures_and_deadlocks_are_retried(in_transaction, conflict):
    attempts = []

    def work(conn):
        attempts.append(1)
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS scratch (n int)")
        conn.execute("INSERT INTO scratch VALUES (%s)", (len(attempts),))
        if len(attempts) < 3:
            raise conflict("conflict")
        return conn.execute("SELECT array_agg(n) AS ns FROM scratch").fetchone()["ns"]

    # Only the third attempt's row exists: the failed attempts rolled back.
    assert in_transaction(work) == [3]
    assert len(attempts) == 3


def test_a_conflict_that_persists_is_503(in_transaction):
    def always(conn):
        raise errors.SerializationFailure("conflict")

    with pytest.raises(ServiceUnavailable):
        in_transaction(always, attempts=2)


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


@pytest.fixture
def one_connection(database_url):
    """A pool of one connection, named so a test can find it in pg_stat_activity."""
    url = make_conninfo(database_url, application_name="pipelined-by-test")
    database = Database(Settings(database_url=url, database_pool_max=1))
    yield database
    database.close()


def _probes(database) -> int:
    return database.read(lambda conn: conn.execute("SELECT count(*) AS n FROM probe").fetchone()["n"])


def test_a_failure_in_a_pipeline_rolls_back_all_of_it(one_connection, caplog):
    database = one_connection
    database.transaction(lambda conn: conn.execute("CREATE TABLE IF NOT EXISTS probe (n int PRIMARY KEY)"))

    def unread_failure(conn):
        conn.execute("INSERT INTO probe VALUES (1)")
        conn.execute("INSERT INTO probe VALUES (1)")  # unread: its error comes with the COMMIT

    def read_failure(conn):
        conn.execute("INSERT INTO probe VALUES (2)")
        conn.execute("SELECT n / 0 FROM probe").fetchone()

    def refusal(conn):
        conn.execute("INSERT INTO probe VALUES (3)")
        conn.execute("SELECT 1").fetchone()
        raise Unauthorized("the session has ended")

    with caplog.at_level(logging.WARNING):
        for work, raised in [
            (unread_failure, errors.UniqueViolation),
            (read_failure, errors.DivisionByZero),
            (refusal, Unauthorized),
        ]:
            with pytest.raises(raised):
                database.pipelined(work)
    assert _probes(database) == 0
    assert caplog.records == []  # nothing left half-read for the pool or psycopg to complain of

    # The pool's one connection came back as it went: no transaction open, autocommit off.
    with database.connection() as conn:
        assert conn.info.transaction_status == TransactionStatus.IDLE
        assert conn.autocommit is False
    assert database.pipelined(lambda conn: conn.execute("INSERT INTO probe VALUES (4) RETURNING n").fetchone()) == {
        "n": 4
    }
    assert _probes(database) == 1


def test_a_pipeline_replaces_a_connection_the_database_dropped(one_connection, database_url):
    database = one_connection
    database.transaction(lambda conn: conn.execute("CREATE TABLE IF NOT EXISTS probe (n int PRIMARY KEY)"))
    with psycopg.connect(database_url, autocommit=True) as admin:
        dropped = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'pipelined-by-test'"
        ).fetchone()
    assert dropped == (1,)

    runs = []

    def insert(conn):
        runs.append(1)
        conn.execute("INSERT INTO probe VALUES (1)")
        return conn.execute("SELECT count(*) AS n FROM probe").fetchone()["n"]

    assert database.pipelined(insert) == 1
    assert len(runs) == 2  # the first on the dropped connection, which committed nothing
    assert _probes(database) == 1
