"""The world the random run starts from, built through the API itself.

Two shared workspaces, A and B, each with an owner, an editor and a viewer; an
outsider who belongs to neither. Both shared workspaces and every personal one hold
tasks (dated, undated, done, recurring), tags on them, checklist items, reminders and
an open invitation; three users have a calendar feed.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from tests.support.wsgi_client import WsgiClient, WsgiResponse

from .model import DAY, RefreshToken, Role, User, Workspace, World, marker
from .plans import FAR, RECURRENCE, Plan, Step, iso, task_spec
from .routes_account import create_calendar_feed
from .routes_task_parts import color, plan_add_item, plan_add_reminder, plan_attach, plan_create_tag
from .routes_tasks import plan_create_task
from .routes_workspaces import plan_accept, plan_create_workspace, plan_invite
from .runner import Runner

ROLES: tuple[Role, ...] = ("owner", "editor", "viewer")
KEYS = (*(f"{name}.{role}" for name in "AB" for role in ROLES), "outsider")


class Account(Protocol):
    id: str
    email: str
    access_token: str
    refresh_token: str
    client: WsgiClient


def enrol(world: World, make_account: Callable[..., Account], rng: random.Random) -> None:
    """The seven users, registered and logged in, each with a personal workspace. The outsider
    has not verified their address yet (the others have)."""
    for key in KEYS:
        password = f"pw {key} {marker(rng.getrandbits(40))}"
        verified = key != "outsider"
        account = make_account(password=password, verified=verified)
        listing = account.client.get("/api/workspaces")
        assert listing.status_code == 200, listing.text
        personal = next(w for w in listing.json()["items"] if w["personal"])
        world.add_user(
            User(
                key,
                account.id,
                account.email,
                password,
                account.access_token,
                personal["id"],
                refresh=[RefreshToken(account.refresh_token, 0)],
                verified=verified,
            )
        )
        world.add_workspace(Workspace(personal["id"], personal["name"], True, account.id, {account.id: "owner"}))


def populate(runner: Runner, rng: random.Random, now: datetime) -> None:
    world = runner.world

    def step(user: User) -> Step:
        return Step(rng, world, user, now)

    def do(user: User, plan: Plan) -> Any:
        response: WsgiResponse = runner.send(user, plan)
        assert 200 <= response.status_code < 300, f"set-up: {plan.method} {plan.path} → {response.status_code}"
        return response.json() if response.content else None

    def stock(workspace_id: str, authors: list[User], tasks: int, tags: int) -> None:
        """Tasks (one of them recurring), tags on some, checklist items and reminders."""
        made: list[str] = []
        for index in range(tasks):
            author = authors[index % len(authors)]
            spec = task_spec(step(author), workspace_id)
            if index == 0:
                spec.update(due_date=iso(now + 3 * DAY), recurrence=RECURRENCE, timezone="UTC")
                spec.pop("completed", None)
            elif index == 1:
                spec.update(due_date=iso(FAR), completed=False)
                spec.pop("recurrence", None)
                spec.pop("timezone", None)
            made.append(do(author, plan_create_task(world, author, spec))["id"])
        labels = [
            do(author, plan_create_tag(world, author, workspace_id, step(author).word("tag"), color(step(author))))[
                "id"
            ]
            for author in (authors * tags)[:tags]
        ]
        for index, task_id in enumerate(made[:-1]):
            do(authors[0], plan_attach(world, authors[0], task_id, labels[index % len(labels)]))
        for index, task_id in enumerate(made[:3]):
            for _ in range(2 if index < 2 else 1):
                do(authors[-1], plan_add_item(world, authors[-1], task_id, step(authors[-1]).word("item")))
        do(authors[-1], plan_add_reminder(world, authors[-1], made[0], {"before_due": "PT30M"}))
        do(authors[0], plan_add_reminder(world, authors[0], made[1], {"at": iso(now + 7 * DAY)}))

    for name in "AB":
        owner, editor, viewer = (world.users[f"{name}.{role}"] for role in ROLES)
        workspace_id = do(owner, plan_create_workspace(world, owner, step(owner).word("workspace")))["id"]
        world.shared.append(workspace_id)
        joining: tuple[tuple[User, Role], ...] = ((editor, "editor"), (viewer, "viewer"))
        for member, role in joining:
            token = do(owner, plan_invite(world, owner, workspace_id, member.email, role))["token"]
            do(member, plan_accept(world, member, token))
        do(owner, plan_invite(world, owner, workspace_id, f"guest-{rng.getrandbits(40):010x}@example.com", "viewer"))
        stock(workspace_id, [editor, owner], tasks=6, tags=3)
    for user in world.users.values():
        stock(user.personal, [user], tasks=2, tags=1)
    for key in ("A.viewer", "B.editor", "outsider"):
        user = world.users[key]
        do(user, create_calendar_feed(step(user)))
    runner.checkpoint()


def run_started() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)
