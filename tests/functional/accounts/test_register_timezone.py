"""Registration takes the browser's time zone: one the server knows becomes the account's,
anything else is 422 (and no account is made), and UTC only when none was sent. The
profile (GET and PATCH /api/auth/me) shows and changes it under the same rule."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from tests.functional.api.conftest import PASSWORD

# Not zones of the IANA database: made up, a folder of it, files beside it, a path, case.
UNKNOWN = ["Mars/Olympus_Mons", "America", "localtime", "posixrules", "zone.tab", "../../etc/passwd", "utc", ""]


def _register(client, **fields):
    email = f"tz-{uuid.uuid4().hex[:10]}@example.com"
    return email, client.post("/api/auth/register", json={"email": email, "password": PASSWORD, **fields})


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/Argentina/Buenos_Aires", "Asia/Kolkata", "UTC"])
def test_the_zone_sent_becomes_the_accounts(client, zone):
    email, registered = _register(client, timezone=zone)

    assert registered.status_code == 201, registered.text
    assert registered.json()["timezone"] == zone
    login = client.post("/api/auth/login", json={"email": email, "password": PASSWORD}).json()
    me = client.get("/api/auth/me", headers={"Authorization": f"Bearer {login['access_token']}"})
    assert me.json()["timezone"] == zone


def test_without_a_zone_the_account_is_in_utc(client):
    _, registered = _register(client)

    assert registered.status_code == 201, registered.text
    assert registered.json()["timezone"] == "UTC"


def test_surrounding_spaces_are_not_part_of_the_zone(client):
    _, registered = _register(client, timezone="  Pacific/Auckland ")

    assert registered.json()["timezone"] == "Pacific/Auckland"


@pytest.mark.parametrize("zone", [*UNKNOWN, None, 7, "Europe/" + "x" * 64])
def test_a_zone_the_server_does_not_know_is_422_and_makes_no_account(client, api_database, zone):
    email, refused = _register(client, timezone=zone)

    assert refused.status_code == 422, refused.text
    assert refused.header("Content-Type") == "application/problem+json"
    assert [error["loc"] for error in refused.json()["errors"]] == [["body", "timezone"]]
    with psycopg.connect(api_database) as conn:
        assert conn.execute("SELECT count(*) FROM users WHERE email = %s", (email,)).fetchone() == (0,)


@pytest.mark.parametrize("zone", UNKNOWN)
def test_the_profile_refuses_the_same_zones(make_account, zone):
    account = make_account()

    refused = account.client.patch("/api/auth/me", json={"timezone": zone})

    assert refused.status_code == 422, refused.text
    assert account.client.get("/api/auth/me").json()["timezone"] == "UTC"


def test_the_profile_changes_the_zone_registration_set(client):
    email, _ = _register(client, timezone="Europe/Lisbon")
    login = client.post("/api/auth/login", json={"email": email, "password": PASSWORD}).json()
    headers = {"Authorization": f"Bearer {login['access_token']}"}

    changed = client.patch("/api/auth/me", json={"timezone": "Australia/Perth"}, headers=headers)

    assert changed.status_code == 200, changed.text
    assert changed.json()["timezone"] == "Australia/Perth"
    assert client.get("/api/auth/me", headers=headers).json()["timezone"] == "Australia/Perth"
