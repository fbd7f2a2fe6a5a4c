"""The API as a client sees it: every catalog function behind the local gateway, in process,
on a real PostgreSQL and Redis."""

from __future__ import annotations

import email
import email.policy
import re
import secrets
import urllib.error
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.support.wsgi_client import WsgiClient

PASSWORD = "correct horse battery staple"


# What the outbox's publishers must send the stand-in broker (X-TaskForge-Broker-Token).
BROKER_TOKEN = secrets.token_urlsafe(32)


@pytest.fixture(scope="session")
def gateway(api_database: str):
    from functions.catalog import FUNCTIONS
    from functions.devserver.gateway import Gateway, mount

    return Gateway([mount(function) for function in FUNCTIONS], static_dir=None)


@pytest.fixture(scope="session")
def local_broker(gateway):
    """The local stack's stand-in broker, in process, delivering to the gateway's own functions."""
    from functions.devserver.broker import Broker

    return Broker(gateway.mounted, BROKER_TOKEN)


@pytest.fixture
def client(gateway) -> WsgiClient:
    return WsgiClient(gateway)


@dataclass
class Account:
    id: str
    email: str
    password: str
    access_token: str
    refresh_token: str
    client: WsgiClient  # sends this account's access token


@pytest.fixture
def make_account(gateway, api_database: str) -> Iterator[Callable[..., Account]]:
    """Registers and logs in fresh accounts; deletes them (and their tasks) afterwards.

    An account's address counts as verified unless `verified=False`: proving it takes the
    link from an e-mail, which tests/functional/verification/ follow; the rest start where
    an established user is.
    """
    created: list[str] = []

    def make(password: str = PASSWORD, display_name: str | None = None, verified: bool = True) -> Account:
        anonymous = WsgiClient(gateway)
        email = f"user-{uuid.uuid4().hex[:10]}@example.com"
        registered = anonymous.post(
            "/api/auth/register", json={"email": email, "password": password, "display_name": display_name}
        )
        assert registered.status_code == 201, registered.text
        created.append(registered.json()["id"])
        if verified:
            with psycopg.connect(api_database, autocommit=True) as conn:
                conn.execute("UPDATE users SET email_verified_at = now() WHERE id = %s", (registered.json()["id"],))
        login = anonymous.post("/api/auth/login", json={"email": email, "password": password})
        assert login.status_code == 200, login.text
        tokens = login.json()
        authorized = WsgiClient(gateway, {"Authorization": f"Bearer {tokens['access_token']}"})
        return Account(
            registered.json()["id"], email, password, tokens["access_token"], tokens["refresh_token"], authorized
        )

    yield make
    if created:
        with psycopg.connect(api_database, autocommit=True) as conn:
            conn.execute("DELETE FROM users WHERE id = ANY(%s::uuid[])", (created,))


@dataclass
class Mailbox:
    """What the functions e-mailed during a test (the mailer's local copies, as `make dev` keeps them)."""

    directory: Path

    def messages(self, to: str | None = None) -> list[EmailMessage]:
        found = []
        for path in sorted(self.directory.glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            assert isinstance(message, EmailMessage)
            if to is None or message["To"].lower() == to.lower():
                found.append(message)
        return found

    def links(self, to: str, path: str) -> list[str]:
        """Every link to `path` (such as "/verify-email") in the messages to `to`, oldest first."""
        pattern = re.compile(r"https?://[^/\s]+" + re.escape(path) + r"[^\s]*")
        return [link for message in self.messages(to) for link in pattern.findall(message.get_content())]  # type: ignore[attr-defined]


@pytest.fixture
def mailbox(tmp_path: Path) -> Iterator[Mailbox]:
    from functions.platform import mailer

    mailer.keep_copies_in(tmp_path / "mail")
    try:
        yield Mailbox(tmp_path / "mail")
    finally:
        mailer.keep_copies_in(None)


@pytest.fixture
def relay(local_broker, monkeypatch: pytest.MonkeyPatch) -> Callable[..., int]:
    """Runs the outbox relay to the end, publishing to the in-process stand-in broker (and so
    to the record-activity function); `fail_first` publishes fail first, as a broker outage
    would. Returns how many events it published. Every event is settled for it: it does not
    wait for the writers' own publish to be over (publishing.SETTLED_SECONDS)."""
    from functions.activity import relay_outbox
    from functions.domain.activity import publishing

    monkeypatch.setattr(publishing, "SETTLED_SECONDS", 0.0)

    broker = WsgiClient(local_broker)
    failures = {"left": 0}

    def publish(event: dict[str, Any]) -> None:
        if failures["left"]:
            failures["left"] -= 1
            raise urllib.error.URLError("broker unavailable")
        detail = {**event["data"], "actor_id": event["actor_id"]}
        response = broker.post(
            "/__broker",
            json=detail,
            headers={
                "ce-specversion": "1.0",
                "ce-id": event["event_id"],
                "ce-type": event["type"],
                "ce-source": "/taskforge/tasks",
                "ce-time": event["created_at"].isoformat(),
                "X-TaskForge-Broker-Token": BROKER_TOKEN,
            },
        )
        if response.status_code >= 300:
            raise urllib.error.URLError(f"broker answered {response.status_code}")

    monkeypatch.setattr(relay_outbox, "publish", publish)

    def run(fail_first: int = 0) -> int:
        failures["left"] = fail_first
        total = 0
        while True:
            count: int = relay_outbox.database.transaction(relay_outbox.relay_batch)
            total += count
            if count == 0:
                return total

    return run


@pytest.fixture
def team(make_account):
    """A shared workspace with an owner, an editor and a viewer, plus an outsider."""
    owner, editor, viewer, outsider = make_account(), make_account(), make_account(), make_account()
    workspace = owner.client.post("/api/workspaces", json={"name": "Studio"}).json()
    for member, role in ((editor, "editor"), (viewer, "viewer")):
        token = owner.client.post(
            f"/api/workspaces/{workspace['id']}/invitations", json={"email": member.email, "role": role}
        ).json()["token"]
        assert member.client.post(f"/api/invitations/{token}/accept").status_code == 200
    return {"id": workspace["id"], "owner": owner, "editor": editor, "viewer": viewer, "outsider": outsider}
