"""Accounts and sessions: registration, login, rotation, revocation, forged tokens."""

from __future__ import annotations

import base64
import json
import time
import uuid

import jwt
import pytest

from tests.functional.api.conftest import PASSWORD
from tests.support.keys import ed25519_pem


def test_register_returns_the_user_without_any_secret(client):
    email = f"new-{uuid.uuid4().hex[:8]}@Example.com"
    response = client.post("/api/auth/register", json={"email": email, "password": PASSWORD, "display_name": "Ada"})

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "email", "display_name", "created_at", "timezone", "digest_hour",
                         "reminder_webhook_url"}
    assert body["display_name"] == "Ada"
    assert "hash" not in response.text
    assert PASSWORD not in response.text


def test_a_duplicate_email_is_409_whatever_its_case(client, make_account):
    account = make_account()
    response = client.post("/api/auth/register", json={"email": account.email.upper(), "password": PASSWORD})
    assert response.status_code == 409
    assert response.header("Content-Type") == "application/problem+json"


@pytest.mark.parametrize(
    "body",
    [
        {"email": "not-an-email", "password": PASSWORD},
        {"email": "a@example.com", "password": "short"},
        {"email": "a@example.com", "password": "x" * 129},
        {"email": "a@example.com", "password": "x" * 1_000_000},
        {"email": "a@example.com", "password": PASSWORD, "is_admin": True},
        {"email": "a@example.com"},
        {"email": "a@example.com", "password": 12345678},
    ],
    ids=["bad-email", "short", "129-chars", "huge", "unknown-field", "missing", "not-a-string"],
)
def test_invalid_registrations_are_422_problems(client, body):
    response = client.post("/api/auth/register", json=body)
    assert response.status_code == 422
    assert response.header("Content-Type") == "application/problem+json"
    assert "x" * 100 not in response.text  # the input is not echoed back


def test_a_lone_surrogate_in_a_password_is_422_not_500(client):
    raw = b'{"email": "s@example.com", "password": "abcdefgh\\ud800"}'
    response = client.post("/api/auth/register", body=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 422


@pytest.mark.parametrize("password", ["пароль-очень-длинный", "🔐🔐🔐🔐🔐🔐🔐🔐", "a" * 128, "tab\tand\nnewline"])
def test_any_unicode_password_of_8_to_128_characters_works(make_account, password):
    account = make_account(password=password)
    assert account.access_token


def test_login_sets_an_httponly_strict_cookie_scoped_to_auth(client, make_account):
    account = make_account()
    response = client.post("/api/auth/login", json={"email": account.email, "password": account.password})

    body = response.json()
    assert body["token_type"] == "Bearer"
    assert 0 < body["expires_in"] <= 900
    cookie = response.header("Set-Cookie")
    assert cookie.startswith(f"tf_refresh={body['refresh_token']}")
    for attribute in ("HttpOnly", "Secure", "SameSite=Strict", "Path=/api/auth"):
        assert attribute in cookie


def test_wrong_password_and_unknown_account_look_the_same(client, make_account):
    account = make_account()
    wrong = client.post("/api/auth/login", json={"email": account.email, "password": "not the password"})
    unknown = client.post("/api/auth/login", json={"email": "nobody@example.com", "password": "not the password"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]


def test_me_returns_the_caller(make_account):
    account = make_account(display_name="Grace")
    me = account.client.get("/api/auth/me")
    assert me.status_code == 200
    assert me.json()["email"] == account.email
    assert me.json()["display_name"] == "Grace"


def test_refresh_rotates_and_a_reused_token_revokes_the_family(client, make_account):
    account = make_account()
    first = client.post("/api/auth/refresh", json={"refresh_token": account.refresh_token})
    assert first.status_code == 200
    rotated = first.json()["refresh_token"]
    assert rotated != account.refresh_token

    reused = client.post("/api/auth/refresh", json={"refresh_token": account.refresh_token})
    assert reused.status_code == 401
    # The thief's reuse ended the legitimate chain too.
    assert client.post("/api/auth/refresh", json={"refresh_token": rotated}).status_code == 401


def test_refresh_reads_the_cookie(client, make_account):
    account = make_account()
    response = client.post("/api/auth/refresh", headers={"Cookie": f"tf_refresh={account.refresh_token}"})
    assert response.status_code == 200
    assert response.json()["access_token"] != account.access_token


def test_logout_revokes_access_and_refresh_tokens(client, make_account):
    account = make_account()
    logout = account.client.post("/api/auth/logout")
    assert logout.status_code == 204
    assert "Max-Age=0" in logout.header("Set-Cookie")

    assert account.client.get("/api/auth/me").status_code == 401
    assert client.post("/api/auth/refresh", json={"refresh_token": account.refresh_token}).status_code == 401


def test_a_password_change_revokes_every_session(client, make_account):
    account = make_account()
    other_session = client.post("/api/auth/login", json={"email": account.email, "password": account.password}).json()

    changed = account.client.post("/api/auth/password",
                                  json={"current_password": account.password, "new_password": "a brand new one"})
    assert changed.status_code == 204

    assert account.client.get("/api/auth/me").status_code == 401
    other = client.get("/api/auth/me", headers={"Authorization": f"Bearer {other_session['access_token']}"})
    assert other.status_code == 401
    old_login = client.post("/api/auth/login", json={"email": account.email, "password": account.password})
    new_login = client.post("/api/auth/login", json={"email": account.email, "password": "a brand new one"})
    assert old_login.status_code == 401
    assert new_login.status_code == 200


def test_a_wrong_current_password_changes_nothing(make_account):
    account = make_account()
    response = account.client.post("/api/auth/password",
                                   json={"current_password": "wrong password", "new_password": "a brand new one"})
    assert response.status_code == 401
    assert account.client.get("/api/auth/me").status_code == 200


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _forgeries(account) -> dict[str, str]:
    import os

    from functions.taskforge.settings import Settings

    settings = Settings.from_env(os.environ)
    now = int(time.time())
    claims = {"iss": "taskforge", "aud": "taskforge-api", "sub": account.id, "iat": now, "exp": now + 600,
              "typ": "access", "ver": 0, "jti": str(uuid.uuid4())}
    other_private, _ = ed25519_pem()
    return {
        "alg-none": f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}.",
        "expired": jwt.encode({**claims, "iat": now - 3600, "exp": now - 1800}, settings.jwt_private_key,
                              algorithm="EdDSA"),
        "wrong-audience": jwt.encode({**claims, "aud": "someone-else"}, settings.jwt_private_key, algorithm="EdDSA"),
        "wrong-issuer": jwt.encode({**claims, "iss": "evil"}, settings.jwt_private_key, algorithm="EdDSA"),
        "other-key": jwt.encode(claims, other_private, algorithm="EdDSA"),
        "refresh-as-access": account.refresh_token,
        "missing-jti": jwt.encode({k: v for k, v in claims.items() if k != "jti"}, settings.jwt_private_key,
                                  algorithm="EdDSA"),
        "garbage": "not.a.token",
    }


@pytest.mark.parametrize("kind", ["alg-none", "expired", "wrong-audience", "wrong-issuer",
                                  "other-key", "refresh-as-access", "missing-jti", "garbage"])
def test_forged_tokens_are_401(client, make_account, kind):
    account = make_account()
    token = _forgeries(account)[kind]
    response = client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.header("WWW-Authenticate") == 'Bearer realm="taskforge"'


def test_an_hs256_token_signed_with_the_public_key_is_refused(client, make_account):
    # The classic confusion attack: a verifier that trusts the header's alg would accept this.
    import hashlib
    import hmac
    import os

    from functions.taskforge.settings import Settings

    account = make_account()
    public_pem = Settings.from_env(os.environ).jwt_public_key.encode()
    now = int(time.time())
    header = _b64({"alg": "HS256", "typ": "JWT"})
    payload = _b64({"iss": "taskforge", "aud": "taskforge-api", "sub": account.id, "iat": now, "exp": now + 600,
                    "typ": "access", "ver": 0, "jti": "x"})
    signature = base64.urlsafe_b64encode(
        hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()).rstrip(b"=").decode()
    response = client.get("/api/auth/me", headers={"Authorization": f"Bearer {header}.{payload}.{signature}"})
    assert response.status_code == 401


def test_the_eleventh_failed_login_in_the_window_is_429(client, make_account):
    account = make_account()
    for _ in range(10):
        assert client.post("/api/auth/login", json={"email": account.email, "password": "wrong!!!"}).status_code == 401
    blocked = client.post("/api/auth/login", json={"email": account.email, "password": account.password})
    assert blocked.status_code == 429
    assert int(blocked.header("Retry-After")) > 0


def test_logout_with_an_expired_access_token_falls_back_to_the_refresh_cookie(client, make_account):
    account = make_account()
    expired = _forgeries(account)["expired"]
    response = client.post("/api/auth/logout", headers={"Authorization": f"Bearer {expired}",
                                                         "Cookie": f"tf_refresh={account.refresh_token}"})
    assert response.status_code == 204
    assert client.post("/api/auth/refresh", json={"refresh_token": account.refresh_token}).status_code == 401
    assert client.post("/api/auth/logout", headers={"Authorization": f"Bearer {expired}"}).status_code == 401


def test_task_responses_carry_their_version_for_if_match(make_account):
    api = make_account().client
    task = api.post("/api/tasks", json={"title": "t"})
    assert task.header("ETag") == f'"{task.json()["version"]}"'
    listed = api.get("/api/tasks").json()["items"][0]
    assert listed["version"] == task.json()["version"]
