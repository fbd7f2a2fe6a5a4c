"""Request generators of workspaces, invitations and memberships."""

from __future__ import annotations

from tests.support.wsgi_client import WsgiResponse

from .model import Invitation, Role, User, Workspace, World
from .plans import MALFORMED, Plan, Step, expect_equal, first, malformed, only

# -- workspaces and invitations ---------------------------------------------------------


def plan_create_workspace(world: World, actor: User, name: str) -> Plan:
    def apply(response: WsgiResponse) -> None:
        world.add_workspace(Workspace(response.json()["id"], name, False, actor.id, {actor.id: "owner"}))

    def verify(response: WsgiResponse) -> None:
        body = response.json()
        expect_equal("new workspace", (body["name"], body["personal"], body["role"]), (name, False, "owner"))

    return Plan("POST", "/api/workspaces", only(201), json={"name": name}, apply=apply, verify=verify)


def create_workspace(step: Step) -> Plan:
    return plan_create_workspace(step.world, step.actor, step.word("workspace"))


def list_workspaces(step: Step) -> Plan:
    world, actor = step.world, step.actor

    def verify(response: WsgiResponse) -> None:
        listed = sorted((w["id"], w["name"], w["personal"], w["role"]) for w in response.json()["items"])
        expect_equal(
            f"workspaces of {actor.key}",
            listed,
            sorted(
                (w.id, w.name, w.personal, w.members[actor.id])
                for w in world.workspaces.values()
                if actor.id in w.members
            ),
        )

    return Plan("GET", "/api/workspaces", only(200), verify=verify)


def plan_invite(world: World, actor: User, workspace_id: str, email: str, role: Role) -> Plan:
    workspace = world.workspaces.get(workspace_id)
    personal = 409 if workspace is not None and workspace.personal else None
    members = [
        world.by_id[user_id].email.lower() for user_id in world.members_of(workspace_id) if user_id in world.by_id
    ]
    member = 409 if email.lower() in members else None
    status = (
        404 if malformed(workspace_id) else first(world.owner_refusal(actor.id, workspace_id), personal, member, 201)
    )

    def apply(response: WsgiResponse) -> None:
        body = response.json()
        world.add_invitation(Invitation(body["token"], workspace_id, email, role, actor.id, id=body["id"]))

    return Plan(
        "POST",
        f"/api/workspaces/{workspace_id}/invitations",
        only(status),
        json={"email": email, "role": role},
        shape_status=404 if malformed(workspace_id) else None,
        apply=apply,
    )


def create_invitation(step: Step) -> Plan:
    workspace = step.workspace() or step.missing_id()
    if step.chance(0.03):
        workspace = MALFORMED
    role: Role = "editor" if step.chance(0.5) else "viewer"
    return plan_invite(step.world, step.actor, workspace, step.email(), role)


def plan_accept(world: World, actor: User, token: str) -> Plan:
    invitation = world.invitations.get(token)
    if invitation is None:
        status = 404
    else:
        status = first(
            None if invitation.email.lower() == actor.email.lower() else 403,
            None if actor.verified else 403,
            409 if invitation.accepted else None,
            410 if invitation.revoked else None,
            410 if world.role(invitation.inviter, invitation.workspace) != "owner" else None,
            409 if world.role(actor.id, invitation.workspace) else None,
            200,
        )
    too_short = not 10 <= len(token) <= 100

    def apply(response: WsgiResponse) -> None:
        assert invitation is not None
        world.join(invitation, actor.id)

    def verify(response: WsgiResponse) -> None:
        assert invitation is not None
        body = response.json()
        expect_equal("joined workspace", (body["id"], body["role"]), (invitation.workspace, invitation.role))

    return Plan(
        "POST",
        f"/api/invitations/{token}/accept",
        only(status),
        shape_status=404 if too_short else None,
        apply=apply,
        verify=verify,
    )


def accept_invitation(step: Step) -> Plan:
    world, actor = step.world, step.actor
    mine = [token for token, invitation in world.invitations.items() if invitation.email.lower() == actor.email.lower()]
    roll = step.rng.random()
    if roll < 0.5 and mine:
        token = step.pick(mine)
    elif roll < 0.8 and world.invitations:
        token = step.pick(list(world.invitations))
    elif roll < 0.9:
        token = f"{step.rng.getrandbits(256):064x}"[:43]
    else:
        token = "short"
    return plan_accept(world, actor, token)


def read_invitation(step: Step) -> Plan:
    """Anyone holding the link may read what it invites to: the token is the capability. Its
    answer may name the workspace, as the inviter may; a token that names nothing is a 404,
    one no longer open a 410. Reads are limited per client address (429)."""
    world, roll = step.world, step.rng.random()
    if roll < 0.7 and world.invitations:
        token = step.pick(list(world.invitations))
    elif roll < 0.9:
        token = f"{step.rng.getrandbits(256):064x}"[:43]
    else:
        token = "short"
    invitation = world.invitations.get(token)
    status = 404 if invitation is None else 200 if world.is_open(invitation) else 410

    def verify(response: WsgiResponse) -> None:
        assert invitation is not None
        body = response.json()
        expect_equal(
            "invitation",
            (sorted(body), body["role"]),
            (["expires_at", "invited_by", "role", "workspace_name"], invitation.role),
        )

    return Plan(
        "GET",
        f"/api/invitations/{token}",
        frozenset({status, 429}),
        authenticated=False,
        verify=verify,
        reader=invitation.inviter if invitation is not None and status == 200 else None,
    )


def member(step: Step, workspace_id: str) -> str:
    """A user id to act on in a workspace: the actor, a member, anyone, or no one."""
    roll = step.rng.random()
    members = step.world.members_of(workspace_id)
    if roll < 0.25:
        return step.actor.id
    if roll < 0.75 and members:
        return step.pick(members)
    if roll < 0.9:
        return step.pick(list(step.world.users.values())).id
    return step.missing_id() if roll < 0.97 else MALFORMED


def membership_target(step: Step) -> str:
    """Often a shared workspace the actor owns, else A or B, sometimes anywhere, or nowhere."""
    world, roll = step.world, step.rng.random()
    owned = [w.id for w in world.workspaces.values() if w.members.get(step.actor.id) == "owner" and len(w.members) > 1]
    if roll < 0.03:
        return MALFORMED
    if roll < 0.35 and owned:
        return step.pick(owned)
    if roll < 0.7:
        return step.pick(world.shared)
    return step.workspace() or step.missing_id()


def list_members(step: Step) -> Plan:
    world, actor = step.world, step.actor
    workspace_id = membership_target(step)

    def verify(response: WsgiResponse) -> None:
        body = response.json()
        expect_equal(
            f"members of {workspace_id}",
            sorted((m["user_id"], m["email"], m["role"]) for m in body["items"]),
            sorted(
                (user_id, world.by_id[user_id].email, role)
                for user_id, role in world.workspaces[workspace_id].members.items()
            ),
        )
        # Open invitations are shown to owners only.
        pending = world.pending_invitations(workspace_id) if world.role(actor.id, workspace_id) == "owner" else []
        expect_equal(
            f"open invitations of {workspace_id}",
            sorted((i["id"], i["email"], i["role"]) for i in body["invitations"]),
            sorted((i.id, i.email, i.role) for i in pending),
        )

    status = 404 if malformed(workspace_id) else first(world.read_refusal(actor.id, workspace_id), 200)
    return Plan(
        "GET",
        f"/api/workspaces/{workspace_id}/members",
        only(status),
        shape_status=404 if malformed(workspace_id) else None,
        verify=verify,
    )


def change_member_role(step: Step) -> Plan:
    world, actor = step.world, step.actor
    workspace_id = membership_target(step)
    user_id = member(step, workspace_id)
    role: Role = step.pick(("owner", "editor", "viewer"))
    current = world.role(user_id, workspace_id)
    last_owner = 409 if current == "owner" and role != "owner" and world.owners(workspace_id) == [user_id] else None
    status = (
        404
        if malformed(workspace_id, user_id)
        else first(world.owner_refusal(actor.id, workspace_id), None if current else 404, last_owner, 200)
    )

    def apply(response: WsgiResponse) -> None:
        world.set_role(workspace_id, user_id, role)

    def verify(response: WsgiResponse) -> None:
        body = response.json()
        expect_equal(
            "changed member",
            (body["user_id"], body["email"], body["role"]),
            (user_id, world.by_id[user_id].email, role),
        )

    return Plan(
        "PATCH",
        f"/api/workspaces/{workspace_id}/members/{user_id}",
        only(status),
        json={"role": role},
        shape_status=404 if malformed(workspace_id, user_id) else None,
        apply=apply,
        verify=verify,
    )


def remove_member(step: Step) -> Plan:
    world, actor = step.world, step.actor
    workspace_id = membership_target(step)
    user_id = member(step, workspace_id)
    current = world.role(user_id, workspace_id)
    workspace = world.workspaces.get(workspace_id)
    someone_else = user_id != actor.id and world.role(actor.id, workspace_id) != "owner"
    last_owner = current == "owner" and world.owners(workspace_id) == [user_id]
    status = (
        404
        if malformed(workspace_id, user_id)
        else first(
            world.read_refusal(actor.id, workspace_id),
            403 if someone_else else None,
            None if current else 404,
            409 if workspace is not None and workspace.personal else None,
            409 if last_owner else None,
            204,
        )
    )

    def apply(response: WsgiResponse) -> None:
        world.remove_member(workspace_id, user_id)

    return Plan(
        "DELETE",
        f"/api/workspaces/{workspace_id}/members/{user_id}",
        only(status),
        shape_status=404 if malformed(workspace_id, user_id) else None,
        apply=apply,
    )


def revoke_invitation(step: Step) -> Plan:
    world, actor = step.world, step.actor
    workspace_id = membership_target(step)
    here = [i.id for i in world.invitations.values() if i.workspace == workspace_id]
    roll = step.rng.random()
    if roll < 0.6 and here:
        invitation_id = step.pick(here)  # open, accepted or revoked already
    elif roll < 0.8 and world.invitations:
        invitation_id = step.pick([i.id for i in world.invitations.values()])  # often another workspace's
    elif roll < 0.95:
        invitation_id = step.missing_id()
    else:
        invitation_id = MALFORMED
    invitation = world.invitation_by_id(invitation_id)
    found = invitation is not None and invitation.workspace == workspace_id
    status = (
        404
        if malformed(workspace_id, invitation_id)
        else first(
            world.owner_refusal(actor.id, workspace_id),
            None if found else 404,
            409 if invitation is not None and invitation.accepted else None,
            204,
        )
    )

    def apply(response: WsgiResponse) -> None:
        assert invitation is not None
        invitation.revoked = True

    return Plan(
        "DELETE",
        f"/api/workspaces/{workspace_id}/invitations/{invitation_id}",
        only(status),
        shape_status=404 if malformed(workspace_id, invitation_id) else None,
        apply=apply,
    )
