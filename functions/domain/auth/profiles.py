"""The caller's own settings: display name, timezone, reminder webhook, digest hour, theme.

The webhook's signing secret is made by the server when a new URL is set and shown
in that one answer; no read returns it again. Removing the URL removes the secret.
A password change removes both (remove_webhook): whoever knew the old password may
have pointed the webhook at their own server or read its secret. Reminders then go by
e-mail until the user sets a URL again, which gets a new secret.
"""

from __future__ import annotations

from typing import Any

from psycopg import sql

from functions.domain.auth.profile_models import ProfilePatch
from functions.platform import webhooks
from functions.platform.db import Connection
from functions.platform.errors import Unauthorized

_COLUMNS = (
    "id::text AS id, email::text AS email, display_name, created_at, timezone, reminder_webhook_url, digest_hour, theme"
)


def prepare(patch: ProfilePatch, allow_private_networks: bool) -> dict[str, Any]:
    """The columns to change, checked; resolves the webhook host, so call it outside a transaction."""
    changes = patch.model_dump(include=patch.model_fields_set)
    if patch.reminder_webhook_url is not None:
        changes["reminder_webhook_url"] = webhooks.validate_url(patch.reminder_webhook_url, allow_private_networks)
    return changes


def update(conn: Connection, user_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    """Applies `changes` (from prepare); the row as the API shows it, with `webhook_secret`
    set only when this change made a new one."""
    current = conn.execute(
        "SELECT reminder_webhook_url, webhook_secret FROM users WHERE id = %s FOR UPDATE", (user_id,)
    ).fetchone()
    if current is None:
        raise Unauthorized("the account no longer exists")
    columns = dict(changes)
    new_secret: str | None = None
    if "reminder_webhook_url" in columns:
        url = columns["reminder_webhook_url"]
        if url is None:
            columns["webhook_secret"] = None
        elif url != current["reminder_webhook_url"] or current["webhook_secret"] is None:
            # The same URL sent again keeps its secret: a form that resends every field
            # must not silently break the receiver's verification.
            new_secret = webhooks.new_secret()
            columns["webhook_secret"] = new_secret
    assignments: list[sql.Composable] = [sql.SQL("{} = %s").format(sql.Identifier(name)) for name in columns]
    assignments.append(sql.SQL("updated_at = now()"))
    row = conn.execute(
        sql.SQL("UPDATE users SET {} WHERE id = %s RETURNING {}").format(
            sql.SQL(", ").join(assignments), sql.SQL(_COLUMNS)
        ),
        (*columns.values(), user_id),
    ).fetchone()
    assert row is not None
    return {**row, "webhook_secret": new_secret}


def remove_webhook(conn: Connection, user_id: str) -> bool:
    """Removes the reminder webhook and its secret; False when there was none."""
    row = conn.execute(
        "UPDATE users SET reminder_webhook_url = NULL, webhook_secret = NULL, updated_at = now()"
        " WHERE id = %s AND (reminder_webhook_url IS NOT NULL OR webhook_secret IS NOT NULL) RETURNING id",
        (user_id,),
    ).fetchone()
    return row is not None
