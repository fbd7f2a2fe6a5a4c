"""Workspaces, memberships and invitations: who may see and change what.

Every task and tag lives in a workspace. A non-member is told the thing does not
exist (404); a viewer who tries to change something is told no (403).

An invitation is a single-use token for one address. It is accepted only by an account
that proved it holds that address (verification.py), and only while it is open: not
accepted, not expired, not revoked by an owner, and sent by someone who is still an
owner. Demoting or removing an owner revokes their open invitations at once; accept
checks the inviter's role again, whatever revoked or did not.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from functions.catalog import MemberEventKind
from functions.domain.activity import outbox
from functions.platform.db import Connection
from functions.platform.errors import Conflict, Forbidden, Gone, NotFound, RateLimited
from functions.platform.http import parse_id
from functions.platform.tokens import stored_digest

Role = Literal["owner", "editor", "viewer"]
INVITATION_LIFETIME = timedelta(days=7)
# Each invitation is an e-mail to an address of the owner's choosing: a cap keeps the
# service from becoming a way to send mail to strangers.
INVITATIONS_PER_HOUR = 20
WRITERS = ["owner", "editor"]


class EmailUnverified(Forbidden):
    """The caller has the invited address but has not proven it is theirs."""

    reason = "email-unverified"

    def __init__(self) -> None:
        super().__init__("verify your e-mail address first: open the link we sent you, or ask for a new one")


_REVOKED = {
    "withdrawn": "this invitation was revoked",
    "inviter-not-owner": "this invitation is no longer valid: whoever sent it is no longer an owner of the workspace",
}


def create_personal(conn: Connection, user_id: str) -> str:
    row = conn.execute(
        "INSERT INTO workspaces (name, personal, created_by) VALUES ('Personal', true, %s) RETURNING id::text AS id",
        (user_id,),
    ).fetchone()
    assert row is not None
    conn.execute("INSERT INTO memberships (workspace_id, user_id, role) VALUES (%s, %s, 'owner')", (row["id"], user_id))
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
    row = conn.execute(
        "SELECT id::text AS id FROM workspaces WHERE created_by = %s AND personal", (user_id,)
    ).fetchone()
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
    workspace_id = parse_id(workspace_id, "workspace")  # not a UUID (a NUL, say): names no workspace
    row = conn.execute(
        "SELECT role FROM memberships WHERE workspace_id = %s AND user_id = %s", (workspace_id, user_id)
    ).fetchone()
    return None if row is None else row["role"]


def check(role: str | None, write: bool, what: str = "workspace") -> None:
    if role is None:
        raise NotFound(f"no such {what}")
    if write and role not in WRITERS:
        raise Forbidden(f"a {role} cannot change this {what}")


def invite(conn: Connection, user_id: str, workspace_id: str, email: str, role: Role) -> dict[str, Any]:
    """A single-use token for `email` to join as `role`, with what the invitation e-mail
    says (workspace name, who invites); only owners invite."""
    my_role = role_of(conn, user_id, workspace_id)
    if my_role is None:
        raise NotFound("no such workspace")
    if my_role != "owner":
        raise Forbidden("only an owner can invite")
    workspace = conn.execute("SELECT name, personal FROM workspaces WHERE id = %s", (workspace_id,)).fetchone()
    if workspace and workspace["personal"]:
        raise Conflict("a personal workspace cannot be shared; create a workspace to share")
    member = conn.execute(
        "SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.workspace_id = %s AND u.email = %s",
        (workspace_id, email),
    ).fetchone()
    if member:
        raise Conflict("this person is already a member")
    _within_invitation_limit(conn, user_id)
    token = secrets.token_urlsafe(32)
    row = conn.execute(
        "INSERT INTO invitations (token_hash, workspace_id, email, role, invited_by, expires_at)"
        " VALUES (%s, %s, %s, %s, %s, %s) RETURNING id::text AS id",
        (stored_digest(token), workspace_id, email, role, user_id, datetime.now(UTC) + INVITATION_LIFETIME),
    ).fetchone()
    inviter = conn.execute("SELECT display_name, email::text AS email FROM users WHERE id = %s", (user_id,)).fetchone()
    assert row is not None
    assert workspace is not None  # the caller is a member of it
    assert inviter is not None
    outbox.record_invitation(conn, "sent", workspace_id, role, user_id)
    return {
        "id": row["id"],
        "token": token,
        "workspace_name": workspace["name"],
        "inviter_name": inviter["display_name"],
        "inviter_email": inviter["email"],
    }


def _within_invitation_limit(conn: Connection, user_id: str) -> None:
    # The inviter's row is locked, so invitations sent at once are counted one after another.
    conn.execute("SELECT 1 FROM users WHERE id = %s FOR UPDATE", (user_id,))
    recent = conn.execute(
        "SELECT count(*) AS sent, min(created_at) AS oldest FROM invitations"
        " WHERE invited_by = %s AND created_at > now() - interval '1 hour'",
        (user_id,),
    ).fetchone()
    assert recent is not None
    if recent["sent"] >= INVITATIONS_PER_HOUR:
        wait = recent["oldest"] + timedelta(hours=1) - datetime.now(UTC)
        raise RateLimited(
            f"at most {INVITATIONS_PER_HOUR} invitations an hour; try again later",
            retry_after_seconds=int(wait.total_seconds()) + 1,
        )


def revoke(conn: Connection, user_id: str, workspace_id: str, invitation_id: str) -> None:
    """An owner withdraws an open invitation; revoking one twice is no error."""
    my_role = role_of(conn, user_id, workspace_id)
    if my_role is None:
        raise NotFound("no such workspace")
    if my_role != "owner":
        raise Forbidden("only an owner can revoke an invitation")
    invitation = conn.execute(
        "SELECT accepted_at, revoked_at FROM invitations WHERE id = %s AND workspace_id = %s FOR UPDATE",
        (invitation_id, workspace_id),
    ).fetchone()
    if invitation is None:
        raise NotFound("no such invitation")
    if invitation["accepted_at"] is not None:
        raise Conflict("this invitation was already accepted; remove the member instead")
    if invitation["revoked_at"] is None:
        conn.execute(
            "UPDATE invitations SET revoked_at = now(), revoked_reason = 'withdrawn' WHERE id = %s", (invitation_id,)
        )
        outbox.record_invitation(conn, "revoked", workspace_id, None, user_id)


def accept(conn: Connection, user_id: str, token: str) -> dict[str, Any]:
    invitation = conn.execute(
        "SELECT i.id::text AS id, i.workspace_id::text AS workspace_id, i.email::text AS email, i.role,"
        " i.invited_by::text AS invited_by, i.expires_at, i.accepted_at, i.revoked_reason"
        " FROM invitations i WHERE i.token_hash = %s FOR UPDATE",
        (stored_digest(token),),
    ).fetchone()
    if invitation is None:
        raise NotFound("no such invitation")
    user = conn.execute(
        "SELECT email::text AS email, email_verified_at FROM users WHERE id = %s", (user_id,)
    ).fetchone()
    if user is None or user["email"].lower() != invitation["email"].lower():
        raise Forbidden("this invitation was sent to another e-mail address")
    # Anyone can register any address: only one proven to be theirs may take its invitations.
    if user["email_verified_at"] is None:
        raise EmailUnverified()
    if invitation["accepted_at"] is not None:
        raise Conflict("this invitation was already accepted")
    if invitation["revoked_reason"] is not None:
        raise Gone(_REVOKED[invitation["revoked_reason"]])
    if invitation["expires_at"] < datetime.now(UTC):
        raise Gone("this invitation has expired; ask for a new one")
    if role_of(conn, invitation["invited_by"], invitation["workspace_id"]) != "owner":
        raise Gone(_REVOKED["inviter-not-owner"])
    conn.execute("UPDATE invitations SET accepted_at = now() WHERE id = %s", (invitation["id"],))
    joined = conn.execute(
        "INSERT INTO memberships (workspace_id, user_id, role) VALUES (%s, %s, %s)"
        " ON CONFLICT (workspace_id, user_id) DO NOTHING RETURNING role",
        (invitation["workspace_id"], user_id, invitation["role"]),
    ).fetchone()
    if joined is None:
        raise Conflict("you are already a member of this workspace")
    outbox.record_member(conn, "joined", invitation["workspace_id"], user_id, invitation["role"], user_id)
    workspace = conn.execute(
        "SELECT id::text AS id, name, personal, created_at FROM workspaces WHERE id = %s", (invitation["workspace_id"],)
    ).fetchone()
    assert workspace is not None
    return {**workspace, "role": invitation["role"]}


def preview(conn: Connection, token: str) -> dict[str, Any]:
    """What the invitation's link shows before anyone logs in: the workspace's name, the role,
    who invites (as the members list names people: display name, else address) and until when.

    Nothing else: not the invited address, not the workspace's id. 404 for a token never
    issued; 410 for one that can no longer be accepted (accepted, revoked, expired, or sent by
    someone who is no longer an owner).
    """
    invitation = conn.execute(
        "SELECT w.name AS workspace_name, i.role, COALESCE(NULLIF(u.display_name, ''), u.email::text) AS invited_by,"
        " i.expires_at, i.accepted_at, i.revoked_reason, i.workspace_id::text AS workspace_id,"
        " i.invited_by::text AS inviter_id"
        " FROM invitations i JOIN workspaces w ON w.id = i.workspace_id JOIN users u ON u.id = i.invited_by"
        " WHERE i.token_hash = %s",
        (stored_digest(token),),
    ).fetchone()
    if invitation is None:
        raise NotFound("no such invitation")
    if invitation["accepted_at"] is not None:
        raise Gone("this invitation was already accepted")
    if invitation["revoked_reason"] is not None:
        raise Gone(_REVOKED[invitation["revoked_reason"]])
    if invitation["expires_at"] < datetime.now(UTC):
        raise Gone("this invitation has expired; ask for a new one")
    if role_of(conn, invitation["inviter_id"], invitation["workspace_id"]) != "owner":
        raise Gone(_REVOKED["inviter-not-owner"])
    return {name: invitation[name] for name in ("workspace_name", "role", "invited_by", "expires_at")}


def _revoke_sent_by(conn: Connection, workspace_id: str, inviter_id: str) -> None:
    """Whoever stops being an owner stops being able to invite: their open invitations go."""
    conn.execute(
        "UPDATE invitations SET revoked_at = now(), revoked_reason = 'inviter-not-owner'"
        " WHERE workspace_id = %s AND invited_by = %s AND accepted_at IS NULL AND revoked_at IS NULL",
        (workspace_id, inviter_id),
    )


_MEMBERS = (
    "SELECT u.id::text AS user_id, u.email::text AS email, u.display_name, m.role, m.created_at AS joined_at"
    " FROM memberships m JOIN users u ON u.id = m.user_id"
)


def members(conn: Connection, user_id: str, workspace_id: str) -> dict[str, Any]:
    """Every member with their role; an owner also sees the invitations still open."""
    my_role = role_of(conn, user_id, workspace_id)
    check(my_role, write=False)
    people = conn.execute(
        _MEMBERS + " WHERE m.workspace_id = %s"
        " ORDER BY array_position(ARRAY['owner', 'editor', 'viewer'], m.role), lower(u.email)",
        (workspace_id,),
    ).fetchall()
    pending = (
        []
        if my_role != "owner"
        else conn.execute(
            "SELECT i.id::text AS id, i.email::text AS email, i.role, i.created_at, i.expires_at FROM invitations i"
            " JOIN memberships inviter ON inviter.workspace_id = i.workspace_id AND inviter.user_id = i.invited_by"
            " WHERE i.workspace_id = %s AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > now()"
            " AND inviter.role = 'owner' ORDER BY i.created_at, i.id",
            (workspace_id,),
        ).fetchall()
    )
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
        _revoke_sent_by(conn, workspace_id, member_id)
    conn.execute(
        "UPDATE memberships SET role = %s WHERE workspace_id = %s AND user_id = %s", (role, workspace_id, member_id)
    )
    if role != roles[member_id]:
        outbox.record_member(conn, "changed", workspace_id, member_id, role, user_id, previous_role=roles[member_id])
    member = conn.execute(
        _MEMBERS + " WHERE m.workspace_id = %s AND m.user_id = %s", (workspace_id, member_id)
    ).fetchone()
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
        _revoke_sent_by(conn, workspace_id, member_id)
    conn.execute("DELETE FROM memberships WHERE workspace_id = %s AND user_id = %s", (workspace_id, member_id))
    leaving: MemberEventKind = "left" if member_id == user_id else "removed"
    outbox.record_member(conn, leaving, workspace_id, member_id, roles[member_id], user_id)
    conn.execute(
        "DELETE FROM reminders r USING tasks t WHERE r.task_id = t.id AND t.workspace_id = %s AND r.user_id = %s",
        (workspace_id, member_id),
    )


def _lock_roles(conn: Connection, user_id: str, workspace_id: str) -> dict[str, Role]:
    """Every member's role, locked so concurrent changes cannot both remove the last owner."""
    if role_of(conn, user_id, workspace_id) is None:
        raise NotFound("no such workspace")
    rows = conn.execute(
        "SELECT user_id::text AS user_id, role FROM memberships WHERE workspace_id = %s ORDER BY user_id FOR UPDATE",
        (workspace_id,),
    ).fetchall()
    roles = {row["user_id"]: row["role"] for row in rows}
    if user_id not in roles:  # removed while we waited for the lock
        raise NotFound("no such workspace")
    return roles


def _keep_an_owner(roles: dict[str, Role], leaving: str) -> None:
    if not any(role == "owner" for member, role in roles.items() if member != leaving):
        raise Conflict("a workspace needs an owner: make someone else an owner first")
