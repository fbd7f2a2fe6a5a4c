"""Reminders by Web Push, end to end against a push service of the test's own.

The fake push service is a real HTTP server: it decrypts each message with the browser's
private key (http_ece, RFC 8291) and checks the VAPID token (RFC 8292) against the server's
public key, so what is asserted is what a browser would show.
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from functions.devserver.local_aws import prepare
from functions.domain.reminders import dispatch, schedules
from functions.platform.db import Database
from functions.platform.dynamo import DeliveryLedger
from functions.platform.settings import Settings
from functions.platform.vapid import b64url, b64url_decode, new_private_key


class Browser:
    """One subscribed browser: its keys, and what its push service has been given for it."""

    def __init__(self, service: PushService, name: str) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        self.path = f"/push/{name}"
        self.endpoint = f"http://127.0.0.1:{service.port}{self.path}"
        self.received: list[dict[str, Any]] = []
        self.status = 201

    @property
    def p256dh(self) -> str:
        return b64url(
            self.key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )


class PushService:
    def __init__(self) -> None:
        self.browsers: dict[str, Browser] = {}
        self.vapid: list[dict[str, Any]] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                browser = service.browsers[self.path]
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if browser.status in (200, 201, 202):
                    assert self.headers["Content-Encoding"] == "aes128gcm"
                    assert int(self.headers["TTL"]) > 0
                    service.vapid.append(_vapid_claims(self.headers["Authorization"]))
                    plain = http_ece.decrypt(
                        body, private_key=browser.key, auth_secret=browser.auth, version="aes128gcm"
                    )
                    browser.received.append(json.loads(plain))
                self.send_response(browser.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]

    def browser(self, name: str) -> Browser:
        browser = Browser(self, name)
        self.browsers[browser.path] = browser
        return browser


def _vapid_claims(header: str) -> dict[str, Any]:
    """The token's claims once its signature checks out against the key it names (`k`)."""
    scheme, _, params = header.partition(" ")
    assert scheme == "vapid"
    fields = dict(part.split("=", 1) for part in params.split(","))
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(fields["k"]))
    claims = jwt.decode(fields["t"], public, algorithms=["ES256"], options={"verify_aud": False})
    return {**claims, "k": fields["k"]}


@pytest.fixture
def push_service() -> Iterator[PushService]:
    service = PushService()
    thread = threading.Thread(target=service.server.serve_forever, daemon=True)
    thread.start()
    yield service
    service.server.shutdown()
    service.server.server_close()


@pytest.fixture
def settings(database_url):
    settings = Settings(
        database_url=database_url,
        delivery_ledger_table=f"ledger-{uuid.uuid4().hex[:8]}",
        aws_endpoint_url=os.environ["AWS_ENDPOINT_URL"],
        vapid_private_key=new_private_key(),
        vapid_subject="mailto:ops@taskforge.example",
        webhook_allow_private_networks=True,  # the fake push service is on the loopback
    )
    prepare(settings)  # the ledger's table and the verified sender, as the local stack makes them
    return settings


@pytest.fixture
def database(settings):
    database = Database(settings)
    yield database
    database.close()


@pytest.fixture
def send(settings, monkeypatch):
    """The dispatcher's own sender, with this test's settings and ledger."""
    from functions.reminders import dispatch_reminders

    ledger = DeliveryLedger(settings)
    monkeypatch.setattr(dispatch_reminders, "settings", settings)
    monkeypatch.setattr(dispatch_reminders, "ledger", ledger)
    return dispatch_reminders.send


def _seed(database: Database, browsers: list[Browser], channel: str = "push") -> dict[str, str]:
    when = datetime.now(UTC) - timedelta(minutes=1)

    def seed(conn):
        user = conn.execute(
            "INSERT INTO users (email, password_hash) VALUES (%s, 'x') RETURNING id::text AS id",
            (f"{uuid.uuid4().hex[:8]}@example.com",),
        ).fetchone()["id"]
        workspace = conn.execute(
            "INSERT INTO workspaces (name, personal, created_by) VALUES ('P', true, %s) RETURNING id", (user,)
        ).fetchone()["id"]
        task = conn.execute(
            "INSERT INTO tasks (owner_id, workspace_id, title, description, due_date)"
            " VALUES (%s, %s, 'Call mom', 'about Sunday', %s) RETURNING id::text AS id",
            (user, workspace, when + timedelta(hours=1)),
        ).fetchone()["id"]
        reminder = conn.execute(
            "INSERT INTO reminders (task_id, user_id, at, channel) VALUES (%s, %s, %s, %s) RETURNING id::text AS id",
            (task, user, when, channel),
        ).fetchone()["id"]
        schedules.recompute(conn, task)
        for browser in browsers:
            conn.execute(
                "INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth) VALUES (%s, %s, %s, %s)",
                (user, browser.endpoint, browser.p256dh, b64url(browser.auth)),
            )
        return {"user": user, "task": task, "reminder": reminder}

    return database.transaction(seed)


def _reminder(database: Database, reminder_id: str) -> dict[str, Any]:
    return database.transaction(
        lambda conn: conn.execute("SELECT status, attempts FROM reminders WHERE id = %s", (reminder_id,)).fetchone()
    )


def _subscribed(database: Database, user_id: str) -> list[str]:
    rows = database.transaction(
        lambda conn: conn.execute("SELECT endpoint FROM push_subscriptions WHERE user_id = %s", (user_id,)).fetchall()
    )
    return [row["endpoint"] for row in rows]


def test_the_browser_decrypts_the_reminder_and_the_vapid_token_is_ours(settings, database, push_service, send):
    phone = push_service.browser("phone")
    seeded = _seed(database, [phone])

    outcome = dispatch.dispatch_due(database, settings, DeliveryLedger(settings), send)

    assert outcome.sent == 1
    assert phone.received == [
        {
            "title": "Reminder: Call mom",
            "body": phone.received[0]["body"],
            "url": f"/tasks/{seeded['task']}",
            "tag": seeded["reminder"],
        }
    ]
    assert phone.received[0]["body"].startswith("Call mom\nDue: ")
    assert "about Sunday" in phone.received[0]["body"]
    [claims] = push_service.vapid
    assert claims["k"] == settings.vapid_public_key
    assert claims["aud"] == f"http://127.0.0.1:{push_service.port}"
    assert claims["sub"] == "mailto:ops@taskforge.example"
    assert claims["exp"] > datetime.now(UTC).timestamp()
    assert _reminder(database, seeded["reminder"])["status"] == "sent"


def test_a_replayed_dispatch_sends_once(settings, database, push_service, send):
    laptop = push_service.browser("laptop")
    seeded = _seed(database, [laptop])
    ledger = DeliveryLedger(settings)
    dispatch.dispatch_due(database, settings, ledger, send)

    # As if the dispatcher had died after sending but before its transaction committed.
    database.transaction(
        lambda conn: conn.execute(
            "UPDATE reminders SET status = 'pending', fire_at = scheduled_at, sent_at = NULL WHERE id = %s",
            (seeded["reminder"],),
        )
    )
    again = dispatch.dispatch_due(database, settings, ledger, send)

    assert again.already_sent == 1
    assert len(laptop.received) == 1


def test_a_gone_subscription_is_removed_and_the_reminder_goes_by_email(settings, database, push_service, send):
    old = push_service.browser("old")
    old.status = 410
    seeded = _seed(database, [old])

    outcome = dispatch.dispatch_due(database, settings, DeliveryLedger(settings), send)

    assert outcome.sent == 1
    assert _subscribed(database, seeded["user"]) == []
    assert _reminder(database, seeded["reminder"])["status"] == "sent"


def test_one_failing_push_service_is_retried_without_repeating_the_others(settings, database, push_service, send):
    phone, tablet = push_service.browser("phone"), push_service.browser("tablet")
    tablet.status = 503
    seeded = _seed(database, [phone, tablet])
    ledger = DeliveryLedger(settings)

    first = dispatch.dispatch_due(database, settings, ledger, send)
    assert first.retried == 1
    assert _reminder(database, seeded["reminder"]) == {"status": "pending", "attempts": 1}
    assert len(phone.received) == 1

    tablet.status = 201
    later = datetime.now(UTC) + timedelta(minutes=5)  # past the backoff
    second = dispatch.dispatch_due(database, settings, ledger, send, now=lambda: later)

    assert second.sent == 1
    assert (len(phone.received), len(tablet.received)) == (1, 1)
    assert _subscribed(database, seeded["user"]) == [phone.endpoint, tablet.endpoint]


@pytest.mark.parametrize("status", [429, 500])
def test_a_busy_push_service_leaves_the_reminder_due_with_backoff(settings, database, push_service, send, status):
    phone = push_service.browser("phone")
    phone.status = status
    seeded = _seed(database, [phone])

    outcome = dispatch.dispatch_due(database, settings, DeliveryLedger(settings), send)

    assert outcome.retried == 1
    assert _reminder(database, seeded["reminder"]) == {"status": "pending", "attempts": 1}
    assert _subscribed(database, seeded["user"]) == [phone.endpoint]


def test_account_reminders_never_go_to_the_browsers(settings, database, push_service, send):
    phone = push_service.browser("phone")
    _seed(database, [phone], channel="account")

    assert dispatch.dispatch_due(database, settings, DeliveryLedger(settings), send).sent == 1
    assert phone.received == []
