"""The daily overdue digest: one e-mail per user at their local morning hour, listing
their overdue open tasks across every workspace they belong to.

One user's digest never stops the others'. A user whose time zone PostgreSQL does not
know, or whose digest cannot be put together (a row that does not load, a bug), is
quarantined with the reason (see quarantine.py) and skipped until an operator releases
them; a digest the mail service refuses is tried again at the next run, up to
CATCH_UP_HOURS after the user's hour.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from functions.domain.reminders import quarantine
from functions.platform.db import Connection, Database
from functions.platform.errors import ServiceUnavailable

logger = logging.getLogger(__name__)

OPERATION = "send-digests"  # functions/catalog.py

# Users whose digest hour has come (within CATCH_UP_HOURS, so a run missed or failed at that
# hour is made up by the next) and who have not had today's digest; claiming sets
# last_digest_on, so two runners never send one digest twice. The CASE keeps PostgreSQL
# from reading a time zone it does not know: one such row would fail the statement for everyone.
CATCH_UP_HOURS = 4
_CLAIM = """
UPDATE users u SET last_digest_on = (now() AT TIME ZONE u.timezone)::date
WHERE CASE WHEN u.timezone IN (SELECT name FROM pg_timezone_names) AND u.digest_quarantined_at IS NULL
      THEN mod(extract(hour FROM now() AT TIME ZONE u.timezone)::int - u.digest_hour + 24, 24) < %(catch_up)s
           AND u.last_digest_on IS DISTINCT FROM (now() AT TIME ZONE u.timezone)::date
      ELSE false END
  AND u.id = (SELECT id FROM users WHERE id = u.id FOR UPDATE SKIP LOCKED)
RETURNING u.id::text AS id, u.email::text AS email, u.timezone, u.last_digest_on
"""
_UNKNOWN_ZONES = """
UPDATE users SET digest_quarantined_at = now(),
                 digest_last_error = format('unknown time zone %L: no local hour to send the digest at', timezone)
WHERE digest_quarantined_at IS NULL AND timezone NOT IN (SELECT name FROM pg_timezone_names)
RETURNING id::text AS id, digest_last_error AS error
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
    for user in database.transaction(lambda conn: conn.execute(_UNKNOWN_ZONES).fetchall()):
        quarantine.announce(OPERATION, "digest", user["id"], user["error"])
    claimed = database.transaction(lambda conn: conn.execute(_CLAIM, {"catch_up": CATCH_UP_HOURS}).fetchall())
    sent = 0
    for user in claimed:
        try:
            message = database.transaction(lambda conn: _compose(conn, user["id"]))  # noqa: B023 - runs at once
        except ServiceUnavailable:
            raise  # the database is down: nobody's digest can go, and the next run tries again
        except Exception as exc:
            why = quarantine.reason(exc)
            database.transaction(lambda conn: _quarantine(conn, user["id"], why))  # noqa: B023 - runs at once
            quarantine.announce(OPERATION, "digest", user["id"], why)
            continue
        if message is None:
            continue
        try:
            mail(user["email"], *message)
            sent += 1
        except Exception as exc:
            logger.warning("digest for %s not sent: %s", user["id"], exc)
            database.transaction(lambda conn: _unclaim(conn, user["id"]))  # noqa: B023 - runs at once
    return sent


def _compose(conn: Connection, user_id: str) -> tuple[str, str] | None:
    """The digest's subject and body, or None with nothing overdue."""
    overdue = conn.execute(_OVERDUE, (user_id,)).fetchall()
    if not overdue:
        return None
    return f"{len(overdue)} overdue task{'s' * (len(overdue) != 1)}", _body(overdue)


def _quarantine(conn: Connection, user_id: str, why: str) -> None:
    conn.execute("UPDATE users SET digest_quarantined_at = now(), digest_last_error = %s WHERE id = %s", (why, user_id))


def _unclaim(conn: Connection, user_id: str) -> None:
    conn.execute("UPDATE users SET last_digest_on = NULL WHERE id = %s", (user_id,))


def _body(overdue: list[dict[str, Any]]) -> str:
    lines = [f"- {row['title']} (due {row['due_date']:%Y-%m-%d}, {row['workspace']})" for row in overdue]
    return "Overdue tasks:\n" + "\n".join(lines) + "\n"
