"""The Web Push API: the server's key, and each user's subscribed browsers."""

from __future__ import annotations

import base64
import os
import socket
from datetime import UTC, datetime, timedelta

import pytest

from functions.domain.push.subscriptions import MAX_PER_USER
from functions.platform.settings import Settings

PUSH_HOST = "push.example.net"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


P256DH = _b64(b"\x04" + bytes(range(64)))
AUTH = _b64(bytes(range(16)))


def _subscription(endpoint_id: str = "abc", **keys: str) -> dict:
    return {
        "endpoint": f"https://{PUSH_HOST}/wpush/v2/{endpoint_id}",
        "expirationTime": None,
        "keys": {"p256dh": P256DH, "auth": AUTH} | keys,
    }


@pytest.fixture(autouse=True)
def public_push_service(monkeypatch):
    """The push service's host resolves to a public address (no DNS in the tests)."""
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host == PUSH_HOST:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_the_public_key_is_the_configured_keys_uncompressed_point(client):
    answer = client.get("/api/push/vapid-public-key")
    assert answer.status_code == 200, answer.text
    key = answer.json()["key"]
    assert key == Settings(vapid_private_key=os.environ["VAPID_PRIVATE_KEY"]).vapid_public_key
    point = base64.urlsafe_b64decode(key + "=")
    assert len(point) == 65
    assert point[0] == 4


def test_subscribing_again_updates_rather_than_duplicates(make_account):
    api = make_account().client
    first = api.post("/api/push-subscriptions", json=_subscription())
    assert first.status_code == 201, first.text
    assert first.header("Location") == f"/api/push-subscriptions/{first.json()['id']}"
    again = api.post("/api/push-subscriptions", json=_subscription(auth=_b64(bytes(16))))
    assert again.status_code == 200, again.text
    assert again.json()["id"] == first.json()["id"]
    listed = api.get("/api/push-subscriptions")
    assert [item["id"] for item in listed.json()["items"]] == [first.json()["id"]]
    assert api.get("/api/push-subscriptions", headers={"If-None-Match": listed.header("ETag")}).status_code == 304


def test_a_browser_follows_whoever_subscribes_it_last(make_account):
    alice, bob = make_account().client, make_account().client
    alice.post("/api/push-subscriptions", json=_subscription("shared"))
    taken = bob.post("/api/push-subscriptions", json=_subscription("shared"))
    assert taken.status_code == 200
    assert alice.get("/api/push-subscriptions").json()["items"] == []
    assert [item["id"] for item in bob.get("/api/push-subscriptions").json()["items"]] == [taken.json()["id"]]


def test_only_the_owner_sees_and_removes_a_subscription(make_account):
    owner, stranger = make_account().client, make_account().client
    created = owner.post("/api/push-subscriptions", json=_subscription()).json()
    assert stranger.get("/api/push-subscriptions").json()["items"] == []
    refused = stranger.delete(f"/api/push-subscriptions/{created['id']}")
    assert refused.status_code == 404
    assert refused.header("Content-Type") == "application/problem+json"
    assert len(owner.get("/api/push-subscriptions").json()["items"]) == 1
    assert owner.delete(f"/api/push-subscriptions/{created['id']}").status_code == 204
    assert owner.delete(f"/api/push-subscriptions/{created['id']}").status_code == 404
    assert owner.delete("/api/push-subscriptions/not-an-id").status_code == 404


def test_without_a_token_the_subscriptions_are_401(client):
    assert client.get("/api/push-subscriptions").status_code == 401
    assert client.post("/api/push-subscriptions", json=_subscription()).status_code == 401


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (_subscription() | {"endpoint": f"http://{PUSH_HOST}/x"}, "must start with https://"),
        (_subscription() | {"endpoint": "https://127.0.0.1/x"}, "public internet addresses"),
        (_subscription() | {"endpoint": "not a url"}, "push endpoint URL"),
        (_subscription(p256dh=_b64(b"\x04" + bytes(32))), "keys.p256dh"),
        (_subscription(p256dh=_b64(b"\x02" + bytes(64))), "keys.p256dh"),
        (_subscription(auth=_b64(bytes(15))), "keys.auth"),
        (_subscription(auth="not base64!"), "keys.auth"),
        ({"endpoint": f"https://{PUSH_HOST}/x"}, None),
        (_subscription() | {"extra": 1}, None),
        ({"endpoint": "", "keys": {"p256dh": P256DH, "auth": AUTH}}, None),
    ],
    ids=[
        "http",
        "loopback",
        "not-a-url",
        "short-p256dh",
        "compressed-p256dh",
        "short-auth",
        "auth-not-base64",
        "no-keys",
        "unknown-field",
        "empty-endpoint",
    ],
)
def test_bad_subscriptions_are_422_and_store_nothing(make_account, body, detail):
    api = make_account().client
    answer = api.post("/api/push-subscriptions", json=body)
    assert answer.status_code == 422, answer.text
    assert answer.header("Content-Type") == "application/problem+json"
    if detail:
        assert detail in answer.json()["detail"]
    assert api.get("/api/push-subscriptions").json()["items"] == []


def test_a_user_has_a_bounded_number_of_browsers(make_account):
    api = make_account().client
    for n in range(MAX_PER_USER):
        assert api.post("/api/push-subscriptions", json=_subscription(f"d{n}")).status_code == 201
    refused = api.post("/api/push-subscriptions", json=_subscription("one-more"))
    assert refused.status_code == 409
    assert api.post("/api/push-subscriptions", json=_subscription("d0")).status_code == 200  # an existing one


def test_a_reminder_can_go_by_push(make_account):
    api = make_account().client
    task = api.post("/api/tasks", json={"title": "t"}).json()
    at = (datetime.now(UTC) + timedelta(days=1)).isoformat().replace("+00:00", "Z")
    created = api.post(f"/api/tasks/{task['id']}/reminders", json={"at": at, "channel": "push"})
    assert created.status_code == 201, created.text
    assert created.json()["channel"] == "push"
    default = api.post(f"/api/tasks/{task['id']}/reminders", json={"at": at})
    assert default.json()["channel"] == "account"
    assert api.post(f"/api/tasks/{task['id']}/reminders", json={"at": at, "channel": "pager"}).status_code == 422
