"""GET /api/invitations/{token}: a logged-out invitee reads what the link is for, and nothing more;
a link that can no longer be accepted says so (410), one never issued is 404."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from functions.domain.auth import anonymous
from functions.domain.workspaces.workspaces import INVITATION_LIFETIME
from tests.support.wsgi_client import WsgiClient

FIELDS = {"workspace_name", "role", "invited_by", "expires_at"}


def _shared_workspace(owner, name: str = "Garden club") -> str:
    created = owner.client.post("/api/workspaces", json={"name": name})
    assert created.status_code == 201, created.text
    return created.json()["id"]


def _invite(owner, workspace_id: str, email: str, role: str = "editor") -> dict:
    response = owner.client.post(f"/api/workspaces/{workspace_id}/invitations", json={"email": email, "role": role})
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def stranger(gateway) -> WsgiClient:
    """No account, no token, at an address of its own (the read is limited per client address)."""
    block = uuid.uuid4().hex
    return WsgiClient(gateway, {"X-Forwarded-For": f"2001:db8:{block[:4]}:{block[4:8]}::1"})


def test_a_logged_out_invitee_reads_what_the_invitation_is_for(make_account, stranger, mailbox):
    owner = make_account(display_name="Grace Hopper")
    workspace_id = _shared_workspace(owner)
    invited = f"invitee-{uuid.uuid4().hex[:8]}@example.com"
    before = datetime.now(UTC)
    answer = _invite(owner, workspace_id, invited, "viewer")
    # The e-mail carries the link, and the link's token is what the page reads with.
    [link] = mailbox.links(invited, "/invitations/")
    token = link.rsplit("/", 1)[1]
    assert token == answer["token"]

    response = stranger.get(f"/api/invitations/{token}")

    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == FIELDS
    assert body["workspace_name"] == "Garden club"
    assert body["role"] == "viewer"
    assert body["invited_by"] == "Grace Hopper"
    expires = datetime.fromisoformat(body["expires_at"])
    assert before + INVITATION_LIFETIME - timedelta(minutes=1) < expires < datetime.now(UTC) + INVITATION_LIFETIME
    # Nothing beyond those fields: not the invited address, not the inviter's, not the workspace's id.
    for secret in (invited, owner.email, workspace_id, answer["id"]):
        assert secret.lower() not in response.text.lower()


def test_an_inviter_without_a_display_name_is_named_by_address(make_account, stranger):
    owner = make_account()
    answer = _invite(owner, _shared_workspace(owner), f"someone-{uuid.uuid4().hex[:8]}@example.com")

    body = stranger.get(f"/api/invitations/{answer['token']}").json()

    assert body["invited_by"] == owner.email
    assert body["role"] == "editor"


@pytest.mark.parametrize("token", [f"{'a' * 43}", "short", "x" * 101])
def test_a_token_never_issued_is_404(stranger, token):
    response = stranger.get(f"/api/invitations/{token}")

    assert response.status_code == 404
    assert response.header("Content-Type") == "application/problem+json"
    assert response.json()["detail"] == "no such invitation"


def _gone(client: WsgiClient, token: str) -> str:
    response = client.get(f"/api/invitations/{token}")
    assert response.status_code == 410, response.text
    assert response.header("Content-Type") == "application/problem+json"
    assert set(response.json()) >= {"type", "title", "status", "detail"}
    assert "workspace_name" not in response.json()
    return response.json()["detail"]


def test_an_accepted_invitation_is_gone(make_account, stranger):
    owner, invitee = make_account(), make_account()
    token = _invite(owner, _shared_workspace(owner), invitee.email)["token"]
    assert stranger.get(f"/api/invitations/{token}").status_code == 200
    assert invitee.client.post(f"/api/invitations/{token}/accept").status_code == 200

    assert "already accepted" in _gone(stranger, token)


def test_a_revoked_invitation_is_gone(make_account, stranger):
    owner = make_account()
    workspace_id = _shared_workspace(owner)
    answer = _invite(owner, workspace_id, f"revoked-{uuid.uuid4().hex[:8]}@example.com")
    assert owner.client.delete(f"/api/workspaces/{workspace_id}/invitations/{answer['id']}").status_code == 204

    assert "revoked" in _gone(stranger, answer["token"])


def test_an_expired_invitation_is_gone(make_account, stranger, api_database):
    owner = make_account()
    answer = _invite(owner, _shared_workspace(owner), f"late-{uuid.uuid4().hex[:8]}@example.com")
    with psycopg.connect(api_database, autocommit=True) as conn:
        conn.execute("UPDATE invitations SET expires_at = now() - interval '1 second' WHERE id = %s", (answer["id"],))

    assert "expired" in _gone(stranger, answer["token"])


def test_an_invitation_from_someone_no_longer_an_owner_is_gone(make_account, stranger, api_database):
    owner, other_owner = make_account(), make_account()
    workspace_id = _shared_workspace(owner)
    answer = _invite(owner, workspace_id, f"orphan-{uuid.uuid4().hex[:8]}@example.com")
    # Demoted behind the API's back: the read checks the inviter's role itself, as accepting does.
    with psycopg.connect(api_database, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO memberships (workspace_id, user_id, role) VALUES (%s, %s, 'owner')",
            (workspace_id, other_owner.id),
        )
        conn.execute(
            "UPDATE memberships SET role = 'editor' WHERE workspace_id = %s AND user_id = %s", (workspace_id, owner.id)
        )

    assert "no longer an owner" in _gone(stranger, answer["token"])


def test_reads_are_limited_per_client_address(make_account, gateway, stranger):
    owner = make_account()
    token = _invite(owner, _shared_workspace(owner), f"busy-{uuid.uuid4().hex[:8]}@example.com")["token"]

    statuses = [stranger.get(f"/api/invitations/{token}").status_code for _ in range(anonymous.PER_MINUTE)]
    refused = stranger.get(f"/api/invitations/{token}")
    neighbour = WsgiClient(gateway, {"X-Forwarded-For": "2001:db8:ffff:1::1"})

    assert statuses == [200] * anonymous.PER_MINUTE
    assert refused.status_code == 429
    assert refused.header("Content-Type") == "application/problem+json"
    assert 0 < int(refused.header("Retry-After")) <= 60
    # Another client is not affected.
    assert neighbour.get(f"/api/invitations/{token}").status_code == 200


def test_the_limit_counts_in_the_process_while_redis_is_absent(make_account, stranger, monkeypatch):
    from functions.workspaces import get_invitation

    without_redis = get_invitation.settings.model_copy(update={"redis_url": None})
    monkeypatch.setattr(get_invitation, "limit", anonymous.ClientLimit(without_redis, per_minute=3))
    owner = make_account()
    token = _invite(owner, _shared_workspace(owner), f"noredis-{uuid.uuid4().hex[:8]}@example.com")["token"]

    statuses = [stranger.get(f"/api/invitations/{token}").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
