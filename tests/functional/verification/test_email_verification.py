"""E-mail verification: a link sent to the address proves it, once, while the account still
has that address; the links are limited per user in PostgreSQL, with or without Redis."""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qs, urlsplit

import psycopg
import pytest

from functions.domain.auth import verification
from tests.support.wsgi_client import WsgiClient


def _token(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]


def _me(account) -> dict:
    response = account.client.get("/api/auth/me")
    assert response.status_code == 200, response.text
    return response.json()


def _verify(client: WsgiClient, token: str):
    return client.post("/api/auth/verify-email", json={"token": token})


def test_registering_mails_a_link_that_verifies_the_address(make_account, mailbox, client):
    account = make_account(verified=False)
    assert _me(account)["email_verified"] is False

    [link] = mailbox.links(account.email, "/verify-email")
    [message] = mailbox.messages(account.email)
    assert message["Subject"] == "Confirm your e-mail address for TaskForge"
    assert link.startswith("http://localhost:8000/verify-email?token=")
    # The token is the credential: no bearer token is needed (the link may be opened anywhere).
    verified = _verify(client, _token(link))

    assert verified.status_code == 200, verified.text
    assert verified.json() == {"email": account.email, "email_verified": True}
    assert _me(account)["email_verified"] is True


def test_a_link_works_once(make_account, mailbox, client):
    account = make_account(verified=False)
    token = _token(mailbox.links(account.email, "/verify-email")[0])
    assert _verify(client, token).status_code == 200

    again = _verify(client, token)

    assert again.status_code == 410
    assert again.header("Content-Type") == "application/problem+json"
    assert "already used" in again.json()["detail"]


def test_the_token_is_stored_only_as_its_sha256(make_account, mailbox, api_database):
    account = make_account(verified=False)
    token = _token(mailbox.links(account.email, "/verify-email")[0])
    with psycopg.connect(api_database) as conn:
        stored = conn.execute("SELECT token_hash FROM email_verifications WHERE user_id = %s", (account.id,)).fetchall()
    assert stored == [(hashlib.sha256(token.encode()).hexdigest(),)]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"token": "never-sent-by-anybody-0123456789"}, 400),
        ({"token": "short"}, 422),
        ({"token": "x" * 101}, 422),
        ({"token": 12345678901}, 422),
        ({}, 422),
        ({"token": "never-sent-by-anybody-0123456789", "user_id": "me"}, 422),
    ],
)
def test_a_token_that_was_never_sent_is_refused(client, body, status):
    response = client.post("/api/auth/verify-email", json=body)
    assert response.status_code == status, response.text
    assert response.header("Content-Type") == "application/problem+json"


def test_an_expired_link_is_refused(make_account, mailbox, client, api_database):
    account = make_account(verified=False)
    token = _token(mailbox.links(account.email, "/verify-email")[0])
    with psycopg.connect(api_database, autocommit=True) as conn:
        conn.execute(
            "UPDATE email_verifications SET expires_at = now() - interval '1 second' WHERE user_id = %s", (account.id,)
        )

    response = _verify(client, token)

    assert response.status_code == 410
    assert "expired" in response.json()["detail"]
    assert _me(account)["email_verified"] is False


def test_a_link_is_bound_to_the_address_it_was_sent_to(make_account, mailbox, client, api_database):
    account = make_account(verified=False)
    token = _token(mailbox.links(account.email, "/verify-email")[0])
    with psycopg.connect(api_database, autocommit=True) as conn:
        conn.execute("UPDATE users SET email = %s WHERE id = %s", (f"changed-{account.email}", account.id))

    response = _verify(client, token)

    assert response.status_code == 410
    assert "no longer has" in response.json()["detail"]
    assert _me(account)["email_verified"] is False


def test_changing_a_verified_address_makes_it_unverified(make_account, api_database):
    account = make_account()
    assert _me(account)["email_verified"] is True
    with psycopg.connect(api_database, autocommit=True) as conn:
        conn.execute("UPDATE users SET display_name = 'same address' WHERE id = %s", (account.id,))
        assert _me(account)["email_verified"] is True
        conn.execute("UPDATE users SET email = %s WHERE id = %s", (f"moved-{account.email}", account.id))
    assert _me(account)["email_verified"] is False


def test_asking_again_mails_a_new_link_and_every_link_is_spent_once_one_works(make_account, mailbox, client):
    account = make_account(verified=False)

    sent = account.client.post("/api/auth/verification")

    assert sent.status_code == 202, sent.text
    assert sent.json() == {"email": account.email}
    first, second = mailbox.links(account.email, "/verify-email")
    assert _token(first) != _token(second)
    assert _verify(client, _token(second)).status_code == 200
    assert _verify(client, _token(first)).status_code == 410


def test_a_verified_address_needs_no_new_link(make_account, mailbox):
    account = make_account()
    response = account.client.post("/api/auth/verification")
    assert response.status_code == 409
    assert response.header("Content-Type") == "application/problem+json"
    assert len(mailbox.messages(account.email)) == 1  # the one sent at registration


def test_asking_for_a_link_needs_a_login(client):
    response = client.post("/api/auth/verification")
    assert response.status_code == 401
    assert response.header("Content-Type") == "application/problem+json"


def _ask_until_refused(account) -> list[int]:
    return [account.client.post("/api/auth/verification").status_code for _ in range(verification.MAILS_PER_HOUR)]


def test_a_few_links_an_hour_then_429_with_retry_after(make_account, mailbox):
    account = make_account(verified=False)  # registering sent the first one

    statuses = _ask_until_refused(account)

    assert statuses == [202] * (verification.MAILS_PER_HOUR - 1) + [429]
    refused = account.client.post("/api/auth/verification")
    assert refused.status_code == 429
    assert refused.header("Content-Type") == "application/problem+json"
    assert 3000 < int(refused.header("Retry-After")) <= 3601
    assert len(mailbox.links(account.email, "/verify-email")) == verification.MAILS_PER_HOUR


def test_the_limit_holds_without_redis(make_account, mailbox, monkeypatch):
    from functions.auth import request_email_verification
    from functions.platform.dependencies import Dependencies

    without_redis = request_email_verification.deps.settings.model_copy(update={"redis_url": None})
    monkeypatch.setattr(request_email_verification, "deps", Dependencies.from_settings(without_redis))
    account = make_account(verified=False)

    assert _ask_until_refused(account)[-1] == 429


def test_the_limit_counts_the_last_hour_only(make_account, mailbox, api_database):
    account = make_account(verified=False)
    assert _ask_until_refused(account)[-1] == 429
    with psycopg.connect(api_database, autocommit=True) as conn:
        conn.execute(
            "UPDATE email_verifications SET created_at = created_at - interval '61 minutes' WHERE user_id = %s",
            (account.id,),
        )
    assert account.client.post("/api/auth/verification").status_code == 202


def test_registration_succeeds_when_the_mail_cannot_be_sent(client, mailbox, monkeypatch, caplog, api_database):
    from functions.platform import mailer

    def broken(*args, **kwargs):
        raise ConnectionError("SES is unreachable")

    monkeypatch.setattr(mailer, "_client", lambda *args: type("Ses", (), {"send_email": broken})())
    email = "unlucky-registration@example.com"

    with caplog.at_level("WARNING"):
        registered = client.post("/api/auth/register", json={"email": email, "password": "a long enough password"})

    try:
        assert registered.status_code == 201, registered.text
        assert registered.json()["email_verified"] is False
        assert mailbox.messages(email) == []
        assert "could not be sent" in caplog.text
    finally:
        if registered.status_code == 201:
            with psycopg.connect(api_database, autocommit=True) as conn:
                conn.execute("DELETE FROM users WHERE id = %s", (registered.json()["id"],))


def test_asking_again_while_mail_is_down_is_a_503(make_account, mailbox, monkeypatch):
    from functions.platform import mailer

    account = make_account(verified=False)

    def broken(*args, **kwargs):
        raise ConnectionError("SES is unreachable")

    monkeypatch.setattr(mailer, "_client", lambda *args: type("Ses", (), {"send_email": broken})())
    response = account.client.post("/api/auth/verification")

    assert response.status_code == 503
    assert response.header("Content-Type") == "application/problem+json"
    assert response.header("Retry-After")
