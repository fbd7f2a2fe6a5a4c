"""The caller's tasks across every workspace they belong to, cut into days of their time zone.

Membership is the whole of authorization here: every statement reads only tasks of the
workspaces the caller is a member of, in any role (the agenda only reads). Days begin and end
in the caller's time zone, as PostgreSQL computes it at `now()`, so a day is 23 or 25 hours
long across a daylight-saving change.
"""

from __future__ import annotations

from typing import Any

from psycopg import sql

from functions.domain.agenda.models import View
from functions.domain.tasks.tasks import COLUMNS
from functions.domain.workspaces import workspaces
from functions.platform.db import Connection

UPCOMING_DAYS = 14  # today and the 13 days after it
MAX_LIMIT = 500  # the agenda is one bounded list, not paged: `truncated` says when there is more
DEFAULT_LIMIT = 200

# The day boundaries of the caller's zone, then the view's tasks; {due} is the expression
# tasks_workspace_due indexes, {where} and {order} the view's fixed texts.
_VIEW = """
WITH today AS (SELECT (now() AT TIME ZONE %(tz)s)::date AS day),
bounds AS (
    SELECT day,
           day::timestamp AT TIME ZONE %(tz)s AS today_start,
           (day + 1)::timestamp AT TIME ZONE %(tz)s AS tomorrow_start,
           (day + %(days)s)::timestamp AT TIME ZONE %(tz)s AS horizon
    FROM today
)
SELECT {columns}, w.name AS workspace_name, w.personal AS workspace_personal
FROM bounds b, tasks t JOIN workspaces w ON w.id = t.workspace_id
WHERE t.workspace_id = ANY(%(member_of)s::uuid[]) AND {where}
ORDER BY {order} LIMIT %(fetch)s
"""
_COUNTS = """
WITH today AS (SELECT (now() AT TIME ZONE %(tz)s)::date AS day),
bounds AS (
    SELECT day::timestamp AT TIME ZONE %(tz)s AS today_start,
           (day + 1)::timestamp AT TIME ZONE %(tz)s AS tomorrow_start,
           (day + %(days)s)::timestamp AT TIME ZONE %(tz)s AS horizon
    FROM today
)
SELECT count(*) FILTER (WHERE {due} < b.tomorrow_start) AS today,
       count(*) FILTER (WHERE {due} < now()) AS overdue,
       count(*) FILTER (WHERE {due} >= b.today_start AND {due} < b.horizon) AS upcoming,
       count(*) FILTER (WHERE t.workspace_id = %(personal)s AND {due} = 'infinity') AS inbox
FROM bounds b, tasks t
WHERE t.workspace_id = ANY(%(member_of)s::uuid[]) AND NOT t.completed
  AND ({due} < b.horizon OR (t.workspace_id = %(personal)s AND {due} = 'infinity'))
"""
_DUE = sql.SQL("COALESCE(t.due_date, 'infinity'::timestamptz)")
_WHERE = {
    # Open tasks due before tomorrow (overdue ones included); completed ones only of today.
    "today": "{due} < b.tomorrow_start AND (NOT t.completed OR (%(completed)s AND t.due_date >= b.today_start))",
    "upcoming": "{due} >= b.today_start AND {due} < b.horizon AND (NOT t.completed OR %(completed)s)",
    "inbox": "t.workspace_id = %(personal)s AND {due} = 'infinity' AND (NOT t.completed OR %(completed)s)",
}
_ORDER = {
    "today": "{due}, t.priority, t.id",
    "upcoming": "{due}, t.priority, t.id",
    "inbox": "t.created_at DESC, t.id DESC",
}


def timezone_of(conn: Connection, user_id: str) -> str:
    row = conn.execute("SELECT timezone FROM users WHERE id = %s", (user_id,)).fetchone()
    return str(row["timezone"]) if row else "UTC"


def _parameters(conn: Connection, user_id: str) -> dict[str, Any]:
    return {
        "tz": timezone_of(conn, user_id),
        "days": UPCOMING_DAYS,
        "member_of": [row["id"] for row in workspaces.list_for(conn, user_id)],
        "personal": workspaces.personal_id(conn, user_id),
    }


def view(conn: Connection, user_id: str, name: View, completed: bool, limit: int) -> dict[str, Any]:
    """The tasks of one view, at most `limit` of them, and whether there were more."""
    parameters = {**_parameters(conn, user_id), "completed": completed, "fetch": limit + 1}
    statement = sql.SQL(_VIEW).format(
        columns=COLUMNS,
        where=sql.SQL(_WHERE[name]).format(due=_DUE),
        order=sql.SQL(_ORDER[name]).format(due=_DUE),
    )
    rows = conn.execute(statement, parameters).fetchall()
    today = conn.execute("SELECT (now() AT TIME ZONE %(tz)s)::date AS day", parameters).fetchone()
    assert today is not None
    return {
        "view": name,
        "timezone": parameters["tz"],
        "today": today["day"],
        "items": rows[:limit],
        "truncated": len(rows) > limit,
    }


def counts(conn: Connection, user_id: str) -> dict[str, Any]:
    """How many open tasks each view holds (today's count includes the overdue ones)."""
    parameters = _parameters(conn, user_id)
    row = conn.execute(sql.SQL(_COUNTS).format(due=_DUE), parameters).fetchone()
    assert row is not None
    return {"timezone": parameters["tz"], **{key: int(row[key]) for key in ("today", "overdue", "upcoming", "inbox")}}
