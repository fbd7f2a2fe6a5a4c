"""The calendar feed: a secret URL serving the user's open, dated tasks as iCalendar (RFC 5545).

Calendar apps subscribe without logging in, so the URL's token is the credential:
random, stored only as its SHA-256, one per user. Making a new one revokes the old,
and so does a password change: whoever knew the old password may have copied the URL.
The feed covers every workspace the user belongs to.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from icalendar import Calendar, Event

from functions.platform.db import Connection
from functions.platform.errors import NotFound
from functions.platform.tokens import stored_digest

PRODID = "-//TaskForge//Calendar feed//EN"
CALENDAR_NAME = "TaskForge"
MAX_EVENTS = 1000
LOOKBACK = timedelta(days=30)
EVENT_DURATION = timedelta(minutes=30)
CONTENT_TYPE = "text/calendar; charset=utf-8"
CACHE_CONTROL = "private, max-age=300"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,100}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def feed_path(token: str) -> str:
    return f"/api/calendar/{token}.ics"


def create(conn: Connection, user_id: str) -> str:
    """A new feed token for the user, replacing any earlier one."""
    token = secrets.token_urlsafe(32)
    conn.execute(
        "INSERT INTO calendar_feeds (user_id, token_hash) VALUES (%s, %s)"
        " ON CONFLICT (user_id) DO UPDATE SET token_hash = EXCLUDED.token_hash, created_at = now()",
        (user_id, stored_digest(token)),
    )
    return token


def revoke(conn: Connection, user_id: str) -> None:
    if not revoke_if_any(conn, user_id):
        raise NotFound("there is no calendar feed to revoke")


def revoke_if_any(conn: Connection, user_id: str) -> bool:
    """Revokes the user's feed; False when there was none (a password change revokes it)."""
    deleted = conn.execute("DELETE FROM calendar_feeds WHERE user_id = %s RETURNING user_id", (user_id,)).fetchone()
    return deleted is not None


def owner(conn: Connection, token: str) -> str:
    """The user a feed token belongs to; NotFound for a token that is unknown or revoked."""
    token = token.removesuffix(".ics")
    row = None
    if _TOKEN.match(token):
        row = conn.execute(
            "SELECT user_id::text AS user_id FROM calendar_feeds WHERE token_hash = %s", (stored_digest(token),)
        ).fetchone()
    if row is None:
        raise NotFound("no such calendar feed")
    return str(row["user_id"])


def open_tasks(conn: Connection, user_id: str, now: datetime) -> list[dict[str, Any]]:
    """The open tasks with a due date from LOOKBACK ago on, soonest first, in the user's workspaces."""
    # The due-date expression is the one tasks_workspace_due indexes.
    return conn.execute(
        "SELECT t.id::text AS id, t.title, t.description, t.due_date, t.updated_at,"
        " ARRAY(SELECT g.name FROM task_tags tt JOIN tags g ON g.id = tt.tag_id WHERE tt.task_id = t.id"
        "       ORDER BY lower(g.name), g.id) AS tags"
        " FROM memberships m JOIN tasks t ON t.workspace_id = m.workspace_id"
        " WHERE m.user_id = %s AND NOT t.completed"
        " AND COALESCE(t.due_date, 'infinity'::timestamptz) >= %s"
        " AND COALESCE(t.due_date, 'infinity'::timestamptz) < 'infinity'::timestamptz"
        " ORDER BY COALESCE(t.due_date, 'infinity'::timestamptz), t.id LIMIT %s",
        (user_id, now - LOOKBACK, MAX_EVENTS),
    ).fetchall()


def render(tasks: Iterable[dict[str, Any]], now: datetime) -> str:
    """The VCALENDAR text: one 30-minute VEVENT per task, starting at its due date (UTC)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", CALENDAR_NAME)
    stamp = now.astimezone(UTC).replace(microsecond=0)
    for task in tasks:
        event = Event()
        event.add("uid", f"{task['id']}@taskforge")
        event.add("dtstamp", stamp)
        event.add("last-modified", task["updated_at"].astimezone(UTC).replace(microsecond=0))
        event.add("dtstart", task["due_date"].astimezone(UTC).replace(microsecond=0))
        event.add("duration", EVENT_DURATION)
        event.add("summary", _text(task["title"]))
        if task["description"]:
            event.add("description", _text(task["description"]))
        if task["tags"]:
            event.add("categories", [_text(name) for name in task["tags"]])
        calendar.add_component(event)
    text: bytes = calendar.to_ical()  # untyped in icalendar
    return text.decode("utf-8")


def _text(value: str) -> str:
    """`value` without the control characters RFC 5545 text may not hold (tab and newline stay)."""
    return _CONTROL.sub("", value)
