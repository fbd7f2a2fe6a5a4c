"""Accounts and sessions: registration, login, rotation, revocation, forged tokens."""

from __future__ import annotations

import base64
import json
import time
import uuid

import jwt
import pytest

from functions.platform.settings import Settings
from tests.functional.api.conftest import PASSWORD
from tests.support.keys import ed25519_pem
from tests.support.wsgi_client import WsgiClient


def test_register_returns_the_user_without_any_secret(client):
    email = f"new-{uuid.uuid4().hex[:8]}@Example.com"
    response = client.post("/api/auth/register", json={"email": email, "password": PASSWORD, "display_name": "Ada"})

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {
        "id",
        "email",
        "display_name",
        "created_at",
        "timezone",
        "digest_hour",
        "theme",
        "reminder_webhook_url",
        "email_verified",
    }
    assert body["email_verified"] is False
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


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("12345678", "most common passwords"),
        ("password", "most common passwords"),
        ("Password1", "most common passwords"),
        ("TaskForge!", "most common passwords"),
        ("        ", "only spaces"),
        ("\u3000" * 8, "only spaces"),
        ("e\u0301" * 4, "too short"),  # 8 code points, 4 characters once normalised
        ("{email}", "your e-mail address"),
        ("{EMAIL}!", "your e-mail address"),
        ("my {local} key", "the name in your e-mail address"),
    ],
    ids=[
        "digits",
        "password",
        "capitalised",
        "the-service",
        "spaces",
        "wide-spaces",
        "combining",
        "the-email",
        "the-email-shouted",
        "the-local-part",
    ],
)
def test_weak_passwords_are_refused_at_registration_saying_why(client, password, rule):
    local = f"rosalind-{uuid.uuid4().hex[:6]}"
    email = f"{local}@example.com"
    chosen = password.format(email=email, EMAIL=email.upper(), local=local)

    response = client.post("/api/auth/register", json={"email": email, "password": chosen})

    assert response.status_code == 422, response.text
    assert response.header("Content-Type") == "application/problem+json"
    [problem] = response.json()["errors"]
    assert problem["loc"] == ["body", "password"]
    assert rule in problem["msg"]
    assert set(problem) == {"loc", "msg", "type"}  # no "input": the password is never echoed
    if len(chosen.strip()) > len("password"):
        assert chosen not in response.text
    assert client.post("/api/auth/login", json={"email": email, "password": chosen}).status_code == 401


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("qwertyuiop", "most common passwords"),
        ("\t" * 9, "only spaces"),
        ("{email}", "your e-mail address"),
        ("{local}-2031", "the name in your e-mail address"),
    ],
    ids=["common", "tabs", "the-email", "the-local-part"],
)
def test_weak_new_passwords_are_refused_and_change_nothing(client, make_account, password, rule):
    account = make_account()
    chosen = password.format(email=account.email, local=account.email.partition("@")[0])

    response = account.client.post(
        "/api/auth/password", json={"current_password": account.password, "new_password": chosen}
    )

    assert response.status_code == 422, response.text
    assert response.header("Content-Type") == "application/problem+json"
    problem = response.json()
    assert rule in (problem["errors"][0]["msg"] if "errors" in problem else problem["detail"])
    assert chosen not in response.text
    assert account.client.get("/api/auth/me").status_code == 200  # still logged in: nothing changed
    login = client.post("/api/auth/login", json={"email": account.email, "password": account.password})
    assert login.status_code == 200


def test_a_lone_surrogate_in_a_password_is_422_not_500(client):
    raw = b'{"email": "s@example.com", "password": "abcdefgh\\ud800"}'
    response = client.post("/api/auth/register", body=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 422


@pytest.mark.parametrize("password", ["пароль-очень-длинный", "🔐🔐🔐🔐🔐🔐🔐🔐", "a" * 128, "tab\tand\nnewline"])
def test_any_unicode_password_of_8_to_128_characters_works(make_account, password):
    account = make_account(password=password)
    assert account.access_token


def _cookie(response, name: str) -> str:
    found = [value for value in response.header_values("Set-Cookie") if value.startswith(f"{name}=")]
    assert len(found) == 1, response.header_values("Set-Cookie")
    return found[0]


def test_login_sets_an_httponly_strict_cookie_scoped_to_auth(client, make_account):
    account = make_account()
    response = client.post("/api/auth/login", json={"email": account.email, "password": account.password})

    body = response.json()
    assert body["token_type"] == "Bearer"
    assert 0 < body["expires_in"] <= 900
    cookie = _cookie(response, "tf_refresh")
    assert cookie.startswith(f"tf_refresh={body['refresh_token']}")
    for attribute in ("HttpOnly", "Secure", "SameSite=Strict", "Path=/api/auth"):
        assert attribute in cookie
    assert body["device_token"]  # see tests/functional/login


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


def test_a_reused_refresh_token_ends_the_access_token_the_thief_already_has(client, make_account):
    account = make_account()
    stolen = client.post("/api/auth/refresh", json={"refresh_token": account.refresh_token}).json()
    thief = {"Authorization": f"Bearer {stolen['access_token']}"}
    assert client.get("/api/auth/me", headers=thief).status_code == 200

    # The owner's copy of the same refresh token comes back: one of the two is a thief.
    reused = client.post("/api/auth/refresh", json={"refresh_token": account.refresh_token})

    assert reused.status_code == 401
    assert "every session" in reused.json()["detail"]
    assert client.get("/api/auth/me", headers=thief).status_code == 401
    assert account.client.get("/api/auth/me").status_code == 401
    assert client.post("/api/auth/refresh", json={"refresh_token": stolen["refresh_token"]}).status_code == 401


OUR_PAGE = {"Origin": Settings.from_env().public_url}  # where people open the app


def test_refresh_reads_the_cookie(client, make_account):
    account = make_account()
    response = client.post("/api/auth/refresh", headers={"Cookie": f"tf_refresh={account.refresh_token}", **OUR_PAGE})
    assert response.status_code == 200
    assert response.json()["access_token"] != account.access_token


@pytest.mark.parametrize(
    "proof",
    [
        {"Origin": "http://testserver"},  # the page is served from the API's own host
        {"Sec-Fetch-Site": "same-origin"},
        {"X-TaskForge-Client": "web"},
    ],
    ids=["same-host-origin", "sec-fetch-site", "client-header"],
)
def test_the_cookie_works_with_any_proof_of_our_own_page(client, make_account, proof):
    account = make_account()
    response = client.post("/api/auth/refresh", headers={"Cookie": f"tf_refresh={account.refresh_token}", **proof})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "page",
    [
        {"Origin": "http://localhost:3000"},  # another port of the same host: same-site, not same-origin
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "same-site"},
        {},
        {"Origin": "http://localhost:3000", "X-TaskForge-Client": "web"},
    ],
    ids=["other-port", "other-site", "null-origin", "same-site-fetch", "cookie-alone", "other-origin-with-header"],
)
def test_the_cookie_alone_from_another_page_neither_refreshes_nor_logs_out(client, make_account, page):
    account = make_account()
    cookie = {"Cookie": f"tf_refresh={account.refresh_token}"}

    refreshed = client.post("/api/auth/refresh", headers={**cookie, **page})
    logged_out = client.post("/api/auth/logout", headers={**cookie, **page})

    for response in (refreshed, logged_out):
        assert response.status_code == 403, response.text
        assert response.header("Content-Type") == "application/problem+json"
        assert response.header("Set-Cookie") is None
    # Nothing happened: the session works and the refresh token was not used up.
    assert account.client.get("/api/auth/me").status_code == 200
    assert client.post("/api/auth/refresh", headers={**cookie, **OUR_PAGE}).status_code == 200


def test_logout_with_the_cookie_from_our_own_page_ends_the_session(client, make_account):
    account = make_account()
    response = client.post("/api/auth/logout", headers={"Cookie": f"tf_refresh={account.refresh_token}", **OUR_PAGE})
    assert response.status_code == 204
    assert account.client.get("/api/auth/me").status_code == 401


def test_a_bearer_token_or_a_body_token_needs_no_proof_of_origin(client, make_account):
    account = make_account()
    elsewhere = {"Origin": "https://evil.example"}
    # A page elsewhere can neither read a token nor set Authorization: whoever sends one holds it.
    assert (
        client.post("/api/auth/refresh", json={"refresh_token": account.refresh_token}, headers=elsewhere).status_code
        == 200
    )
    assert account.client.post("/api/auth/logout", headers=elsewhere).status_code == 204


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

    changed = account.client.post(
        "/api/auth/password", json={"current_password": account.password, "new_password": "a brand new one"}
    )
    assert changed.status_code == 200
    assert changed.json() == {"calendar_feed_revoked": False, "webhook_removed": False}
    assert "Max-Age=0" in changed.header("Set-Cookie")

    assert account.client.get("/api/auth/me").status_code == 401
    other = client.get("/api/auth/me", headers={"Authorization": f"Bearer {other_session['access_token']}"})
    assert other.status_code == 401
    old_login = client.post("/api/auth/login", json={"email": account.email, "password": account.password})
    new_login = client.post("/api/auth/login", json={"email": account.email, "password": "a brand new one"})
    assert old_login.status_code == 401
    assert new_login.status_code == 200


def test_a_wrong_current_password_changes_nothing(make_account):
    account = make_account()
    response = account.client.post(
        "/api/auth/password", json={"current_password": "wrong password", "new_password": "a brand new one"}
    )
    assert response.status_code == 401
    assert account.client.get("/api/auth/me").status_code == 200


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _forgeries(account) -> dict[str, str]:
    import os

    from functions.platform.settings import Settings

    settings = Settings.from_env(os.environ)
    now = int(time.time())
    claims = {
        "iss": "taskforge",
        "aud": "taskforge-api",
        "sub": account.id,
        "iat": now,
        "exp": now + 600,
        "typ": "access",
        "ver": 0,
        "jti": str(uuid.uuid4()),
    }
    other_private, _ = ed25519_pem()
    return {
        "alg-none": f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}.",
        "expired": jwt.encode(
            {**claims, "iat": now - 3600, "exp": now - 1800}, settings.jwt_private_key, algorithm="EdDSA"
        ),
        "wrong-audience": jwt.encode({**claims, "aud": "someone-else"}, settings.jwt_private_key, algorithm="EdDSA"),
        "wrong-issuer": jwt.encode({**claims, "iss": "evil"}, settings.jwt_private_key, algorithm="EdDSA"),
        "other-key": jwt.encode(claims, other_private, algorithm="EdDSA"),
        "refresh-as-access": account.refresh_token,
        "missing-jti": jwt.encode(
            {k: v for k, v in claims.items() if k != "jti"}, settings.jwt_private_key, algorithm="EdDSA"
        ),
        "garbage": "not.a.token",
    }


@pytest.mark.parametrize(
    "kind",
    [
        "alg-none",
        "expired",
        "wrong-audience",
        "wrong-issuer",
        "other-key",
        "refresh-as-access",
        "missing-jti",
        "garbage",
    ],
)
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

    from functions.platform.settings import Settings

    account = make_account()
    public_pem = Settings.from_env(os.environ).jwt_public_key.encode()
    now = int(time.time())
    header = _b64({"alg": "HS256", "typ": "JWT"})
    payload = _b64(
        {
            "iss": "taskforge",
            "aud": "taskforge-api",
            "sub": account.id,
            "iat": now,
            "exp": now + 600,
            "typ": "access",
            "ver": 0,
            "jti": "x",
        }
    )
    signature = (
        base64.urlsafe_b64encode(hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest())
        .rstrip(b"=")
        .decode()
    )
    response = client.get("/api/auth/me", headers={"Authorization": f"Bearer {header}.{payload}.{signature}"})
    assert response.status_code == 401


def test_the_eleventh_failed_login_in_the_window_is_429(gateway, make_account):
    # An address of its own: failures also count per client address.
    client = WsgiClient(gateway, {"X-Forwarded-For": f"198.51.100.{uuid.uuid4().int % 254 + 1}"})
    account = make_account()
    for _ in range(10):
        assert client.post("/api/auth/login", json={"email": account.email, "password": "wrong!!!"}).status_code == 401
    blocked = client.post("/api/auth/login", json={"email": account.email, "password": account.password})
    assert blocked.status_code == 429
    assert int(blocked.header("Retry-After")) > 0


def test_logout_with_an_expired_access_token_falls_back_to_the_refresh_cookie(client, make_account):
    account = make_account()
    expired = _forgeries(account)["expired"]
    response = client.post(
        "/api/auth/logout",
        headers={"Authorization": f"Bearer {expired}", "Cookie": f"tf_refresh={account.refresh_token}", **OUR_PAGE},
    )
    assert response.status_code == 204
    assert client.post("/api/auth/refresh", json={"refresh_token": account.refresh_token}).status_code == 401
    assert client.post("/api/auth/logout", headers={"Authorization": f"Bearer {expired}"}).status_code == 401


def test_task_responses_carry_their_version_for_if_match(make_account):
    api = make_account().client
    task = api.post("/api/tasks", json={"title": "t"})
    assert task.header("ETag") == f'"{task.json()["version"]}"'
    listed = api.get("/api/tasks").json()["items"][0]
    assert listed["version"] == task.json()["version"]
