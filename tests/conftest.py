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


# Handler modules read their settings once, at import, as in a container. So the test
# process gets its environment before any handler is imported: its own API database
# (created on first use), its own Redis key prefix and a freshly made signing key.
_RUN_ID = uuid.uuid4().hex[:12]
API_DATABASE = f"tf_api_{_RUN_ID}"
_AWS = pytest.StashKey[object]()


def pytest_configure(config: pytest.Config) -> None:
    from functions.platform.vapid import new_private_key
    from tests.support.keys import ed25519_pem

    private_pem, _ = ed25519_pem()
    # DynamoDB and SES for the in-process handlers: a moto server of this test process.
    from moto.server import ThreadedMotoServer

    aws = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    aws.start()
    config.stash[_AWS] = aws
    host, port = aws.get_host_and_port()
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": f"http://{host}:{port}",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_REGION": "us-east-1",
        }
    )
    os.environ.update(
        {
            "DATABASE_URL": _url_for(API_DATABASE),
            "REDIS_URL": REDIS_URL,
            "REDIS_KEY_PREFIX": f"tf-test-{_RUN_ID}:",
            "JWT_PRIVATE_KEY": private_pem,
            "VAPID_PRIVATE_KEY": new_private_key(),
            # The tests reach the gateway from the loopback as the ALB would, and say which client
            # they stand for in X-Forwarded-For (failed logins count per client address).
            "TRUSTED_PROXY_NETWORKS": "127.0.0.0/8,::1/128",
        }
    )


def pytest_unconfigure(config: pytest.Config) -> None:
    if _AWS in config.stash:
        config.stash[_AWS].stop()
    try:
        with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(API_DATABASE)))
    except psycopg.Error:
        pass  # nothing to clean when PostgreSQL was never reachable


@pytest.fixture(scope="session")
def api_database() -> str:
    """The database the in-process handlers use, created and migrated once per run."""
    from functions.platform.migrate import apply_migrations

    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (API_DATABASE,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(API_DATABASE)))
    apply_migrations(_url_for(API_DATABASE))
    from functions.devserver.local_aws import prepare
    from functions.platform.settings import Settings

    prepare(Settings.from_env())
    return _url_for(API_DATABASE)


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
    from functions.platform.migrate import apply_migrations

    apply_migrations(empty_database_url)
    return empty_database_url
