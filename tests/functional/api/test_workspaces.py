"""Workspaces, invitations and roles: owners invite, editors change, viewers read, others see nothing."""

from __future__ import annotations

import psycopg
import pytest


@pytest.fixture
def team(make_account):
    """A shared workspace with an owner, an editor, a viewer, and an outsider."""
    owner, editor, viewer, outsider = make_account(), make_account(), make_account(), make_account()
    workspace = owner.client.post("/api/workspaces", json={"name": "Household"}).json()
    for member, role in ((editor, "editor"), (viewer, "viewer")):
        token = owner.client.post(
            f"/api/workspaces/{workspace['id']}/invitations", json={"email": member.email, "role": role}
        ).json()["token"]
        accepted = member.client.post(f"/api/invitations/{token}/accept")
        assert accepted.status_code == 200, accepted.text
        assert accepted.json()["role"] == role
    return {"workspace": workspace, "owner": owner, "editor": editor, "viewer": viewer, "outsider": outsider}


def test_every_user_has_a_personal_workspace_listed_first(make_account):
    account = make_account()
    account.client.post("/api/workspaces", json={"name": "Aardvark club"})
    items = account.client.get("/api/workspaces").json()["items"]
    assert [(w["personal"], w["role"]) for w in items] == [(True, "owner"), (False, "owner")]


def test_roles_decide_who_reads_and_who_writes(team):
    workspace_id = team["workspace"]["id"]
    task = team["owner"].client.post("/api/tasks", json={"title": "Shared", "workspace_id": workspace_id}).json()
    assert task["workspace_id"] == workspace_id

    # The editor reads and writes; the viewer reads only; the outsider sees nothing.
    assert team["editor"].client.patch(f"/api/tasks/{task['id']}", json={"title": "Edited"}).status_code == 200
    assert team["viewer"].client.get(f"/api/tasks/{task['id']}").json()["title"] == "Edited"
    assert team["viewer"].client.patch(f"/api/tasks/{task['id']}", json={"title": "No"}).status_code == 403
    assert team["viewer"].client.delete(f"/api/tasks/{task['id']}").status_code == 403
    viewer_create = team["viewer"].client.post("/api/tasks", json={"title": "No", "workspace_id": workspace_id})
    assert viewer_create.status_code == 403
    assert team["outsider"].client.get(f"/api/tasks/{task['id']}").status_code == 404
    assert team["outsider"].client.get("/api/tasks", params={"workspace_id": workspace_id}).status_code == 404
    assert team["outsider"].client.patch(f"/api/tasks/{task['id']}", json={"title": "No"}).status_code == 404

    listed = team["viewer"].client.get("/api/tasks", params={"workspace_id": workspace_id}).json()["items"]
    assert [item["title"] for item in listed] == ["Edited"]
    # A member's personal list does not include the shared workspace's tasks.
    assert team["editor"].client.get("/api/tasks").json()["items"] == []


def test_a_write_by_one_member_refreshes_another_members_cached_list(team):
    workspace_id = team["workspace"]["id"]
    assert team["viewer"].client.get("/api/tasks", params={"workspace_id": workspace_id}).json()["items"] == []
    team["editor"].client.post("/api/tasks", json={"title": "New", "workspace_id": workspace_id})
    listed = team["viewer"].client.get("/api/tasks", params={"workspace_id": workspace_id}).json()["items"]
    assert [item["title"] for item in listed] == ["New"]


def test_only_owners_invite_and_members_cannot_be_invited_twice(team):
    workspace_id = team["workspace"]["id"]
    by_editor = team["editor"].client.post(
        f"/api/workspaces/{workspace_id}/invitations", json={"email": "x@example.com", "role": "viewer"}
    )
    assert by_editor.status_code == 403
    by_outsider = team["outsider"].client.post(
        f"/api/workspaces/{workspace_id}/invitations", json={"email": "x@example.com", "role": "viewer"}
    )
    assert by_outsider.status_code == 404
    again = team["owner"].client.post(
        f"/api/workspaces/{workspace_id}/invitations", json={"email": team["viewer"].email, "role": "editor"}
    )
    assert again.status_code == 409
    as_owner = team["owner"].client.post(
        f"/api/workspaces/{workspace_id}/invitations", json={"email": "x@example.com", "role": "owner"}
    )
    assert as_owner.status_code == 422


def test_an_invitation_is_for_its_addressee_and_works_once(make_account):
    owner, invited, someone_else = make_account(), make_account(), make_account()
    workspace = owner.client.post("/api/workspaces", json={"name": "Project"}).json()
    token = owner.client.post(
        f"/api/workspaces/{workspace['id']}/invitations", json={"email": invited.email, "role": "viewer"}
    ).json()["token"]

    assert someone_else.client.post(f"/api/invitations/{token}/accept").status_code == 403
    assert invited.client.post(f"/api/invitations/{token}/accept").status_code == 200
    assert invited.client.post(f"/api/invitations/{token}/accept").status_code == 409
    assert invited.client.post("/api/invitations/not-a-real-token-at-all/accept").status_code == 404


def test_a_personal_workspace_cannot_be_shared(make_account):
    account = make_account()
    personal = account.client.get("/api/workspaces").json()["items"][0]
    response = account.client.post(
        f"/api/workspaces/{personal['id']}/invitations", json={"email": "x@example.com", "role": "viewer"}
    )
    assert response.status_code == 409


def test_moving_a_task_needs_write_access_to_both_workspaces(team):
    workspace_id = team["workspace"]["id"]
    task = team["viewer"].client.post("/api/tasks", json={"title": "Mine"}).json()
    # A viewer cannot move a task into the shared workspace.
    moved = team["viewer"].client.patch(f"/api/tasks/{task['id']}", json={"workspace_id": workspace_id})
    assert moved.status_code == 403
    mine = team["editor"].client.post("/api/tasks", json={"title": "Editor's"}).json()
    moved = team["editor"].client.patch(f"/api/tasks/{mine['id']}", json={"workspace_id": workspace_id})
    assert moved.status_code == 200
    assert moved.json()["workspace_id"] == workspace_id
    assert team["owner"].client.get(f"/api/tasks/{mine['id']}").status_code == 200


@pytest.mark.parametrize("body", [{"name": ""}, {"name": "x" * 101}, {"name": "ok", "personal": True}, {}])
def test_invalid_workspaces_are_422(make_account, body):
    assert make_account().client.post("/api/workspaces", json=body).status_code == 422


def test_a_moved_task_leaves_the_old_workspaces_tags_and_outsiders_reminders_behind(team, make_account, api_database):
    # Given: a task in the shared workspace with one of its tags and reminders of the owner and the editor
    owner, editor = team["owner"], team["editor"]
    shared = team["workspace"]["id"]
    task = owner.client.post(
        "/api/tasks", json={"title": "Budget", "workspace_id": shared, "due_date": "2099-01-01T09:00:00Z"}
    ).json()
    tag = owner.client.post("/api/tags", json={"name": "merger", "color": "#aa0000", "workspace_id": shared}).json()
    assert owner.client.put(f"/api/tasks/{task['id']}/tags/{tag['id']}").status_code == 200
    for member in (owner, editor):
        assert member.client.post(f"/api/tasks/{task['id']}/reminders", json={"before_due": "PT1H"}).status_code == 201
    # ... and another workspace of the owner's, where someone else reads along
    reader = make_account()
    other = owner.client.post("/api/workspaces", json={"name": "Other"}).json()["id"]
    token = owner.client.post(
        f"/api/workspaces/{other}/invitations", json={"email": reader.email, "role": "viewer"}
    ).json()["token"]
    assert reader.client.post(f"/api/invitations/{token}/accept").status_code == 200

    # When: the owner moves the task there
    moved = owner.client.patch(f"/api/tasks/{task['id']}", json={"workspace_id": other})

    # Then: the old workspace's tag stays behind, and only members of the new one are reminded
    assert moved.status_code == 200, moved.text
    assert moved.json()["tags"] == []
    assert "merger" not in reader.client.get("/api/tasks", params={"workspace_id": other}).text
    with psycopg.connect(api_database) as conn:
        reminded = conn.execute("SELECT user_id::text FROM reminders WHERE task_id = %s", (task["id"],)).fetchall()
    assert reminded == [(owner.id,)]


# -- invitations: bound to a verified address, revocable, backed by an owner ------------------


def _invite(owner, workspace_id: str, email: str, role: str = "viewer") -> dict:
    response = owner.client.post(f"/api/workspaces/{workspace_id}/invitations", json={"email": email, "role": role})
    assert response.status_code == 201, response.text
    return response.json()


def test_an_unverified_address_cannot_accept_even_with_the_link(make_account):
    owner = make_account()
    # Anyone can register the invited address without holding it: this is such an account.
    squatter = make_account(verified=False)
    workspace = owner.client.post("/api/workspaces", json={"name": "Payroll"}).json()
    token = _invite(owner, workspace["id"], squatter.email)["token"]

    refused = squatter.client.post(f"/api/invitations/{token}/accept")

    assert refused.status_code == 403
    assert refused.header("Content-Type") == "application/problem+json"
    assert refused.json()["reason"] == "email-unverified"
    assert "verify your e-mail address first" in refused.json()["detail"]
    assert squatter.client.get(f"/api/workspaces/{workspace['id']}/members").status_code == 404
    # The invitation is still open for whoever proves the address.
    assert [
        i["email"] for i in owner.client.get(f"/api/workspaces/{workspace['id']}/members").json()["invitations"]
    ] == [squatter.email]


def test_once_verified_through_the_mailed_link_the_invitee_joins(make_account, mailbox, client):
    owner, invitee = make_account(), make_account(verified=False)
    workspace = owner.client.post("/api/workspaces", json={"name": "Garden"}).json()
    token = _invite(owner, workspace["id"], invitee.email, "editor")["token"]
    assert invitee.client.post(f"/api/invitations/{token}/accept").status_code == 403

    link = mailbox.links(invitee.email, "/verify-email")[0]
    assert client.post("/api/auth/verify-email", json={"token": link.split("token=", 1)[1]}).status_code == 200
    joined = invitee.client.post(f"/api/invitations/{token}/accept")

    assert joined.status_code == 200, joined.text
    assert (joined.json()["id"], joined.json()["role"]) == (workspace["id"], "editor")


def test_another_address_is_refused_before_its_verification_is_mentioned(make_account):
    owner, invited, unverified_stranger = make_account(), make_account(), make_account(verified=False)
    workspace = owner.client.post("/api/workspaces", json={"name": "Team"}).json()
    token = _invite(owner, workspace["id"], invited.email)["token"]

    refused = unverified_stranger.client.post(f"/api/invitations/{token}/accept")

    assert refused.status_code == 403
    assert "another e-mail address" in refused.json()["detail"]
    assert "reason" not in refused.json()


def test_the_invited_address_gets_the_link_by_e_mail(make_account, mailbox):
    owner = make_account(display_name="Olive")
    workspace = owner.client.post("/api/workspaces", json={"name": "Book club"}).json()
    invited = "reader@example.com"

    answer = _invite(owner, workspace["id"], invited)

    assert answer["emailed"] is True
    assert mailbox.links(invited, "/invitations/") == [f"http://localhost:8000/invitations/{answer['token']}"]
    [message] = mailbox.messages(invited)
    assert message["Subject"] == "Invitation to “Book club” on TaskForge"
    body = message.get_content()
    assert f"Olive ({owner.email})" in body
    assert "as a viewer" in body


def test_a_name_cannot_break_the_invitation_e_mail_into_lines(make_account, mailbox):
    owner = make_account(display_name="Support\nhttps://evil.example/reset")
    workspace = owner.client.post("/api/workspaces", json={"name": "Line\u2028break\u0085here"}).json()

    answer = _invite(owner, workspace["id"], "lines@example.com")

    [message] = mailbox.messages("lines@example.com")
    body = message.get_content()
    assert "Support https://evil.example/reset (" in body
    assert "“Line break here”" in body
    assert message["Subject"] == "Invitation to “Line break here” on TaskForge"
    assert mailbox.links("lines@example.com", "/invitations/") == [
        f"http://localhost:8000/invitations/{answer['token']}"
    ]


def test_an_invitation_the_mail_service_refuses_is_still_made(make_account, mailbox, monkeypatch):
    from functions.platform import mailer

    def broken(*args, **kwargs):
        raise ConnectionError("SES is unreachable")

    owner = make_account()
    workspace = owner.client.post("/api/workspaces", json={"name": "Offline"}).json()
    monkeypatch.setattr(mailer, "_client", lambda *args: type("Ses", (), {"send_email": broken})())

    answer = _invite(owner, workspace["id"], "later@example.com")

    assert answer["emailed"] is False
    assert answer["token"]
    assert mailbox.messages("later@example.com") == []
    listed = owner.client.get(f"/api/workspaces/{workspace['id']}/members").json()["invitations"]
    assert [(i["id"], i["email"]) for i in listed] == [(answer["id"], "later@example.com")]


def test_an_owner_sends_at_most_twenty_invitations_an_hour(make_account, mailbox):
    from functions.domain.workspaces.workspaces import INVITATIONS_PER_HOUR

    owner = make_account()
    workspace = owner.client.post("/api/workspaces", json={"name": "Newsletter"}).json()
    path = f"/api/workspaces/{workspace['id']}/invitations"
    for number in range(INVITATIONS_PER_HOUR):
        sent = owner.client.post(path, json={"email": f"stranger-{number}@example.com", "role": "viewer"})
        assert sent.status_code == 201, sent.text

    refused = owner.client.post(path, json={"email": "one-more@example.com", "role": "viewer"})

    assert refused.status_code == 429
    assert refused.header("Content-Type") == "application/problem+json"
    assert 1 <= int(refused.header("Retry-After") or 0) <= 3600
    assert mailbox.messages(to="one-more@example.com") == []
    assert len(mailbox.messages(to="stranger-0@example.com")) == 1
    # Revoking does not hand the allowance back: the mail went out.
    invitation_id = owner.client.get(f"/api/workspaces/{workspace['id']}/members").json()["invitations"][0]["id"]
    assert owner.client.delete(f"{path}/{invitation_id}").status_code == 204
    assert owner.client.post(path, json={"email": "one-more@example.com", "role": "viewer"}).status_code == 429
