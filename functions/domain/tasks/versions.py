"""A task's versions: read its history, and restore one.

The versions themselves are written by the database (migration 0015): a deferred trigger on
tasks, task_tags and checklist_items records one version per transaction per changed task,
with the caller that auth.ensure_current named the transaction's actor. So this module only
reads them, and a restore is one more change: it writes the task, its tags and its checklist
as the version had them, and the trigger records that as a new version. History is never
rewritten.

Who sees what: a task's history is for whoever may read the task now. A version's tags are
named only to members of the workspace the version was in (a task can move, history and all,
to a workspace whose members are not in the old one); their ids are shown either way.
"""

from __future__ import annotations

import json
from typing import Any

from psycopg import errors, sql

from functions.catalog import TaskEventKind
from functions.domain.activity import outbox
from functions.domain.reminders import schedules
from functions.domain.tasks import tasks
from functions.domain.workspaces import workspaces
from functions.platform.db import Connection
from functions.platform.errors import BadRequest, Conflict, NotFound, Unprocessable
from functions.platform.http import INVALID_CURSOR, decode_cursor, encode_cursor

# How many of a task's latest versions are kept, beside its first (record_task_version, 0015).
KEPT = 100
# Columns a version holds that follow from others, or are stored for the server's own use.
_NOT_SHOWN = ("series_start", "occurrence_local")
# What a restore leaves to the server: completed_at follows completed.
_NOT_RESTORED = ("tags", "checklist", "completed_at")
_NO_SUCH_VERSION = f"no such version of the task; a task keeps its first version and its last {KEPT}"


def page(
    conn: Connection, user_id: str, task_id: str, limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of the task's versions, newest first, keyset-paged by version number."""
    tasks.load(conn, user_id, task_id)
    before = _decode(cursor) if cursor else None
    rows = conn.execute(
        "SELECT v.number AS version, v.created_at AS at, v.actor_id::text AS actor_id,"
        " COALESCE(NULLIF(u.display_name, ''), u.email::text) AS actor_name, v.changed, v.task_version, v.snapshot"
        " FROM task_versions v LEFT JOIN users u ON u.id = v.actor_id"
        " WHERE v.task_id = %s AND (%s::integer IS NULL OR v.number < %s::integer)"
        " ORDER BY v.number DESC LIMIT %s",
        (task_id, before, before, limit + 1),
    ).fetchall()
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(["versions", rows[-1]["version"]])
    readable = _member_of(conn, user_id, {row["snapshot"]["workspace_id"] for row in rows})
    for row in rows:
        row["snapshot"] = _as_shown(row["snapshot"], row["snapshot"]["workspace_id"] in readable)
    return rows, next_cursor


def restore(
    conn: Connection, user_id: str, task_id: str, number: int, allowed_versions: set[int] | None
) -> tuple[dict[str, Any], list[str]]:
    """Puts the task back as version `number` left it: fields, workspace, tags and checklist, in
    this transaction. Returns the task and, in words, what could not be put back.

    `allowed_versions` is If-Match. The caller needs the right to change the task where it is and
    in the version's workspace. A tag the version had that has been deleted since is attached
    again when the workspace has a tag of the same name now, and otherwise left out (and said so):
    a restore changes this task, never the workspace's tags.
    """
    current = tasks.load(conn, user_id, task_id, write=True, lock=True)
    tasks.check_version(current, allowed_versions)
    found = conn.execute(
        "SELECT v.snapshot, task_snapshot(t) AS present FROM task_versions v JOIN tasks t ON t.id = v.task_id"
        " WHERE v.task_id = %s AND v.number = %s",
        (task_id, number),
    ).fetchone()
    if found is None:
        raise NotFound(_NO_SUCH_VERSION)
    snapshot, present = found["snapshot"], found["present"]
    workspace_id = snapshot["workspace_id"]
    if workspace_id != current["workspace_id"]:
        if workspaces.role_of(conn, user_id, workspace_id) not in ("owner", "editor"):
            raise Conflict(
                "this version is in another workspace, where you cannot change tasks (any more); "
                "restore a version from this workspace instead"
            )
        tasks._leave_workspace(conn, task_id, workspace_id)  # the move's rule, one within the tasks package
    _write_fields(conn, task_id, snapshot, present)
    notes = _restore_tags(conn, task_id, workspace_id, snapshot["tags"])
    _restore_checklist(conn, task_id, snapshot["checklist"])
    schedules.recompute(conn, task_id)
    row = tasks.load(conn, user_id, task_id)
    changes = conn.execute(
        "SELECT task_snapshot_changes(%s::jsonb, task_snapshot(t)) AS changed FROM tasks t WHERE t.id = %s",
        (json.dumps(present), task_id),
    ).fetchone()
    kind: TaskEventKind = "updated"
    if row["completed"] != current["completed"]:
        kind = "completed" if row["completed"] else "reopened"
    outbox.record(conn, kind, row, user_id, changes["changed"] if changes else None)
    return row, notes


def _write_fields(conn: Connection, task_id: str, snapshot: dict[str, Any], present: dict[str, Any]) -> None:
    """The version's columns, cast by PostgreSQL from the snapshot's JSON (jsonb_populate_record),
    those the task still has; and always a new version of the row, so its ETag moves."""
    names = [name for name in snapshot if name in present and name not in _NOT_RESTORED]
    columns = sql.SQL(", ").join(sql.Identifier(name) for name in names)
    statement = sql.SQL(
        "UPDATE tasks t SET ({columns}) = (SELECT {columns} FROM jsonb_populate_record(NULL::tasks, %(snapshot)s)),"
        " completed_at = CASE WHEN (%(snapshot)s::jsonb ->> 'completed')::boolean"
        "   THEN COALESCE((%(snapshot)s::jsonb ->> 'completed_at')::timestamptz, clock_timestamp()) END,"
        " updated_at = clock_timestamp(), version = t.version + 1 WHERE t.id = %(task_id)s"
    ).format(columns=columns)
    try:
        with conn.transaction():
            conn.execute(statement, {"snapshot": json.dumps(snapshot), "task_id": task_id})
    except errors.CheckViolation as exc:
        raise Unprocessable(f"the version breaks a rule tasks follow now: {exc.diag.constraint_name}") from None
    except errors.IntegrityError as exc:
        raise Conflict(f"the version cannot be put back as it was: {exc.diag.constraint_name}") from None


def _restore_tags(conn: Connection, task_id: str, workspace_id: str, wanted: list[dict[str, Any]]) -> list[str]:
    """Attaches the version's tags (by id, else a tag of the same name in the workspace) and
    detaches the rest; returns a note for each tag that no longer exists."""
    rows = conn.execute(
        "SELECT s.name, g.id::text AS id"
        " FROM ROWS FROM (jsonb_to_recordset(%s::jsonb) AS (id uuid, name text)) WITH ORDINALITY AS s(id, name, n)"
        " LEFT JOIN LATERAL (SELECT g.id FROM tags g WHERE g.workspace_id = %s"
        "   AND (g.id = s.id OR lower(g.name) = lower(s.name)) ORDER BY g.id = s.id DESC LIMIT 1) g ON true"
        " ORDER BY s.n",
        (json.dumps(wanted), workspace_id),
    ).fetchall()
    kept = [row["id"] for row in rows if row["id"]]
    conn.execute("DELETE FROM task_tags WHERE task_id = %s AND tag_id <> ALL(%s::uuid[])", (task_id, kept))
    conn.execute(
        "INSERT INTO task_tags (task_id, tag_id) SELECT %s, unnest(%s::uuid[]) ON CONFLICT DO NOTHING", (task_id, kept)
    )
    return [f"the tag “{row['name']}” has been deleted since, so it was not put back" for row in rows if not row["id"]]


def _restore_checklist(conn: Connection, task_id: str, items: list[dict[str, Any]]) -> None:
    """The version's items in its order, each under its own id again; items added since go."""
    wanted = json.dumps(items)
    conn.execute(
        "DELETE FROM checklist_items WHERE task_id = %s"
        " AND id NOT IN (SELECT s.id FROM jsonb_to_recordset(%s::jsonb) AS s(id uuid))",
        (task_id, wanted),
    )
    conn.execute(
        "INSERT INTO checklist_items (id, task_id, text, done, position)"
        " SELECT s.id, %s, s.text, s.done, s.n - 1"
        " FROM ROWS FROM (jsonb_to_recordset(%s::jsonb) AS (id uuid, text text, done boolean))"
        "   WITH ORDINALITY AS s(id, text, done, n)"
        " ON CONFLICT (id) DO UPDATE SET text = excluded.text, done = excluded.done, position = excluded.position,"
        "   updated_at = now()"
        " WHERE checklist_items.task_id = excluded.task_id AND (checklist_items.text, checklist_items.done,"
        "   checklist_items.position) IS DISTINCT FROM (excluded.text, excluded.done, excluded.position)",
        (task_id, wanted),
    )


def _member_of(conn: Connection, user_id: str, workspace_ids: set[str]) -> set[str]:
    rows = conn.execute(
        "SELECT workspace_id::text AS id FROM memberships WHERE user_id = %s AND workspace_id = ANY(%s::uuid[])",
        (user_id, sorted(workspace_ids)),
    ).fetchall()
    return {row["id"] for row in rows}


def _as_shown(snapshot: dict[str, Any], tags_readable: bool) -> dict[str, Any]:
    shown = {name: value for name, value in snapshot.items() if name not in _NOT_SHOWN}
    if not tags_readable:
        shown["tags"] = [{"id": tag["id"], "name": None} for tag in snapshot["tags"]]
    return shown


def _decode(cursor: str) -> int:
    position = decode_cursor(cursor)
    if not (isinstance(position, list) and len(position) == 2 and position[0] == "versions"):
        raise BadRequest(INVALID_CURSOR)
    number = position[1]
    if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= 2**31 - 1:
        raise BadRequest(INVALID_CURSOR)
    return number
