"""What the database holds of the world's users and workspaces, read with plain SQL, in the
shape of World.expected_rows(): a refused write that changed something anyway shows here."""

from __future__ import annotations

from typing import Any

import psycopg

from .model import World

_QUERIES: dict[str, str] = {
    "workspaces": "SELECT id::text, name, personal, created_by::text FROM workspaces"
    " WHERE id = ANY(%(w)s::uuid[]) OR created_by = ANY(%(u)s::uuid[])",
    "memberships": "SELECT workspace_id::text, user_id::text, role FROM memberships"
    " WHERE workspace_id = ANY(%(w)s::uuid[]) OR user_id = ANY(%(u)s::uuid[])",
    "tasks": "SELECT t.id::text, t.workspace_id::text, t.owner_id::text, t.title, t.description, t.completed,"
    " t.priority, t.due_date, t.recurrence IS NOT NULL, t.version,"
    " (SELECT count(*) FROM task_occurrences o WHERE o.task_id = t.id)"
    " FROM tasks t WHERE t.workspace_id = ANY(%(w)s::uuid[]) OR t.owner_id = ANY(%(u)s::uuid[])",
    "tags": "SELECT id::text, workspace_id::text, name, color FROM tags WHERE workspace_id = ANY(%(w)s::uuid[])",
    "task_tags": "SELECT tt.task_id::text, tt.tag_id::text FROM task_tags tt"
    " JOIN tasks t ON t.id = tt.task_id JOIN tags g ON g.id = tt.tag_id"
    " WHERE t.workspace_id = ANY(%(w)s::uuid[]) OR g.workspace_id = ANY(%(w)s::uuid[])",
    "checklist_items": "SELECT c.id::text, c.task_id::text, c.text, c.done, c.position FROM checklist_items c"
    " JOIN tasks t ON t.id = c.task_id WHERE t.workspace_id = ANY(%(w)s::uuid[])",
    "reminders": "SELECT r.id::text, r.task_id::text, r.user_id::text FROM reminders r"
    " JOIN tasks t ON t.id = r.task_id"
    " WHERE t.workspace_id = ANY(%(w)s::uuid[]) OR r.user_id = ANY(%(u)s::uuid[])",
    "invitations": "SELECT token_hash, id::text, workspace_id::text, email::text, role, invited_by::text,"
    " accepted_at IS NOT NULL, revoked_at IS NOT NULL FROM invitations"
    " WHERE workspace_id = ANY(%(w)s::uuid[]) OR invited_by = ANY(%(u)s::uuid[])",
    "calendar_feeds": "SELECT user_id::text, token_hash FROM calendar_feeds WHERE user_id = ANY(%(u)s::uuid[])",
    "users": "SELECT id::text, email::text, display_name, digest_hour, token_version, email_verified_at IS NOT NULL"
    " FROM users"
    " WHERE id = ANY(%(u)s::uuid[])",
}

# A user registered during the run owns exactly one workspace, its personal one, and nothing else.
_NEWCOMERS = (
    "SELECT u.id::text, count(m.workspace_id),"
    " count(*) FILTER (WHERE w.personal AND w.created_by = u.id AND m.role = 'owner')"
    " FROM users u LEFT JOIN memberships m ON m.user_id = u.id LEFT JOIN workspaces w ON w.id = m.workspace_id"
    " WHERE u.id = ANY(%(n)s::uuid[]) GROUP BY u.id"
)


def actual_rows(conn: psycopg.Connection[Any], world: World) -> dict[str, set[tuple[object, ...]]]:
    parameters = {
        "w": list(world.workspaces),
        "u": [user.id for user in world.users.values()],
        "n": list(world.newcomers),
    }
    rows = {
        name: {tuple(row) for row in conn.execute(query, parameters).fetchall()} for name, query in _QUERIES.items()
    }
    rows["newcomers"] = {tuple(row) for row in conn.execute(_NEWCOMERS, parameters).fetchall()}
    return rows


def differences(world: World, conn: psycopg.Connection[Any]) -> list[str]:
    """Every row the model and the database disagree on, as readable lines (none when they agree)."""
    expected = world.expected_rows()
    expected["newcomers"] = {(user_id, 1, 1) for user_id in world.newcomers}
    actual = actual_rows(conn, world)
    lines = []
    for table, rows in expected.items():
        for row in sorted(rows - actual[table], key=repr):
            lines.append(f"{table}: expected but missing {row}")
        for row in sorted(actual[table] - rows, key=repr):
            lines.append(f"{table}: present but not expected {row}")
    return lines


def row_count(world: World) -> int:
    return sum(len(rows) for rows in world.expected_rows().values()) + len(world.newcomers)
