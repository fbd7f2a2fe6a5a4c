"""PostgreSQL access: one lazily opened psycopg pool per process, explicit SQL above it.

The pool opens on first use, not at import, so a cold start pays nothing for it and
a forked worker never inherits a parent's sockets. `transaction()` is the one way
handlers write: it retries serialization failures and deadlocks, and turns an
unreachable database into ServiceUnavailable (503 + Retry-After). `pipelined()` is the same
with fewer round trips, for work written for it. `read()` is the cheap way for a read that
one statement answers: one round trip, no transaction.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from typing import Any, TypeVar

import psycopg
from psycopg import errors
from psycopg.pq import TransactionStatus
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool, PoolTimeout

from functions.platform.errors import ServiceUnavailable
from functions.platform.settings import Settings

T = TypeVar("T")
Connection = psycopg.Connection[dict[str, Any]]

_RETRYABLE = (errors.SerializationFailure, errors.DeadlockDetected)
_UNAVAILABLE = (PoolTimeout, psycopg.OperationalError)


_SHARED: dict[tuple[object, ...], Database] = {}
_SHARED_LOCK = threading.Lock()


class DatabaseNotConfigured(RuntimeError):
    pass


class Database:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._pool: ConnectionPool[Connection] | None = None
        self._lock = threading.Lock()
        self._unchecked = threading.local()  # set while read(), begun() or pipelined() takes a connection

    @classmethod
    def for_settings(cls, settings: Settings) -> Database:
        """The process's Database for these settings: functions hosted side by side (the
        local stack, the tests) share one pool instead of holding one each."""
        key = (
            settings.database_url,
            settings.database_pool_max,
            settings.database_statement_timeout_ms,
            settings.database_connect_timeout_seconds,
        )
        with _SHARED_LOCK:
            if key not in _SHARED:
                _SHARED[key] = cls(settings)
            return _SHARED[key]

    @property
    def configured(self) -> bool:
        return self._settings.database_url is not None

    def pool(self) -> ConnectionPool[Connection]:
        if self._pool is None:
            with self._lock:
                if self._pool is None:
                    self._pool = self._open_pool()
        return self._pool

    @contextmanager
    def connection(self, timeout: float | None = None) -> Iterator[Connection]:
        with self.pool().connection(timeout=timeout) as conn:
            yield conn

    def transaction(self, work: Callable[[Connection], T], attempts: int = 4) -> T:
        """Runs `work` in one transaction; all of it commits or none of it does."""
        return _retried(lambda: self._in_begun(work), attempts)

    def pipelined(self, work: Callable[[Connection], T], attempts: int = 4, timeout: float | None = None) -> T:
        """transaction(work) on a connection in pipeline mode: a statement is sent at once and
        waited for only when its answer is read. BEGIN goes with the first statement read, and a
        statement never read goes with the next one, or with COMMIT: work that reads only what
        it needs to go on costs a round trip per read, plus one for COMMIT and what went unread.

        For work written for it: an unread statement's error is raised by the next read or at
        COMMIT, not where it was sent, and rolls back all of it; no server-side cursor or COPY
        (pipeline mode has neither). A connection that breaks before COMMIT is sent (one that
        broke while pooled fails the first read) committed nothing: the work runs again on
        another one.
        """
        timeout = self._settings.database_connect_timeout_seconds if timeout is None else timeout
        return _retried(lambda: self._in_pipeline(work, timeout), attempts)

    def _in_begun(self, work: Callable[[Connection], T]) -> T:
        with self.begun() as conn:
            return work(conn)

    def _in_pipeline(self, work: Callable[[Connection], T], timeout: float) -> T:
        for _ in range(self._settings.database_pool_max + 1):  # every pooled connection may be stale
            with self._unchecked_connection(timeout) as conn:
                try:
                    return _pipelined(conn, work)
                except _BrokenBeforeCommit:
                    continue
        raise ServiceUnavailable()

    @contextmanager
    def begun(self, timeout: float | None = None) -> Iterator[Connection]:
        """A pooled connection in a transaction of its own, committed when the block ends
        (rolled back if it raises).

        The pool does not check the connection first (an empty query: a round trip of its
        own); BEGIN does: a connection that broke while pooled (a database restart) fails
        there, before any work was sent, and the next one is taken.
        """
        timeout = self._settings.database_connect_timeout_seconds if timeout is None else timeout
        for _ in range(self._settings.database_pool_max + 1):  # every pooled connection may be stale
            with ExitStack() as held:
                conn = held.enter_context(self._unchecked_connection(timeout))
                try:
                    held.enter_context(conn.transaction())
                except _UNAVAILABLE:
                    if conn.closed:
                        continue
                    raise
                yield conn
                return
        raise ServiceUnavailable()

    def read(self, work: Callable[[Connection], T]) -> T:
        """`work`'s reads outside any transaction: no BEGIN, no COMMIT and no check of the
        connection at checkout, so one statement costs one round trip. A connection that broke
        since its last use (a database restart) is dropped and the reads run again on another,
        which only reads allow: never pass it work that writes.
        """
        timeout = self._settings.database_connect_timeout_seconds
        for _ in range(self._settings.database_pool_max + 1):  # every pooled connection may be stale
            used: Connection | None = None
            try:
                with self._unchecked_connection(timeout) as conn:
                    used = conn
                    conn.autocommit = True  # set on the client: costs no round trip
                    try:
                        return work(conn)
                    finally:
                        if not conn.closed:
                            conn.autocommit = False
            except errors.QueryCanceled:
                raise ServiceUnavailable("the database took too long; retry shortly", retry_after_seconds=1) from None
            except _UNAVAILABLE:
                if used is None or not used.closed:  # no connection, or the database refused the work
                    raise ServiceUnavailable() from None
        raise ServiceUnavailable()

    @contextmanager
    def _unchecked_connection(self, timeout: float) -> Iterator[Connection]:
        self._unchecked.active = True
        try:
            conn = self.pool().getconn(timeout=timeout)  # the check runs in this thread, now
        finally:
            self._unchecked.active = False
        try:
            yield conn
        finally:
            self.pool().putconn(conn)  # a broken connection is discarded, not pooled

    def _check_at_checkout(self, conn: Connection) -> None:
        """The pool's check of a connection before it is handed out (an empty query), except
        for read(), begun() and pipelined(), which find a broken connection by using it."""
        if not getattr(self._unchecked, "active", False):
            ConnectionPool.check_connection(conn)

    def ping(self, timeout: float) -> None:
        """Raises when the database cannot answer `SELECT 1` within `timeout` seconds."""
        with self.connection(timeout=timeout) as conn:
            conn.execute("SELECT 1")

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.close()
                self._pool = None

    def _open_pool(self) -> ConnectionPool[Connection]:
        settings = self._settings
        if settings.database_url is None:
            raise DatabaseNotConfigured("DATABASE_URL is not set")
        return ConnectionPool(
            settings.database_url,
            connection_class=psycopg.Connection[dict[str, Any]],
            min_size=1,
            max_size=settings.database_pool_max,
            kwargs={
                "connect_timeout": max(1, round(settings.database_connect_timeout_seconds)),
                "row_factory": dict_row,
                "options": f"-c statement_timeout={settings.database_statement_timeout_ms}",
            },
            # A connection broken by a database restart is replaced at checkout, not handed
            # to a request (read(), begun() and pipelined() excepted: they find out by using one).
            check=self._check_at_checkout,
            open=True,
            name="taskforge",
        )


def _retried(run: Callable[[], T], attempts: int) -> T:
    """run() again after a serialization failure or a deadlock; the rest as ServiceUnavailable."""
    for attempt in range(1, attempts + 1):
        try:
            return run()
        except _RETRYABLE:
            if attempt == attempts:
                raise ServiceUnavailable("the database is busy; retry shortly", retry_after_seconds=1) from None
            time.sleep(random.uniform(0, 0.02 * 2**attempt))  # noqa: S311 - jitter, not security
        except errors.QueryCanceled:
            raise ServiceUnavailable("the database took too long; retry shortly", retry_after_seconds=1) from None
        except _UNAVAILABLE:
            raise ServiceUnavailable() from None
    raise AssertionError("unreachable")


class _BrokenBeforeCommit(Exception):
    """The connection broke before COMMIT was sent: the transaction died with it, uncommitted."""


def _pipelined(conn: Connection, work: Callable[[Connection], T]) -> T:
    """`work` in one transaction on `conn` in pipeline mode (Database.pipelined)."""
    # BEGIN and COMMIT are sent as statements: psycopg's own wait for their answers in a pipeline.
    conn.autocommit = True  # set on the client: costs no round trip
    try:
        with conn.pipeline() as pipeline:
            committing = False
            try:
                conn.execute("BEGIN")
                result = work(conn)
                committing = True
                conn.execute("COMMIT")  # sent, with whatever went unread, as the pipeline ends
            except BaseException as exc:
                # A failure can surface at any statement, COMMIT included, as its answer comes
                # in. What the pipeline still holds is settled before leaving it: found on the
                # way out (the statements after the failed one are "aborted"), psycopg logs it.
                with suppress(psycopg.Error):
                    pipeline.sync()
                if isinstance(exc, psycopg.OperationalError) and conn.closed and not committing:
                    raise _BrokenBeforeCommit from exc  # else COMMIT may have been sent: never again
                raise
        return result
    finally:
        if not conn.closed:
            if conn.info.transaction_status != TransactionStatus.IDLE:  # a failure: nothing commits
                with suppress(psycopg.Error):
                    conn.execute("ROLLBACK")
            if conn.info.transaction_status == TransactionStatus.IDLE:  # else the pool rolls it back
                conn.autocommit = False
