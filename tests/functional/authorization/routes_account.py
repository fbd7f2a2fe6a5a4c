"""Request generators of the caller's own account, the calendar feed and the public routes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.support.wsgi_client import WsgiResponse

from .model import User, marker
from .plans import Generator, Plan, Step, expect_equal, first, only

# -- the caller's own account -----------------------------------------------------------


def register(step: Step) -> Plan:
    world = step.world
    existing = step.chance(0.2)
    email = (
        step.pick(list(world.users.values())).email if existing else f"new-{step.rng.getrandbits(40):010x}@example.com"
    )

    def apply(response: WsgiResponse) -> None:
        world.newcomers[response.json()["id"]] = email

    def verify(response: WsgiResponse) -> None:
        expect_equal("registered e-mail", response.json()["email"], email)

    return Plan(
        "POST",
        "/api/auth/register",
        only(409 if existing else 201),
        json={"email": email, "password": f"pw {marker(step.rng.getrandbits(40))}"},
        authenticated=False,
        apply=apply,
        verify=verify,
        reader=None,
    )


LOGIN_LIMIT = 10  # failures per account in the window (settings.login_max_failures)


def login(step: Step) -> Plan:
    world, actor = step.world, step.actor
    roll = step.rng.random()
    email, password = actor.email, actor.password
    # Failures count per account and per address; stay well below the limits so that every
    # user can always log in again.
    if actor.session_valid and roll < 0.45 and world.ip_failures < 4 * LOGIN_LIMIT:
        other = step.pick(list(world.users.values()))
        if roll < 0.15:
            email = f"nobody-{step.rng.getrandbits(40):010x}@example.com"
        elif world.login_failures.get(other.email.lower(), 0) < LOGIN_LIMIT - 2:
            email = other.email
        if email != actor.email or world.login_failures.get(email.lower(), 0) < LOGIN_LIMIT - 2:
            password = "not the password"
    account = email.lower()
    limited = world.login_failures.get(account, 0) >= LOGIN_LIMIT or world.ip_failures >= 5 * LOGIN_LIMIT
    right = email == actor.email and password == actor.password
    status = first(429 if limited else None, None if right else 401, 200)

    def apply(response: WsgiResponse) -> None:
        tokens = response.json()
        world.login(actor, tokens["access_token"], tokens["refresh_token"])

    if status == 401:
        world.login_failures[account] = world.login_failures.get(account, 0) + 1
        world.ip_failures += 1
    return Plan(
        "POST",
        "/api/auth/login",
        only(status),
        json={"email": email, "password": password},
        authenticated=False,
        apply=apply,
        reader=None,
    )


def refresh(step: Step) -> Plan:
    world, actor = step.world, step.actor
    current = actor.current_refresh()
    used = [token for token in actor.refresh if token.used and not token.revoked]
    roll = step.rng.random()
    chosen = current
    if roll < 0.2 and used:
        chosen = step.pick(used)
    token = chosen.token if chosen is not None and roll < 0.9 else "not.a.token"
    valid = chosen is not None and token == chosen.token and not chosen.used and not chosen.revoked
    replayed = chosen is not None and token == chosen.token and chosen.used and not chosen.revoked

    def apply(response: WsgiResponse) -> None:
        assert chosen is not None
        tokens = response.json()
        world.rotate(actor, chosen, tokens["access_token"], tokens["refresh_token"])

    if replayed:
        assert chosen is not None
        world.replayed(actor, chosen)
    return Plan(
        "POST",
        "/api/auth/refresh",
        only(200 if valid else 401),
        json={"refresh_token": token},
        authenticated=False,
        apply=apply,
        reader=None,
    )


def logout(step: Step) -> Plan:
    world, actor = step.world, step.actor
    return Plan("POST", "/api/auth/logout", only(204), apply=lambda response: world.end_sessions(actor))


def change_password(step: Step) -> Plan:
    world, actor = step.world, step.actor
    right = step.chance(0.7)
    new = f"pw {marker(step.rng.getrandbits(40))}"

    had_feed = actor.feed is not None

    def apply(response: WsgiResponse) -> None:
        actor.password = new
        world.end_sessions(actor)
        if had_feed:  # whoever knew the old password may have the feed's URL
            world.revoke_feed(actor)

    def verify(response: WsgiResponse) -> None:
        expect_equal(
            "what the change revoked", response.json(), {"calendar_feed_revoked": had_feed, "webhook_removed": False}
        )

    return Plan(
        "POST",
        "/api/auth/password",
        only(200 if right else 401),
        json={"current_password": actor.password if right else "not the password", "new_password": new},
        apply=apply,
        verify=verify,
    )


def get_me(step: Step) -> Plan:
    actor = step.actor

    def verify(response: WsgiResponse) -> None:
        body = response.json()
        expect_equal(
            "me",
            (body["id"], body["email"], body["display_name"], body["digest_hour"]),
            (actor.id, actor.email, actor.display_name, actor.digest_hour),
        )

    return Plan("GET", "/api/auth/me", only(200), verify=verify)


def patch_me(step: Step) -> Plan:
    actor = step.actor
    body: dict[str, Any] = (
        {"display_name": step.word("name")} if step.chance(0.5) else {"digest_hour": step.rng.randint(0, 23)}
    )

    def apply(response: WsgiResponse) -> None:
        actor.display_name = body.get("display_name", actor.display_name)
        actor.digest_hour = body.get("digest_hour", actor.digest_hour)

    def verify(response: WsgiResponse) -> None:
        answer = response.json()
        expect_equal(
            "profile",
            (answer["id"], answer["display_name"], answer["digest_hour"]),
            (actor.id, actor.display_name, actor.digest_hour),
        )

    return Plan("PATCH", "/api/auth/me", only(200), json=body, apply=apply, verify=verify)


# -- the calendar feed ------------------------------------------------------------------

FEED_PREFIX = "/api/calendar/"


def create_calendar_feed(step: Step) -> Plan:
    world, actor = step.world, step.actor

    def apply(response: WsgiResponse) -> None:
        url = response.json()["url"]
        assert url.startswith(FEED_PREFIX), url
        assert url.endswith(".ics"), url
        world.new_feed(actor, url.removeprefix(FEED_PREFIX).removesuffix(".ics"))

    return Plan("POST", "/api/calendar-feed", only(201), apply=apply)


def delete_calendar_feed(step: Step) -> Plan:
    world, actor = step.world, step.actor
    return Plan(
        "DELETE",
        "/api/calendar-feed",
        only(204 if actor.feed else 404),
        apply=lambda response: world.revoke_feed(actor),
    )


def get_calendar(step: Step) -> Plan:
    world = step.world
    users = list(world.users.values())
    live = [user for user in users if user.feed]
    revoked = [(user, token) for user in users for token in user.old_feeds]
    roll = step.rng.random()
    owner: User | None = None
    if roll < 0.65 and live:
        owner = step.pick(live)
        assert owner.feed is not None
        token = owner.feed
    elif roll < 0.85 and revoked:
        token = step.pick(revoked)[1]
    else:
        token = f"{step.rng.getrandbits(256):064x}"[:43]
    suffix = ".ics" if step.chance(0.7) else ""

    def verify(response: WsgiResponse) -> None:
        assert owner is not None
        listed = {
            line.removeprefix("UID:").removesuffix("@taskforge")
            for line in unfold(response.text).splitlines()
            if line.startswith("UID:")
        }
        expect_equal(f"calendar of {owner.key}", sorted(listed), sorted(world.calendar(owner.id, datetime.now(UTC))))

    return Plan(
        "GET",
        f"{FEED_PREFIX}{token}{suffix}",
        only(200 if owner else 404),
        authenticated=False,
        verify=verify,
        reader=owner.id if owner else None,
    )


def unfold(text: str) -> str:
    """iCalendar text with its folded lines joined again (RFC 5545 §3.1)."""
    return text.replace("\r\n ", "").replace("\n ", "")


# -- what anyone may read ---------------------------------------------------------------


def request_password_reset(step: Step) -> Plan:
    """The same answer for an address with an account and one without (202), until the
    address's hourly limit (429); nothing in the world changes until a link is used."""
    known = step.chance(0.5)
    email = (
        step.pick(list(step.world.users.values())).email
        if known
        else f"nobody-{step.rng.getrandbits(40):010x}@example.com"
    )
    return Plan(
        "POST",
        "/api/auth/password-reset",
        frozenset({202, 429}),
        json={"email": email},
        authenticated=False,
        reader=None,
    )


def reset_password(step: Step) -> Plan:
    """A token that was never sent sets no password: 400, whoever sends it."""
    token = f"{step.rng.getrandbits(256):064x}"[:43] if step.chance(0.8) else "short"
    return Plan(
        "POST",
        f"/api/auth/password-reset/{token}",
        only(400),
        json={"new_password": f"pw {marker(step.rng.getrandbits(40))}"},
        authenticated=False,
        reader=None,
    )


def public(path: str) -> Generator:
    def generate(step: Step) -> Plan:
        return Plan("GET", path, only(200), authenticated=False, reader=None)

    return generate
