"""What a request generator makes (a Plan), what it draws from (a Step), and the checks
the generators share: how a task must look in an answer, by the model."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from tests.support.wsgi_client import WsgiResponse

from .model import DAY, WRITERS, Task, User, World, marker

Check = Callable[[WsgiResponse], None]
T = TypeVar("T")

ACTOR = "actor"  # Plan.reader: the acting user's view bounds the answer
PAST = datetime(2020, 1, 1, 9, 0, tzinfo=UTC)
FAR = datetime(2030, 1, 1, 9, 0, tzinfo=UTC)
MALFORMED = "not-a-uuid"
RECURRENCE = "FREQ=DAILY"


@dataclass
class Plan:
    method: str
    path: str
    expect: frozenset[int]
    json: Any = None
    params: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    authenticated: bool = True  # sends the actor's access token; without a valid one: 401
    # The status the request's shape alone earns once the token's signature checks out,
    # before the session is looked up (a malformed id in the path: 404).
    shape_status: int | None = None
    apply: Check | None = None  # on 2xx: the world follows the change
    verify: Check | None = None  # on 2xx: the body against the world
    reader: str | None = ACTOR  # whose view the body must stay within (a user id; None: nobody's)
    history: frozenset[str] = frozenset()  # what an activity answer may show besides the reader's view


@dataclass
class Step:
    rng: random.Random
    world: World
    actor: User
    now: datetime

    def word(self, kind: str) -> str:
        return f"{kind} {marker(self.rng.getrandbits(40))}"

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def pick(self, options: Sequence[T]) -> T:
        return options[self.rng.randrange(len(options))]

    def missing_id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def gone_id(self, kind: str) -> str:
        gone = [key for key, what in self.world.gone.items() if what == kind]
        return self.pick(gone) if gone else self.missing_id()

    # -- targets: from either shared workspace, personal ones, ids that do not exist ------

    def existing_workspace(self) -> str:
        """Half the time one of the actor's own workspaces (so that writes and reads are often
        allowed, or refused for the role); else anywhere: mostly the shared ones."""
        world = self.world
        if self.chance(0.45):
            mine = [w for w in world.workspaces.values() if self.actor.id in w.members]
            together = [w.id for w in mine if len(w.members) > 1]  # where roles other than owner live
            return self.pick(together) if together and self.chance(0.75) else self.pick(mine).id
        shared = world.shared
        personal = [user.personal for user in world.users.values()]
        created = [w.id for w in world.workspaces.values() if not w.personal and w.id not in shared]
        roll = self.rng.random()
        if roll < 0.6 or not (personal or created):
            return self.pick(shared)
        if roll < 0.85 or not created:
            return self.pick(personal)
        return self.pick(created)

    def writable(self, besides: str | None) -> str | None:
        """Another workspace the actor may write to, if there is one."""
        options = [
            w.id for w in self.world.workspaces.values() if w.id != besides and w.members.get(self.actor.id) in WRITERS
        ]
        return self.pick(options) if options else None

    def workspace(self, default_allowed: bool = False) -> str | None:
        """A workspace id to aim at; None: leave it out (the caller's personal workspace)."""
        roll = self.rng.random()
        if default_allowed and roll < 0.15:
            return None
        if roll > 0.93:
            return self.missing_id()
        return self.existing_workspace()

    def task(self) -> str:
        roll = self.rng.random()
        if roll < 0.05:
            return self.missing_id()
        if roll < 0.09:
            return self.gone_id("task")
        if roll < 0.11:
            return MALFORMED
        for _ in range(4):
            workspace = self.existing_workspace()
            tasks = [task.id for task in self.world.tasks.values() if task.workspace == workspace]
            if tasks:
                return self.pick(tasks)
        everything = list(self.world.tasks)
        return self.pick(everything) if everything else self.missing_id()

    def tag(self, near: str | None = None) -> str:
        """A tag id: often one of `near` workspace's, else of any workspace, or none at all."""
        roll = self.rng.random()
        if roll < 0.07:
            return self.missing_id()
        if roll < 0.1:
            return self.gone_id("tag")
        if roll < 0.12:
            return MALFORMED
        workspace = near if near and self.chance(0.6) else self.existing_workspace()
        tags = [tag.id for tag in self.world.tags.values() if tag.workspace == workspace]
        if not tags:
            tags = list(self.world.tags)
        return self.pick(tags) if tags else self.missing_id()

    def part(self, task_id: str, table: dict[str, Any], own: Callable[[Task], Sequence[str]], kind: str) -> str:
        """A checklist item or reminder id: mostly the task's own, sometimes another task's."""
        task = self.world.tasks.get(task_id)
        roll = self.rng.random()
        if task is not None and own(task) and roll < 0.7:
            return self.pick(own(task))
        if roll < 0.85 and table:
            return self.pick(list(table))
        if roll < 0.92:
            return self.gone_id(kind)
        if roll < 0.95:
            return MALFORMED
        return self.missing_id()

    def task_with(self, own: Callable[[Task], Sequence[str]]) -> str:
        """A task that has checklist items (or reminders) where the actor is often a member."""
        for _ in range(3):
            workspace = self.existing_workspace()
            tasks = [task.id for task in self.world.tasks.values() if task.workspace == workspace and own(task)]
            if tasks:
                return self.pick(tasks)
        return self.task()

    def task_and_item(self) -> tuple[str, str]:
        task_id = self.task_with(lambda task: task.items) if self.chance(0.7) else self.task()
        return task_id, self.item(task_id)

    def task_and_reminder(self) -> tuple[str, str]:
        task_id = self.task_with(lambda task: list(task.reminders)) if self.chance(0.7) else self.task()
        return task_id, self.reminder(task_id)

    def item(self, task_id: str) -> str:
        return self.part(task_id, self.world.items, lambda task: task.items, "item")

    def reminder(self, task_id: str) -> str:
        return self.part(task_id, self.world.reminders, lambda task: list(task.reminders), "reminder")

    def email(self) -> str:
        """Someone to invite: a user of the world, one registered on the way, or a stranger."""
        roll = self.rng.random()
        if roll < 0.65:
            return self.pick(list(self.world.users.values())).email
        if roll < 0.75 and self.world.newcomers:
            return self.pick(list(self.world.newcomers.values()))
        return f"guest-{self.rng.getrandbits(40):010x}@example.com"


Generator = Callable[[Step], Plan]


def first(*statuses: int | None) -> int:
    """The first refusal that applies, in the order the rules are checked; the last one is success."""
    for status in statuses:
        if status is not None:
            return status
    raise AssertionError("no status")


def only(status: int) -> frozenset[int]:
    return frozenset({status})


def malformed(*ids: str) -> bool:
    for value in ids:
        try:
            uuid.UUID(value)
        except ValueError:
            return True
    return False


def iso(moment: datetime) -> str:
    return moment.isoformat()


def parse_instant(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def expect_equal(what: str, actual: object, expected: object) -> None:
    if actual != expected:
        raise AssertionError(f"{what}: the answer says {actual!r}, the model {expected!r}")


# -- what a body must say, by the model -----------------------------------------------


def check_task(world: World, body: dict[str, Any]) -> None:
    task = world.tasks.get(body["id"])
    if task is None:
        raise AssertionError(f"the answer shows task {body['id']}, which the model does not have")
    for tag in body["tags"]:
        home = world.tags[tag["id"]].workspace if tag["id"] in world.tags else None
        if home != body["workspace_id"]:
            raise AssertionError(
                f"task {task.id} in workspace {body['workspace_id']} carries tag {tag['id']} "
                f"{tag['name']!r} of workspace {home}"
            )
    actual = (
        body["workspace_id"],
        body["owner"],
        body["title"],
        body["description"],
        body["completed"],
        body["priority"],
        parse_instant(body["due_date"]),
        body["recurrence"] is not None,
        body["version"],
        sorted(tag["id"] for tag in body["tags"]),
        (body["checklist_progress"]["done"], body["checklist_progress"]["total"]),
    )
    done = sum(1 for item_id in task.items if world.items[item_id].done)
    expected = (
        task.workspace,
        task.owner,
        task.title,
        task.description,
        task.completed,
        task.priority,
        task.due,
        task.recurring,
        task.version,
        sorted(task.tags),
        (done, len(task.items)),
    )
    expect_equal(f"task {task.id}", actual, expected)
    for tag in body["tags"]:
        model_tag = world.tags.get(tag["id"])
        expect_equal(
            f"tag {tag['id']} on task {task.id}",
            (tag["name"], tag["color"]),
            (model_tag.name, model_tag.color) if model_tag else None,
        )


def check_task_answer(world: World, response: WsgiResponse) -> None:
    body = response.json()
    check_task(world, body)
    expect_equal("ETag", response.header("ETag"), f'"{world.tasks[body["id"]].version}"')


def task_spec(step: Step, workspace: str | None) -> dict[str, Any]:
    spec: dict[str, Any] = {"title": step.word("task"), "priority": step.pick((1, 2, 3))}
    if step.chance(0.5):
        spec["description"] = step.word("about")
    if workspace is not None:
        spec["workspace_id"] = workspace
    roll = step.rng.random()
    if roll < 0.15:
        spec.update(due_date=iso(step.pick((step.now + 3 * DAY, FAR))), recurrence=RECURRENCE, timezone="UTC")
    elif roll < 0.65:
        spec["due_date"] = iso(step.pick((PAST, step.now + 3 * DAY, FAR)))
        spec["completed"] = step.chance(0.2)
    return spec


def task_from(world: World, actor: User, spec: dict[str, Any], task_id: str) -> Task:
    return Task(
        id=task_id,
        workspace=spec.get("workspace_id") or actor.personal,
        owner=actor.id,
        title=spec["title"],
        description=spec.get("description", ""),
        completed=spec.get("completed", False),
        priority=spec.get("priority", 2),
        due=parse_instant(spec.get("due_date")),
        recurring="recurrence" in spec,
    )


def if_match(step: Step, task: Task | None) -> tuple[dict[str, str], bool]:
    """An If-Match header (none, the current ETag, a stale one or *) and whether it is stale."""
    roll = step.rng.random()
    if task is None or roll < 0.6:
        return {}, False
    if roll < 0.8:
        return {"If-Match": f'"{task.version}"'}, False
    if roll < 0.95:
        return {"If-Match": f'"{task.version - 1 if task.version > 1 else task.version + 7}"'}, True
    return {"If-Match": "*"}, False
