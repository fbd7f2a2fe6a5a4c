"""Fixtures shared by every test layer."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql

# The PostgreSQL server the tests may create databases on (trust auth on localhost).
ADMIN_URL = os.environ.get("TEST_POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _url_for(database: str) -> str:
    return psycopg.conninfo.make_conninfo(ADMIN_URL, dbname=database)


@pytest.fixture
def empty_database_url() -> Iterator[str]:
    """A database of its own, created empty for one test and dropped afterwards."""
    name = f"tf_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield _url_for(name)
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def database_url(empty_database_url: str) -> str:
    """A fresh database with every migration applied."""
    from functions.taskforge.migrate import apply_migrations

    apply_migrations(empty_database_url)
    return empty_database_url
