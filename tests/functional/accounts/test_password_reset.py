"""Forgotten passwords: a link mailed to the account's address sets a new password, once, within
30 minutes, and ends every session as a password change does. Asking says nothing about whether
an account has the address (same status, body and time), and is limited per address in
PostgreSQL, with or without Redis."""

from __future__ import annotations

import os
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
import requests

from functions.domain.auth import password_reset
from functions.domain.auth.auth import credential_binding
from functions.platform.tokens import verifier_from
from tests.functional.robustness.conftest import CLIENT_TIMEOUT, REPLICAS
from tests.support.wsgi_client import WsgiClient, WsgiResponse

NEW_PASSWORD = "a new password for spring"
FLOOR = password_reset.ANSWER_FLOOR_SECONDS
LIMIT = password_reset.REQUESTS_PER_HOUR
LINK_PREFIX = "http://localhost:8000/reset-password/"


def _ask(client: WsgiClient, email: str) -> WsgiResponse:
    return client.post("/api/auth/password-reset", json={"email": email})


def _timed_ask(client: WsgiClient, email: str) -> tuple[WsgiResponse, float]:
    started = time.perf_counter()
    response = _ask(client, email)
    return response, time.perf_counter() - started


def _use(client: WsgiClient, token: str, password: str = NEW_PASSWORD) -> WsgiResponse:
    return client.post(f"/api/auth/password-reset/{token}", json={"new_password": password})


def _links(mailbox, email: str) -> list[str]:
    """The reset links mailed to `email`, oldest first; the mail goes out on a thread of its own,
    normally before the answer, so a moment's polling covers a slow machine."""
    deadline = time.monotonic() + 5
    while True:
        links = mailbox.links(email, "/reset-password/")
        if links or time.monotonic() > deadline:
            return links
        time.sleep(0.02)


def _token(mailbox, email: str) -> str:
    links = _links(mailbox, email)
    assert links, f"no reset link was mailed to {email}"
    assert links[-1].startswith(LINK_PREFIX)
    return links[-1].removeprefix(LINK_PREFIX)


def _login(client: WsgiClient, email: str, password: str) -> WsgiResponse:
    return client.post("/api/auth/login", json={"email": email, "password": password})


def _nobody() -> str:
    return f"nobody-{uuid.uuid4().hex[:10]}@example.com"


def test_the_mailed_link_sets_a_new_password(client, make_account, mailbox):
    account = make_account()

    asked = _ask(client, account.email)

    assert asked.status_code == 202, asked.text
    assert asked.json() == {
        "detail": "If an account has this address, an e-mail with a link to choose a new password is on its way.",
        "expires_in": 1800,
    }
    [message] = [m for m in mailbox.messages(account.email) if m["Subject"] == "Choose a new TaskForge password"]
    assert "It works once, for 30 minutes." in message.get_content()
    used = _use(client, _token(mailbox, account.email))

    assert used.status_code == 204, used.text
    assert used.content == b""
    assert "Max-Age=0" in used.header("Set-Cookie")  # the browser's old session cookie goes
    assert _login(client, account.email, account.password).status_code == 401
    assert _login(client, account.email, NEW_PASSWORD).status_code == 200


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, make_account, mailbox):
    account = make_account()
    nobody = _nobody()

    known, known_seconds = _timed_ask(client, account.email)
    unknown, unknown_seconds = _timed_ask(client, nobody)

    assert (unknown.status_code, unknown.content) == (known.status_code, known.content)
    assert unknown.header("Content-Type") == known.header("Content-Type") == "application/json"
    assert mailbox.messages(nobody) == []
    assert _links(mailbox, account.email)
    # Both answers wait for the same floor, far above the work either does.
    assert FLOOR <= known_seconds < FLOOR + 0.5
    assert FLOOR <= unknown_seconds < FLOOR + 0.5
    assert abs(known_seconds - unknown_seconds) < 0.25


def test_a_slow_mail_service_does_not_show_in_the_answer_time(client, make_account, monkeypatch):
    from functions.platform import mailer

    account = make_account()
    release, called = threading.Event(), threading.Event()
    recipients: list[str] = []

    class SlowSes:
        def send_email(self, **message):
            recipients.extend(message["Destination"]["ToAddresses"])
            called.set()
            release.wait(10)
            return {"MessageId": "slow"}

    monkeypatch.setattr(mailer, "_client", lambda *args: SlowSes())
    try:
        answer, seconds = _timed_ask(client, account.email)
    finally:
        release.set()

    assert answer.status_code == 202
    assert FLOOR <= seconds < FLOOR + 0.5  # the mail was still being sent when the answer went
    assert called.wait(5)
    assert recipients == [account.email]


def test_a_mail_service_that_fails_is_not_told_to_the_caller(client, make_account, monkeypatch, caplog):
    from functions.platform import mailer

    def broken(*args, **kwargs):
        raise ConnectionError("SES is unreachable")

    monkeypatch.setattr(mailer, "_client", lambda *args: type("Ses", (), {"send_email": broken})())
    account = make_account()

    with caplog.at_level("ERROR"):
        answer = _ask(client, account.email)

    assert answer.status_code == 202
    assert answer.json() == _ask(client, _nobody()).json()
    assert "the password reset e-mail could not be sent" in caplog.text


def test_a_link_works_once(client, make_account, mailbox):
    account = make_account()
    _ask(client, account.email)
    token = _token(mailbox, account.email)
    assert _use(client, token).status_code == 204

    again = _use(client, token, "yet another password here")

    assert again.status_code == 410
    assert again.header("Content-Type") == "application/problem+json"
    assert "already used" in again.json()["detail"]
    assert _login(client, account.email, NEW_PASSWORD).status_code == 200


def test_using_a_link_spends_every_other_link_of_the_account(client, make_account, mailbox):
    account = make_account()
    _ask(client, account.email)
    _ask(client, account.email)
    first, second = [link.removeprefix(LINK_PREFIX) for link in _links(mailbox, account.email)]

    assert _use(client, second).status_code == 204
    assert _use(client, first, "someone else's choice").status_code == 410


@pytest.mark.parametrize("token", ["t" * 43, "short", "x" * 101])
def test_a_token_never_sent_is_400(client, token):
    response = _use(client, token)

    assert response.status_code == 400
    assert response.header("Content-Type") == "application/problem+json"
    assert "not valid" in response.json()["detail"]


def test_an_expired_link_is_refused_and_changes_nothing(client, make_account, mailbox, api_database):
    account = make_account()
    _ask(client, account.email)
    token = _token(mailbox, account.email)
    with psycopg.connect(api_database, autocommit=True) as conn:
        conn.execute(
            "UPDATE password_resets SET expires_at = now() - interval '1 second' WHERE user_id = %s", (account.id,)
        )

    refused = _use(client, token)

    assert refused.status_code == 410
    assert "expired" in refused.json()["detail"]
    assert account.client.get("/api/auth/me").status_code == 200
    assert _login(client, account.email, account.password).status_code == 200


def test_a_link_lives_thirty_minutes(client, make_account, mailbox, api_database):
    account = make_account()
    _ask(client, account.email)
    with psycopg.connect(api_database, autocommit=True) as conn:
        lifetime = conn.execute(
            "SELECT expires_at - created_at FROM password_resets WHERE user_id = %s", (account.id,)
        ).fetchone()[0]

    assert lifetime.total_seconds() == pytest.approx(1800, abs=1)


def test_the_token_is_stored_only_as_its_digest(client, make_account, mailbox, api_database):
    account = make_account()
    _ask(client, account.email)
    token = _token(mailbox, account.email)

    with psycopg.connect(api_database, autocommit=True) as conn:
        rows = conn.execute("SELECT token_hash FROM password_resets WHERE user_id = %s", (account.id,)).fetchall()

    from functions.platform.tokens import stored_digest

    assert rows == [(stored_digest(token),)]


def test_a_link_sent_to_an_address_the_account_no_longer_has_is_refused(client, make_account, mailbox, api_database):
    account = make_account()
    _ask(client, account.email)
    token = _token(mailbox, account.email)
    with psycopg.connect(api_database, autocommit=True) as conn:
        conn.execute("UPDATE users SET email = %s WHERE id = %s", (_nobody(), account.id))

    refused = _use(client, token)

    assert refused.status_code == 410
    assert "no longer has" in refused.json()["detail"]


def test_a_reset_ends_every_session_device_token_feed_and_webhook(client, make_account, mailbox, api_database):
    account = make_account()
    other = _login(client, account.email, account.password).json()
    feed = account.client.post("/api/calendar-feed")
    assert feed.status_code == 201, feed.text
    assert client.get(feed.json()["url"]).status_code == 200
    with psycopg.connect(api_database, autocommit=True) as conn:
        conn.execute(
            "UPDATE users SET reminder_webhook_url = 'https://hooks.example.com/r', webhook_secret = 's' WHERE id = %s",
            (account.id,),
        )
        old_hash = conn.execute("SELECT password_hash FROM users WHERE id = %s", (account.id,)).fetchone()[0]
    device = verifier_from(account_settings()).verify(other["device_token"], "device")
    assert device.binding == credential_binding(old_hash)

    _ask(client, account.email)
    assert _use(client, _token(mailbox, account.email)).status_code == 204

    # Old access tokens (both sessions) and refresh tokens are refused.
    assert account.client.get("/api/auth/me").status_code == 401
    bearer = {"Authorization": f"Bearer {other['access_token']}"}
    assert client.get("/api/auth/me", headers=bearer).status_code == 401
    for refresh_token in (account.refresh_token, other["refresh_token"]):
        assert client.post("/api/auth/refresh", json={"refresh_token": refresh_token}).status_code == 401
    # The calendar feed and the webhook are gone; device tokens named the old password.
    assert client.get(feed.json()["url"]).status_code == 404
    with psycopg.connect(api_database, autocommit=True) as conn:
        row = conn.execute(
            "SELECT reminder_webhook_url, webhook_secret, password_hash FROM users WHERE id = %s", (account.id,)
        ).fetchone()
    assert row[:2] == (None, None)
    assert device.binding != credential_binding(row[2])


def account_settings():
    from functions.auth import get_me

    return get_me.deps.settings


@pytest.mark.parametrize(
    "password",
    ["short", "password123", " " * 12],
)
def test_a_weak_password_is_422_and_the_link_still_works(client, make_account, mailbox, password):
    account = make_account()
    _ask(client, account.email)
    token = _token(mailbox, account.email)

    refused = _use(client, token, password)

    assert refused.status_code == 422, refused.text
    assert refused.header("Content-Type") == "application/problem+json"
    assert _login(client, account.email, account.password).status_code == 200
    assert _use(client, token).status_code == 204


def test_a_password_made_of_the_address_is_422_and_the_link_still_works(client, make_account, mailbox):
    account = make_account()
    _ask(client, account.email)
    token = _token(mailbox, account.email)
    local_part = account.email.split("@")[0]

    refused = _use(client, token, f"{local_part} is my password")

    assert refused.status_code == 422, refused.text
    assert "address" in refused.json()["detail"]
    assert _use(client, token).status_code == 204


@pytest.mark.parametrize(
    "body",
    [{}, {"email": "not an address"}, {"email": "@example.com"}, {"email": None}, {"email": "a@b.co", "extra": 1}],
)
def test_a_malformed_request_is_422(client, body):
    response = client.post("/api/auth/password-reset", json=body)

    assert response.status_code == 422, response.text
    assert response.header("Content-Type") == "application/problem+json"


def test_a_new_password_lifts_the_failed_login_lock(client, make_account, mailbox, gateway):
    account = make_account()
    for attempt in range(10):  # settings.login_max_failures
        block = uuid.uuid4().hex[:4]
        guesser = WsgiClient(gateway, {"X-Forwarded-For": f"2001:db8:{block}:{attempt}::1"})
        assert _login(guesser, account.email, "a wrong guess").status_code == 401
    assert _login(client, account.email, account.password).status_code == 429

    _ask(client, account.email)
    assert _use(client, _token(mailbox, account.email)).status_code == 204

    assert _login(client, account.email, NEW_PASSWORD).status_code == 200


def test_a_few_requests_an_hour_per_address_then_429(client, make_account, mailbox):
    account = make_account()
    spellings = [account.email, account.email.upper()]  # one address, as the database compares them

    statuses = [_ask(client, spellings[i % 2]).status_code for i in range(LIMIT)]
    refused = _ask(client, account.email)

    assert statuses == [202] * LIMIT
    assert refused.status_code == 429
    assert refused.header("Content-Type") == "application/problem+json"
    assert 3500 < int(refused.header("Retry-After")) <= 3600
    assert len(_links(mailbox, account.email)) == LIMIT
    # An address with no account is limited alike (a difference would tell them apart), and
    # another address is not affected.
    nobody = _nobody()
    assert [_ask(client, nobody).status_code for _ in range(LIMIT + 1)] == [202] * LIMIT + [429]
    assert _ask(client, _nobody()).status_code == 202


def test_the_limit_counts_the_last_window_only(client, api_database):
    nobody = _nobody()
    assert [_ask(client, nobody).status_code for _ in range(LIMIT + 1)][-1] == 429
    with psycopg.connect(api_database, autocommit=True) as conn:
        conn.execute("UPDATE password_reset_requests SET window_start = window_start - interval '61 minutes'")

    assert _ask(client, nobody).status_code == 202


@pytest.mark.parametrize("redis_url", ["", os.environ.get("REDIS_URL", "")], ids=["redis-absent", "redis-up"])
def test_concurrent_requests_from_every_pod_get_exactly_the_limit(start_runtime, redis_url):
    pods = [
        start_runtime("functions.auth.request_password_reset.handler", REDIS_URL=redis_url, **REPLICAS)
        for _ in range(2)
    ]
    email = _nobody()

    def ask(attempt: int) -> int:
        url = pods[attempt % len(pods)].base_url + "/api/auth/password-reset"
        return requests.post(url, json={"email": email}, timeout=CLIENT_TIMEOUT).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(ask, range(3 * LIMIT)))

    assert sorted(statuses) == [202] * LIMIT + [429] * (2 * LIMIT)
