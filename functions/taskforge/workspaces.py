"""Workspaces, memberships and invitations: who may see and change what.

Every task and tag lives in a workspace. A non-member is told the thing does not
exist (404); a viewer who tries to change something is told no (403).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from psycopg import errors

from .db import Connection
from .errors import Conflict, DomainError, Forbidden, NotFound

Role = Literal["owner", "editor", "viewer"]
INVITATION_LIFETIME = timedelta(days=7)
_WRITERS = ("owner", "editor")


class Gone(DomainError):
    status = 410


def create_personal(conn: Connection, user_id: str) -> str:
    row = conn.execute(
        "INSERT INTO workspaces (name, personal, created_by) VALUES ('Personal', true, %s) RETURNING id::text AS id",
        (user_id,),
    ).fetchone()
    assert row is not None
    conn.execute("INSERT INTO memberships (workspace_id, user_id, role) VALUES (%s, %s, 'owner')",
                 (row["id"], user_id))
    return str(row["id"])


def create(conn: Connection, user_id: str, name: str) -> dict[str, Any]:
    row = conn.execute(
        "INSERT INTO workspaces (name, created_by) VALUES (%s, %s)"
        " RETURNING id::text AS id, name, personal, created_at",
        (name, user_id),
    ).fetchone()
    assert row is not None
    conn.execute("INSERT INTO memberships (workspace_id, user_id, role) VALUES (%s, %s, 'owner')", (row["id"], user_id))
    return {**row, "role": "owner"}


def list_for(conn: Connection, user_id: str) -> list[dict[str, Any]]:
    return conn.execute(
        "SELECT w.id::text AS id, w.name, w.personal, w.created_at, m.role"
        " FROM memberships m JOIN workspaces w ON w.id = m.workspace_id"
        " WHERE m.user_id = %s ORDER BY w.personal DESC, lower(w.name), w.id",
        (user_id,),
    ).fetchall()


def personal_id(conn: Connection, user_id: str) -> str:
    row = conn.execute("SELECT id::text AS id FROM workspaces WHERE created_by = %s AND personal",
                       (user_id,)).fetchone()
    if row is None:
        raise NotFound("the personal workspace is missing")
    return str(row["id"])


def resolve(conn: Connection, user_id: str, workspace_id: str | None, write: bool) -> tuple[str, Role]:
    """The workspace a request addresses (default: personal) and the caller's role in it."""
    if workspace_id is None:
        workspace_id = personal_id(conn, user_id)
    role = role_of(conn, user_id, workspace_id)
    check(role, write)
    assert role is not None
    return workspace_id, role


def role_of(conn: Connection, user_id: str, workspace_id: str) -> Role | None:
    try:
        row = conn.execute("SELECT role FROM memberships WHERE workspace_id = %s AND user_id = %s",
                           (workspace_id, user_id)).fetchone()
    except errors.InvalidTextRepresentation:  # not a UUID: names no workspace
        raise NotFound("no such workspace") from None
    return None if row is None else row["role"]


def check(role: str | None, write: bool, what: str = "workspace") -> None:
    if role is None:
        raise NotFound(f"no such {what}")
    if write and role not in _WRITERS:
        raise Forbidden(f"a {role} cannot change this {what}")


def invite(conn: Connection, user_id: str, workspace_id: str, email: str, role: Role) -> str:
    """A single-use token for `email` to join as `role`; only owners invite."""
    my_role = role_of(conn, user_id, workspace_id)
    if my_role is None:
        raise NotFound("no such workspace")
    if my_role != "owner":
        raise Forbidden("only an owner can invite")
    personal = conn.execute("SELECT personal FROM workspaces WHERE id = %s", (workspace_id,)).fetchone()
    if personal and personal["personal"]:
        raise Conflict("a personal workspace cannot be shared; create a workspace to share")
    member = conn.execute(
        "SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.workspace_id = %s AND u.email = %s",
        (workspace_id, email),
    ).fetchone()
    if member:
        raise Conflict("this person is already a member")
    token = secrets.token_urlsafe(32)
    conn.execute(
        "INSERT INTO invitations (token_hash, workspace_id, email, role, invited_by, expires_at)"
        " VALUES (%s, %s, %s, %s, %s, %s)",
        (_hash(token), workspace_id, email, role, user_id, datetime.now(UTC) + INVITATION_LIFETIME),
    )
    return token


def accept(conn: Connection, user_id: str, token: str) -> dict[str, Any]:
    invitation = conn.execute(
        "SELECT i.workspace_id::text AS workspace_id, i.email::text AS email, i.role, i.expires_at, i.accepted_at"
        " FROM invitations i WHERE i.token_hash = %s FOR UPDATE",
        (_hash(token),),
    ).fetchone()
    if invitation is None:
        raise NotFound("no such invitation")
    user = conn.execute("SELECT email::text AS email FROM users WHERE id = %s", (user_id,)).fetchone()
    if user is None or user["email"].lower() != invitation["email"].lower():
        raise Forbidden("this invitation was sent to another e-mail address")
    if invitation["accepted_at"] is not None:
        raise Conflict("this invitation was already accepted")
    if invitation["expires_at"] < datetime.now(UTC):
        raise Gone("this invitation has expired; ask for a new one")
    conn.execute("UPDATE invitations SET accepted_at = now() WHERE token_hash = %s", (_hash(token),))
    joined = conn.execute(
        "INSERT INTO memberships (workspace_id, user_id, role) VALUES (%s, %s, %s)"
        " ON CONFLICT (workspace_id, user_id) DO NOTHING RETURNING role",
        (invitation["workspace_id"], user_id, invitation["role"]),
    ).fetchone()
    if joined is None:
        raise Conflict("you are already a member of this workspace")
    workspace = conn.execute("SELECT id::text AS id, name, personal, created_at FROM workspaces WHERE id = %s",
                             (invitation["workspace_id"],)).fetchone()
    assert workspace is not None
    return {**workspace, "role": invitation["role"]}


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


_MEMBERS = ("SELECT u.id::text AS user_id, u.email::text AS email, u.display_name, m.role, m.created_at AS joined_at"
            " FROM memberships m JOIN users u ON u.id = m.user_id")


def members(conn: Connection, user_id: str, workspace_id: str) -> dict[str, Any]:
    """Every member with their role; an owner also sees the invitations still open."""
    my_role = role_of(conn, user_id, workspace_id)
    check(my_role, write=False)
    people = conn.execute(
        _MEMBERS + " WHERE m.workspace_id = %s"
        " ORDER BY array_position(ARRAY['owner', 'editor', 'viewer'], m.role), lower(u.email)",
        (workspace_id,),
    ).fetchall()
    pending = [] if my_role != "owner" else conn.execute(
        "SELECT email::text AS email, role, created_at, expires_at FROM invitations"
        " WHERE workspace_id = %s AND accepted_at IS NULL AND expires_at > now() ORDER BY created_at",
        (workspace_id,),
    ).fetchall()
    return {"items": people, "invitations": pending}


def change_role(conn: Connection, user_id: str, workspace_id: str, member_id: str, role: Role) -> dict[str, Any]:
    """An owner gives a member another role; the last owner cannot step down."""
    roles = _lock_roles(conn, user_id, workspace_id)
    if roles[user_id] != "owner":
        raise Forbidden("only an owner can change roles")
    if member_id not in roles:
        raise NotFound("no such member")
    if roles[member_id] == "owner" and role != "owner":
        _keep_an_owner(roles, member_id)
    conn.execute("UPDATE memberships SET role = %s WHERE workspace_id = %s AND user_id = %s",
                 (role, workspace_id, member_id))
    member = conn.execute(_MEMBERS + " WHERE m.workspace_id = %s AND m.user_id = %s",
                          (workspace_id, member_id)).fetchone()
    assert member is not None  # locked above
    return dict(member)


def remove_member(conn: Connection, user_id: str, workspace_id: str, member_id: str) -> None:
    """An owner removes a member, or a member leaves. Their reminders in the workspace go with them."""
    roles = _lock_roles(conn, user_id, workspace_id)
    if member_id != user_id and roles[user_id] != "owner":
        raise Forbidden("only an owner can remove someone else")
    if member_id not in roles:
        raise NotFound("no such member")
    personal = conn.execute("SELECT personal FROM workspaces WHERE id = %s", (workspace_id,)).fetchone()
    if personal and personal["personal"]:
        raise Conflict("a personal workspace cannot be left")
    if roles[member_id] == "owner":
        _keep_an_owner(roles, member_id)
    conn.execute("DELETE FROM memberships WHERE workspace_id = %s AND user_id = %s", (workspace_id, member_id))
    conn.execute("DELETE FROM reminders r USING tasks t WHERE r.task_id = t.id AND t.workspace_id = %s"
                 " AND r.user_id = %s", (workspace_id, member_id))


def _lock_roles(conn: Connection, user_id: str, workspace_id: str) -> dict[str, Role]:
    """Every member's role, locked so concurrent changes cannot both remove the last owner."""
    if role_of(conn, user_id, workspace_id) is None:
        raise NotFound("no such workspace")
    rows = conn.execute("SELECT user_id::text AS user_id, role FROM memberships WHERE workspace_id = %s"
                        " ORDER BY user_id FOR UPDATE", (workspace_id,)).fetchall()
    roles = {row["user_id"]: row["role"] for row in rows}
    if user_id not in roles:  # removed while we waited for the lock
        raise NotFound("no such workspace")
    return roles


def _keep_an_owner(roles: dict[str, Role], leaving: str) -> None:
    if not any(role == "owner" for member, role in roles.items() if member != leaving):
        raise Conflict("a workspace needs an owner: make someone else an owner first")
