"""The caller's own settings (PATCH /api/auth/me) and the calendar feed, through the gateway."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from tests.support.wsgi_client import WsgiClient

PUBLIC_ADDRESS = "93.184.215.14"  # a globally routable address; nothing connects to it here


def _due(days: float) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).replace(microsecond=0).isoformat()


def _events(response) -> dict[str, dict]:
    """The feed's VEVENTs by UID, each as the values a test compares."""
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"])
    assert str(calendar["X-WR-CALNAME"]) == "TaskForge"
    events = {}
    for event in calendar.walk("VEVENT"):
        categories = event.get("CATEGORIES")
        events[str(event["UID"])] = {
            "summary": str(event["SUMMARY"]),
            "description": str(event["DESCRIPTION"]) if "DESCRIPTION" in event else None,
            "start": event.decoded("DTSTART"),
            "duration": event.decoded("DURATION"),
            "stamp": event.decoded("DTSTAMP"),
            "categories": sorted(str(c) for c in categories.cats) if categories else [],
        }
    return events


@pytest.fixture
def fake_dns(monkeypatch):
    """Host names the test decides the addresses of; IP literals resolve to themselves."""
    names: dict[str, str] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in names:
            family = socket.AF_INET6 if ":" in names[host] else socket.AF_INET
            return [(family, socket.SOCK_STREAM, 6, "", (names[host], port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return names


# PATCH /api/auth/me


def test_patch_me_changes_the_fields_sent_and_leaves_the_others(make_account):
    account = make_account(display_name="Ada")

    response = account.client.patch("/api/auth/me", json={"timezone": "Europe/Berlin", "digest_hour": 7})

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["id"] == account.id
    assert body["email"] == account.email
    assert body["display_name"] == "Ada"
    assert body["timezone"] == "Europe/Berlin"
    assert body["digest_hour"] == 7
    assert body["reminder_webhook_url"] is None
    assert body["webhook_secret"] is None
    assert set(body) == {
        "id",
        "email",
        "display_name",
        "created_at",
        "timezone",
        "reminder_webhook_url",
        "digest_hour",
        "theme",
        "webhook_secret",
    }

    renamed = account.client.patch("/api/auth/me", json={"display_name": "  Ada Lovelace  "}).json()
    assert renamed["display_name"] == "Ada Lovelace"
    assert (renamed["timezone"], renamed["digest_hour"]) == ("Europe/Berlin", 7)
    assert account.client.patch("/api/auth/me", json={"display_name": None}).json()["display_name"] is None
    assert account.client.get("/api/auth/me").json()["display_name"] is None


def test_the_user_timezone_becomes_the_default_for_recurring_tasks(make_account):
    account = make_account()
    account.client.patch("/api/auth/me", json={"timezone": "America/New_York"})
    task = account.client.post(
        "/api/tasks", json={"title": "Standup", "due_date": _due(1), "recurrence": "FREQ=DAILY"}
    ).json()
    assert task["timezone"] == "America/New_York"


def test_a_new_webhook_url_gets_a_secret_shown_once(make_account):
    account = make_account()
    url = f"https://{PUBLIC_ADDRESS}/hooks/taskforge"

    set_url = account.client.patch("/api/auth/me", json={"reminder_webhook_url": url})

    assert set_url.status_code == 200, set_url.text
    secret = set_url.json()["webhook_secret"]
    assert set_url.json()["reminder_webhook_url"] == url
    assert isinstance(secret, str)
    assert len(secret) >= 32
    # Later answers do not show it again, and GET /api/auth/me never does.
    later = account.client.patch("/api/auth/me", json={"digest_hour": 9}).json()
    assert later["webhook_secret"] is None
    assert later["reminder_webhook_url"] == url
    me = account.client.get("/api/auth/me")
    assert "webhook_secret" not in me.json()
    assert secret not in me.text
    # The same URL again keeps the secret (a form that resends every field breaks nothing).
    assert account.client.patch("/api/auth/me", json={"reminder_webhook_url": url}).json()["webhook_secret"] is None


def test_another_webhook_url_gets_another_secret_and_null_removes_both(make_account, fake_dns, api_database):
    import psycopg

    fake_dns["hooks.example.com"] = PUBLIC_ADDRESS
    account = make_account()
    first = account.client.patch("/api/auth/me", json={"reminder_webhook_url": f"https://{PUBLIC_ADDRESS}/a"})
    second = account.client.patch("/api/auth/me", json={"reminder_webhook_url": "https://hooks.example.com:8443/b"})
    assert second.status_code == 200, second.text
    assert second.json()["webhook_secret"] not in (None, first.json()["webhook_secret"])

    cleared = account.client.patch("/api/auth/me", json={"reminder_webhook_url": None})

    assert cleared.status_code == 200
    assert cleared.json()["reminder_webhook_url"] is None
    assert cleared.json()["webhook_secret"] is None
    with psycopg.connect(api_database) as conn:
        stored = conn.execute(
            "SELECT reminder_webhook_url, webhook_secret FROM users WHERE id = %s", (account.id,)
        ).fetchone()
    assert stored == (None, None)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"timezone": "Mars/Olympus_Mons"},
        {"timezone": "../../etc/passwd"},
        {"timezone": ""},
        {"timezone": None},
        {"digest_hour": 24},
        {"digest_hour": -1},
        {"digest_hour": None},
        {"display_name": ""},
        {"display_name": "x" * 101},
        {"email": "new@example.com"},
        {"webhook_secret": "chosen-by-me"},
        {"reminder_webhook_url": "not a url"},
        {"reminder_webhook_url": "https://" + "a" * 2050 + ".example.com/"},
    ],
)
def test_invalid_profile_changes_are_422_problems(make_account, body):
    response = make_account().client.patch("/api/auth/me", json=body)
    assert response.status_code == 422, response.text
    assert response.header("Content-Type") == "application/problem+json"


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.com/",  # plain http outside local development
        "https://127.0.0.1/",
        "https://localhost/",
        "https://10.0.0.1/",
        "https://192.168.1.10/hook",
        "https://172.16.0.1/",
        "https://100.64.0.1/",  # carrier-grade NAT
        "https://[::1]/",
        "https://[fd00::1]/",
        "https://[fe80::1]/",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::ffff:127.0.0.1]/",
        "https://[::ffff:169.254.169.254]/",
        "https://0.0.0.0/",
        "https://224.0.0.1/",
        "https://2130706433/",  # 127.0.0.1 as one number
        "https://rebound.example.com/",  # a name whose address is private
        "https://does-not-resolve.invalid/",
        f"https://user:password@{PUBLIC_ADDRESS}/",
        f"https://user@{PUBLIC_ADDRESS}/",
        f"ftp://{PUBLIC_ADDRESS}/",
        f"https://{PUBLIC_ADDRESS}:99999/",
    ],
)
def test_webhook_urls_that_could_reach_private_networks_are_refused(make_account, fake_dns, url):
    fake_dns["hooks.example.com"] = PUBLIC_ADDRESS
    fake_dns["rebound.example.com"] = "10.1.2.3"
    account = make_account()

    response = account.client.patch("/api/auth/me", json={"reminder_webhook_url": url})

    assert response.status_code == 422, response.text
    assert response.header("Content-Type") == "application/problem+json"
    assert "webhook" in response.json()["detail"]
    assert account.client.patch("/api/auth/me", json={"digest_hour": 8}).json()["reminder_webhook_url"] is None


def test_patch_me_needs_a_valid_token(client):
    assert client.patch("/api/auth/me", json={"digest_hour": 8}).status_code == 401


# The calendar feed


def test_the_feed_lists_exactly_my_open_dated_tasks_in_every_workspace(client, make_account):
    me, teammate, stranger = make_account(), make_account(), make_account()
    shared = teammate.client.post("/api/workspaces", json={"name": "Team"}).json()
    invitation = teammate.client.post(
        f"/api/workspaces/{shared['id']}/invitations", json={"email": me.email, "role": "viewer"}
    ).json()["token"]
    assert me.client.post(f"/api/invitations/{invitation}/accept").status_code == 200

    due_soon, due_later = _due(1), _due(3)
    later = me.client.post(
        "/api/tasks", json={"title": "Later", "due_date": due_later, "description": "line one\nline two"}
    ).json()
    soon = me.client.post("/api/tasks", json={"title": "Soon", "due_date": due_soon}).json()
    recent = me.client.post("/api/tasks", json={"title": "Overdue a little", "due_date": _due(-2)}).json()
    team_task = teammate.client.post(
        "/api/tasks", json={"title": "Team task", "due_date": _due(2), "workspace_id": shared["id"]}
    ).json()
    tag = me.client.post("/api/tags", json={"name": "Errands", "color": "#336699"}).json()
    other_tag = me.client.post("/api/tags", json={"name": "home", "color": "#112233"}).json()
    for tag_id in (tag["id"], other_tag["id"]):
        assert me.client.put(f"/api/tasks/{soon['id']}/tags/{tag_id}").status_code == 200
    # Not in the feed: undated, completed, long overdue, a teammate's personal task, a stranger's task.
    me.client.post("/api/tasks", json={"title": "Someday"})
    done = me.client.post("/api/tasks", json={"title": "Done", "due_date": _due(1)}).json()
    assert me.client.patch(f"/api/tasks/{done['id']}", json={"completed": True}).status_code == 200
    me.client.post("/api/tasks", json={"title": "Long ago", "due_date": _due(-31)})
    teammate.client.post("/api/tasks", json={"title": "Teammate's own", "due_date": _due(1)})
    stranger.client.post("/api/tasks", json={"title": "Stranger's", "due_date": _due(1)})
    stranger.client.post("/api/calendar-feed")

    created = me.client.post("/api/calendar-feed")
    assert created.status_code == 201, created.text
    url = created.json()["url"]
    assert url.startswith("/api/calendar/")
    assert url.endswith(".ics")

    feed = client.get(url)  # no Authorization header

    assert feed.status_code == 200, feed.text
    assert feed.header("Content-Type") == "text/calendar; charset=utf-8"
    assert feed.header("Cache-Control") == "private, max-age=300"
    events = _events(feed)
    assert list(events) == [f"{task['id']}@taskforge" for task in (recent, soon, team_task, later)]
    assert events[f"{soon['id']}@taskforge"]["summary"] == "Soon"
    assert events[f"{soon['id']}@taskforge"]["start"] == datetime.fromisoformat(due_soon)
    assert events[f"{soon['id']}@taskforge"]["start"].utcoffset() == timedelta(0)
    assert events[f"{soon['id']}@taskforge"]["duration"] == timedelta(minutes=30)
    assert events[f"{soon['id']}@taskforge"]["categories"] == ["Errands", "home"]
    assert events[f"{soon['id']}@taskforge"]["stamp"] <= datetime.now(UTC)
    assert events[f"{later['id']}@taskforge"]["description"] == "line one\nline two"
    assert events[f"{team_task['id']}@taskforge"]["summary"] == "Team task"
    # The same feed also answers without the .ics suffix.
    assert client.get(url.removesuffix(".ics")).status_code == 200


def test_a_task_leaves_the_feed_when_completed_and_follows_its_changes(client, make_account):
    me = make_account()
    task = me.client.post("/api/tasks", json={"title": "Before", "due_date": _due(1)}).json()
    url = me.client.post("/api/calendar-feed").json()["url"]
    moved_to = _due(5)

    me.client.patch(f"/api/tasks/{task['id']}", json={"title": "After", "due_date": moved_to})
    event = _events(client.get(url))[f"{task['id']}@taskforge"]
    assert (event["summary"], event["start"]) == ("After", datetime.fromisoformat(moved_to))

    me.client.patch(f"/api/tasks/{task['id']}", json={"completed": True})
    assert _events(client.get(url)) == {}


def test_unicode_titles_survive_the_feed(client, make_account):
    me = make_account()
    title = "Geburtstag 🎂 für Zoë — 東京で会議; a, b \\ c " + "ü" * 80
    task = me.client.post("/api/tasks", json={"title": title, "description": "Ça va? ✓", "due_date": _due(1)}).json()
    url = me.client.post("/api/calendar-feed").json()["url"]

    feed = client.get(url)

    assert all(len(line) <= 75 for line in feed.content.split(b"\r\n"))  # folded as RFC 5545 asks
    event = _events(feed)[f"{task['id']}@taskforge"]
    assert event["summary"] == title
    assert event["description"] == "Ça va? ✓"


def test_a_new_feed_url_revokes_the_old_one_and_delete_revokes_it(client, make_account):
    me = make_account()
    first = me.client.post("/api/calendar-feed").json()["url"]
    assert client.get(first).status_code == 200

    second = me.client.post("/api/calendar-feed").json()["url"]

    assert second != first
    gone = client.get(first)
    assert gone.status_code == 404
    assert gone.header("Content-Type") == "application/problem+json"
    assert client.get(second).status_code == 200

    assert me.client.delete("/api/calendar-feed").status_code == 204
    assert client.get(second).status_code == 404
    assert me.client.delete("/api/calendar-feed").status_code == 404


@pytest.mark.parametrize(
    "token",
    [
        "Qm9ndXMtdG9rZW4tdGhhdC1uZXZlci1leGlzdGVkLWhlcmU.ics",
        "Qm9ndXMtdG9rZW4tdGhhdC1uZXZlci1leGlzdGVkLWhlcmU",
        "short.ics",
        "x" * 300,
        ".ics",
        "%00",
    ],
)
def test_an_unknown_feed_token_is_404(client, token):
    response = client.get(f"/api/calendar/{token}")
    assert response.status_code == 404
    assert response.header("Content-Type") == "application/problem+json"


def test_managing_the_feed_needs_a_valid_token(client):
    assert client.post("/api/calendar-feed").status_code == 401
    assert client.delete("/api/calendar-feed").status_code == 401
    forged = WsgiClient(client.app, {"Authorization": "Bearer not-a-token"})
    assert forged.post("/api/calendar-feed").status_code == 401


def test_me_shows_the_saved_settings(make_account):
    account = make_account()
    account.client.patch("/api/auth/me", json={"timezone": "Europe/Berlin", "digest_hour": 7})
    me = account.client.get("/api/auth/me").json()
    assert (me["timezone"], me["digest_hour"], me["reminder_webhook_url"]) == ("Europe/Berlin", 7, None)
    assert "webhook_secret" not in me


# A password change


def test_a_password_change_revokes_the_calendar_feed_and_removes_the_webhook(client, make_account, api_database):
    import psycopg

    account = make_account()
    feed = account.client.post("/api/calendar-feed").json()["url"]
    hook = account.client.patch("/api/auth/me", json={"reminder_webhook_url": f"https://{PUBLIC_ADDRESS}/hooks/tf"})
    assert client.get(feed).status_code == 200
    assert hook.json()["webhook_secret"]

    changed = account.client.post(
        "/api/auth/password", json={"current_password": account.password, "new_password": "another long secret"}
    )

    assert changed.status_code == 200, changed.text
    assert changed.json() == {"calendar_feed_revoked": True, "webhook_removed": True}
    assert client.get(feed).status_code == 404
    with psycopg.connect(api_database) as conn:
        stored = conn.execute(
            "SELECT reminder_webhook_url, webhook_secret FROM users WHERE id = %s", (account.id,)
        ).fetchone()
    assert stored == (None, None)  # reminders go by e-mail until a new URL (with a new secret) is set


def test_a_refused_password_change_leaves_the_feed_and_the_webhook_alone(client, make_account, api_database):
    import psycopg

    account = make_account()
    feed = account.client.post("/api/calendar-feed").json()["url"]
    account.client.patch("/api/auth/me", json={"reminder_webhook_url": f"https://{PUBLIC_ADDRESS}/hooks/tf"})

    wrong = account.client.post(
        "/api/auth/password", json={"current_password": "not the password", "new_password": "another long secret"}
    )
    weak = account.client.post(
        "/api/auth/password", json={"current_password": account.password, "new_password": account.email}
    )

    assert (wrong.status_code, weak.status_code) == (401, 422)
    assert client.get(feed).status_code == 200
    with psycopg.connect(api_database) as conn:
        stored = conn.execute(
            "SELECT reminder_webhook_url, webhook_secret IS NOT NULL FROM users WHERE id = %s", (account.id,)
        ).fetchone()
    assert stored == (f"https://{PUBLIC_ADDRESS}/hooks/tf", True)


def test_the_theme_is_kept_on_the_account(make_account):
    api = make_account().client
    assert api.get("/api/auth/me").json()["theme"] == "system"
    changed = api.patch("/api/auth/me", json={"theme": "dark"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["theme"] == "dark"
    assert api.get("/api/auth/me").json()["theme"] == "dark"
    for wrong in ("blue", None, 1):
        refused = api.patch("/api/auth/me", json={"theme": wrong})
        assert refused.status_code == 422, wrong
        assert refused.header("Content-Type") == "application/problem+json"
    assert api.get("/api/auth/me").json()["theme"] == "dark"
