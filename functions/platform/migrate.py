"""Numbered SQL migrations, applied in order, each once, each in its own transaction.

`python -m functions.platform.migrate` is what production runs as a Job before a
rollout and what the local stack runs at start. An advisory lock lets two runners
start together safely; a checksum refuses a migration edited after it was applied.

In the clusters the Job connects as the database's owner (`DATABASE_URL`) and, when
`APP_DATABASE_USER` and `APP_DATABASE_PASSWORD` are set, then makes sure the functions'
own role exists with that password and only the privileges they need: read and write
rows, use sequences; never own, create or drop anything.
"""

from __future__ import annotations

import hashlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# Any constant shared by every runner; "TFMIGRAT" in ASCII.
_LOCK_KEY = 0x54464D4947524154 & 0x7FFFFFFFFFFFFFFF


@dataclass(frozen=True)
class Migration:
    version: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


class MigrationError(Exception):
    pass


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    migrations = [Migration(path.stem, path.read_text()) for path in sorted(directory.glob("*.sql"))]
    versions = [m.version.split("_", 1)[0] for m in migrations]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"two migrations share a number in {directory}")
    return migrations


def apply_migrations(conninfo: str, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Applies what is missing; returns the versions applied by this call."""
    migrations = discover(directory)
    applied_now: list[str] = []
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (_LOCK_KEY,))
        try:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version text PRIMARY KEY, checksum text NOT NULL,"
                " applied_at timestamptz NOT NULL DEFAULT now())"
            )
            rows = conn.execute("SELECT version, checksum FROM schema_migrations").fetchall()
            recorded: dict[str, str] = dict(rows)
            for migration in migrations:
                if migration.version in recorded:
                    if recorded[migration.version] != migration.checksum:
                        raise MigrationError(
                            f"migration {migration.version} changed after it was applied; add a new migration instead"
                        )
                    continue
                with conn.transaction():
                    conn.execute(migration.sql.encode())
                    conn.execute(
                        "INSERT INTO schema_migrations (version, checksum) VALUES (%s, %s)",
                        (migration.version, migration.checksum),
                    )
                applied_now.append(migration.version)
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_LOCK_KEY,))
    return applied_now


def ensure_application_role(conninfo: str, name: str, password: str) -> None:
    """Creates the functions' role, or resets its password, and grants it rows, not schema.

    Run as the owner of the schema's objects (the migrating user), after the migrations:
    the default privileges cover the tables later migrations create. The password is the
    secret's, so the secret stays the one source of truth even after a hand change.
    """
    role = sql.Identifier(name)
    secret = sql.Literal(password)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (_LOCK_KEY,))  # two Jobs racing to CREATE ROLE
        try:
            with conn.transaction():
                exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone()
                verb = sql.SQL("ALTER") if exists else sql.SQL("CREATE")
                conn.execute(
                    sql.SQL(
                        # Attributes left at their defaults (no superuser, createdb, createrole): RDS's
                        # administrator may not even name some of them.
                        "{} ROLE {} WITH LOGIN PASSWORD {}"
                    ).format(verb, role, secret)
                )
                statements = (
                    "GRANT CONNECT ON DATABASE {database} TO {role}",
                    "GRANT USAGE ON SCHEMA public TO {role}",
                    # Neither an owner nor PUBLIC's CREATE: no DDL, whatever the schema's age.
                    "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
                    "REVOKE CREATE ON SCHEMA public FROM {role}",
                    "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
                    "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
                    "ALTER DEFAULT PRIVILEGES IN SCHEMA public"
                    " GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
                    "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {role}",
                    # The migration history is the migrator's alone.
                    "REVOKE ALL ON schema_migrations FROM {role}",
                )
                database = sql.Identifier(conn.info.dbname)
                for statement in statements:
                    conn.execute(sql.SQL(statement).format(role=role, database=database))
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_LOCK_KEY,))


def main() -> int:
    from functions.platform.settings import Settings

    settings = Settings.from_env()
    if not settings.database_url:
        print("migrate: DATABASE_URL is not set", file=sys.stderr)
        return 2
    app_user, app_password = os.environ.get("APP_DATABASE_USER"), os.environ.get("APP_DATABASE_PASSWORD")
    if bool(app_user) != bool(app_password):
        print("migrate: APP_DATABASE_USER and APP_DATABASE_PASSWORD go together", file=sys.stderr)
        return 2
    try:
        applied = apply_migrations(settings.database_url)
        if app_user and app_password:
            ensure_application_role(settings.database_url, app_user, app_password)
            print(f"migrate: role {app_user} has the functions' privileges")
    except (MigrationError, psycopg.Error) as exc:
        print(f"migrate: {exc}", file=sys.stderr)
        return 1
    print(f"migrate: applied {len(applied)} migration(s): {', '.join(applied) or 'none pending'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
