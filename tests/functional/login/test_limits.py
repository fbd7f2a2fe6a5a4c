"""Failed-login limits through the in-process API: per account (whatever the spelling of
its address), per client address, and per known device. Each test speaks for clients of
its own (X-Forwarded-For from the loopback, which the tests' settings trust)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import psycopg
import pytest

from tests.support.wsgi_client import WsgiClient

LIMIT = 10  # settings.login_max_failures
WRONG = "not the password"


@pytest.fixture
def from_address(gateway) -> Callable[[], WsgiClient]:
    """A client at an address no other test uses (a /64 of the IPv6 documentation prefix)."""

    def make() -> WsgiClient:
        block = uuid.uuid4().hex
        return WsgiClient(gateway, {"X-Forwarded-For": f"2001:db8:{block[:4]}:{block[4:8]}::1"})

    return make


def _login(client: WsgiClient, email: str, password: str, device_token: str | None = None):
    body = {"email": email, "password": password, **({"device_token": device_token} if device_token else {})}
    return client.post("/api/auth/login", json=body)


def _spellings(database_url: str, email: str) -> list[str]:
    """Other spellings of `email` that the users.email column takes for the same address."""
    local, _, domain = email.partition("@")
    candidates = [email.upper(), local.replace("i", "İ") + "@" + domain, local.title() + "@" + domain.upper()]
    with psycopg.connect(database_url) as conn:
        same = [c for c in candidates if conn.execute("SELECT %s::citext = %s::citext", (c, email)).fetchone()[0]]
    assert len(same) >= 2
    return same


def test_every_spelling_the_database_takes_for_the_address_counts_for_the_one_account(
    from_address, make_account, api_database
):
    account = make_account()
    spellings = _spellings(api_database, account.email.replace("user-", "iris-"))
    # The account's address with an i in it, as registered, and its spellings.
    iris = account.email.replace("user-", "iris-")
    with psycopg.connect(api_database, autocommit=True) as conn:
        conn.execute("UPDATE users SET email = %s WHERE id = %s", (iris, account.id))
    attacker = from_address()

    answers = [_login(attacker, spellings[i % len(spellings)], WRONG).status_code for i in range(LIMIT)]
    blocked = _login(from_address(), iris, account.password)

    assert answers == [401] * LIMIT
    assert blocked.status_code == 429, blocked.text
    assert 0 < int(blocked.header("Retry-After")) <= 900
    for spelling in spellings:
        assert _login(from_address(), spelling, account.password).status_code == 429


def test_the_spellings_of_an_address_with_no_account_share_one_limit(from_address, api_database):
    nobody = f"mina-{uuid.uuid4().hex[:8]}@example.com"
    spellings = [nobody, *_spellings(api_database, nobody)]

    answers = [_login(from_address(), spellings[i % len(spellings)], WRONG).status_code for i in range(LIMIT + 3)]

    assert answers == [401] * LIMIT + [429] * 3


def test_a_client_address_that_failed_too_often_is_refused_and_no_one_else(from_address, make_account):
    account = make_account()
    sprayer, neighbour = from_address(), from_address()
    # Password spraying: one guess each at many addresses, none of them near its own limit.
    for _ in range(5 * LIMIT):
        assert _login(sprayer, f"spray-{uuid.uuid4().hex[:8]}@example.com", WRONG).status_code == 401

    refused = _login(sprayer, account.email, account.password)

    assert refused.status_code == 429, refused.text
    assert refused.header("Content-Type") == "application/problem+json"
    assert _login(neighbour, account.email, account.password).status_code == 200


def test_right_passwords_do_not_count_against_the_client_address(from_address, make_account):
    account, office = make_account(), from_address()
    # Many people behind one address log in all day: only failures count.
    for _ in range(5 * LIMIT + 1):
        assert _login(office, account.email, account.password).status_code == 200


def test_a_known_device_still_logs_in_while_others_have_locked_the_account(from_address, make_account):
    account, other = make_account(), make_account()
    owner = from_address()
    device = _login(owner, account.email, account.password).json()["device_token"]
    other_device = _login(from_address(), other.email, other.password).json()["device_token"]
    attacker = from_address()
    for _ in range(LIMIT):
        assert _login(attacker, account.email, WRONG).status_code == 401

    # Without the device token the account is locked, for the attacker and anyone new.
    assert _login(attacker, account.email, account.password).status_code == 429
    assert _login(from_address(), account.email, account.password).status_code == 429
    assert _login(attacker, account.email, account.password, other_device).status_code == 429
    assert _login(attacker, account.email, account.password, "not.a.token").status_code == 429
    # With it, the owner gets in, and gets a new device token.
    welcome = _login(owner, account.email, account.password, device)
    assert welcome.status_code == 200, welcome.text
    assert welcome.json()["device_token"] not in (None, device)


def test_a_device_token_has_a_limit_of_its_own(from_address, make_account):
    account = make_account()
    client = from_address()
    device = _login(client, account.email, account.password).json()["device_token"]

    answers = [_login(client, account.email, WRONG, device).status_code for _ in range(LIMIT + 1)]

    assert answers == [401] * LIMIT + [429]
    assert _login(client, account.email, account.password, device).status_code == 429
    # Its failures were its own: the account is not locked for others.
    assert _login(from_address(), account.email, account.password).status_code == 200


def test_a_new_password_invalidates_every_device_token(from_address, make_account):
    account = make_account()
    device = _login(from_address(), account.email, account.password).json()["device_token"]
    new_password = "a quite different passphrase"
    changed = account.client.post(
        "/api/auth/password", json={"current_password": account.password, "new_password": new_password}
    )
    assert changed.status_code == 200
    for _ in range(LIMIT):
        assert _login(from_address(), account.email, WRONG).status_code == 401

    assert _login(from_address(), account.email, new_password, device).status_code == 429


def test_expired_windows_are_purged_as_logins_happen(from_address, make_account, api_database):
    stale = [f"client:stale-{uuid.uuid4().hex[:8]}" for _ in range(3)]
    with psycopg.connect(api_database, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO login_failures (key, failures, window_start)"
            " SELECT unnest(%s::text[]), 7, now() - interval '3 hours'",
            (stale,),
        )
    account = make_account()

    assert _login(from_address(), account.email, account.password).status_code == 200

    with psycopg.connect(api_database) as conn:
        left = conn.execute("SELECT count(*) FROM login_failures WHERE key = ANY(%s)", (stale,)).fetchone()[0]
    assert left == 0
