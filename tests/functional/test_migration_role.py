"""The migration path makes the functions' role: rows yes, schema no.

The database belongs to an owner that, like RDS's administrator, may create roles but is
no superuser; migrations run as that owner, the role is then made from the app secret.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql

from functions.platform import migrate
from functions.platform.migrate import apply_migrations, ensure_application_role
from tests.conftest import ADMIN_URL


def _as(url: str, user: str, password: str | None = None) -> str:
    return psycopg.conninfo.make_conninfo(url, user=user, **({"password": password} if password else {}))


def _drop_roles(*names: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        for name in names:
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))


@pytest.fixture
def owned_database() -> Iterator[tuple[str, str]]:
    """(the owner's URL, the name for the app role): a database whose owner is not a superuser."""
    suffix = uuid.uuid4().hex[:10]
    owner, app, database = f"tf_owner_{suffix}", f"tf_app_{suffix}", f"tf_test_{suffix}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN CREATEROLE").format(sql.Identifier(owner)))
        conn.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(database), sql.Identifier(owner)))
    try:
        yield _as(psycopg.conninfo.make_conninfo(ADMIN_URL, dbname=database), owner), app
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))
        _drop_roles(app, owner)


def _write_a_task(conn: psycopg.Connection) -> None:
    user = conn.execute(
        "INSERT INTO users (email, password_hash) VALUES ('a@example.com', 'x') RETURNING id"
    ).fetchone()
    assert user
    workspace = conn.execute(
        "INSERT INTO workspaces (name, personal, created_by) VALUES ('w', true, %s) RETURNING id", (user[0],)
    ).fetchone()
    assert workspace
    conn.execute("INSERT INTO tasks (owner_id, workspace_id, title) VALUES (%s, %s, 'first')", (user[0], workspace[0]))
    conn.execute("UPDATE tasks SET title = 'renamed'")
    conn.execute("INSERT INTO outbox (type, workspace_id, data) VALUES ('t', %s, '{}')", (workspace[0],))


def test_the_app_role_reads_and_writes_rows(owned_database):
    owner_url, app = owned_database
    apply_migrations(owner_url)

    ensure_application_role(owner_url, app, "first-password")

    with psycopg.connect(_as(owner_url, app, "first-password")) as conn:
        _write_a_task(conn)  # includes an identity column: the sequence is usable
        assert conn.execute("SELECT title FROM tasks").fetchall() == [("renamed",)]
        conn.execute("DELETE FROM tasks")


@pytest.mark.parametrize(
    "statement",
    [
        "CREATE TABLE intruder (id int)",
        "DROP TABLE tasks",
        "ALTER TABLE tasks ADD COLUMN extra int",
        "TRUNCATE tasks",
        "SELECT * FROM schema_migrations",
        "DELETE FROM schema_migrations",
    ],
)
def test_the_app_role_can_change_no_schema(owned_database, statement):
    owner_url, app = owned_database
    apply_migrations(owner_url)
    ensure_application_role(owner_url, app, "pw")

    with psycopg.connect(_as(owner_url, app, "pw")) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(statement)


def test_it_is_no_owner_and_has_no_role_attributes(owned_database):
    owner_url, app = owned_database
    apply_migrations(owner_url)
    ensure_application_role(owner_url, app, "pw")

    with psycopg.connect(owner_url) as conn:
        attributes = conn.execute(
            "SELECT rolsuper, rolcreatedb, rolcreaterole, rolcanlogin FROM pg_roles WHERE rolname = %s", (app,)
        ).fetchone()
        owned = conn.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname = %s", (app,)
        ).fetchone()
    assert attributes == (False, False, False, True)
    assert owned == (0,)


def test_tables_of_later_migrations_are_covered(owned_database, tmp_path):
    owner_url, app = owned_database
    (tmp_path / "0001_first.sql").write_text("CREATE TABLE first (id int);")
    apply_migrations(owner_url, tmp_path)
    ensure_application_role(owner_url, app, "pw")

    (tmp_path / "0002_second.sql").write_text("CREATE TABLE second (id bigint GENERATED ALWAYS AS IDENTITY, v int);")
    apply_migrations(owner_url, tmp_path)

    with psycopg.connect(_as(owner_url, app, "pw")) as conn:
        conn.execute("INSERT INTO second (v) VALUES (1)")
        assert conn.execute("SELECT v FROM second").fetchall() == [(1,)]


def _password_hash(name: str) -> str | None:
    # Tests connect with trust authentication, so the stored verifier is what can be compared.
    with psycopg.connect(ADMIN_URL) as conn:
        row = conn.execute("SELECT rolpassword FROM pg_authid WHERE rolname = %s", (name,)).fetchone()
    return row[0] if row else None


def test_running_again_is_harmless_and_takes_the_secret_s_password(owned_database):
    owner_url, app = owned_database
    apply_migrations(owner_url)
    ensure_application_role(owner_url, app, "old")
    before = _password_hash(app)

    ensure_application_role(owner_url, app, "rotated")

    assert before
    assert _password_hash(app) not in (None, before)
    with psycopg.connect(_as(owner_url, app, "rotated")) as conn:
        assert conn.execute("SELECT count(*) FROM tasks").fetchone() == (0,)


def test_main_makes_the_role_when_both_variables_are_given(owned_database, monkeypatch):
    owner_url, app = owned_database
    monkeypatch.setenv("DATABASE_URL", owner_url)
    monkeypatch.setenv("APP_DATABASE_USER", app)
    monkeypatch.setenv("APP_DATABASE_PASSWORD", "from-the-secret")

    assert migrate.main() == 0

    with psycopg.connect(_as(owner_url, app, "from-the-secret")) as conn:
        assert conn.execute("SELECT count(*) FROM tasks").fetchone() == (0,)


def test_main_refuses_half_the_app_credentials(owned_database, monkeypatch):
    owner_url, app = owned_database
    monkeypatch.setenv("DATABASE_URL", owner_url)
    monkeypatch.setenv("APP_DATABASE_USER", app)
    monkeypatch.delenv("APP_DATABASE_PASSWORD", raising=False)

    assert migrate.main() == 2
    with psycopg.connect(owner_url) as conn:  # refused before migrating anything
        assert conn.execute("SELECT to_regclass('schema_migrations')").fetchone() == (None,)
