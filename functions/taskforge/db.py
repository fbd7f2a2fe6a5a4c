"""PostgreSQL access: one lazily opened psycopg pool per process, explicit SQL above it.

The pool opens on first use, not at import, so a cold start pays nothing for it and
a forked worker never inherits a parent's sockets.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg_pool import ConnectionPool

from .settings import Settings


class DatabaseNotConfigured(RuntimeError):
    pass


class Database:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._pool: ConnectionPool | None = None
        self._lock = threading.Lock()

    @property
    def configured(self) -> bool:
        return self._settings.database_url is not None

    def pool(self) -> ConnectionPool:
        if self._pool is None:
            with self._lock:
                if self._pool is None:
                    self._pool = self._open_pool()
        return self._pool

    @contextmanager
    def connection(self, timeout: float | None = None) -> Iterator[psycopg.Connection]:
        with self.pool().connection(timeout=timeout) as conn:
            yield conn

    def ping(self, timeout: float) -> None:
        """Raises when the database cannot answer `SELECT 1` within `timeout` seconds."""
        with self.connection(timeout=timeout) as conn:
            conn.execute("SELECT 1")

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.close()
                self._pool = None

    def _open_pool(self) -> ConnectionPool:
        if self._settings.database_url is None:
            raise DatabaseNotConfigured("DATABASE_URL is not set")
        return ConnectionPool(
            self._settings.database_url,
            min_size=1,
            max_size=self._settings.database_pool_max,
            kwargs={"connect_timeout": max(1, round(self._settings.database_connect_timeout_seconds))},
            # A connection broken by a database restart is replaced at checkout,
            # not handed to a request.
            check=ConnectionPool.check_connection,
            open=True,
            name="taskforge",
        )
