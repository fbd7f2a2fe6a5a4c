"""Request generators of the task routes: tasks, statistics and the activity feeds."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.support.wsgi_client import WsgiResponse

from .model import DAY, User, World
from .plans import (
    FAR,
    MALFORMED,
    PAST,
    Plan,
    Step,
    check_task,
    check_task_answer,
    expect_equal,
    first,
    if_match,
    iso,
    malformed,
    only,
    parse_instant,
    task_from,
    task_spec,
)

# -- tasks ------------------------------------------------------------------------------


def plan_create_task(world: World, actor: User, spec: dict[str, Any]) -> Plan:
    workspace = spec.get("workspace_id") or actor.personal

    def apply(response: WsgiResponse) -> None:
        world.add_task(task_from(world, actor, spec, response.json()["id"]))

    return Plan(
        "POST",
        "/api/tasks",
        only(first(world.write_refusal(actor.id, workspace), 201)),
        json=spec,
        apply=apply,
        verify=lambda response: check_task_answer(world, response),
    )


def create_task(step: Step) -> Plan:
    return plan_create_task(step.world, step.actor, task_spec(step, step.workspace(default_allowed=True)))


def create_tasks_batch(step: Step) -> Plan:
    world, actor = step.world, step.actor
    first_target = step.workspace(default_allowed=True)
    specs = [
        task_spec(step, first_target if step.chance(0.75) else step.workspace(default_allowed=True))
        for _ in range(step.rng.randint(1, 3))
    ]
    refusals = {world.write_refusal(actor.id, spec.get("workspace_id") or actor.personal) for spec in specs}
    refusals.discard(None)
    # Every workspace is checked before anything is written; which refusal comes first is not specified.
    expect = frozenset(status for status in refusals if status is not None) or only(201)

    def apply(response: WsgiResponse) -> None:
        for spec, item in zip(specs, response.json()["items"], strict=True):
            world.add_task(task_from(world, actor, spec, item["id"]))

    def verify(response: WsgiResponse) -> None:
        for item in response.json()["items"]:
            check_task(world, item)

    return Plan("POST", "/api/tasks/batch", expect, json={"tasks": specs}, apply=apply, verify=verify)


def list_tasks(step: Step) -> Plan:
    world, actor = step.world, step.actor
    workspace = step.workspace(default_allowed=True)
    scope = workspace or actor.personal
    params: dict[str, Any] = {"limit": 100}
    if workspace is not None:
        params["workspace_id"] = workspace
    tag = step.tag(scope) if step.chance(0.3) else None
    if tag == MALFORMED:
        tag = step.missing_id()
    if tag is not None:
        params["tag"] = tag

    def verify(response: WsgiResponse) -> None:
        items = response.json()["items"]
        wanted = {
            task.id for task in world.tasks.values() if task.workspace == scope and (tag is None or tag in task.tags)
        }
        listed = {item["id"] for item in items}
        if len(wanted) <= 100:
            expect_equal(f"tasks of {scope} (tag {tag})", sorted(listed), sorted(wanted))
        elif not (listed <= wanted and len(listed) == 100):
            raise AssertionError(f"tasks of {scope}: {sorted(listed - wanted)} are not the workspace's")
        for item in items:
            check_task(world, item)

    return Plan(
        "GET", "/api/tasks", only(first(world.read_refusal(actor.id, scope), 200)), params=params, verify=verify
    )


def get_task(step: Step) -> Plan:
    world, task_id = step.world, step.task()
    status = 404 if malformed(task_id) else first(world.read_refusal(step.actor.id, world.task_workspace(task_id)), 200)
    return Plan(
        "GET",
        f"/api/tasks/{task_id}",
        only(status),
        shape_status=404 if malformed(task_id) else None,
        verify=lambda response: check_task_answer(world, response),
    )


def patch_task(step: Step) -> Plan:
    world, actor = step.world, step.actor
    change = step.pick(
        (
            "move",
            "move",
            "move",
            "move",
            "title",
            "title",
            "description",
            "priority",
            "priority",
            "completed",
            "completed",
            "due",
        )
    )
    # Moving a tagged task is where tags of one workspace could follow it into another.
    task_id = step.task_with(lambda task: list(task.tags)) if change == "move" and step.chance(0.5) else step.task()
    task = world.tasks.get(task_id)
    headers, stale = if_match(step, task)
    refusal = 404 if task is None else world.write_refusal(actor.id, task.workspace)
    body: dict[str, Any] = {}
    later: int | None = None  # a refusal checked after the task's own (If-Match comes first)
    if change == "move":
        target = (
            (step.writable(task.workspace) if task is not None and step.chance(0.5) else None)
            or step.workspace()
            or step.missing_id()
        )
        moving = task is not None and target != task.workspace
        later = world.write_refusal(actor.id, target) if moving else None
        body = {"workspace_id": target}
    if change == "title":
        body = {"title": step.word("task")}
    elif change == "description":
        body = {"description": step.word("about")}
    elif change == "priority":
        body = {"priority": step.pick((1, 2, 3))}
    elif change == "completed":
        body = {"completed": step.chance(0.6)}
    elif change == "due":
        due = step.pick((None, PAST, step.now + 3 * DAY, FAR))
        if task is not None and task.recurring:
            due = None  # a recurring task's due date moves with its occurrences; clearing it: 422
            later = 422
        body = {"due_date": None if due is None else iso(due)}
    status = 404 if malformed(task_id) else first(refusal, 412 if stale else None, later, 200)

    def apply(response: WsgiResponse) -> None:
        assert task is not None
        task.version += 1
        if "workspace_id" in body and body["workspace_id"] != task.workspace:
            world.move(task, body["workspace_id"])
        if "title" in body:
            world.retitle(task, body["title"])
        if "description" in body:
            task.description = body["description"]
            world.remember(("task", task.id), body["description"].split()[-1])
        if "priority" in body:
            task.priority = body["priority"]
        if "completed" in body:
            if body["completed"] and not task.completed and task.recurring:
                world.advance(task, completed=True)  # recorded; the task moves to the next one
            else:
                task.completed = body["completed"]
        if "due_date" in body:
            task.due = parse_instant(body["due_date"])
        world.event(task)

    return Plan(
        "PATCH",
        f"/api/tasks/{task_id}",
        only(status),
        json=body,
        headers=headers,
        shape_status=404 if malformed(task_id) else None,
        apply=apply,
        verify=lambda response: check_task_answer(world, response),
    )


def delete_task(step: Step) -> Plan:
    world, task_id = step.world, step.task()
    task = world.tasks.get(task_id)
    headers, stale = if_match(step, task)
    refusal = 404 if task is None else world.write_refusal(step.actor.id, task.workspace)
    status = 404 if malformed(task_id) else first(refusal, 412 if stale else None, 204)

    def apply(response: WsgiResponse) -> None:
        assert task is not None
        world.event(task)
        world.delete_task(task)

    return Plan(
        "DELETE",
        f"/api/tasks/{task_id}",
        only(status),
        headers=headers,
        shape_status=404 if malformed(task_id) else None,
        apply=apply,
    )


def skip_occurrence(step: Step) -> Plan:
    world = step.world
    task_id = step.task_with(lambda task: ["recurring"] if task.recurring else []) if step.chance(0.5) else step.task()
    task = world.tasks.get(task_id)
    headers, stale = if_match(step, task)
    refusal = 404 if task is None else world.write_refusal(step.actor.id, task.workspace)
    not_recurring = 409 if task is not None and not task.recurring else None
    status = 404 if malformed(task_id) else first(refusal, 412 if stale else None, not_recurring, 200)

    def apply(response: WsgiResponse) -> None:
        assert task is not None
        task.version += 1
        world.advance(task, completed=False)
        world.event(task)

    return Plan(
        "POST",
        f"/api/tasks/{task_id}/skip",
        only(status),
        headers=headers,
        shape_status=404 if malformed(task_id) else None,
        apply=apply,
        verify=lambda response: check_task_answer(world, response),
    )


def get_stats(step: Step) -> Plan:
    world, actor = step.world, step.actor
    workspace = step.workspace(default_allowed=True)
    scope = workspace or actor.personal

    def verify(response: WsgiResponse) -> None:
        body = response.json()
        tasks = [task for task in world.tasks.values() if task.workspace == scope]
        now = datetime.now(UTC)
        expected = (
            len(tasks),
            sum(task.completed for task in tasks),
            sum(1 for task in tasks if not task.completed and task.due is not None and task.due < now),
            {str(p): sum(1 for task in tasks if task.priority == p) for p in (1, 2, 3)},
        )
        expect_equal(
            f"stats of {scope}", (body["total"], body["completed"], body["overdue"], body["by_priority"]), expected
        )

    return Plan(
        "GET",
        "/api/stats",
        only(first(world.read_refusal(actor.id, scope), 200)),
        params=None if workspace is None else {"workspace_id": workspace},
        verify=verify,
    )


def get_stats_history(step: Step) -> Plan:
    world, actor = step.world, step.actor
    workspace = step.workspace(default_allowed=True)
    scope = workspace or actor.personal
    days = step.pick((7, 30))

    def verify(response: WsgiResponse) -> None:
        body = response.json()
        tasks = [task for task in world.tasks.values() if task.workspace == scope]
        # Every task of the world was made during the run, so within the window.
        expected = (days, sum(task.completed for task in tasks) + sum(task.completions for task in tasks), len(tasks))
        expect_equal(
            f"history of {scope}",
            (
                len(body["days"]),
                sum(day["completed"] for day in body["days"]),
                sum(day["created"] for day in body["days"]),
            ),
            expected,
        )

    params: dict[str, Any] = {"days": days}
    if workspace is not None:
        params["workspace_id"] = workspace
    return Plan(
        "GET", "/api/stats/history", only(first(world.read_refusal(actor.id, scope), 200)), params=params, verify=verify
    )


# -- activity ---------------------------------------------------------------------------


def list_activity(step: Step) -> Plan:
    world, actor = step.world, step.actor
    workspace = step.workspace(default_allowed=True)
    scope = workspace or actor.personal

    def verify(response: WsgiResponse) -> None:
        for item in response.json()["items"]:
            expect_equal(f"workspace of activity {item['id']}", item["data"]["workspace_id"], scope)

    return Plan(
        "GET",
        "/api/activity",
        only(first(world.read_refusal(actor.id, scope), 200)),
        params={"limit": 100, **({} if workspace is None else {"workspace_id": workspace})},
        verify=verify,
        history=frozenset(world.workspace_history.get(scope, ())),
    )


def task_activity(step: Step) -> Plan:
    world, task_id = step.world, step.task()
    status = 404 if malformed(task_id) else first(world.read_refusal(step.actor.id, world.task_workspace(task_id)), 200)

    def verify(response: WsgiResponse) -> None:
        for item in response.json()["items"]:
            expect_equal(f"task of activity {item['id']}", item["task_id"], task_id)

    return Plan(
        "GET",
        f"/api/tasks/{task_id}/activity",
        only(status),
        params={"limit": 100},
        shape_status=404 if malformed(task_id) else None,
        verify=verify,
        history=frozenset(world.task_history.get(task_id, ())),
    )


def list_task_versions(step: Step) -> Plan:
    world, task_id = step.world, step.task()
    task = world.tasks.get(task_id)
    status = 404 if malformed(task_id) else first(world.read_refusal(step.actor.id, world.task_workspace(task_id)), 200)

    def verify(response: WsgiResponse) -> None:
        assert task is not None
        items = response.json()["items"]
        # The newest version is the task as it is: every change of its title is one.
        expect_equal(f"newest version of {task_id}", items[0]["snapshot"]["title"], task.title)

    return Plan(
        "GET",
        f"/api/tasks/{task_id}/versions",
        only(status),
        params={"limit": 1},
        shape_status=404 if malformed(task_id) else None,
        verify=verify,
    )


def restore_task_version(step: Step) -> Plan:
    """A version no task has: the roles and If-Match decide before the version is looked for, so
    the answer says what the caller may do without changing what the world model follows."""
    world, task_id = step.world, step.task()
    task = world.tasks.get(task_id)
    headers, stale = if_match(step, task)
    refusal = 404 if task is None else world.write_refusal(step.actor.id, task.workspace)
    missing = 428 if "If-Match" not in headers else None
    status = 404 if malformed(task_id) else first(missing, refusal, 412 if stale else None, 404)
    return Plan(
        "POST",
        f"/api/tasks/{task_id}/versions/2147483647/restore",
        only(status),
        headers=headers,
        shape_status=404 if malformed(task_id) else None,
    )


# -- many tasks at once: each item is judged as its single request would be ---------------------


def _batch_targets(step: Step) -> list[tuple[str, Any, dict[str, str], bool]]:
    """One to three distinct, well-formed task ids with their world task (or None) and If-Match."""
    chosen: list[tuple[str, Any, dict[str, str], bool]] = []
    for _ in range(step.rng.randint(1, 3)):
        task_id = step.task()
        if malformed(task_id) or any(task_id.lower() == seen.lower() for seen, *_ in chosen):
            continue  # a malformed or repeated id refuses the whole batch: the single-route generators cover those
        task = step.world.tasks.get(task_id)
        headers, stale = if_match(step, task)
        chosen.append((task_id, task, headers, stale))
    return chosen or [(step.missing_id(), None, {}, False)]


def _item_status(step: Step, task: Any, stale: bool, applied: int) -> int:
    refusal = 404 if task is None else step.world.write_refusal(step.actor.id, task.workspace)
    return first(refusal, 412 if stale else None, applied)


def _check_items(expected: dict[str, int]) -> Any:
    def verify(response: WsgiResponse) -> None:
        statuses = {item["id"]: item["status"] for item in response.json()["items"]}
        expect_equal("statuses of the batch's items", statuses, expected)

    return verify


def batch_patch_tasks(step: Step) -> Plan:
    world = step.world
    targets = _batch_targets(step)
    changes = [step.pick(({"priority": step.pick((1, 2, 3))}, {"title": step.word("task")})) for _ in targets]
    expected = {task_id: _item_status(step, task, stale, 200) for task_id, task, _, stale in targets}
    items = [
        {"id": task_id, "if_match": headers.get("If-Match"), "changes": change}
        for (task_id, _, headers, _), change in zip(targets, changes, strict=True)
    ]

    def apply(response: WsgiResponse) -> None:
        for (task_id, task, _, _), change in zip(targets, changes, strict=True):
            if expected[task_id] != 200:
                continue
            task.version += 1
            if "title" in change:
                world.retitle(task, change["title"])
            if "priority" in change:
                task.priority = change["priority"]
            world.event(task)

    def verify(response: WsgiResponse) -> None:
        _check_items(expected)(response)
        for item in response.json()["items"]:
            if item["status"] == 200:
                check_task(world, item["task"])

    status = 200 if all(code == 200 for code in expected.values()) else 207
    # Each item's id is echoed back: the caller's own words, whatever became of the task.
    sent = frozenset(task_id for task_id, *_ in targets)
    return Plan("PATCH", "/api/tasks", only(status), json={"items": items}, apply=apply, verify=verify, history=sent)


def batch_delete_tasks(step: Step) -> Plan:
    world = step.world
    targets = _batch_targets(step)
    expected = {task_id: _item_status(step, task, stale, 204) for task_id, task, _, stale in targets}
    items = [{"id": task_id, "if_match": headers.get("If-Match")} for task_id, _, headers, _ in targets]

    def apply(response: WsgiResponse) -> None:
        for task_id, task, _, _ in targets:
            if expected[task_id] == 204:
                world.event(task)
                world.delete_task(task)

    status = 200 if all(code == 204 for code in expected.values()) else 207
    sent = frozenset(task_id for task_id, *_ in targets)
    return Plan(
        "DELETE",
        "/api/tasks",
        only(status),
        json={"items": items},
        apply=apply,
        verify=_check_items(expected),
        history=sent,
    )
