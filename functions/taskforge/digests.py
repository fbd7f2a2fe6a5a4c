"""The daily overdue digest: one e-mail per user at their local morning hour, listing
their overdue open tasks across every workspace they belong to."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from .db import Connection, Database

logger = logging.getLogger(__name__)

# Users whose local hour is their digest hour and who have not had today's digest;
# claiming sets last_digest_on, so two runners never send one digest twice.
_CLAIM = """
UPDATE users u SET last_digest_on = (now() AT TIME ZONE u.timezone)::date
WHERE extract(hour FROM now() AT TIME ZONE u.timezone) = u.digest_hour
  AND u.last_digest_on IS DISTINCT FROM (now() AT TIME ZONE u.timezone)::date
  AND u.id = (SELECT id FROM users WHERE id = u.id FOR UPDATE SKIP LOCKED)
RETURNING u.id::text AS id, u.email::text AS email, u.timezone, u.last_digest_on
"""
_OVERDUE = """
SELECT t.title, t.due_date, w.name AS workspace
FROM tasks t JOIN memberships m ON m.workspace_id = t.workspace_id JOIN workspaces w ON w.id = t.workspace_id
WHERE m.user_id = %s AND NOT t.completed AND t.due_date < now()
ORDER BY t.due_date LIMIT 50
"""

Mailer = Callable[[str, str, str], object]  # (to, subject, body)


def send_due_digests(database: Database, mail: Mailer) -> int:
    """Sends today's digest to every user whose morning hour it is; returns how many."""
    claimed = database.transaction(lambda conn: conn.execute(_CLAIM).fetchall())
    sent = 0
    for user in claimed:
        overdue = database.transaction(lambda conn: _overdue(conn, user["id"]))  # noqa: B023 - runs at once
        if not overdue:
            continue
        try:
            mail(user["email"], f"{len(overdue)} overdue task{'s' * (len(overdue) != 1)}", _body(overdue))
            sent += 1
        except Exception as exc:
            logger.warning("digest for %s not sent: %s", user["id"], exc)
            database.transaction(lambda conn: _unclaim(conn, user["id"]))  # noqa: B023 - runs at once
    return sent


def _overdue(conn: Connection, user_id: str) -> list[dict[str, Any]]:
    return conn.execute(_OVERDUE, (user_id,)).fetchall()


def _unclaim(conn: Connection, user_id: str) -> None:
    conn.execute("UPDATE users SET last_digest_on = NULL WHERE id = %s", (user_id,))


def _body(overdue: list[dict[str, Any]]) -> str:
    lines = [f"- {row['title']} (due {row['due_date']:%Y-%m-%d}, {row['workspace']})" for row in overdue]
    return "Overdue tasks:\n" + "\n".join(lines) + "\n"
