"""SQL for the account aggregate: users and their refresh tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from psycopg import errors, sql

from functions.platform.db import Connection
from functions.platform.errors import Conflict


def create_user(
    conn: Connection, email: str, password_hash: str, display_name: str | None, timezone: str | None = None
) -> dict[str, Any]:
    """The new account; its timezone is the column's default (UTC) when `timezone` is None."""
    values: dict[str, Any] = {"email": email, "password_hash": password_hash, "display_name": display_name}
    if timezone is not None:
        values["timezone"] = timezone
    statement = sql.SQL(
        "INSERT INTO users ({}) VALUES ({})"
        " RETURNING id::text AS id, email::text AS email, display_name, token_version, created_at,"
        " timezone, digest_hour, theme, reminder_webhook_url, email_verified_at IS NOT NULL AS email_verified"
    ).format(sql.SQL(", ").join(map(sql.Identifier, values)), sql.SQL(", ").join(map(sql.Placeholder, values)))
    try:
        with conn.transaction():  # a savepoint: the unique violation must not poison the caller's transaction
            row = conn.execute(statement, values).fetchone()
    except errors.UniqueViolation:
        raise Conflict("an account with this e-mail address already exists") from None
    assert row is not None
    return row


def find_credentials(conn: Connection, email: str) -> dict[str, Any] | None:
    return conn.execute(
        "SELECT id::text AS id, email::text AS email, display_name, token_version, created_at,"
        " timezone, digest_hour, theme, reminder_webhook_url, email_verified_at IS NOT NULL AS email_verified,"
        " password_hash"
        " FROM users WHERE email = %s",
        (email,),
    ).fetchone()


def folded_email(conn: Connection, email: str) -> str:
    """`email` as the users.email column compares it: citext lowers with the database's own
    rules, which can differ from Python's (U+0130 'İ' becomes 'i' under C.UTF-8, 'i̇' in Python)."""
    row = conn.execute("SELECT lower(%s::citext) AS folded", (email,)).fetchone()
    assert row is not None
    return str(row["folded"])


def get_user(conn: Connection, user_id: str) -> dict[str, Any] | None:
    return conn.execute(
        "SELECT id::text AS id, email::text AS email, display_name, token_version, created_at,"
        " timezone, digest_hour, theme, reminder_webhook_url, email_verified_at IS NOT NULL AS email_verified,"
        " password_hash"
        " FROM users WHERE id = %s FOR UPDATE",
        (user_id,),
    ).fetchone()


def token_version(conn: Connection, user_id: str) -> int | None:
    row = conn.execute("SELECT token_version FROM users WHERE id = %s", (user_id,)).fetchone()
    return None if row is None else int(row["token_version"])


# Who acts in a transaction, for the database itself: the triggers that record task versions
# (migration 0015) read it. Transaction-local, so a pooled connection never carries it further.
ACTOR_SETTING = "taskforge.actor_id"


def act_as(conn: Connection, user_id: str) -> int | None:
    """Names `user_id` the transaction's actor and returns their token version (None: no such
    account), in one statement."""
    row = conn.execute(
        "SELECT token_version, set_config(%s, id::text, true) FROM users WHERE id = %s", (ACTOR_SETTING, user_id)
    ).fetchone()
    return None if row is None else int(row["token_version"])


def update_password_hash(conn: Connection, user_id: str, password_hash: str) -> None:
    conn.execute("UPDATE users SET password_hash = %s, updated_at = now() WHERE id = %s", (password_hash, user_id))


def revoke_everything(conn: Connection, user_id: str) -> int:
    """Bumps the token version (kills access tokens) and revokes every refresh token."""
    row = conn.execute(
        "UPDATE users SET token_version = token_version + 1, updated_at = now() WHERE id = %s RETURNING token_version",
        (user_id,),
    ).fetchone()
    conn.execute("UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = %s AND revoked_at IS NULL", (user_id,))
    assert row is not None
    return int(row["token_version"])


def record_refresh_token(conn: Connection, token_id: str, family_id: str, user_id: str, expires_at: datetime) -> None:
    conn.execute(
        "INSERT INTO refresh_tokens (id, family_id, user_id, expires_at) VALUES (%s, %s, %s, %s)",
        (token_id, family_id, user_id, expires_at),
    )


def claim_refresh_token(conn: Connection, token_id: str) -> dict[str, Any] | None:
    """Locks the token's row; the caller decides whether it may be used."""
    return conn.execute(
        "SELECT id::text AS id, family_id::text AS family_id, user_id::text AS user_id, used_at, revoked_at,"
        " expires_at FROM refresh_tokens WHERE id = %s FOR UPDATE",
        (token_id,),
    ).fetchone()


def mark_used(conn: Connection, token_id: str) -> None:
    conn.execute("UPDATE refresh_tokens SET used_at = now() WHERE id = %s", (token_id,))


def revoke_family(conn: Connection, family_id: str) -> None:
    conn.execute(
        "UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = %s AND revoked_at IS NULL", (family_id,)
    )
